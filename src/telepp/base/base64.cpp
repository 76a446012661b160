#include "telepp/base/base64.hpp"

#include <array>

namespace telepp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<signed char, 256> make_decode_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto kDecode = make_decode_table();

Failure bad(std::string what) { return fail(Error(ErrorDomain::base, 2, "invalid base64: " + std::move(what))); }

}  // namespace

std::string to_base64(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    std::uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = data[i] << 16 | (rest == 2 ? data[i + 1] << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<Bytes> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return bad("length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t v = 0;
    bool last = i + 4 == text.size();
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      int d;
      if (c == '=' && last && k >= 4 - pad) {
        d = 0;
      } else {
        d = kDecode[static_cast<unsigned char>(c)];
        if (d < 0) return bad("character '" + std::string(1, c) + "' at position " + std::to_string(i + k));
      }
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<Byte>(v >> 16));
    if (!last || pad < 2) out.push_back(static_cast<Byte>(v >> 8));
    if (!last || pad < 1) out.push_back(static_cast<Byte>(v));
  }
  // Reject non-canonical encodings (non-zero bits under the padding) so decoding is exact.
  if (pad > 0) {
    int d = kDecode[static_cast<unsigned char>(text[text.size() - pad - 1])];
    if ((d & (pad == 1 ? 3 : 15)) != 0) return bad("non-zero bits under the padding");
  }
  return out;
}

}  // namespace telepp
