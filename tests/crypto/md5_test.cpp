// MD5 through OpenSSL, as inputFile.md5_checksum spells it: RFC 1321's test suite.
#include <gtest/gtest.h>

#include "telepp/crypto/md5.hpp"

namespace telepp::crypto {
namespace {

std::string md5_of(std::string_view text) { return md5_hex(as_bytes(text)); }

TEST(Md5, MatchesRfc1321Digests) {
  EXPECT_EQ(md5_of(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_of("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_of("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(md5_of(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");  // padding spills into a second block
}

}  // namespace
}  // namespace telepp::crypto
