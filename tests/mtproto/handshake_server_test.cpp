// The server role against a hand-made client built directly on the crypto layer (not
// ClientHandshake): every inner-data form, both RSA schemes (RSA_PAD and the pre-2.0 one gramjs
// 2.26 sends), and one test per check the server makes.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "support/fixed_entropy.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/errors.hpp"
#include "telepp/crypto/handshake_kdf.hpp"
#include "telepp/crypto/hash.hpp"
#include "telepp/crypto/pq.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/rsa_pad.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/handshake/server_handshake.hpp"
#include "telepp/mtproto/plain_message.hpp"

namespace telepp::mtproto::handshake {
namespace {

using test::FixedEntropy;

const crypto::RsaPrivateKey& server_key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

const Time kNow = from_unix_seconds(1770000000) + std::chrono::milliseconds(900);

std::string str(ByteView b) { return std::string(as_chars(b)); }
ByteView view(const std::string& s) { return as_bytes(s); }

enum class Form { plain, dc, temp, temp_dc };

/// The client side of one run, made by hand.
struct FakeClient {
  Int128 nonce{};
  Int128 server_nonce{};
  Int256 new_nonce{};
  std::string pq, p, q;
  std::uint64_t p_value = 0, q_value = 0;
  std::int64_t fingerprint = 0;
  crypto::AesKeyIv tmp{};
  crypto::DhValue b{};
  std::int32_t g = 0;
  std::string dh_prime, g_a;
  std::int32_t server_time = 0;
  std::int64_t next_msg_id = (std::int64_t{1770000000} << 32) | 4;
  FixedEntropy entropy{321};

  FakeClient() {
    for (std::size_t i = 0; i < 16; ++i) nonce.bytes[i] = static_cast<Byte>(i * 3 + 1);
    entropy.fill({new_nonce.data(), new_nonce.size()});
    entropy.fill({b.data(), b.size()});
  }

  template <class T>
  Bytes frame(const T& value) {
    auto body = tl::to_bytes(value);
    EXPECT_TRUE(body.ok());
    Bytes out = pack_plain_message(next_msg_id, *body);
    next_msg_id += 4;
    return out;
  }

  Bytes req_pq_multi() { return frame(mtp::req_pq_multi{nonce}); }

  void learn_res_pq(const Bytes& packet) {
    auto m = unpack_plain_message(packet, Direction::server_to_client);
    ASSERT_TRUE(m.ok());
    auto res = tl::deserialize<mtp::resPQ>(m->body);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(res->nonce, nonce);
    server_nonce = res->server_nonce;
    pq = res->pq;
    auto factors = crypto::factorize_pq(crypto::uint64_from_be(view(pq)).value());
    ASSERT_TRUE(factors.ok());
    p_value = factors->p;
    q_value = factors->q;
    p = str(crypto::uint64_to_be(p_value));
    q = str(crypto::uint64_to_be(q_value));
    ASSERT_FALSE(res->server_public_key_fingerprints.empty());
    fingerprint = res->server_public_key_fingerprints[0];
    tmp = crypto::handshake_tmp_aes(new_nonce, server_nonce);
  }

  Bytes inner(Form form, std::int32_t dc = 2, std::int32_t expires_in = 3600) const {
    Result<Bytes> r = Bytes{};
    switch (form) {
      case Form::plain:
        r = tl::to_bytes(mtp::p_q_inner_data{pq, p, q, nonce, server_nonce, new_nonce});
        break;
      case Form::dc:
        r = tl::to_bytes(mtp::p_q_inner_data_dc{pq, p, q, nonce, server_nonce, new_nonce, dc});
        break;
      case Form::temp:
        r = tl::to_bytes(mtp::p_q_inner_data_temp{pq, p, q, nonce, server_nonce, new_nonce, expires_in});
        break;
      case Form::temp_dc:
        r = tl::to_bytes(mtp::p_q_inner_data_temp_dc{pq, p, q, nonce, server_nonce, new_nonce, dc, expires_in});
        break;
    }
    EXPECT_TRUE(r.ok());
    return *r;
  }

  std::string rsa_pad(const Bytes& data) {
    auto r = crypto::rsa_pad_encrypt(server_key().public_key(), data, entropy);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return str(*r);
  }

  /// The pre-2.0 scheme, as gramjs 2.26 does it: RSA(SHA1(data) ‖ data ‖ random to 255 bytes).
  std::string rsa_legacy(const Bytes& data, bool corrupt_hash = false) {
    Bytes m;
    auto h = crypto::sha1(data);
    m.insert(m.end(), h.bytes.begin(), h.bytes.end());
    if (corrupt_hash) m[5] ^= 1;
    m.insert(m.end(), data.begin(), data.end());
    Bytes padding(255 - m.size());
    entropy.fill(padding);
    m.insert(m.end(), padding.begin(), padding.end());
    auto r = crypto::rsa_encrypt_raw(server_key().public_key(), m);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return str(*r);
  }

  mtp::req_DH_params req_dh(std::string encrypted) const {
    return mtp::req_DH_params{nonce, server_nonce, p, q, fingerprint, std::move(encrypted)};
  }

  /// Decrypts server_DH_params_ok and checks it as a client would.
  void learn_dh_params(const Bytes& packet) {
    auto m = unpack_plain_message(packet, Direction::server_to_client);
    ASSERT_TRUE(m.ok());
    auto ok = tl::deserialize<mtp::server_DH_params_ok>(m->body);
    ASSERT_TRUE(ok.ok()) << ok.error().to_string();
    EXPECT_EQ(ok->nonce, nonce);
    EXPECT_EQ(ok->server_nonce, server_nonce);
    Bytes plain(ok->encrypted_answer.begin(), ok->encrypted_answer.end());
    ASSERT_EQ(plain.size() % 16, 0u);
    ASSERT_TRUE(crypto::aes_ige_decrypt(tmp.key, tmp.iv, plain).ok());
    tl::Reader r(ByteView(plain).subspan(20));
    mtp::server_DH_inner_data inner;
    tl::read_object(r, inner);
    ASSERT_TRUE(r.ok());
    auto h = crypto::sha1(ByteView(plain).subspan(20, r.offset()));
    EXPECT_TRUE(std::equal(h.bytes.begin(), h.bytes.end(), plain.begin()));
    EXPECT_LT(plain.size() - 20 - r.offset(), 16u);
    EXPECT_EQ(inner.nonce, nonce);
    EXPECT_EQ(inner.server_nonce, server_nonce);
    EXPECT_TRUE(crypto::check_dh_params(view(inner.dh_prime), inner.g).ok());
    EXPECT_TRUE(crypto::check_dh_value(view(inner.g_a), view(inner.dh_prime)).ok());
    g = inner.g;
    dh_prime = inner.dh_prime;
    g_a = inner.g_a;
    server_time = inner.server_time;
  }

  std::string g_b() const {
    return str(crypto::dh_pow_g(static_cast<std::uint32_t>(g), b.view(), view(dh_prime))->view());
  }
  AuthKey key() const { return AuthKey(*crypto::dh_mod_exp(view(g_a), b.view(), view(dh_prime))); }

  mtp::client_DH_inner_data client_inner(std::int64_t retry_id = 0) const {
    return mtp::client_DH_inner_data{nonce, server_nonce, retry_id, g_b()};
  }

  Bytes set_client(const mtp::client_DH_inner_data& inner, bool corrupt_hash = false, std::size_t extra_blocks = 0) {
    auto data = tl::to_bytes(inner);
    EXPECT_TRUE(data.ok());
    Bytes plain;
    auto h = crypto::sha1(*data);
    plain.insert(plain.end(), h.bytes.begin(), h.bytes.end());
    if (corrupt_hash) plain[19] ^= 1;
    plain.insert(plain.end(), data->begin(), data->end());
    while (plain.size() % 16 != 0) plain.push_back(0x33);
    plain.insert(plain.end(), 16 * extra_blocks, 0x33);
    EXPECT_TRUE(crypto::aes_ige_encrypt(tmp.key, tmp.iv, plain).ok());
    return frame(mtp::set_client_DH_params{nonce, server_nonce, str(plain)});
  }

  Int128 hash(crypto::DhGenOutcome outcome, const AuthKey& k) const {
    return crypto::new_nonce_hash(new_nonce, outcome, k.bytes());
  }
};

ServerHandshakeConfig default_config() {
  ServerHandshakeConfig c;
  c.keys.push_back(server_key());
  return c;
}

struct Harness {
  FakeClient client;
  FixedEntropy entropy{88};
  ServerHandshake server;

  explicit Harness(ServerHandshakeConfig config = default_config()) : server(std::move(config)) {
    auto step = feed(client.req_pq_multi());
    EXPECT_TRUE(step.ok()) << step.error().to_string();
    client.learn_res_pq(step->send);
  }
  Result<ServerStep> feed(const Bytes& packet) { return server.on_message(packet, kNow, entropy); }

  Result<ServerStep> send_req_dh(const Bytes& inner, bool legacy = false) {
    return feed(client.frame(client.req_dh(legacy ? client.rsa_legacy(inner) : client.rsa_pad(inner))));
  }
  void past_req_dh(Form form = Form::dc, bool legacy = false) {
    auto step = send_req_dh(client.inner(form), legacy);
    ASSERT_TRUE(step.ok()) << step.error().to_string();
    client.learn_dh_params(step->send);
  }
};

template <class Code>
void expect_error(const Result<ServerStep>& r, Code code, const ServerHandshake& server) {
  ASSERT_FALSE(r.ok());
  if constexpr (std::is_same_v<Code, MtprotoErrc>) {
    EXPECT_TRUE(is(r.error(), code)) << r.error().to_string();
  } else {
    EXPECT_TRUE(crypto::is(r.error(), code)) << r.error().to_string();
  }
  EXPECT_EQ(server.state(), ServerState::failed);
}

/// The server refused with dh_gen_fail (verified with `key` when given) and a failure.
template <class Code>
void expect_dh_gen_fail(const Result<ServerStep>& r, Code code, const FakeClient& client,
                        std::optional<AuthKey> key = std::nullopt) {
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(r->failure.has_value());
  if constexpr (std::is_same_v<Code, MtprotoErrc>) {
    EXPECT_TRUE(is(*r->failure, code)) << r->failure->to_string();
  } else {
    EXPECT_TRUE(crypto::is(*r->failure, code)) << r->failure->to_string();
  }
  EXPECT_FALSE(r->done.has_value());
  auto m = unpack_plain_message(r->send, Direction::server_to_client);
  ASSERT_TRUE(m.ok());
  auto fail = tl::deserialize<mtp::dh_gen_fail>(m->body);
  ASSERT_TRUE(fail.ok()) << fail.error().to_string();
  EXPECT_EQ(fail->nonce, client.nonce);
  EXPECT_EQ(fail->server_nonce, client.server_nonce);
  if (key) {
    EXPECT_EQ(fail->new_nonce_hash3, client.hash(crypto::DhGenOutcome::fail, *key));
  }
}

// ---- the happy paths ----

TEST(HandshakeServer, ResPqAnnouncesEveryKeyAndAFactorablePq) {
  auto other = crypto::RsaPrivateKey::generate(2048);
  ASSERT_TRUE(other.ok());
  auto config = default_config();
  config.keys.push_back(*other);
  ServerHandshake server(config);
  FakeClient client;
  FixedEntropy e;
  auto step = server.on_message(client.req_pq_multi(), kNow, e);
  ASSERT_TRUE(step.ok());
  auto m = unpack_plain_message(step->send, Direction::server_to_client);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->msg_id % 4, 1);
  EXPECT_EQ(msg_id_seconds(m->msg_id), unix_seconds(kNow));
  auto res = tl::deserialize<mtp::resPQ>(m->body);
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->server_public_key_fingerprints.size(), 2u);
  EXPECT_EQ(static_cast<std::uint64_t>(res->server_public_key_fingerprints[1]), other->public_key().fingerprint());
  auto pq = crypto::uint64_from_be(view(res->pq));
  ASSERT_TRUE(pq.ok());
  auto factors = crypto::factorize_pq(*pq);
  ASSERT_TRUE(factors.ok());
  EXPECT_GE(factors->p, 1ull << 30);
  EXPECT_LT(factors->q, 1ull << 31);
}

TEST(HandshakeServer, PqStaysWithinTheSpecsSigned64BitBound) {
  // The spec: pq is "normally" at most 2^63-1. gramjs reads it as a signed 64-bit number and loops
  // forever factoring a negative one, so a pq with the top bit set hung ~39% of its handshakes.
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    ServerHandshake server(default_config());
    FakeClient client;
    FixedEntropy e(seed);
    auto step = server.on_message(client.req_pq_multi(), kNow, e);
    ASSERT_TRUE(step.ok());
    auto m = unpack_plain_message(step->send, Direction::server_to_client);
    ASSERT_TRUE(m.ok());
    auto res = tl::deserialize<mtp::resPQ>(m->body);
    ASSERT_TRUE(res.ok());
    ASSERT_EQ(res->pq.size(), 8u) << "seed " << seed;  // 2^60 <= pq: always 8 bytes, as Telegram sends
    auto pq = crypto::uint64_from_be(view(res->pq));
    ASSERT_TRUE(pq.ok());
    EXPECT_LE(*pq, 0x7fffffffffffffffull) << "seed " << seed;
  }
}

TEST(HandshakeServer, CompletesWithAHandMadeClient) {
  Harness h;
  h.past_req_dh();
  EXPECT_EQ(h.client.server_time, unix_seconds(kNow));
  EXPECT_EQ(h.client.g, 3);
  EXPECT_EQ(Bytes(h.client.dh_prime.begin(), h.client.dh_prime.end()),
            Bytes(crypto::telegram_dh_prime().bytes.begin(), crypto::telegram_dh_prime().bytes.end()));
  auto step = h.feed(h.client.set_client(h.client.client_inner()));
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  ASSERT_TRUE(step->done.has_value());
  const AuthKey key = h.client.key();
  EXPECT_EQ(step->done->key.auth_key, key);
  EXPECT_EQ(step->done->key.server_salt, crypto::handshake_server_salt(h.client.new_nonce, h.client.server_nonce));
  EXPECT_EQ(step->done->key.dc, 2);
  EXPECT_EQ(step->done->key.kind, KeyKind::permanent);
  EXPECT_FALSE(step->done->legacy_rsa);
  auto m = unpack_plain_message(step->send, Direction::server_to_client);
  ASSERT_TRUE(m.ok());
  auto ok = tl::deserialize<mtp::dh_gen_ok>(m->body);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->new_nonce_hash1, h.client.hash(crypto::DhGenOutcome::ok, key));
  EXPECT_EQ(h.server.state(), ServerState::done);
}

TEST(HandshakeServer, AcceptsEveryInnerDataFormUnderBothRsaSchemes) {
  for (bool legacy : {false, true}) {
    for (Form form : {Form::plain, Form::dc, Form::temp, Form::temp_dc}) {
      SCOPED_TRACE(std::string(legacy ? "legacy RSA, " : "RSA_PAD, ") + "form " + std::to_string(int(form)));
      Harness h;
      h.past_req_dh(form, legacy);
      auto step = h.feed(h.client.set_client(h.client.client_inner()));
      ASSERT_TRUE(step.ok()) << step.error().to_string();
      ASSERT_TRUE(step->done.has_value());
      const ServerHandshakeResult& r = *step->done;
      EXPECT_EQ(r.key.auth_key, h.client.key());
      EXPECT_EQ(r.legacy_rsa, legacy);
      const bool temporary = form == Form::temp || form == Form::temp_dc;
      EXPECT_EQ(r.key.kind, temporary ? KeyKind::temporary : KeyKind::permanent);
      EXPECT_EQ(r.key.expires_at, temporary ? unix_seconds(kNow) + 3600 : 0);
      const bool has_dc = form == Form::dc || form == Form::temp_dc;
      EXPECT_EQ(r.key.dc, has_dc ? std::optional<std::int32_t>(2) : std::nullopt);
    }
  }
}

TEST(HandshakeServer, LegacyRsaCanBeTurnedOff) {
  auto config = default_config();
  config.accept_legacy_rsa = false;
  Harness h(config);
  expect_error(h.send_req_dh(h.client.inner(Form::plain), true), MtprotoErrc::handshake_hash, h.server);
}

TEST(HandshakeServer, LegacyRsaWithABadSha1IsRefused) {
  Harness h;
  auto inner = h.client.inner(Form::plain);
  expect_error(h.feed(h.client.frame(h.client.req_dh(h.client.rsa_legacy(inner, true)))), MtprotoErrc::handshake_hash,
               h.server);
}

TEST(HandshakeServer, AnswersLegacyReqPq) {
  ServerHandshake server(default_config());
  FakeClient client;
  FixedEntropy e;
  auto step = server.on_message(client.frame(mtp::req_pq{client.nonce}), kNow, e);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  client.learn_res_pq(step->send);
  EXPECT_EQ(server.state(), ServerState::wait_req_dh_params);
}

// ---- req_pq ----

TEST(HandshakeServer, FirstMessageMustBeReqPq) {
  FakeClient client;
  for (const Bytes& packet : {client.frame(mtp::ping{7}), client.frame(client.req_dh("x"))}) {
    ServerHandshake server(default_config());
    FixedEntropy e;
    expect_error(server.on_message(packet, kNow, e), MtprotoErrc::handshake_unexpected, server);
  }
}

TEST(HandshakeServer, ClientMessageWithServerParityIsRefused) {
  FakeClient client;
  client.next_msg_id |= 1;
  ServerHandshake server(default_config());
  FixedEntropy e;
  expect_error(server.on_message(client.req_pq_multi(), kNow, e), MtprotoErrc::bad_msg_id, server);
}

// ---- req_DH_params ----

TEST(HandshakeServer, ReqDhParamsWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    auto req = h.client.req_dh(h.client.rsa_pad(h.client.inner(Form::dc)));
    (field == 0 ? req.nonce : req.server_nonce).bytes[3] ^= 1;
    expect_error(h.feed(h.client.frame(req)), MtprotoErrc::handshake_nonce, h.server);
  }
}

TEST(HandshakeServer, InnerDataWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    FakeClient& c = h.client;
    Int128 nonce = c.nonce, server_nonce = c.server_nonce;
    (field == 0 ? nonce : server_nonce).bytes[11] ^= 1;
    auto inner = tl::to_bytes(mtp::p_q_inner_data_dc{c.pq, c.p, c.q, nonce, server_nonce, c.new_nonce, 2});
    expect_error(h.send_req_dh(*inner), MtprotoErrc::handshake_nonce, h.server);
  }
}

TEST(HandshakeServer, WrongProofOfWorkIsRefused) {
  // Outer p or q wrong, swapped, or the inner pq/p/q not this run's.
  auto outer = [](auto mutate) {
    Harness h;
    auto req = h.client.req_dh(h.client.rsa_pad(h.client.inner(Form::dc)));
    mutate(h.client, req);
    expect_error(h.feed(h.client.frame(req)), MtprotoErrc::handshake_unexpected, h.server);
  };
  outer([](FakeClient&, mtp::req_DH_params& r) { r.p = str(crypto::uint64_to_be(1000003)); });
  outer([](FakeClient&, mtp::req_DH_params& r) { std::swap(r.p, r.q); });
  outer([](FakeClient&, mtp::req_DH_params& r) { r.q.clear(); });
  outer([](FakeClient&, mtp::req_DH_params& r) { r.q = std::string(9, '\x01'); });

  auto inner = [](auto mutate) {
    Harness h;
    FakeClient c = h.client;
    mutate(c);
    auto data = tl::to_bytes(mtp::p_q_inner_data_dc{c.pq, c.p, c.q, c.nonce, c.server_nonce, c.new_nonce, 2});
    expect_error(h.send_req_dh(*data), MtprotoErrc::handshake_unexpected, h.server);
  };
  inner([](FakeClient& c) { c.pq = str(crypto::uint64_to_be(c.p_value * c.q_value + 2)); });
  inner([](FakeClient& c) { std::swap(c.p, c.q); });
  inner([](FakeClient& c) { c.p = str(crypto::uint64_to_be(c.p_value + 2)); });
}

TEST(HandshakeServer, ProofOfWorkWithLeadingZerosIsTheSameNumber) {
  Harness h;
  auto req = h.client.req_dh(h.client.rsa_pad(h.client.inner(Form::dc)));
  req.p.insert(req.p.begin(), '\0');
  auto step = h.feed(h.client.frame(req));
  EXPECT_TRUE(step.ok()) << step.error().to_string();
}

TEST(HandshakeServer, UnknownFingerprintIsRefused) {
  Harness h;
  auto req = h.client.req_dh(h.client.rsa_pad(h.client.inner(Form::dc)));
  req.public_key_fingerprint ^= 1;
  expect_error(h.feed(h.client.frame(req)), MtprotoErrc::handshake_no_key, h.server);
}

TEST(HandshakeServer, DataForAnotherKeyIsRefused) {
  // RSA_PAD under another key with our fingerprint: the hash check fails, so does the legacy one.
  Harness h;
  auto other = crypto::RsaPrivateKey::generate(2048);
  ASSERT_TRUE(other.ok());
  auto encrypted = crypto::rsa_pad_encrypt(other->public_key(), h.client.inner(Form::dc), h.client.entropy);
  ASSERT_TRUE(encrypted.ok());
  auto r = h.feed(h.client.frame(h.client.req_dh(str(*encrypted))));
  ASSERT_FALSE(r.ok());
  // Either not a valid RSA input for our key (>= n) or neither scheme's hash.
  EXPECT_TRUE(is(r.error(), MtprotoErrc::handshake_hash) || crypto::is(r.error(), crypto::CryptoErrc::out_of_range))
      << r.error().to_string();
}

TEST(HandshakeServer, BadRsaDataIsRefused) {
  {
    Harness h;  // random bytes below n: neither scheme
    std::string data(256, '\0');
    h.client.entropy.fill({reinterpret_cast<Byte*>(data.data()) + 1, 255});
    expect_error(h.feed(h.client.frame(h.client.req_dh(data))), MtprotoErrc::handshake_hash, h.server);
  }
  {
    Harness h;  // not below n
    expect_error(h.feed(h.client.frame(h.client.req_dh(std::string(256, '\xff')))), crypto::CryptoErrc::out_of_range,
                 h.server);
  }
  {
    Harness h;  // longer than the modulus
    expect_error(h.feed(h.client.frame(h.client.req_dh(std::string(257, '\x01')))), crypto::CryptoErrc::bad_length,
                 h.server);
  }
  {
    Harness h;  // valid RSA_PAD around bytes that are not P_Q_inner_data
    Bytes junk(144, 0x42);
    expect_error(h.send_req_dh(junk), MtprotoErrc::handshake_unexpected, h.server);
  }
  {
    Harness h;  // valid legacy hash around bytes that are not P_Q_inner_data
    Bytes junk(100, 0x42);
    expect_error(h.send_req_dh(junk, true), MtprotoErrc::handshake_hash, h.server);
  }
}

TEST(HandshakeServer, DcNotServedHereIsRefused) {
  auto config = default_config();
  config.accepted_dcs = {2, -2};
  Harness h(config);
  expect_error(h.send_req_dh(h.client.inner(Form::dc, 10002)), MtprotoErrc::handshake_unexpected, h.server);
  Harness ok(config);
  EXPECT_TRUE(ok.send_req_dh(ok.client.inner(Form::dc, -2)).ok());
}

TEST(HandshakeServer, TemporaryKeyWithoutALifetimeIsRefused) {
  for (std::int32_t expires_in : {0, -5}) {
    Harness h;
    expect_error(h.send_req_dh(h.client.inner(Form::temp_dc, 2, expires_in)), MtprotoErrc::handshake_unexpected,
                 h.server);
  }
}

TEST(HandshakeServer, OwnGaOutOfRangeIsRedrawn) {
  // An entropy source whose first a is 0 (g_a = 1): the server must draw again.
  struct ZeroFirstA final : Entropy {
    FixedEntropy inner{6};
    int big_draws = 0;
    void fill(MutableByteView out) override {
      if (out.size() == 256 && big_draws++ == 0) {
        std::fill(out.begin(), out.end(), Byte{0});
        return;
      }
      inner.fill(out);
    }
  } entropy;
  Harness h;
  auto step = h.server.on_message(
      h.client.frame(h.client.req_dh(h.client.rsa_pad(h.client.inner(Form::dc)))), kNow, entropy);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  EXPECT_EQ(entropy.big_draws, 2);
  h.client.learn_dh_params(step->send);  // checks g_a's range
  EXPECT_TRUE(crypto::check_dh_value(view(h.client.g_a), view(h.client.dh_prime)).ok());
}

// ---- set_client_DH_params ----

TEST(HandshakeServer, SetClientDhParamsWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    h.past_req_dh();
    Bytes packet = h.client.set_client(h.client.client_inner());
    // nonce at body offset 4, server_nonce at 20 (after the 20-byte header)
    packet[20 + 4 + 16 * field] ^= 1;
    expect_error(h.feed(packet), MtprotoErrc::handshake_nonce, h.server);
  }
}

TEST(HandshakeServer, ClientInnerDataWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    h.past_req_dh();
    auto inner = h.client.client_inner();
    (field == 0 ? inner.nonce : inner.server_nonce).bytes[0] ^= 1;
    expect_error(h.feed(h.client.set_client(inner)), MtprotoErrc::handshake_nonce, h.server);
  }
}

TEST(HandshakeServer, ClientDataWithABadSha1OrPaddingIsRefused) {
  {
    Harness h;
    h.past_req_dh();
    expect_error(h.feed(h.client.set_client(h.client.client_inner(), true)), MtprotoErrc::handshake_hash, h.server);
  }
  {
    Harness h;
    h.past_req_dh();
    expect_error(h.feed(h.client.set_client(h.client.client_inner(), false, 1)), MtprotoErrc::handshake_hash,
                 h.server);
  }
}

TEST(HandshakeServer, GbOutOfRangeGetsDhGenFail) {
  const crypto::DhValue p = crypto::telegram_dh_prime();
  crypto::DhValue one{}, two{}, below{}, p_minus_1 = p;
  one.bytes[255] = 1;
  two.bytes[255] = 2;
  below.bytes[9] = 1;  // 2^1976
  p_minus_1.bytes[255] = static_cast<Byte>(p_minus_1.bytes[255] - 1);
  for (const crypto::DhValue& g_b : {one, two, below, p_minus_1, p}) {
    Harness h;
    h.past_req_dh();
    auto inner = h.client.client_inner();
    inner.g_b = str(g_b.view());
    // For g_b = 1 the "key" is 1, so the client can check hash3.
    std::optional<AuthKey> key;
    if (g_b == one) key = AuthKey(one);
    expect_dh_gen_fail(h.feed(h.client.set_client(inner)), crypto::CryptoErrc::out_of_range, h.client, key);
    EXPECT_EQ(h.server.state(), ServerState::failed);
  }
  Harness h;
  h.past_req_dh();
  auto inner = h.client.client_inner();
  inner.g_b = std::string(257, '\x01');
  expect_error(h.feed(h.client.set_client(inner)), crypto::CryptoErrc::bad_length, h.server);
}

TEST(HandshakeServer, WrongRetryIdGetsDhGenFail) {
  Harness h;
  h.past_req_dh();
  expect_dh_gen_fail(h.feed(h.client.set_client(h.client.client_inner(12345))), MtprotoErrc::handshake_unexpected,
                     h.client, h.client.key());
}

TEST(HandshakeServer, CollidingKeyGetsDhGenRetryAndTheRetryIdIsChecked) {
  for (bool right_retry_id : {true, false}) {
    auto config = default_config();
    int calls = 0;
    config.key_exists = [&calls](std::uint64_t) { return ++calls == 1; };
    Harness h(config);
    h.past_req_dh();
    const AuthKey first = h.client.key();
    auto step = h.feed(h.client.set_client(h.client.client_inner()));
    ASSERT_TRUE(step.ok()) << step.error().to_string();
    EXPECT_FALSE(step->done || step->failure);
    auto m = unpack_plain_message(step->send, Direction::server_to_client);
    ASSERT_TRUE(m.ok());
    auto retry = tl::deserialize<mtp::dh_gen_retry>(m->body);
    ASSERT_TRUE(retry.ok()) << retry.error().to_string();
    EXPECT_EQ(retry->new_nonce_hash2, h.client.hash(crypto::DhGenOutcome::retry, first));
    EXPECT_EQ(h.server.state(), ServerState::wait_set_client_dh_params);

    h.client.b.bytes[200] ^= 0x55;  // a new b
    const AuthKey second = h.client.key();
    auto next = h.feed(h.client.set_client(
        h.client.client_inner(right_retry_id ? static_cast<std::int64_t>(first.aux_hash()) : 0)));
    if (right_retry_id) {
      ASSERT_TRUE(next.ok()) << next.error().to_string();
      ASSERT_TRUE(next->done.has_value());
      EXPECT_EQ(next->done->key.auth_key, second);
    } else {
      expect_dh_gen_fail(next, MtprotoErrc::handshake_unexpected, h.client, second);
    }
  }
}

TEST(HandshakeServer, RetriesRunOutWithDhGenFail) {
  auto config = default_config();
  config.max_retries = 1;
  config.key_exists = [](std::uint64_t) { return true; };
  Harness h(config);
  h.past_req_dh();
  AuthKey key = h.client.key();
  ASSERT_TRUE(h.feed(h.client.set_client(h.client.client_inner())).ok());
  h.client.b.bytes[100] ^= 1;
  const std::int64_t retry_id = static_cast<std::int64_t>(key.aux_hash());
  key = h.client.key();
  expect_dh_gen_fail(h.feed(h.client.set_client(h.client.client_inner(retry_id))), MtprotoErrc::handshake_failed,
                     h.client, key);
}

TEST(HandshakeServer, NothingIsAcceptedAfterTheEnd) {
  Harness h;
  h.past_req_dh();
  Bytes packet = h.client.set_client(h.client.client_inner());
  ASSERT_TRUE(h.feed(packet).ok());
  expect_error(h.feed(packet), MtprotoErrc::handshake_unexpected, h.server);
}

}  // namespace
}  // namespace telepp::mtproto::handshake
