#pragma once
// Helpers shared by all test binaries.

#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"

namespace telepp::test {

/// Bytes from hex (whitespace allowed); aborts the test binary on bad hex (a test bug).
Bytes hex(std::string_view text);
/// The content of a file under tests/vectors/.
Bytes vector_file(std::string_view relative_path);
std::string vector_text(std::string_view relative_path);

}  // namespace telepp::test
