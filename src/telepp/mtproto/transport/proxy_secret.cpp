#include "telepp/mtproto/transport/proxy_secret.hpp"

#include <algorithm>
#include <cstring>

#include "telepp/base/hex.hpp"
#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto::transport {
namespace {

constexpr Byte kPaddedPrefix = 0xdd;
constexpr Byte kFakeTlsPrefix = 0xee;

// Value of a base64 digit in either alphabet (standard or URL-safe), or -1.
int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

Result<Bytes> from_base64_any(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return mtproto_fail(MtprotoErrc::bad_secret, "base64 secret has a dangling character");
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int d = base64_digit(c);
    if (d < 0) return mtproto_fail(MtprotoErrc::bad_secret, "secret is neither hex nor base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<Byte>(acc >> bits));
    }
  }
  return out;
}

bool is_hex_text(std::string_view text) {
  return !text.empty() && text.size() % 2 == 0 &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

}  // namespace

Result<ProxySecret> ProxySecret::parse(ByteView raw) {
  ProxySecret s;
  if (raw.size() == 16) {
    std::copy(raw.begin(), raw.end(), s.key.begin());
    return s;
  }
  if (raw.size() < 17) {
    return mtproto_fail(MtprotoErrc::bad_secret, "secret of " + std::to_string(raw.size()) + " bytes, expected 16, 17 or ee+16+domain");
  }
  std::copy(raw.begin() + 1, raw.begin() + 17, s.key.begin());
  if (raw[0] == kFakeTlsPrefix) {
    ByteView domain = raw.subspan(17);
    if (domain.empty()) return mtproto_fail(MtprotoErrc::bad_secret, "fake-TLS secret without a domain");
    if (domain.size() > kMaxDomainSize) {
      return mtproto_fail(MtprotoErrc::bad_secret, "fake-TLS domain of " + std::to_string(domain.size()) +
                                                       " bytes, at most " + std::to_string(kMaxDomainSize));
    }
    // SNI host names are ASCII; anything else would make a ClientHello no browser sends.
    if (!std::all_of(domain.begin(), domain.end(), [](Byte b) { return b > 0x20 && b < 0x7f; })) {
      return mtproto_fail(MtprotoErrc::bad_secret, "fake-TLS domain is not printable ASCII");
    }
    s.kind = Kind::fake_tls;
    s.domain.assign(as_chars(domain));
    return s;
  }
  if (raw.size() != 17) {
    return mtproto_fail(MtprotoErrc::bad_secret, "secret of " + std::to_string(raw.size()) + " bytes without the ee prefix");
  }
  // NOTE: the spec asks clients to use padded intermediate for any 17-byte secret, not only `dd`.
  s.kind = Kind::padded;
  return s;
}

Result<ProxySecret> ProxySecret::from_string(std::string_view text) {
  if (is_hex_text(text)) {
    auto bytes = from_hex(text);
    if (!bytes.ok()) return mtproto_fail(MtprotoErrc::bad_secret, bytes.error().detail);
    return parse(*bytes);
  }
  auto bytes = from_base64_any(text);
  if (!bytes.ok()) return Failure{bytes.take_error()};
  return parse(*bytes);
}

Bytes ProxySecret::to_bytes() const {
  const std::size_t prefix = kind == Kind::plain ? 0 : 1;
  const std::size_t tail = kind == Kind::fake_tls ? domain.size() : 0;
  Bytes out(prefix + key.size() + tail);
  if (kind == Kind::padded) out[0] = kPaddedPrefix;
  if (kind == Kind::fake_tls) out[0] = kFakeTlsPrefix;
  std::memcpy(out.data() + prefix, key.data(), key.size());
  if (tail > 0) std::memcpy(out.data() + prefix + key.size(), domain.data(), tail);
  return out;
}

std::string ProxySecret::to_string() const { return to_hex(to_bytes()); }

}  // namespace telepp::mtproto::transport
