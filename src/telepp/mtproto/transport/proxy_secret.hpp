#pragma once
/// \file MTProxy secrets: the 16-byte key and what its prefix asks for (padded intermediate,
/// fake-TLS with a domain). See https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation
/// and https://core.telegram.org/proxy.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp::mtproto::transport {

/// An MTProxy secret. The key is what obfuscated2 mixes into its AES keys (SHA-256(key ‖ secret))
/// and what fake-TLS uses as the HMAC key; the kind says how the client must connect.
struct ProxySecret {
  enum class Kind : std::uint8_t {
    plain,     ///< 16 bytes: obfuscated2, any inner protocol
    padded,    ///< `dd` + 16 bytes: obfuscated2 with padded intermediate only
    fake_tls,  ///< `ee` + 16 bytes + domain: padded intermediate in obfuscated2 inside fake TLS records
  };

  /// The longest domain a fake-TLS secret may carry: what still fits our 517-byte ClientHello
  /// (the size deployed proxies expect) without dropping its padding extension.
  static constexpr std::size_t kMaxDomainSize = 182;

  Kind kind = Kind::plain;
  std::array<Byte, 16> key{};
  std::string domain;  ///< the SNI for fake-TLS; empty otherwise

  /// Reads the binary form: 16 bytes (plain), 17 bytes starting 0xdd (padded; the spec says any
  /// 17th byte means padded, so other prefixes are read as padded too), or 0xee + 16 bytes + a
  /// domain of 1..kMaxDomainSize printable ASCII characters. Fails with `bad_secret` otherwise.
  static Result<ProxySecret> parse(ByteView raw);
  /// Reads the text form found in proxy links: hex (either case), or base64url (with or without
  /// '=' padding, also the standard alphabet). Fails with `bad_secret`.
  static Result<ProxySecret> from_string(std::string_view text);

  /// The binary form (`parse` of it gives back this secret).
  Bytes to_bytes() const;
  /// The binary form as lowercase hex, as proxy links carry it.
  std::string to_string() const;
  ByteView key_view() const { return {key.data(), key.size()}; }
  /// True for kinds whose client must use padded intermediate (`dd`, `ee`).
  bool forces_padding() const { return kind != Kind::plain; }

  bool operator==(const ProxySecret&) const = default;
};

}  // namespace telepp::mtproto::transport
