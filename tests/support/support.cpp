#include "support/support.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "telepp/base/hex.hpp"

namespace telepp::test {

Bytes hex(std::string_view text) {
  auto r = from_hex(text);
  if (!r) {
    std::fprintf(stderr, "bad hex literal in a test: %s\n", r.error().detail.c_str());
    std::abort();
  }
  return *r;
}

std::string vector_text(std::string_view relative_path) {
  std::string path = std::string(TELEPP_VECTORS_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "missing test vector %s\n", path.c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes vector_file(std::string_view relative_path) {
  auto s = vector_text(relative_path);
  return Bytes(s.begin(), s.end());
}

}  // namespace telepp::test
