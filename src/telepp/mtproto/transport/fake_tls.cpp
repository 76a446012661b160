#include "telepp/mtproto/transport/fake_tls.hpp"

#include <array>
#include <cassert>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <vector>

#include "telepp/crypto/hmac.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/transport/proxy_secret.hpp"

namespace telepp::mtproto::transport {
namespace {

constexpr std::size_t kRandomSize = 32;
constexpr std::size_t kMaxSessionIdSize = 32;
// ServerHello up to the end of its random: handshake type, 3-byte length, version, random.
constexpr std::size_t kServerHelloMinBody = 1 + 3 + 2 + kRandomSize;

constexpr Byte kClientHelloPrefix[] = {0x16, 0x03, 0x01};
constexpr Byte kServerHelloPrefix[] = {0x16, 0x03, 0x03};
constexpr Byte kAppDataPrefix[] = {0x17, 0x03, 0x03};

// TLS code points (IANA registries), as a current browser offers them.
constexpr std::uint16_t kCipherSuites[] = {
    0x1301, 0x1302, 0x1303,                  // TLS 1.3 AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305
    0xc02b, 0xc02f, 0xc02c, 0xc030,          // ECDHE ECDSA/RSA with AES-GCM
    0xcca9, 0xcca8,                          // ECDHE ECDSA/RSA with ChaCha20-Poly1305
    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,  // legacy CBC and RSA suites
};
constexpr std::uint16_t kSignatureAlgorithms[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};
constexpr std::uint16_t kGroupX25519 = 0x001d;
constexpr std::uint16_t kGroupSecp256r1 = 0x0017;
constexpr std::uint16_t kGroupSecp384r1 = 0x0018;

// Extension types.
constexpr std::uint16_t kExtServerName = 0x0000;
constexpr std::uint16_t kExtStatusRequest = 0x0005;
constexpr std::uint16_t kExtSupportedGroups = 0x000a;
constexpr std::uint16_t kExtEcPointFormats = 0x000b;
constexpr std::uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr std::uint16_t kExtAlpn = 0x0010;
constexpr std::uint16_t kExtSct = 0x0012;
constexpr std::uint16_t kExtPadding = 0x0015;
constexpr std::uint16_t kExtExtendedMasterSecret = 0x0017;
constexpr std::uint16_t kExtCompressCertificate = 0x001b;
constexpr std::uint16_t kExtSessionTicket = 0x0023;
constexpr std::uint16_t kExtSupportedVersions = 0x002b;
constexpr std::uint16_t kExtPskModes = 0x002d;
constexpr std::uint16_t kExtKeyShare = 0x0033;
constexpr std::uint16_t kExtRenegotiationInfo = 0xff01;

// Writes TLS structures: big-endian integers and length-prefixed vectors, whose lengths are
// filled in when they are closed.
class TlsWriter {
 public:
  void u8(std::uint32_t v) { out_.push_back(static_cast<Byte>(v)); }
  void u16(std::uint32_t v) {
    u8(v >> 8);
    u8(v);
  }
  void bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.resize(out_.size() + n, 0); }
  void random(std::size_t n, Entropy& entropy) {
    std::size_t at = out_.size();
    out_.resize(at + n);
    entropy.fill(MutableByteView(out_).subspan(at, n));
  }
  /// Starts a vector whose length takes `width` bytes.
  void open(std::size_t width) {
    open_.push_back({out_.size(), width});
    zeros(width);
  }
  void close() {
    assert(!open_.empty());
    auto [at, width] = open_.back();
    open_.pop_back();
    std::size_t len = out_.size() - at - width;
    assert(len < (std::size_t{1} << (8 * width)));
    for (std::size_t i = 0; i < width; ++i) out_[at + i] = static_cast<Byte>(len >> (8 * (width - 1 - i)));
  }
  std::size_t size() const { return out_.size(); }
  Bytes take() {
    assert(open_.empty());
    return std::move(out_);
  }

 private:
  Bytes out_;
  std::vector<std::pair<std::size_t, std::size_t>> open_;
};

// Reads TLS structures; any read past the end sets a sticky failure and yields zeros.
class TlsReader {
 public:
  explicit TlsReader(ByteView data) : data_(data) {}
  std::uint32_t u8() { return ok(1) ? data_[pos_++] : 0; }
  std::uint32_t u16() {
    if (!ok(2)) return 0;
    std::uint32_t v = (std::uint32_t{data_[pos_]} << 8) | data_[pos_ + 1];
    pos_ += 2;
    return v;
  }
  std::uint32_t u24() {
    if (!ok(3)) return 0;
    std::uint32_t v = (std::uint32_t{data_[pos_]} << 16) | (std::uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  ByteView take(std::size_t n) {
    if (!ok(n)) return {};
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  std::size_t left() const { return failed_ ? 0 : data_.size() - pos_; }
  bool failed() const { return failed_; }

 private:
  bool ok(std::size_t n) {
    if (failed_ || data_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  ByteView data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// GREASE values (RFC 8701): 0x?a?a with both bytes equal.
std::uint16_t grease_value(Byte random) {
  const std::uint16_t b = static_cast<Byte>((random & 0xf0) | 0x0a);
  return static_cast<std::uint16_t>((b << 8) | b);
}

bool equal_constant_time(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  Byte diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

std::uint16_t load_be16(const Byte* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// Checks that the available part of `data` starting at `at` matches `prefix`; false on a
// mismatch, true while it matches (even if incomplete).
bool prefix_matches(ByteView data, std::size_t at, ByteView prefix) {
  for (std::size_t i = 0; i < prefix.size() && at + i < data.size(); ++i) {
    if (data[at + i] != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Bytes make_client_hello(std::string_view domain, ByteView key, std::uint32_t unix_time, Entropy& entropy) {
  assert(!domain.empty() && domain.size() <= ProxySecret::kMaxDomainSize);
  std::array<Byte, 5> grease_random;
  entropy.fill(grease_random);
  const std::uint16_t grease_cipher = grease_value(grease_random[0]);
  const std::uint16_t grease_first_ext = grease_value(grease_random[1]);
  const std::uint16_t grease_group = grease_value(grease_random[2]);
  const std::uint16_t grease_version = grease_value(grease_random[3]);
  std::uint16_t grease_last_ext = grease_value(grease_random[4]);
  // Two extensions of the same type would make the hello invalid.
  if (grease_last_ext == grease_first_ext) grease_last_ext ^= 0x1010;

  TlsWriter w;
  w.bytes(kClientHelloPrefix);
  w.open(2);  // record
  w.u8(0x01);  // handshake type: ClientHello
  w.open(3);
  w.u16(0x0303);  // legacy_version
  w.zeros(kRandomSize);  // random: the HMAC goes here once the rest is written
  w.open(1);
  w.random(kMaxSessionIdSize, entropy);  // legacy_session_id (TLS 1.3 middlebox compatibility)
  w.close();
  w.open(2);
  w.u16(grease_cipher);
  for (auto suite : kCipherSuites) w.u16(suite);
  w.close();
  w.u8(1);  // compression methods: null only
  w.u8(0);

  w.open(2);  // extensions
  w.u16(grease_first_ext);
  w.u16(0);

  w.u16(kExtServerName);
  w.open(2);
  w.open(2);
  w.u8(0);  // host_name
  w.open(2);
  w.bytes(as_bytes(domain));
  w.close();
  w.close();
  w.close();

  w.u16(kExtExtendedMasterSecret);
  w.u16(0);

  w.u16(kExtRenegotiationInfo);
  w.open(2);
  w.u8(0);
  w.close();

  w.u16(kExtSupportedGroups);
  w.open(2);
  w.open(2);
  w.u16(grease_group);
  w.u16(kGroupX25519);
  w.u16(kGroupSecp256r1);
  w.u16(kGroupSecp384r1);
  w.close();
  w.close();

  w.u16(kExtEcPointFormats);
  w.open(2);
  w.open(1);
  w.u8(0);  // uncompressed
  w.close();
  w.close();

  w.u16(kExtSessionTicket);
  w.u16(0);

  w.u16(kExtAlpn);
  w.open(2);
  w.open(2);
  for (std::string_view proto : {std::string_view("h2"), std::string_view("http/1.1")}) {
    w.open(1);
    w.bytes(as_bytes(proto));
    w.close();
  }
  w.close();
  w.close();

  w.u16(kExtStatusRequest);
  w.open(2);
  w.u8(1);  // ocsp
  w.u16(0);
  w.u16(0);
  w.close();

  w.u16(kExtSignatureAlgorithms);
  w.open(2);
  w.open(2);
  for (auto alg : kSignatureAlgorithms) w.u16(alg);
  w.close();
  w.close();

  w.u16(kExtSct);
  w.u16(0);

  w.u16(kExtKeyShare);
  w.open(2);
  w.open(2);
  w.u16(grease_group);  // a GREASE share of one byte, as browsers send
  w.open(2);
  w.u8(0);
  w.close();
  w.u16(kGroupX25519);
  w.open(2);
  {
    // NOTE: any 32 bytes below 2^255 pass for an x25519 public key on the wire; nobody derives
    // a shared secret from it (the obfuscation keys come from the init, not from TLS).
    Byte share[32];
    entropy.fill(share);
    share[31] &= 0x7f;
    w.bytes(share);
  }
  w.close();
  w.close();
  w.close();

  w.u16(kExtPskModes);
  w.open(2);
  w.open(1);
  w.u8(1);  // psk_dhe_ke
  w.close();
  w.close();

  w.u16(kExtSupportedVersions);
  w.open(2);
  w.open(1);
  w.u16(grease_version);
  w.u16(0x0304);
  w.u16(0x0303);
  w.close();
  w.close();

  w.u16(kExtCompressCertificate);
  w.open(2);
  w.open(1);
  w.u16(0x0002);  // brotli
  w.close();
  w.close();

  w.u16(grease_last_ext);
  w.open(2);
  w.u8(0);
  w.close();

  // The padding extension (RFC 7685) brings the record to the size proxies expect; it needs 4
  // bytes for its own header, which the domain limit leaves room for.
  assert(w.size() + 4 <= kClientHelloSize);
  w.u16(kExtPadding);
  w.open(2);
  w.zeros(kClientHelloSize - w.size());
  w.close();

  w.close();  // extensions
  w.close();  // handshake
  w.close();  // record
  Bytes hello = w.take();
  assert(hello.size() == kClientHelloSize);

  auto mac = crypto::hmac_sha256(key, hello);
  for (int i = 0; i < 4; ++i) mac.bytes[28 + i] ^= static_cast<Byte>(unix_time >> (8 * i));
  std::memcpy(hello.data() + kTlsRandomOffset, mac.data(), kRandomSize);
  return hello;
}

Result<ClientHello> parse_client_hello(ByteView record) {
  auto bad = [](std::string what) { return mtproto_fail(MtprotoErrc::bad_transport_header, "TLS ClientHello: " + what); };
  if (record.size() < kTlsRecordHeaderSize || !prefix_matches(record, 0, kClientHelloPrefix)) {
    return bad("not a handshake record");
  }
  if (load_be16(record.data() + 3) != record.size() - kTlsRecordHeaderSize) return bad("record length mismatch");
  TlsReader r(record.subspan(kTlsRecordHeaderSize));
  if (r.u8() != 0x01) return bad("not a ClientHello");
  if (r.u24() != r.left()) return bad("handshake length mismatch");
  if (r.u16() != 0x0303) return bad("legacy_version is not 03 03");
  ClientHello hello;
  ByteView random = r.take(kRandomSize);
  if (r.failed()) return bad("truncated");
  std::memcpy(hello.random.data(), random.data(), kRandomSize);
  std::size_t sid_size = r.u8();
  if (sid_size > kMaxSessionIdSize) return bad("session id longer than 32 bytes");
  ByteView sid = r.take(sid_size);
  hello.session_id.assign(sid.begin(), sid.end());
  std::size_t suites = r.u16();
  if (suites == 0 || suites % 2 != 0) return bad("bad cipher_suites length");
  r.take(suites);
  std::size_t methods = r.u8();
  if (methods == 0) return bad("no compression method");
  r.take(methods);
  if (r.failed()) return bad("truncated");
  if (r.left() == 0) return bad("no extensions (server_name is required)");
  if (r.u16() != r.left()) return bad("extensions length mismatch");
  bool have_sni = false;
  while (r.left() > 0) {
    std::uint32_t type = r.u16();
    ByteView body = r.take(r.u16());
    if (r.failed()) return bad("truncated extension");
    if (type != kExtServerName) continue;
    if (have_sni) return bad("two server_name extensions");
    have_sni = true;
    TlsReader sni(body);
    if (sni.u16() != sni.left()) return bad("server_name list length mismatch");
    while (sni.left() > 0) {
      std::uint32_t name_type = sni.u8();
      ByteView name = sni.take(sni.u16());
      if (sni.failed()) return bad("truncated server_name");
      if (name_type == 0 && hello.domain.empty()) hello.domain.assign(as_chars(name));
    }
  }
  if (hello.domain.empty()) return bad("no host name in server_name");
  return hello;
}

Result<std::uint32_t> client_hello_timestamp(ByteView record, ByteView key) {
  if (record.size() < kTlsRandomOffset + kRandomSize) {
    return mtproto_fail(MtprotoErrc::bad_secret, "TLS ClientHello too short for a random");
  }
  Bytes zeroed(record.begin(), record.end());
  std::memset(zeroed.data() + kTlsRandomOffset, 0, kRandomSize);
  auto mac = crypto::hmac_sha256(key, zeroed);
  const Byte* random = record.data() + kTlsRandomOffset;
  // SECURITY: the first 28 bytes must be the HMAC exactly; the last 4 carry the time.
  if (!equal_constant_time({random, 28}, {mac.data(), 28})) {
    return mtproto_fail(MtprotoErrc::bad_secret, "TLS ClientHello HMAC does not match the secret");
  }
  std::uint32_t ts = 0;
  for (int i = 0; i < 4; ++i) ts |= std::uint32_t{static_cast<Byte>(random[28 + i] ^ mac.bytes[28 + i])} << (8 * i);
  return ts;
}

Bytes make_server_hello(const Int256& client_random, ByteView session_id, ByteView key, std::size_t fake_data_size,
                        Entropy& entropy) {
  assert(session_id.size() <= kMaxSessionIdSize);
  assert(fake_data_size > 0 && fake_data_size <= kMaxTlsRecordPayload);
  TlsWriter w;
  w.bytes(kServerHelloPrefix);
  w.open(2);
  w.u8(0x02);  // handshake type: ServerHello
  w.open(3);
  w.u16(0x0303);
  w.zeros(kRandomSize);
  w.open(1);
  w.bytes(session_id);
  w.close();
  w.u16(0x1301);  // TLS_AES_128_GCM_SHA256
  w.u8(0);        // compression: null
  w.open(2);
  w.u16(kExtKeyShare);
  w.open(2);
  w.u16(kGroupX25519);
  w.open(2);
  {
    Byte share[32];
    entropy.fill(share);
    share[31] &= 0x7f;
    w.bytes(share);
  }
  w.close();
  w.close();
  w.u16(kExtSupportedVersions);
  w.open(2);
  w.u16(0x0304);
  w.close();
  w.close();  // extensions
  w.close();  // handshake
  w.close();  // record
  w.bytes(kTlsChangeCipherSpec);
  // The encrypted certificate and Finished of a real server: random bytes of a plausible size.
  w.bytes(kAppDataPrefix);
  w.open(2);
  w.random(fake_data_size, entropy);
  w.close();
  Bytes answer = w.take();

  Bytes signed_part;
  signed_part.reserve(kRandomSize + answer.size());
  signed_part.insert(signed_part.end(), client_random.bytes.begin(), client_random.bytes.end());
  signed_part.insert(signed_part.end(), answer.begin(), answer.end());
  auto mac = crypto::hmac_sha256(key, signed_part);
  std::memcpy(answer.data() + kTlsRandomOffset, mac.data(), kRandomSize);
  return answer;
}

Result<std::size_t> server_hello_size(ByteView data) {
  auto bad = [](std::string what) { return mtproto_fail(MtprotoErrc::bad_transport_header, "TLS server answer: " + what); };
  if (!prefix_matches(data, 0, kServerHelloPrefix)) return bad("not a handshake record");
  if (data.size() < kTlsRecordHeaderSize) return std::size_t{0};
  const std::size_t hello_size = load_be16(data.data() + 3);
  if (hello_size < kServerHelloMinBody || hello_size > kMaxTlsRecordPayload) return bad("bad ServerHello record length");
  std::size_t at = kTlsRecordHeaderSize + hello_size;
  if (!prefix_matches(data, at, kTlsChangeCipherSpec)) return bad("no ChangeCipherSpec after ServerHello");
  at += sizeof(kTlsChangeCipherSpec);
  if (!prefix_matches(data, at, kAppDataPrefix)) return bad("no application data after ChangeCipherSpec");
  if (data.size() < at + kTlsRecordHeaderSize) return std::size_t{0};
  const std::size_t data_size = load_be16(data.data() + at + 3);
  if (data_size == 0 || data_size > kMaxTlsRecordPayload) return bad("bad application data record length");
  at += kTlsRecordHeaderSize + data_size;
  return data.size() < at ? std::size_t{0} : at;
}

Status verify_server_hello(ByteView answer, const Int256& client_random, ByteView key) {
  if (answer.size() < kTlsRandomOffset + kRandomSize) {
    return mtproto_fail(MtprotoErrc::bad_secret, "TLS server answer too short for a random");
  }
  Bytes signed_part;
  signed_part.reserve(kRandomSize + answer.size());
  signed_part.insert(signed_part.end(), client_random.bytes.begin(), client_random.bytes.end());
  signed_part.insert(signed_part.end(), answer.begin(), answer.end());
  std::memset(signed_part.data() + kRandomSize + kTlsRandomOffset, 0, kRandomSize);
  auto mac = crypto::hmac_sha256(key, signed_part);
  // SECURITY: proves the answer comes from someone holding the secret, for this hello.
  if (!equal_constant_time(answer.subspan(kTlsRandomOffset, kRandomSize), mac.view())) {
    return mtproto_fail(MtprotoErrc::bad_secret, "TLS server answer HMAC does not match the secret");
  }
  return {};
}

}  // namespace telepp::mtproto::transport
