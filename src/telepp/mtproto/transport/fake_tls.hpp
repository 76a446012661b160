#pragma once
/// \file Fake-TLS (MTProxy `ee` secrets): the ClientHello whose random field authenticates the
/// client, the server's answer authenticating the server, and the record constants. `Codec` runs
/// it; the pieces are public for tests and tools. See https://core.telegram.org/proxy and
/// https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation.
///
/// Client → server: a ClientHello record (TLS 1.3 shaped, SNI = the secret's domain) whose random
/// is HMAC-SHA256(key, hello with a zero random) with its last 4 bytes XORed with the client's
/// Unix time (LE). Server → client: ServerHello record, ChangeCipherSpec, one application-data
/// record of random bytes; its random is HMAC-SHA256(key, client random ‖ answer with a zero
/// random). Afterwards both sides send obfuscated2 inside application-data records
/// (17 03 03 len), the client's first one preceded by a ChangeCipherSpec record.

#include <cstdint>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"

namespace telepp::mtproto::transport {

inline constexpr std::size_t kTlsRecordHeaderSize = 5;
/// Where the 32-byte random sits in a ClientHello or ServerHello record (5 record header bytes,
/// 4 handshake header bytes, 2 version bytes).
inline constexpr std::size_t kTlsRandomOffset = 11;
/// The size of our ClientHello record; deployed proxies read exactly this many bytes.
inline constexpr std::size_t kClientHelloSize = 517;
/// The largest record payload accepted (RFC 8446 §5.2: 2^14 + 256 for protected records).
inline constexpr std::size_t kMaxTlsRecordPayload = 16384 + 256;
/// The largest record payload we send by default: what deployed clients send (any size up to
/// 2^14 is valid TLS, but an unusual constant is a fingerprint).
inline constexpr std::size_t kDefaultTlsRecordPayload = 2878;
/// The ChangeCipherSpec record both sides send once before their first application data.
inline constexpr Byte kTlsChangeCipherSpec[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};

/// A ClientHello record for `domain` (1..ProxySecret::kMaxDomainSize bytes, asserted), signed
/// with the 16-byte `key` at `unix_time`: GREASE values, the session id and the key share come
/// from `entropy`.
Bytes make_client_hello(std::string_view domain, ByteView key, std::uint32_t unix_time, Entropy& entropy);

/// What the server needs from a ClientHello.
struct ClientHello {
  std::string domain;  ///< the server_name extension's host name
  Int256 random;       ///< the random field as received
  Bytes session_id;    ///< legacy_session_id, echoed in the answer
};

/// Parses one complete ClientHello record (`record` is the 5-byte header and exactly the length
/// it announces). Checks the TLS structure: record and handshake types and lengths, the vectors
/// nesting exactly, one server_name extension with a host name. Fails with
/// `bad_transport_header`. Does not check the HMAC.
Result<ClientHello> parse_client_hello(ByteView record);

/// SECURITY: checks the HMAC in the random field of `record` (a whole ClientHello record) under
/// the 16-byte `key`, in constant time, and returns the Unix time the client put there. Fails
/// with `bad_secret` when the HMAC does not match.
Result<std::uint32_t> client_hello_timestamp(ByteView record, ByteView key);

/// The server's answer to a ClientHello with `client_random` and `session_id`: ServerHello
/// (TLS 1.3, TLS_AES_128_GCM_SHA256, an x25519 key share), ChangeCipherSpec, and one
/// application-data record of `fake_data_size` (1..kMaxTlsRecordPayload, asserted) random bytes,
/// signed with `key`.
Bytes make_server_hello(const Int256& client_random, ByteView session_id, ByteView key, std::size_t fake_data_size,
                        Entropy& entropy);

/// The size of the complete server answer at the start of `data` (ServerHello record,
/// ChangeCipherSpec, one application-data record), or 0 while it is incomplete. Fails with
/// `bad_transport_header` when the records are not the expected ones or exceed the record limit.
Result<std::size_t> server_hello_size(ByteView data);

/// SECURITY: checks the HMAC of a complete server answer (`server_hello_size` bytes) against the
/// `client_random` we sent, in constant time. Fails with `bad_secret`.
Status verify_server_hello(ByteView answer, const Int256& client_random, ByteView key);

}  // namespace telepp::mtproto::transport
