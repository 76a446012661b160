#include "telepp/mtproto/transport/codec.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>

#include "telepp/base/crc32.hpp"
#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto::transport {
namespace {

constexpr Byte kAbridgedMarker = 0xef;
constexpr std::uint32_t kIntermediateMarker = 0xeeeeeeee;
constexpr std::uint32_t kPaddedMarker = 0xdddddddd;
constexpr std::uint32_t kQuickAckBit = 0x80000000u;
constexpr std::uint32_t kAbridgedLongForm = 0x7f;
// HTTP methods a Telegram server would take for the HTTP transport.
constexpr std::uint32_t kHttpWords[] = {0x44414548, 0x54534f50, 0x20544547, 0x4954504f};  // HEAD POST GET_ OPTI
// Full transport: length, seq_no, CRC.
constexpr std::size_t kFullOverhead = 12;
// Smallest MTProto packet (an unencrypted message with an empty body): padded frames shorter
// than this with a negative first word are transport errors plus padding.
constexpr std::size_t kMinPacket = 20;
constexpr std::size_t kMaxPadding = 15;
constexpr std::size_t kMaxTlsSendRecord = 16384;
constexpr std::size_t kMaxClientHelloRecord = 16384;
constexpr Byte kTlsClientHelloStart[] = {0x16, 0x03, 0x01};
// Receive-buffer room beyond one maximal frame: framing (≤ 12 bytes), padding (≤ 15), a partial
// record header, and the handshake stages (a ClientHello ≤ 16 KiB, a TLS answer ≤ 33 KiB).
constexpr std::size_t kReceiveSlack = 64 * 1024;
constexpr std::size_t kInitialReceiveCapacity = 4096;

// A stage's result: `value` is what unpack() returns.
bool emit(Unpacked& out, Unpacked value) {
  out = std::move(value);
  return true;
}

NeedMoreBytes need(std::size_t have, std::size_t want) { return NeedMoreBytes{want > have ? want - have : 1}; }

Failure bad_frame(std::string detail) { return mtproto_fail(MtprotoErrc::bad_frame, std::move(detail)); }

Failure too_large(std::size_t size, std::size_t limit) {
  return mtproto_fail(MtprotoErrc::frame_too_large,
                      "frame of " + std::to_string(size) + " bytes, limit " + std::to_string(limit));
}

MtprotoErrc code_of(Rejection r) {
  switch (r) {
    case Rejection::bad_hmac:
    case Rejection::wrong_domain:
    case Rejection::stale_timestamp:
    case Rejection::replayed:
    case Rejection::protocol_not_allowed: return MtprotoErrc::bad_secret;
    default: return MtprotoErrc::bad_transport_header;
  }
}

std::size_t clamp_record(std::size_t n) { return std::clamp<std::size_t>(n, 1, kMaxTlsSendRecord); }

// A negative 4-byte transport error, if the frame is one (client side).
std::optional<std::int32_t> transport_error_in(ByteView frame, bool padded) {
  if (frame.size() < 4) return std::nullopt;
  if (padded ? frame.size() >= kMinPacket : frame.size() != 4) return std::nullopt;
  const auto code = static_cast<std::int32_t>(load_le32(frame.data()));
  if (code >= 0) return std::nullopt;
  return code;
}

}  // namespace

std::size_t padded_payload_size(ByteView frame) {
  const std::size_t aligned = frame.size() & ~std::size_t{3};
  if (aligned < 8) return aligned;
  if (load_le64(frame.data()) == 0) {
    // Unencrypted: auth_key_id, msg_id, message_data_length, data.
    if (frame.size() < kMinPacket) return aligned;
    const std::size_t body = load_le32(frame.data() + 16);
    return body <= frame.size() - kMinPacket ? kMinPacket + body : aligned;
  }
  // Encrypted: auth_key_id and msg_key (24 bytes), then whole AES blocks.
  if (frame.size() < 24) return aligned;
  return 24 + ((frame.size() - 24) & ~std::size_t{15});
}

std::string_view to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::abridged: return "abridged";
    case Protocol::intermediate: return "intermediate";
    case Protocol::padded_intermediate: return "padded intermediate";
    case Protocol::full: return "full";
  }
  return "?";
}

Error to_error(TransportError e) {
  std::string what;
  switch (e.code) {
    case kErrorForbidden: what = " (forbidden)"; break;
    case kErrorAuthKeyNotFound: what = " (auth key not found)"; break;
    case kErrorFlood: what = " (transport flood)"; break;
    case kErrorInvalidDc: what = " (invalid DC)"; break;
    default: break;
  }
  return mtproto_error(MtprotoErrc::transport_error, "transport error " + std::to_string(e.code) + what);
}

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::none: return "none";
    case Rejection::unknown_header: return "unknown header";
    case Rejection::http: return "HTTP request";
    case Rejection::not_tls: return "not a TLS ClientHello";
    case Rejection::bad_tls_hello: return "malformed TLS ClientHello";
    case Rejection::bad_protocol_tag: return "bad obfuscation protocol tag";
    case Rejection::bad_hmac: return "TLS ClientHello HMAC mismatch";
    case Rejection::wrong_domain: return "wrong TLS SNI domain";
    case Rejection::stale_timestamp: return "TLS ClientHello time out of window";
    case Rejection::replayed: return "replayed handshake";
    case Rejection::protocol_not_allowed: return "protocol not allowed by the secret";
  }
  return "?";
}

// --- construction ---

Codec::Codec(Role role, Entropy& entropy, std::size_t max_frame_size)
    : role_(role),
      entropy_(&entropy),
      max_frame_(max_frame_size),
      rlimit_(max_frame_size > SIZE_MAX - kReceiveSlack ? SIZE_MAX : max_frame_size + kReceiveSlack) {}

Codec::Codec(Codec&&) noexcept = default;
Codec& Codec::operator=(Codec&&) noexcept = default;
Codec::~Codec() = default;

Result<Codec> Codec::client(const ClientOptions& options, Entropy& entropy, Time now) {
  Codec c(Role::client, entropy, options.max_frame_size);
  c.protocol_ = options.protocol;
  c.record_payload_ = clamp_record(options.tls_record_payload);
  if (options.secret) {
    c.has_secret_ = true;
    c.secret_ = *options.secret;
    if (c.secret_.forces_padding()) c.protocol_ = Protocol::padded_intermediate;
  }
  const bool obfuscated = options.obfuscated || c.has_secret_;

  if (!obfuscated) {
    switch (c.protocol_) {
      case Protocol::abridged: c.pending_header_ = {kAbridgedMarker}; break;
      case Protocol::intermediate: c.pending_header_.assign(4, 0xee); break;
      case Protocol::padded_intermediate: c.pending_header_.assign(4, 0xdd); break;
      case Protocol::full: break;  // the full transport has no marker
    }
    return c;
  }
  if (c.protocol_ == Protocol::full) {
    return mtproto_fail(MtprotoErrc::bad_transport_header, "the full transport cannot be obfuscated (it has no protocol tag)");
  }

  const ByteView key = c.has_secret_ ? c.secret_.key_view() : ByteView{};
  ObfuscationInit init = make_obfuscation_init(c.protocol_, options.dc_id, entropy);
  const CtrKeyIv out = obfuscation_keys_client_to_server(init, key);
  const CtrKeyIv in = obfuscation_keys_server_to_client(init, key);
  // The init is encrypted with the outgoing stream (so data continues at keystream offset 64);
  // only its tail, which holds the tag and DC id, is sent encrypted.
  c.encrypt_.emplace(out.key, out.iv);
  ObfuscationInit encrypted = init;
  c.encrypt_->apply(encrypted);
  std::copy(encrypted.begin() + kObfuscationTagOffset, encrypted.end(), init.begin() + kObfuscationTagOffset);
  c.pending_header_.assign(init.begin(), init.end());
  c.obfuscated_ = true;
  c.dc_id_ = options.dc_id;

  if (c.has_secret_ && c.secret_.kind == ProxySecret::Kind::fake_tls) {
    c.tls_ = true;
    c.pending_ccs_ = true;
    c.decrypt_later_ = in;
    c.pending_hello_ =
        make_client_hello(c.secret_.domain, key, static_cast<std::uint32_t>(unix_seconds(now)), entropy);
    std::memcpy(c.client_random_.data(), c.pending_hello_.data() + kTlsRandomOffset, c.client_random_.size());
    c.stage_ = Stage::tls_answer;
  } else {
    c.decrypt_.emplace(in.key, in.iv);
  }
  return c;
}

Codec Codec::server(const ServerOptions& options, Entropy& entropy, Time now) {
  Codec c(Role::server, entropy, options.max_frame_size);
  c.stage_ = Stage::detect;
  if (options.secret) {
    c.has_secret_ = true;
    c.secret_ = *options.secret;
    c.also_without_secret_ = options.also_without_secret;
  }
  c.replay_ = options.replay_cache;
  c.accepted_at_ = unix_seconds(now);
  c.max_skew_ = options.tls_max_clock_skew;
  c.fake_data_size_ = std::min(options.tls_fake_data_size, kMaxTlsRecordPayload);
  c.record_payload_ = clamp_record(options.tls_record_payload);
  return c;
}

// --- sending ---

std::size_t Codec::headroom() const {
  std::size_t n = protocol_ == Protocol::full || !ready() ? 8 : 4;
  n += pending_header_.size();
  if (tls_) n += kTlsRecordHeaderSize + (pending_ccs_ ? sizeof(kTlsChangeCipherSpec) : 0) + pending_hello_.size();
  return n;
}

std::size_t Codec::tailroom(std::size_t payload_size) const {
  std::size_t n = 0;
  if (protocol_ == Protocol::padded_intermediate || !ready()) n += kMaxPadding;
  if (protocol_ == Protocol::full || !ready()) n += 4;
  if (tls_) {
    const std::size_t framed = payload_size + headroom() + n;
    n += (framed + record_payload_ - 1) / record_payload_ * kTlsRecordHeaderSize;
  }
  return n;
}

void Codec::pack(Buffer& payload, bool request_quick_ack) {
  assert(ready());
  frame(payload, role_ == Role::client && request_quick_ack);
  seal(payload);
}

bool Codec::pack_preamble(Buffer& out) {
  out.clear();
  if (role_ != Role::client) return false;
  Bytes& pending = tls_ ? pending_hello_ : pending_header_;
  if (pending.empty()) return false;
  out.append(pending);
  pending.clear();
  return true;
}

void Codec::pack_transport_error(Buffer& out, std::int32_t code) {
  assert(ready());
  out.clear();
  store_le32(out.append(4), static_cast<std::uint32_t>(code));
  pack(out, false);
}

bool Codec::pack_quick_ack(Buffer& out, std::uint32_t token) {
  assert(ready());
  out.clear();
  if (protocol_ == Protocol::full) return false;
  token |= kQuickAckBit;
  Byte* p = out.append(4);
  if (protocol_ == Protocol::abridged) {
    // NOTE: abridged sends the token byte-swapped, so its first byte has the top bit set and
    // cannot be read as a length.
    p[0] = static_cast<Byte>(token >> 24);
    p[1] = static_cast<Byte>(token >> 16);
    p[2] = static_cast<Byte>(token >> 8);
    p[3] = static_cast<Byte>(token);
  } else {
    store_le32(p, token);
  }
  seal(out);
  return true;
}

void Codec::frame(Buffer& payload, bool quick_ack) {
  const std::size_t n = payload.size();
  assert(n % 4 == 0);
  switch (protocol_) {
    case Protocol::abridged: {
      const std::size_t words = n / 4;
      assert(words < (std::size_t{1} << 24));
      const Byte ack = quick_ack ? 0x80 : 0x00;
      if (words < kAbridgedLongForm) {
        *payload.prepend(1) = static_cast<Byte>(words) | ack;
      } else {
        Byte* h = payload.prepend(4);
        h[0] = static_cast<Byte>(kAbridgedLongForm) | ack;
        h[1] = static_cast<Byte>(words);
        h[2] = static_cast<Byte>(words >> 8);
        h[3] = static_cast<Byte>(words >> 16);
      }
      break;
    }
    case Protocol::intermediate:
    case Protocol::padded_intermediate: {
      std::size_t total = n;
      if (protocol_ == Protocol::padded_intermediate) {
        Byte r;
        entropy_->fill({&r, 1});
        const std::size_t pad = r % (kMaxPadding + 1);
        if (pad > 0) entropy_->fill({payload.append(pad), pad});
        total += pad;
      }
      assert(total < kQuickAckBit);
      store_le32(payload.prepend(4), static_cast<std::uint32_t>(total) | (quick_ack ? kQuickAckBit : 0));
      break;
    }
    case Protocol::full: {
      Byte* h = payload.prepend(8);
      store_le32(h, static_cast<std::uint32_t>(n + kFullOverhead));
      store_le32(h + 4, send_seq_++);
      const std::uint32_t crc = crc32(payload.view());
      store_le32(payload.append(4), crc);
      break;
    }
  }
}

void Codec::seal(Buffer& payload) {
  if (encrypt_) encrypt_->apply(payload.mutable_view());
  if (!pending_header_.empty()) {
    std::memcpy(payload.prepend(pending_header_.size()), pending_header_.data(), pending_header_.size());
    pending_header_.clear();
  }
  if (tls_) {
    wrap_records(payload);
    if (pending_ccs_) {
      std::memcpy(payload.prepend(sizeof(kTlsChangeCipherSpec)), kTlsChangeCipherSpec, sizeof(kTlsChangeCipherSpec));
      pending_ccs_ = false;
    }
    if (!pending_hello_.empty()) {
      std::memcpy(payload.prepend(pending_hello_.size()), pending_hello_.data(), pending_hello_.size());
      pending_hello_.clear();
    }
  }
}

void Codec::wrap_records(Buffer& payload) {
  const std::size_t n = payload.size();
  const std::size_t r = record_payload_;
  const std::size_t records = n == 0 ? 1 : (n + r - 1) / r;
  auto write_header = [](Byte* h, std::size_t len) {
    h[0] = 0x17;
    h[1] = 0x03;
    h[2] = 0x03;
    h[3] = static_cast<Byte>(len >> 8);
    h[4] = static_cast<Byte>(len);
  };
  if (records > 1) {
    // Spread the chunks out in place, last first, leaving a header's room before each.
    payload.append((records - 1) * kTlsRecordHeaderSize);
    Byte* base = payload.data();
    for (std::size_t i = records - 1; i > 0; --i) {
      const std::size_t src = i * r;
      const std::size_t dst = i * (r + kTlsRecordHeaderSize);
      const std::size_t len = std::min(r, n - src);
      std::memmove(base + dst, base + src, len);
      write_header(base + dst - kTlsRecordHeaderSize, len);
    }
  }
  write_header(payload.prepend(kTlsRecordHeaderSize), std::min(r, n));
}

// --- receiving: the buffer ---

MutableByteView Codec::prepare(std::size_t n) {
  if (rcap_ - end_ < n) compact();
  if (rcap_ - end_ < n && rcap_ < rlimit_) {
    const std::size_t wanted = std::max({end_ + n, rcap_ * 2, kInitialReceiveCapacity});
    const std::size_t cap = std::min(wanted, rlimit_);
    auto block = std::make_unique_for_overwrite<Byte[]>(cap);
    if (end_ > 0) std::memcpy(block.get(), rbuf_.get(), end_);
    rbuf_ = std::move(block);
    rcap_ = cap;
  }
  return {rbuf_.get() + end_, std::min(n, rcap_ - end_)};
}

void Codec::commit(std::size_t n) {
  assert(n <= rcap_ - end_);
  end_ += n;
}

std::size_t Codec::feed(ByteView bytes) {
  auto room = prepare(bytes.size());
  if (!room.empty()) std::memcpy(room.data(), bytes.data(), room.size());
  commit(room.size());
  return room.size();
}

bool Codec::release_receive_buffer() {
  if (buffered() != 0) return false;
  // NOTE: only positions in the buffer are reset; the stream's state (record_left_, ciphers,
  // sequence numbers) carries on with the next bytes.
  rbuf_.reset();
  rcap_ = 0;
  consumed_ = decrypted_end_ = plain_end_ = raw_pos_ = end_ = 0;
  return true;
}

void Codec::compact() {
  if (consumed_ == 0 && plain_end_ == raw_pos_) return;
  Byte* b = rbuf_.get();
  const std::size_t ready_bytes = plain_end_ - consumed_;
  const std::size_t raw_bytes = end_ - raw_pos_;
  if (ready_bytes > 0) std::memmove(b, b + consumed_, ready_bytes);
  if (raw_bytes > 0) std::memmove(b + ready_bytes, b + raw_pos_, raw_bytes);
  decrypted_end_ -= consumed_;
  plain_end_ = ready_bytes;
  raw_pos_ = ready_bytes;
  end_ = ready_bytes + raw_bytes;
  consumed_ = 0;
}

void Codec::start_records() {
  records_ = true;
  raw_pos_ = plain_end_ = decrypted_end_ = consumed_;
}

Status Codec::unwrap_records() {
  Byte* b = rbuf_.get();
  for (;;) {
    if (record_left_ == 0) {
      const std::size_t avail = end_ - raw_pos_;
      if (avail < kTlsRecordHeaderSize) {
        // Fail early on a wrong record type rather than waiting for a whole header.
        if (avail > 0 && b[raw_pos_] != 0x17 && b[raw_pos_] != 0x14) return bad_frame("not a TLS application data record");
        return {};
      }
      const Byte* h = b + raw_pos_;
      const std::size_t len = (std::size_t{h[3]} << 8) | h[4];
      if (h[0] == 0x14 && role_ == Role::server && !app_record_seen_ && !ccs_seen_) {
        // The client's ChangeCipherSpec, once, before its first application data.
        if (avail < sizeof(kTlsChangeCipherSpec)) return {};
        if (std::memcmp(h, kTlsChangeCipherSpec, sizeof(kTlsChangeCipherSpec)) != 0) {
          return bad_frame("malformed TLS ChangeCipherSpec record");
        }
        ccs_seen_ = true;
        raw_pos_ += sizeof(kTlsChangeCipherSpec);
        continue;
      }
      if (h[0] != 0x17 || h[1] != 0x03 || h[2] != 0x03) return bad_frame("not a TLS application data record");
      if (len > kMaxTlsRecordPayload) {
        return bad_frame("TLS record of " + std::to_string(len) + " bytes, limit " + std::to_string(kMaxTlsRecordPayload));
      }
      app_record_seen_ = true;
      raw_pos_ += kTlsRecordHeaderSize;
      record_left_ = len;
      continue;
    }
    const std::size_t n = std::min(record_left_, end_ - raw_pos_);
    if (n == 0) return {};
    if (raw_pos_ != plain_end_) std::memmove(b + plain_end_, b + raw_pos_, n);
    plain_end_ += n;
    raw_pos_ += n;
    record_left_ -= n;
  }
}

Status Codec::pump() {
  if (records_) {
    TELEPP_TRY(unwrap_records());
  } else {
    plain_end_ = raw_pos_ = end_;
  }
  if (decrypt_ && plain_end_ > decrypted_end_) {
    decrypt_->apply(MutableByteView(rbuf_.get() + decrypted_end_, plain_end_ - decrypted_end_));
  }
  decrypted_end_ = plain_end_;
  return {};
}

// --- receiving: stages ---

Result<Unpacked> Codec::unpack() {
  if (error_) return Failure{*error_};
  auto r = step();
  if (!r.ok()) {
    error_ = r.error();
    stage_ = Stage::failed;
  }
  return r;
}

Result<Unpacked> Codec::step() {
  TELEPP_TRY(pump());
  for (;;) {
    Unpacked out;
    Result<bool> r = false;
    switch (stage_) {
      case Stage::detect: r = detect(out); break;
      case Stage::obfuscation_init: r = read_obfuscation_init(out); break;
      case Stage::tls_answer: r = read_tls_answer(out); break;
      case Stage::frames: return read_frame();
      case Stage::failed: return mtproto_fail(MtprotoErrc::closed, "transport failed earlier");
    }
    if (!r.ok()) return Failure{r.take_error()};
    if (*r) return out;
  }
}

Failure Codec::reject(Rejection why, std::string detail) {
  rejection_ = why;
  return mtproto_fail(code_of(why), std::string(to_string(why)) + ": " + detail);
}

Result<bool> Codec::detect(Unpacked& out) {
  const Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  if (has_secret_ && !also_without_secret_) {
    if (secret_.kind == ProxySecret::Kind::fake_tls) return detect_tls(out);
    stage_ = Stage::obfuscation_init;
    return false;
  }
  if (avail < 1) return emit(out, need(avail, 1));
  if (has_secret_ && secret_.kind == ProxySecret::Kind::fake_tls && p[0] == kTlsClientHelloStart[0]) {
    // NOTE: clients never start an obfuscation init with 16 03 01 (it would look like TLS), and
    // no plain protocol starts with 0x16, so this byte is the fake-TLS path.
    return detect_tls(out);
  }
  if (p[0] == kAbridgedMarker) {
    protocol_ = Protocol::abridged;
    consumed_ += 1;
    stage_ = Stage::frames;
    return false;
  }
  if (avail < 4) return emit(out, need(avail, 4));
  const std::uint32_t first = load_le32(p);
  if (first == kIntermediateMarker || first == kPaddedMarker) {
    protocol_ = first == kIntermediateMarker ? Protocol::intermediate : Protocol::padded_intermediate;
    consumed_ += 4;
    stage_ = Stage::frames;
    return false;
  }
  if (std::find(std::begin(kHttpWords), std::end(kHttpWords), first) != std::end(kHttpWords)) {
    return reject(Rejection::http, "the HTTP transport is not supported");
  }
  if (avail < 8) return emit(out, need(avail, 8));
  if (load_le32(p + 4) == 0) {
    // seq_no 0: the full transport's first frame (an obfuscation init never has a zero second
    // word). It must be a whole valid frame before the connection is taken as full.
    const std::size_t len = first;
    if (len < kFullOverhead + 4 || len % 4 != 0 || len - kFullOverhead > max_frame_) {
      return reject(Rejection::unknown_header, "seq_no 0 but a full-transport length of " + std::to_string(len));
    }
    if (avail < len) return emit(out, need(avail, len));
    if (crc32({p, len - 4}) != load_le32(p + len - 4)) {
      return reject(Rejection::unknown_header, "seq_no 0 but the full-transport CRC does not match");
    }
    protocol_ = Protocol::full;
    stage_ = Stage::frames;
    return false;
  }
  stage_ = Stage::obfuscation_init;
  return false;
}

Result<bool> Codec::detect_tls(Unpacked& out) {
  const Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  for (std::size_t i = 0; i < std::min<std::size_t>(avail, sizeof(kTlsClientHelloStart)); ++i) {
    if (p[i] != kTlsClientHelloStart[i]) return reject(Rejection::not_tls, "the secret requires fake-TLS");
  }
  if (avail < kTlsRecordHeaderSize) return emit(out, need(avail, kTlsRecordHeaderSize));
  const std::size_t len = (std::size_t{p[3]} << 8) | p[4];
  if (len < kTlsRandomOffset + 32 || len > kMaxClientHelloRecord) {
    return reject(Rejection::bad_tls_hello, "record length " + std::to_string(len));
  }
  const std::size_t size = kTlsRecordHeaderSize + len;
  if (avail < size) return emit(out, need(avail, size));
  const ByteView record(p, size);
  auto hello = parse_client_hello(record);
  if (!hello.ok()) return reject(Rejection::bad_tls_hello, hello.error().detail);
  const ByteView key = secret_.key_view();
  // SECURITY: the HMAC proves the client holds the secret; then the domain, time and replay
  // checks keep a recorded or re-targeted hello from being accepted.
  auto timestamp = client_hello_timestamp(record, key);
  if (!timestamp.ok()) return reject(Rejection::bad_hmac, timestamp.error().detail);
  if (hello->domain != secret_.domain) {
    return reject(Rejection::wrong_domain, "SNI '" + hello->domain + "', expected '" + secret_.domain + "'");
  }
  const std::int64_t skew = accepted_at_ - static_cast<std::int64_t>(*timestamp);
  if (skew > max_skew_.count() || -skew > max_skew_.count()) {
    return reject(Rejection::stale_timestamp, "client time " + std::to_string(*timestamp) + ", server time " +
                                                  std::to_string(accepted_at_));
  }
  if (replay_ && !replay_->insert(hello->random.view())) return reject(Rejection::replayed, "TLS ClientHello seen before");

  std::size_t fake_size = fake_data_size_;
  if (fake_size == 0) {
    Byte r[2];
    entropy_->fill(r);
    fake_size = 1024 + ((std::size_t{r[0]} << 8 | r[1]) % 3072);
  }
  Bytes answer = make_server_hello(hello->random, hello->session_id, key, fake_size, *entropy_);
  consumed_ += size;
  start_records();
  tls_ = true;
  stage_ = Stage::obfuscation_init;
  return emit(out, HandshakeReply{std::move(answer)});
}

namespace {

// The protocol tag of an obfuscation init decrypted without a secret (as a DC reads it).
std::uint32_t unkeyed_tag(const ObfuscationInit& init) {
  const CtrKeyIv keys = obfuscation_keys_client_to_server(init, ByteView{});
  ObfuscationInit copy = init;
  crypto::AesCtr(keys.key, keys.iv).apply(MutableByteView(copy.data(), copy.size()));
  return load_le32(copy.data() + kObfuscationTagOffset);
}

}  // namespace

Result<bool> Codec::read_obfuscation_init(Unpacked& out) {
  Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  if (avail < kObfuscationInitSize) return emit(out, need(avail, kObfuscationInitSize));
  ObfuscationInit init;
  std::memcpy(init.data(), p, init.size());
  bool keyed = has_secret_;
  if (keyed && also_without_secret_ && !tls_) {
    // A DC connection if the tag decrypts without the secret (a random init passes both ways
    // with probability 3 in 2^32: the DC reading wins).
    keyed = !protocol_from_tag(unkeyed_tag(init));
  }
  const ByteView key = keyed ? secret_.key_view() : ByteView{};
  const CtrKeyIv from_client = obfuscation_keys_client_to_server(init, key);
  const CtrKeyIv to_client = obfuscation_keys_server_to_client(init, key);
  decrypt_.emplace(from_client.key, from_client.iv);
  // Decrypting the init moves the stream to offset 64, where the client's data starts.
  decrypt_->apply(MutableByteView(p, kObfuscationInitSize));
  const auto protocol = protocol_from_tag(load_le32(p + kObfuscationTagOffset));
  if (!protocol) {
    return reject(Rejection::bad_protocol_tag,
                  has_secret_ ? "wrong secret, or not obfuscated2" : "not obfuscated2 (or a proxy secret is missing)");
  }
  if (keyed && secret_.forces_padding() && *protocol != Protocol::padded_intermediate) {
    return reject(Rejection::protocol_not_allowed, std::string(to_string(*protocol)) + " with a dd/ee secret");
  }
  // SECURITY: with a proxy secret, a replayed init is an active probe.
  if (replay_ && keyed && !replay_->insert(ByteView(init).subspan(8, 16))) {
    return reject(Rejection::replayed, "obfuscation init seen before");
  }
  dc_id_ = static_cast<std::int16_t>(p[kObfuscationDcOffset] | (p[kObfuscationDcOffset + 1] << 8));
  consumed_ += kObfuscationInitSize;
  // Whatever followed the init arrived before the keys were known: decrypt it now.
  if (plain_end_ > consumed_) decrypt_->apply(MutableByteView(rbuf_.get() + consumed_, plain_end_ - consumed_));
  decrypted_end_ = plain_end_;
  encrypt_.emplace(to_client.key, to_client.iv);
  obfuscated_ = true;
  protocol_ = *protocol;
  stage_ = Stage::frames;
  return false;
}

Result<bool> Codec::read_tls_answer(Unpacked& out) {
  const ByteView avail(rbuf_.get() + consumed_, decrypted_end_ - consumed_);
  auto size = server_hello_size(avail);
  if (!size.ok()) return Failure{size.take_error()};
  if (*size == 0) return emit(out, NeedMoreBytes{1});
  TELEPP_TRY(verify_server_hello(avail.first(*size), client_random_, secret_.key_view()));
  consumed_ += *size;
  start_records();
  decrypt_.emplace(decrypt_later_->key, decrypt_later_->iv);
  decrypt_later_.reset();
  stage_ = Stage::frames;
  TELEPP_TRY(pump());
  return false;
}

Result<Unpacked> Codec::read_frame() {
  switch (protocol_) {
    case Protocol::abridged: return read_abridged();
    case Protocol::intermediate:
    case Protocol::padded_intermediate: return read_intermediate();
    case Protocol::full: return read_full();
  }
  return bad_frame("unknown protocol");
}

Result<Unpacked> Codec::read_abridged() {
  Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  if (avail < 1) return need(avail, 1);
  if (role_ == Role::client && (p[0] & 0x80) != 0) {
    if (avail < 4) return need(avail, 4);
    const std::uint32_t token = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    consumed_ += 4;
    return QuickAck{token};
  }
  const bool quick_ack = role_ == Role::server && (p[0] & 0x80) != 0;
  std::size_t words = p[0] & 0x7f;
  std::size_t header = 1;
  if (words == kAbridgedLongForm) {
    if (avail < 4) return need(avail, 4);
    words = p[1] | (std::size_t{p[2]} << 8) | (std::size_t{p[3]} << 16);
    header = 4;
  }
  if (words == 0) return bad_frame("empty abridged frame");
  const std::size_t size = words * 4;
  // SECURITY: the length is checked before waiting for (and buffering) the payload.
  if (size > max_frame_) return too_large(size, max_frame_);
  if (avail < header + size) return need(avail, header + size);
  const MutableByteView payload(p + header, size);
  consumed_ += header + size;
  if (role_ == Role::client) {
    if (auto code = transport_error_in(payload, false)) return TransportError{*code};
  }
  return Frame{payload, quick_ack};
}

Result<Unpacked> Codec::read_intermediate() {
  Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  if (avail < 4) return need(avail, 4);
  const std::uint32_t word = load_le32(p);
  if (role_ == Role::client && (word & kQuickAckBit) != 0) {
    // NOTE: the quick ack travels as a bare 4-byte word where a length would be.
    consumed_ += 4;
    return QuickAck{word};
  }
  const bool quick_ack = role_ == Role::server && (word & kQuickAckBit) != 0;
  const bool padded = protocol_ == Protocol::padded_intermediate;
  const std::size_t len = word & ~kQuickAckBit;
  if (padded ? len < 4 : (len == 0 || len % 4 != 0)) {
    return bad_frame("intermediate frame length " + std::to_string(len));
  }
  // SECURITY: the length is checked before waiting for (and buffering) the payload.
  const std::size_t limit = padded ? max_frame_ + kMaxPadding : max_frame_;
  if (len > limit) return too_large(len, limit);
  if (avail < 4 + len) return need(avail, 4 + len);
  const ByteView wire(p + 4, len);
  const MutableByteView payload(p + 4, padded ? padded_payload_size(wire) : len);
  consumed_ += 4 + len;
  if (role_ == Role::client) {
    if (auto code = transport_error_in(wire, padded)) return TransportError{*code};
  }
  return Frame{payload, quick_ack};
}

Result<Unpacked> Codec::read_full() {
  Byte* p = rbuf_.get() + consumed_;
  const std::size_t avail = decrypted_end_ - consumed_;
  if (avail < 4) return need(avail, 4);
  const std::size_t len = load_le32(p);
  if (len < kFullOverhead + 4 || len % 4 != 0) return bad_frame("full-transport length " + std::to_string(len));
  // SECURITY: the length is checked before waiting for (and buffering) the payload.
  if (len - kFullOverhead > max_frame_) return too_large(len - kFullOverhead, max_frame_);
  if (avail < len) return need(avail, len);
  const std::uint32_t seq = load_le32(p + 4);
  if (seq != recv_seq_) {
    return bad_frame("full-transport seq_no " + std::to_string(seq) + ", expected " + std::to_string(recv_seq_));
  }
  const std::uint32_t crc = crc32({p, len - 4});
  if (crc != load_le32(p + len - 4)) return bad_frame("full-transport CRC mismatch");
  ++recv_seq_;
  const MutableByteView payload(p + 8, len - kFullOverhead);
  consumed_ += len;
  if (role_ == Role::client) {
    if (auto code = transport_error_in(payload, false)) return TransportError{*code};
  }
  return Frame{payload, false};
}

}  // namespace telepp::mtproto::transport
