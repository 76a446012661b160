#pragma once
/// \file `Codec`: MTProto packets ⇄ a TCP byte stream, in either role, sans-IO. One class covers
/// every transport (abridged, intermediate, padded intermediate, full), optionally inside
/// obfuscated2, optionally inside fake-TLS records; a server codec first detects which of them
/// the client speaks. See https://core.telegram.org/mtproto/mtproto-transports.
///
/// Sending: `pack(payload)` turns a packet into the exact bytes to write, in place (keep
/// `headroom()` bytes free in front of the payload to avoid a copy); the first call also writes
/// whatever must precede the first frame (marker, obfuscation init, TLS ClientHello).
/// Receiving: write socket bytes into `prepare(n)` and `commit(k)` them (or `feed` a copy), then
/// call `unpack()` until it returns `NeedMoreBytes`. The codec owns its receive buffer, so it can
/// unwrap TLS records and decrypt in place and keep the buffer bounded: it never holds more than
/// one frame of `max_frame_size` plus a fixed slack, whatever a peer claims or sends.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "telepp/base/buffer.hpp"
#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/crypto/aes_ctr.hpp"
#include "telepp/mtproto/transport/fake_tls.hpp"
#include "telepp/mtproto/transport/obfuscation.hpp"
#include "telepp/mtproto/transport/protocol.hpp"
#include "telepp/mtproto/transport/proxy_secret.hpp"
#include "telepp/mtproto/transport/replay_cache.hpp"

namespace telepp::mtproto::transport {

/// `unpack()` cannot return anything until more bytes arrive.
struct NeedMoreBytes {
  std::size_t at_least = 1;  ///< a lower bound on the missing bytes (TLS record headers may add more)
};
/// One MTProto packet.
struct Frame {
  /// The packet, inside the codec's receive buffer (already decrypted from obfuscation, writable
  /// so the encrypted message can be decrypted in place). Valid until the next `prepare()` or
  /// `feed()`; later `unpack()` calls leave it alone.
  MutableByteView payload;
  bool quick_ack_requested = false;  ///< server side: the client asked for a quick ack of it
};
/// Client side: the server's quick ack, the token `encrypt_message` returned (bit 31 set).
struct QuickAck {
  std::uint32_t token = 0;
};
/// Client side: the server sent a transport error instead of a packet; `code` is negative.
struct TransportError {
  std::int32_t code = 0;
};
/// Server side, fake-TLS only: the TLS answer to write to the client now, before any frame. The
/// client waits for it.
struct HandshakeReply {
  Bytes bytes;
};

/// What `unpack()` found.
using Unpacked = std::variant<NeedMoreBytes, Frame, QuickAck, TransportError, HandshakeReply>;

/// Transport error codes the spec names (https://core.telegram.org/mtproto/mtproto-transports#transport-errors).
inline constexpr std::int32_t kErrorForbidden = -403;
inline constexpr std::int32_t kErrorAuthKeyNotFound = -404;
inline constexpr std::int32_t kErrorFlood = -429;
inline constexpr std::int32_t kErrorInvalidDc = -444;

/// `e` as an Error of code `transport_error`, the number and its meaning in the detail.
Error to_error(TransportError e);

/// How a client connects.
struct ClientOptions {
  Protocol protocol = Protocol::intermediate;
  /// obfuscated2 around the protocol (implied by `secret`; not possible with `full`).
  bool obfuscated = false;
  /// An MTProxy secret: obfuscated2 keyed with it; `dd` and `ee` force padded intermediate, `ee`
  /// adds fake-TLS.
  std::optional<ProxySecret> secret{};
  /// Written into the obfuscation init (the spec asks for it only with MTProxy: +10000 for test
  /// DCs, negative for media DCs); 0 leaves those bytes random.
  std::int16_t dc_id = 0;
  /// Largest application-data record sent under fake-TLS (clamped to 1..16384).
  std::size_t tls_record_payload = kDefaultTlsRecordPayload;
  /// Largest frame payload accepted from the server.
  std::size_t max_frame_size = kDefaultMaxFrameSize;
};

/// What a server accepts.
struct ServerOptions {
  /// Without a secret the server accepts every protocol, plain or obfuscated2 (a Telegram DC).
  /// With one it is an MTProxy: only obfuscated2 keyed with the secret, padded intermediate only
  /// for `dd`, and inside fake-TLS (with the secret's domain as SNI) for `ee`.
  std::optional<ProxySecret> secret{};
  /// With a secret: also accept everything a DC accepts (plain protocols and obfuscated2 without
  /// a secret), so one port serves Telegram clients directly and as an MTProxy. What the first
  /// bytes are decides: a TLS ClientHello start takes the fake-TLS path (`ee` secrets), an
  /// obfuscation init whose tag decrypts without the secret is a DC connection, else the secret
  /// is tried.
  bool also_without_secret = false;
  /// Optional, shared by a server's connections: refuses replayed fake-TLS hellos and, with a
  /// secret, replayed obfuscation inits (active probing). Not owned.
  ReplayCache* replay_cache = nullptr;
  /// The fake-TLS ClientHello's time must be within this of the accept time.
  std::chrono::seconds tls_max_clock_skew = std::chrono::minutes(10);
  /// Size of the random record after ServerHello (the fake certificate); 0 picks 1024..4095.
  std::size_t tls_fake_data_size = 0;
  /// Largest application-data record sent under fake-TLS (clamped to 1..16384).
  std::size_t tls_record_payload = kDefaultTlsRecordPayload;
  /// Largest frame payload accepted from the client.
  std::size_t max_frame_size = kDefaultMaxFrameSize;
};

/// Why a server codec refused a connection (the Error says it too, for logs). The server may
/// close, or answer as a real DC would; what fits is its choice.
enum class Rejection : std::uint8_t {
  none,
  unknown_header,     ///< no transport starts like this (bad_transport_header)
  http,               ///< an HTTP request: the HTTP transport is not supported (bad_transport_header)
  not_tls,            ///< a fake-TLS secret is configured but this is not a TLS ClientHello (bad_transport_header)
  bad_tls_hello,      ///< a malformed ClientHello (bad_transport_header)
  bad_protocol_tag,   ///< obfuscated2 decrypted to no known tag: wrong secret or garbage (bad_transport_header)
  bad_hmac,           ///< the ClientHello is not signed with our secret (bad_secret)
  wrong_domain,       ///< signed with our secret, but for another SNI domain (bad_secret)
  stale_timestamp,    ///< the ClientHello's time is outside the allowed skew (bad_secret)
  replayed,           ///< a handshake seen before (bad_secret)
  protocol_not_allowed,  ///< a dd/ee secret with a protocol other than padded intermediate (bad_secret)
};
std::string_view to_string(Rejection r);

/// One connection's transport, in one role. Move-only; not thread-safe. Errors from `unpack()`
/// are final: the codec repeats the same error afterwards and the connection should be closed.
class Codec {
 public:
  /// A client codec. `entropy` (padding, the obfuscation init, the TLS hello) must outlive the
  /// codec; `now` is the wall-clock time signed into a fake-TLS hello. Fails with
  /// `bad_transport_header` for an obfuscated `full` transport (it has no tag to send).
  static Result<Codec> client(const ClientOptions& options, Entropy& entropy, Time now);
  /// A server codec for one accepted connection: it detects the client's transport from the
  /// first bytes. `now` is the accept time, against which a fake-TLS hello's time is checked
  /// (a hello arriving long after the accept is refused too). `entropy` must outlive the codec.
  static Codec server(const ServerOptions& options, Entropy& entropy, Time now);

  Codec(Codec&&) noexcept;
  Codec& operator=(Codec&&) noexcept;
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;
  ~Codec();

  // --- sending ---

  /// Bytes `pack()` will prepend to the next payload (framing, record header, and anything still
  /// to precede the first frame); reserve them as the payload's headroom to frame in place.
  std::size_t headroom() const;
  /// Bytes `pack()` may append after a payload of `payload_size` bytes (padding, CRC, and the
  /// headers of further TLS records, for which the payload is moved up in place); reserve them
  /// as tailroom to avoid a reallocation.
  std::size_t tailroom(std::size_t payload_size) const;
  /// Frames `payload` (a packet, a multiple of 4 bytes: asserted) in place: on return it holds
  /// the bytes to write, including, on the first call, the marker / obfuscation init / TLS
  /// ClientHello not yet written. `request_quick_ack` asks the server for a quick ack (client
  /// side; ignored by servers and by the full transport, which has none). Server side: only once
  /// `ready()` (asserted).
  void pack(Buffer& payload, bool request_quick_ack = false);
  /// Client side: replaces `out` with the bytes that must precede the first frame and have not
  /// been written yet (the marker, or the obfuscation init, or, with fake-TLS, the ClientHello
  /// alone, so the client can wait for the server's answer as browsers do). False, with `out`
  /// empty, when there are none.
  bool pack_preamble(Buffer& out);
  /// Server side: replaces `out` with a transport error packet (`code` negative, e.g.
  /// kErrorAuthKeyNotFound) ready to write. Only once `ready()` (asserted).
  void pack_transport_error(Buffer& out, std::int32_t code);
  /// Server side: replaces `out` with the quick ack for `token` (the value `decrypt_message`
  /// reported; bit 31 is set here anyway): big-endian under abridged, little-endian otherwise.
  /// False, with `out` empty, for the full transport (no quick acks). Only once `ready()`.
  bool pack_quick_ack(Buffer& out, std::uint32_t token);

  // --- receiving ---

  /// Writable room for up to `n` received bytes at the end of the receive buffer (fewer when
  /// the buffer is at its bound; empty only if frames are left unread: call `unpack()` first).
  /// Invalidates earlier frames.
  MutableByteView prepare(std::size_t n);
  /// Marks `n` bytes of the last `prepare()` as received (`n` ≤ its size: asserted).
  void commit(std::size_t n);
  /// Copies as much of `bytes` as fits (`prepare` + `commit`) and returns how many; feed the rest
  /// after `unpack()` has drained the buffer. Invalidates earlier frames.
  std::size_t feed(ByteView bytes);
  /// The next thing in the received bytes. Errors (all final): `frame_too_large` (a length above
  /// `max_frame_size`, refused before anything is allocated for it), `bad_frame` (length, seq_no,
  /// CRC, or TLS record framing wrong), `bad_transport_header` / `bad_secret` (server detection
  /// refused the connection: see `rejection()`; client: the fake-TLS answer is malformed / not
  /// signed with the secret).
  Result<Unpacked> unpack();
  /// Bytes received and not yet returned by `unpack()`.
  std::size_t buffered() const { return (plain_end_ - consumed_) + (end_ - raw_pos_); }
  /// Frees the receive buffer when nothing is buffered (after `unpack()` returned
  /// `NeedMoreBytes`), so an idle connection holds none; the next `prepare()` allocates again.
  /// Invalidates earlier frames. Returns false (and keeps the buffer) while bytes are buffered.
  bool release_receive_buffer();
  /// Bytes allocated for receiving (for tests and memory accounting).
  std::size_t receive_capacity() const { return rcap_; }

  // --- state ---

  Role role() const { return role_; }
  /// Server: detection succeeded (protocol, obfuscation and DC id are known; pack may be called).
  /// Client: always.
  bool ready() const { return role_ == Role::client || stage_ == Stage::frames; }
  /// The inner protocol (server: meaningful once `ready()`).
  Protocol protocol() const { return protocol_; }
  bool obfuscated() const { return obfuscated_; }
  bool fake_tls() const { return tls_; }
  /// The DC id from the obfuscation init (random unless the client wrote one, as MTProxy clients do).
  std::int16_t dc_id() const { return dc_id_; }
  /// Server: why detection refused the connection, or `none`.
  Rejection rejection() const { return rejection_; }

 private:
  enum class Stage : std::uint8_t { detect, obfuscation_init, tls_answer, frames, failed };

  Codec(Role role, Entropy& entropy, std::size_t max_frame_size);

  Result<Unpacked> step();
  Status pump();
  Status unwrap_records();
  void start_records();
  // Stages: true when `out` holds what unpack() returns, false to go on with the next stage.
  Result<bool> detect(Unpacked& out);
  Result<bool> detect_tls(Unpacked& out);
  Result<bool> read_obfuscation_init(Unpacked& out);
  Result<bool> read_tls_answer(Unpacked& out);
  Result<Unpacked> read_frame();
  Result<Unpacked> read_abridged();
  Result<Unpacked> read_intermediate();
  Result<Unpacked> read_full();
  Failure reject(Rejection why, std::string detail);

  void frame(Buffer& payload, bool quick_ack);
  void seal(Buffer& payload);
  void wrap_records(Buffer& payload);
  void compact();

  Role role_;
  Stage stage_ = Stage::frames;
  Protocol protocol_ = Protocol::intermediate;
  Entropy* entropy_;
  std::size_t max_frame_;
  bool obfuscated_ = false;
  bool tls_ = false;
  std::int16_t dc_id_ = 0;
  Rejection rejection_ = Rejection::none;
  std::optional<Error> error_;

  bool has_secret_ = false;
  bool also_without_secret_ = false;  ///< server: DC protocols are accepted beside the secret's
  ProxySecret secret_;  // (not an optional: GCC 12 warns falsely on moving optional<string>)
  ReplayCache* replay_ = nullptr;
  std::int64_t accepted_at_ = 0;  ///< server: Unix seconds
  std::chrono::seconds max_skew_{0};
  std::size_t fake_data_size_ = 0;
  std::size_t record_payload_ = kDefaultTlsRecordPayload;

  // Sending.
  Bytes pending_hello_;   ///< client fake-TLS: the ClientHello, until written
  Bytes pending_header_;  ///< client: the marker or the obfuscation init, until written
  bool pending_ccs_ = false;  ///< client fake-TLS: ChangeCipherSpec before the first record
  std::optional<crypto::AesCtr> encrypt_;
  std::optional<crypto::AesCtr> decrypt_;
  std::optional<CtrKeyIv> decrypt_later_;  ///< client fake-TLS: decryption starts after the answer
  Int256 client_random_;                  ///< client fake-TLS: our hello's random
  std::uint32_t send_seq_ = 0;
  std::uint32_t recv_seq_ = 0;

  // Receiving: [0, consumed_) returned already; [consumed_, decrypted_end_) ready for framing;
  // [decrypted_end_, plain_end_) unwrapped, decryption pending (before keys are known);
  // [plain_end_, raw_pos_) the gap left by removed record headers; [raw_pos_, end_) received,
  // not yet unwrapped. Without records, plain_end_ == raw_pos_ == end_.
  std::unique_ptr<Byte[]> rbuf_;
  std::size_t rcap_ = 0;
  std::size_t rlimit_ = 0;
  std::size_t consumed_ = 0;
  std::size_t decrypted_end_ = 0;
  std::size_t plain_end_ = 0;
  std::size_t raw_pos_ = 0;
  std::size_t end_ = 0;
  std::size_t record_left_ = 0;  ///< payload bytes of the current record not yet received
  bool records_ = false;         ///< received bytes from raw_pos_ on are TLS records
  bool app_record_seen_ = false;
  bool ccs_seen_ = false;
};

/// The payload inside a padded-intermediate frame whose padding length is not on the wire: an
/// encrypted MTProto packet is 24 + 16k bytes, an unencrypted one 20 + message_data_length; other
/// frames lose at most their last 0..3 bytes. Exposed for tests.
std::size_t padded_payload_size(ByteView frame);

}  // namespace telepp::mtproto::transport
