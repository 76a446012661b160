// The client role against a hand-made server built directly on the crypto layer (not
// ServerHandshake), so each answer can be bent one field at a time: one test per check the client
// must make (core.telegram.org/mtproto/auth_key and /mtproto/security_guidelines).
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
#include "telepp/mtproto/handshake/client_handshake.hpp"
#include "telepp/mtproto/plain_message.hpp"

namespace telepp::mtproto::handshake {
namespace {

using test::FixedEntropy;

const crypto::RsaPrivateKey& server_key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

const Time kNow = from_unix_seconds(1760000000) + std::chrono::milliseconds(400);
constexpr std::int32_t kServerTime = 1760000100;

std::string str(ByteView b) { return std::string(as_chars(b)); }
ByteView view(const std::string& s) { return as_bytes(s); }

template <class T>
T parse_client_message(const Bytes& packet) {
  auto m = unpack_plain_message(packet, Direction::client_to_server);
  EXPECT_TRUE(m.ok());
  auto v = tl::deserialize<T>(m->body);
  EXPECT_TRUE(v.ok()) << v.error().to_string();
  return std::move(*v);
}

crypto::DhValue value_of(ByteView big_endian) {
  crypto::DhValue v;
  std::copy(big_endian.begin(), big_endian.end(), v.bytes.end() - static_cast<std::ptrdiff_t>(big_endian.size()));
  return v;
}

/// p - k for a small k, as 256 big-endian bytes.
crypto::DhValue minus(const crypto::DhValue& p, unsigned k) {
  crypto::DhValue out = p;
  unsigned borrow = k;
  for (std::size_t i = out.size(); i-- > 0 && borrow != 0;) {
    const unsigned v = out.bytes[i];
    out.bytes[i] = static_cast<Byte>((v - borrow) & 0xff);
    borrow = v < (borrow & 0xff) ? (borrow >> 8) + 1 : borrow >> 8;
  }
  return out;
}

/// The server side of one run, made by hand, with every field within reach.
struct FakeServer {
  Int128 nonce{};
  Int128 server_nonce{};
  Int256 new_nonce{};
  crypto::AesKeyIv tmp{};
  std::uint64_t p = 1008949199, q = 1455403679;  // the example page's factors
  crypto::DhValue prime = crypto::telegram_dh_prime();
  std::int32_t g = 3;
  crypto::DhValue a{};
  std::int64_t next_msg_id = (std::int64_t{kServerTime} << 32) | 1;
  mtp::P_Q_inner_data inner;  // what the client sent in req_DH_params
  std::int64_t last_retry_id = -1;

  FakeServer() {
    for (std::size_t i = 0; i < 16; ++i) server_nonce.bytes[i] = static_cast<Byte>(0xa0 + i);
    FixedEntropy e(555);
    e.fill({a.data(), a.size()});
  }

  template <class T>
  Bytes frame(const T& value) {
    auto body = tl::to_bytes(value);
    EXPECT_TRUE(body.ok());
    Bytes out = pack_plain_message(next_msg_id, *body);
    next_msg_id += 4;
    return out;
  }

  void learn_nonce(const Bytes& req_pq) { nonce = parse_client_message<mtp::req_pq_multi>(req_pq).nonce; }

  mtp::resPQ res_pq() const {
    return mtp::resPQ{nonce, server_nonce, str(crypto::uint64_to_be(p * q)),
                      {static_cast<std::int64_t>(server_key().public_key().fingerprint())}};
  }

  void learn_new_nonce(const Bytes& req_dh) {
    auto req = parse_client_message<mtp::req_DH_params>(req_dh);
    auto data = crypto::rsa_pad_decrypt(server_key(), view(req.encrypted_data));
    ASSERT_TRUE(data.ok()) << data.error().to_string();
    tl::Reader r(*data);
    tl::read_object(r, inner);
    ASSERT_TRUE(r.ok());
    if (const auto* dc = inner.get_if<mtp::p_q_inner_data_dc>()) new_nonce = dc->new_nonce;
    else new_nonce = inner.as<mtp::p_q_inner_data_temp_dc>().new_nonce;
    tmp = crypto::handshake_tmp_aes(new_nonce, server_nonce);
  }

  crypto::DhValue g_a() const { return *crypto::dh_pow_g(static_cast<std::uint32_t>(g), a.view(), prime.view()); }

  mtp::server_DH_inner_data dh_inner() const {
    return mtp::server_DH_inner_data{nonce, server_nonce, g, str(prime.view()), str(g_a().view()), kServerTime};
  }

  /// SHA1(answer) ‖ answer ‖ padding, encrypted; `corrupt_hash` flips a hash bit, `extra_blocks`
  /// adds 16-byte blocks of padding.
  std::string seal(const Bytes& answer, bool corrupt_hash = false, std::size_t extra_blocks = 0) const {
    Bytes plain;
    auto h = crypto::sha1(answer);
    plain.insert(plain.end(), h.bytes.begin(), h.bytes.end());
    if (corrupt_hash) plain[0] ^= 1;
    plain.insert(plain.end(), answer.begin(), answer.end());
    while (plain.size() % 16 != 0) plain.push_back(0x5a);
    plain.insert(plain.end(), 16 * extra_blocks, 0x5a);
    EXPECT_TRUE(crypto::aes_ige_encrypt(tmp.key, tmp.iv, plain).ok());
    return str(plain);
  }

  Bytes dh_params_ok(const mtp::server_DH_inner_data& answer, bool corrupt_hash = false, std::size_t extra = 0) {
    auto bytes = tl::to_bytes(answer);
    EXPECT_TRUE(bytes.ok());
    return frame(mtp::server_DH_params_ok{nonce, server_nonce, seal(*bytes, corrupt_hash, extra)});
  }

  /// Decrypts set_client_DH_params and returns the key g_b^a.
  AuthKey learn_g_b(const Bytes& set_client) {
    auto req = parse_client_message<mtp::set_client_DH_params>(set_client);
    Bytes plain(req.encrypted_data.begin(), req.encrypted_data.end());
    EXPECT_TRUE(crypto::aes_ige_decrypt(tmp.key, tmp.iv, plain).ok());
    tl::Reader r(ByteView(plain).subspan(20));
    mtp::client_DH_inner_data inner_data;
    tl::read_object(r, inner_data);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 20,
                           crypto::sha1(ByteView(plain).subspan(20, r.offset())).bytes.begin()));
    EXPECT_EQ(inner_data.nonce, nonce);
    EXPECT_EQ(inner_data.server_nonce, server_nonce);
    last_retry_id = inner_data.retry_id;
    last_g_b = inner_data.g_b;
    return AuthKey(*crypto::dh_mod_exp(view(inner_data.g_b), a.view(), prime.view()));
  }
  std::string last_g_b;

  Int128 hash(crypto::DhGenOutcome outcome, const AuthKey& key) const {
    return crypto::new_nonce_hash(new_nonce, outcome, key.bytes());
  }
};

struct Harness {
  FakeServer server;
  FixedEntropy entropy{77};
  ClientHandshake client;

  explicit Harness(ClientHandshakeConfig config = default_config()) : client(std::move(config)) {
    auto first = client.start(kNow, entropy);
    EXPECT_TRUE(first.ok());
    server.learn_nonce(*first);
  }
  static ClientHandshakeConfig default_config() {
    ClientHandshakeConfig c;
    c.trust(server_key().public_key());
    return c;
  }
  Result<ClientStep> feed(const Bytes& packet) { return client.on_message(packet, kNow, entropy); }

  /// resPQ answered: returns req_DH_params.
  Bytes past_res_pq() {
    auto step = feed(server.frame(server.res_pq()));
    EXPECT_TRUE(step.ok()) << step.error().to_string();
    server.learn_new_nonce(step->send);
    return step->send;
  }
  /// server_DH_params_ok answered: returns the key the fake server computes from g_b.
  AuthKey past_dh_params() {
    past_res_pq();
    auto step = feed(server.dh_params_ok(server.dh_inner()));
    EXPECT_TRUE(step.ok()) << step.error().to_string();
    return server.learn_g_b(step->send);
  }
};

void expect_error(const Result<ClientStep>& r, MtprotoErrc code, const ClientHandshake& client) {
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), code)) << r.error().to_string();
  EXPECT_EQ(client.state(), ClientState::failed);
}

void expect_error(const Result<ClientStep>& r, crypto::CryptoErrc code, const ClientHandshake& client) {
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(crypto::is(r.error(), code)) << r.error().to_string();
  EXPECT_EQ(client.state(), ClientState::failed);
}

// ---- the happy path against an independent server ----

TEST(HandshakeClient, CompletesAgainstAHandMadeServer) {
  Harness h;
  AuthKey key = h.past_dh_params();
  EXPECT_EQ(h.server.last_retry_id, 0);
  auto done = h.feed(h.server.frame(mtp::dh_gen_ok{h.server.nonce, h.server.server_nonce,
                                                   h.server.hash(crypto::DhGenOutcome::ok, key)}));
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  ASSERT_TRUE(done->done.has_value());
  EXPECT_EQ(done->done->key.auth_key, key);
  EXPECT_EQ(done->done->key.server_salt, crypto::handshake_server_salt(h.server.new_nonce, h.server.server_nonce));
  EXPECT_EQ(done->done->time_offset, std::chrono::seconds(kServerTime - unix_seconds(kNow)));
}

TEST(HandshakeClient, SendsTheDcAndTheTemporaryInnerData) {
  auto config = Harness::default_config();
  config.dc_id = 4;
  config.media_dc = true;
  config.kind = KeyKind::temporary;
  config.expires_in = 3600;
  Harness h(config);
  h.past_res_pq();
  const auto* temp = h.server.inner.get_if<mtp::p_q_inner_data_temp_dc>();
  ASSERT_NE(temp, nullptr);
  EXPECT_EQ(temp->dc, -4);
  EXPECT_EQ(temp->expires_in, 3600);
  EXPECT_EQ(temp->nonce, h.server.nonce);
  EXPECT_EQ(temp->server_nonce, h.server.server_nonce);
  EXPECT_EQ(crypto::uint64_from_be(view(temp->p)).value(), h.server.p);
  EXPECT_EQ(crypto::uint64_from_be(view(temp->q)).value(), h.server.q);

  Harness permanent;
  permanent.past_res_pq();
  const auto* dc = permanent.server.inner.get_if<mtp::p_q_inner_data_dc>();
  ASSERT_NE(dc, nullptr);
  EXPECT_EQ(dc->dc, 2);
}

// ---- resPQ ----

TEST(HandshakeClient, ResPqWithAnotherNonceIsRefused) {
  Harness h;
  auto res = h.server.res_pq();
  res.nonce.bytes[15] ^= 0x80;
  expect_error(h.feed(h.server.frame(res)), MtprotoErrc::handshake_nonce, h.client);
}

TEST(HandshakeClient, ResPqWithOnlyUnknownFingerprintsIsRefused) {
  for (std::vector<std::int64_t> fps : {std::vector<std::int64_t>{1, 2, 3}, std::vector<std::int64_t>{}}) {
    Harness h;
    auto res = h.server.res_pq();
    res.server_public_key_fingerprints = fps;
    expect_error(h.feed(h.server.frame(res)), MtprotoErrc::handshake_no_key, h.client);
  }
}

TEST(HandshakeClient, ResPqPicksTheFirstKnownFingerprint) {
  Harness h;
  auto res = h.server.res_pq();
  const std::int64_t ours = res.server_public_key_fingerprints[0];
  res.server_public_key_fingerprints = {11, ours, 22};
  auto step = h.feed(h.server.frame(res));
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  EXPECT_EQ(parse_client_message<mtp::req_DH_params>(step->send).public_key_fingerprint, ours);
}

TEST(HandshakeClient, ResPqWithABadPqIsRefused) {
  const std::string prime_pq = str(crypto::uint64_to_be(1000003));
  const std::string three_factors = str(crypto::uint64_to_be(3ull * 5 * 7 * 1000003));
  const std::string nine_bytes(9, '\x01');
  for (const auto& pq : {prime_pq, three_factors, nine_bytes, std::string()}) {
    Harness h;
    auto res = h.server.res_pq();
    res.pq = pq;
    auto r = h.feed(h.server.frame(res));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().domain, ErrorDomain::crypto) << r.error().to_string();
  }
}

// ---- server_DH_params ----

TEST(HandshakeClient, ServerDhParamsWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    h.past_res_pq();
    mtp::server_DH_params_ok ok{h.server.nonce, h.server.server_nonce, ""};
    auto bytes = tl::to_bytes(h.server.dh_inner());
    ok.encrypted_answer = h.server.seal(*bytes);
    (field == 0 ? ok.nonce : ok.server_nonce).bytes[0] ^= 1;
    expect_error(h.feed(h.server.frame(ok)), MtprotoErrc::handshake_nonce, h.client);
  }
}

TEST(HandshakeClient, EncryptedAnswerWithAnotherNonceOrServerNonceIsRefused) {
  for (int field = 0; field < 2; ++field) {
    Harness h;
    h.past_res_pq();
    auto inner = h.server.dh_inner();
    (field == 0 ? inner.nonce : inner.server_nonce).bytes[7] ^= 1;
    expect_error(h.feed(h.server.dh_params_ok(inner)), MtprotoErrc::handshake_nonce, h.client);
  }
}

TEST(HandshakeClient, EncryptedAnswerWithABadSha1IsRefused) {
  Harness h;
  h.past_res_pq();
  expect_error(h.feed(h.server.dh_params_ok(h.server.dh_inner(), true)), MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, EncryptedAnswerWithTooMuchPaddingIsRefused) {
  // 16 bytes or more after the data: the hash no longer covers what the length says.
  Harness h;
  h.past_res_pq();
  expect_error(h.feed(h.server.dh_params_ok(h.server.dh_inner(), false, 1)), MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, EncryptedAnswerOfABadLengthIsRefused) {
  Harness h;
  h.past_res_pq();
  auto bytes = tl::to_bytes(h.server.dh_inner());
  std::string sealed = h.server.seal(*bytes);
  sealed.pop_back();  // not a multiple of 16
  expect_error(h.feed(h.server.frame(mtp::server_DH_params_ok{h.server.nonce, h.server.server_nonce, sealed})),
               MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, EncryptedAnswerUnderAnotherKeyIsRefused) {
  Harness h;
  h.past_res_pq();
  h.server.tmp.key.bytes[0] ^= 1;  // as if another new_nonce
  expect_error(h.feed(h.server.dh_params_ok(h.server.dh_inner())), MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, ServerDhParamsFailIsVerifiedAndReported) {
  {
    Harness h;
    h.past_res_pq();
    auto digest = crypto::sha1(h.server.new_nonce.view());
    Int128 nnh;
    std::copy(digest.bytes.begin() + 4, digest.bytes.end(), nnh.bytes.begin());
    expect_error(h.feed(h.server.frame(mtp::server_DH_params_fail{h.server.nonce, h.server.server_nonce, nnh})),
                 MtprotoErrc::handshake_failed, h.client);
  }
  {
    Harness h;
    h.past_res_pq();
    Int128 wrong{};
    expect_error(h.feed(h.server.frame(mtp::server_DH_params_fail{h.server.nonce, h.server.server_nonce, wrong})),
                 MtprotoErrc::handshake_hash, h.client);
  }
  {
    Harness h;
    h.past_res_pq();
    Int128 other_nonce = h.server.nonce;
    other_nonce.bytes[1] ^= 4;
    expect_error(h.feed(h.server.frame(mtp::server_DH_params_fail{other_nonce, h.server.server_nonce, Int128{}})),
                 MtprotoErrc::handshake_nonce, h.client);
  }
}

// ---- DH parameters ----

struct DhCase {
  const char* name;
  crypto::DhValue prime;
  std::int32_t g;
  crypto::CryptoErrc expected;
};

TEST(HandshakeClient, BadDhPrimeOrGeneratorIsRefused) {
  const crypto::DhValue telegram = crypto::telegram_dh_prime();
  crypto::DhValue composite = value_of(server_key().public_key().n());  // odd, 2048 bits, p*q: not a safe prime
  crypto::DhValue plus_two = minus(telegram, 0);
  plus_two.bytes[255] = static_cast<Byte>(plus_two.bytes[255] + 2);  // ends in 0x5b: no carry
  crypto::DhValue short_prime = telegram;
  short_prime.bytes[0] = 0x47;  // top bit clear: 2047 bits
  const DhCase cases[] = {
      {"not safe: an RSA modulus, g = 4 (no residue rule)", composite, 4, crypto::CryptoErrc::not_prime},
      {"not safe: Telegram's prime + 2, g = 4", plus_two, 4, crypto::CryptoErrc::not_prime},
      {"2047 bits", short_prime, 3, crypto::CryptoErrc::bad_length},
      {"g = 2 needs p mod 8 = 7 (Telegram's prime is 3 mod 8)", telegram, 2, crypto::CryptoErrc::bad_generator},
      {"g = 5 needs p mod 5 in {1,4}", telegram, 5, crypto::CryptoErrc::bad_generator},
      {"g = 1", telegram, 1, crypto::CryptoErrc::bad_generator},
      {"g = 8", telegram, 8, crypto::CryptoErrc::bad_generator},
  };
  for (const DhCase& c : cases) {
    crypto::DhPrimeCache cache(false);
    auto config = Harness::default_config();
    config.prime_cache = &cache;
    Harness h(config);
    h.past_res_pq();
    h.server.prime = c.prime;
    h.server.g = c.g;
    auto inner = h.server.dh_inner();
    SCOPED_TRACE(c.name);
    expect_error(h.feed(h.server.dh_params_ok(inner)), c.expected, h.client);
    EXPECT_EQ(cache.size(), 0u);
  }
}

TEST(HandshakeClient, ADhPrimeOfTheWrongLengthIsRefused) {
  for (std::size_t drop : {1u, 128u}) {
    Harness h;
    h.past_res_pq();
    auto inner = h.server.dh_inner();
    inner.dh_prime.erase(0, drop);
    expect_error(h.feed(h.server.dh_params_ok(inner)), crypto::CryptoErrc::bad_length, h.client);
  }
}

TEST(HandshakeClient, TheDhPrimeIsProvenOnceAndThenCached) {
  crypto::DhPrimeCache cache(false);
  auto config = Harness::default_config();
  config.prime_cache = &cache;
  Harness h(config);
  h.past_res_pq();
  auto step = h.feed(h.server.dh_params_ok(h.server.dh_inner()));
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  EXPECT_TRUE(cache.contains(crypto::telegram_dh_prime()));
}

TEST(HandshakeClient, GaOutOfRangeIsRefused) {
  const crypto::DhValue p = crypto::telegram_dh_prime();
  crypto::DhValue one{}, two{}, below{}, above{};
  one.bytes[255] = 1;
  two.bytes[255] = 2;
  below.bytes[8] = 0x80;  // 2^1983: just under 2^(2048-64)
  above = p;              // p - 2^1984 + 1: just over the upper bound
  above.bytes[7] = static_cast<Byte>(above.bytes[7] - 1);
  above.bytes[255] = static_cast<Byte>(above.bytes[255] + 1);
  for (const crypto::DhValue& g_a : {one, two, below, above, minus(p, 1), p}) {
    Harness h;
    h.past_res_pq();
    auto inner = h.server.dh_inner();
    inner.g_a = str(g_a.view());
    expect_error(h.feed(h.server.dh_params_ok(inner)), crypto::CryptoErrc::out_of_range, h.client);
  }
  Harness h;
  h.past_res_pq();
  auto inner = h.server.dh_inner();
  inner.g_a = std::string(257, '\x01');
  expect_error(h.feed(h.server.dh_params_ok(inner)), crypto::CryptoErrc::bad_length, h.client);
}

TEST(HandshakeClient, GaAtTheBoundsIsAccepted) {
  crypto::DhValue lowest{};
  lowest.bytes[7] = 1;  // exactly 2^(2048-64)
  Harness h;
  h.past_res_pq();
  auto inner = h.server.dh_inner();
  inner.g_a = str(lowest.view());
  EXPECT_TRUE(h.feed(h.server.dh_params_ok(inner)).ok());
}

TEST(HandshakeClient, OwnGbOutOfRangeIsRedrawn) {
  // An entropy source whose first b is 0 (g_b = 1): the client must notice and draw again.
  struct ZeroFirstB final : Entropy {
    FixedEntropy inner{5};
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
  h.past_res_pq();
  auto step = h.client.on_message(h.server.dh_params_ok(h.server.dh_inner()), kNow, entropy);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  EXPECT_EQ(entropy.big_draws, 2);
  h.server.learn_g_b(step->send);
  EXPECT_TRUE(crypto::check_dh_value(view(h.server.last_g_b), h.server.prime.view()).ok());
}

// ---- dh_gen_* ----

TEST(HandshakeClient, DhGenOkWithABadHashIsRefused) {
  Harness h;
  AuthKey key = h.past_dh_params();
  Int128 bad = h.server.hash(crypto::DhGenOutcome::ok, key);
  bad.bytes[15] ^= 1;
  expect_error(h.feed(h.server.frame(mtp::dh_gen_ok{h.server.nonce, h.server.server_nonce, bad})),
               MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, DhGenOkCarryingHash2Or3IsRefused) {
  // The hashes differ per outcome so one answer cannot be dressed up as another.
  for (auto outcome : {crypto::DhGenOutcome::retry, crypto::DhGenOutcome::fail}) {
    Harness h;
    AuthKey key = h.past_dh_params();
    expect_error(h.feed(h.server.frame(mtp::dh_gen_ok{h.server.nonce, h.server.server_nonce,
                                                      h.server.hash(outcome, key)})),
                 MtprotoErrc::handshake_hash, h.client);
  }
}

TEST(HandshakeClient, DhGenWithAnotherNonceIsRefused) {
  Harness h;
  AuthKey key = h.past_dh_params();
  Int128 other = h.server.server_nonce;
  other.bytes[9] ^= 2;
  expect_error(h.feed(h.server.frame(mtp::dh_gen_ok{h.server.nonce, other, h.server.hash(crypto::DhGenOutcome::ok, key)})),
               MtprotoErrc::handshake_nonce, h.client);
}

TEST(HandshakeClient, DhGenRetryMakesANewAttemptWithRetryId) {
  Harness h;
  AuthKey first = h.past_dh_params();
  const std::string first_g_b = h.server.last_g_b;
  auto step = h.feed(h.server.frame(mtp::dh_gen_retry{h.server.nonce, h.server.server_nonce,
                                                      h.server.hash(crypto::DhGenOutcome::retry, first)}));
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  ASSERT_FALSE(step->done.has_value());
  AuthKey second = h.server.learn_g_b(step->send);
  // retry_id = auth_key_aux_hash of the previous key (its SHA-1's first 8 bytes, little-endian).
  EXPECT_EQ(h.server.last_retry_id, static_cast<std::int64_t>(first.aux_hash()));
  auto aux = crypto::auth_key_aux_hash(first.bytes());
  EXPECT_EQ(static_cast<std::uint64_t>(h.server.last_retry_id), load_le64(aux.data()));
  EXPECT_NE(h.server.last_g_b, first_g_b);  // a new b
  EXPECT_NE(second, first);
  auto done = h.feed(h.server.frame(mtp::dh_gen_ok{h.server.nonce, h.server.server_nonce,
                                                   h.server.hash(crypto::DhGenOutcome::ok, second)}));
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_EQ(done->done->key.auth_key, second);
}

TEST(HandshakeClient, DhGenRetryWithABadHashIsRefused) {
  Harness h;
  AuthKey key = h.past_dh_params();
  expect_error(h.feed(h.server.frame(mtp::dh_gen_retry{h.server.nonce, h.server.server_nonce,
                                                       h.server.hash(crypto::DhGenOutcome::ok, key)})),
               MtprotoErrc::handshake_hash, h.client);
}

TEST(HandshakeClient, DhGenFailIsVerifiedAndReported) {
  {
    Harness h;
    AuthKey key = h.past_dh_params();
    expect_error(h.feed(h.server.frame(mtp::dh_gen_fail{h.server.nonce, h.server.server_nonce,
                                                        h.server.hash(crypto::DhGenOutcome::fail, key)})),
                 MtprotoErrc::handshake_failed, h.client);
  }
  {
    Harness h;
    AuthKey key = h.past_dh_params();
    expect_error(h.feed(h.server.frame(mtp::dh_gen_fail{h.server.nonce, h.server.server_nonce,
                                                        h.server.hash(crypto::DhGenOutcome::ok, key)})),
                 MtprotoErrc::handshake_hash, h.client);
  }
}

TEST(HandshakeClient, TooManyRetriesFail) {
  auto config = Harness::default_config();
  config.max_retries = 2;
  Harness h(config);
  AuthKey key = h.past_dh_params();
  for (int i = 0; i < 2; ++i) {
    auto step = h.feed(h.server.frame(mtp::dh_gen_retry{h.server.nonce, h.server.server_nonce,
                                                        h.server.hash(crypto::DhGenOutcome::retry, key)}));
    ASSERT_TRUE(step.ok()) << step.error().to_string();
    key = h.server.learn_g_b(step->send);
  }
  expect_error(h.feed(h.server.frame(mtp::dh_gen_retry{h.server.nonce, h.server.server_nonce,
                                                       h.server.hash(crypto::DhGenOutcome::retry, key)})),
               MtprotoErrc::handshake_failed, h.client);
}

// ---- framing ----

TEST(HandshakeClient, AnswerWithAClientMsgIdOrAnAuthKeyIdIsRefused) {
  {
    Harness h;
    auto body = tl::to_bytes(h.server.res_pq());
    expect_error(h.feed(pack_plain_message(std::int64_t{kServerTime} << 32, *body)), MtprotoErrc::bad_msg_id, h.client);
  }
  {
    Harness h;
    Bytes packet = h.server.frame(h.server.res_pq());
    packet[0] = 1;
    expect_error(h.feed(packet), MtprotoErrc::unknown_auth_key, h.client);
  }
}

TEST(HandshakeClient, AnswerBeforeStartIsUnexpected) {
  ClientHandshake client(Harness::default_config());
  FakeServer server;
  FixedEntropy e;
  auto r = client.on_message(server.frame(server.res_pq()), kNow, e);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::handshake_unexpected));
}

}  // namespace
}  // namespace telepp::mtproto::handshake
