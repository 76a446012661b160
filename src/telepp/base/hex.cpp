#include "telepp/base/hex.hpp"

namespace telepp {

std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
}  // namespace

Result<Bytes> from_hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_space(c)) continue;
    int d = hex_digit(c);
    if (d < 0) {
      return fail(Error(ErrorDomain::base, 1, "not a hex digit '" + std::string(1, c) + "' at position " + std::to_string(i)));
    }
    if (high < 0) {
      high = d;
    } else {
      out.push_back(static_cast<Byte>(high << 4 | d));
      high = -1;
    }
  }
  if (high >= 0) return fail(Error(ErrorDomain::base, 1, "odd number of hex digits"));
  return out;
}

}  // namespace telepp
