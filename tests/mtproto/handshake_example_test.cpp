// The client role of the handshake driven through the worked example of
// core.telegram.org/mtproto/samples-auth_key (tests/vectors/mtproto_handshake_example.txt).
//
// What the example lets us check, and what not:
// - req_pq_multi, the p_q_inner_data_dc with its RSA_PAD padding, set_client_DH_params (whole
//   message, encrypted data included), g_b, the auth key and the salt are deterministic given the
//   page's random values, and must match byte for byte.
// - req_DH_params.encrypted_data cannot be reproduced: RSA_PAD's temp_key is not printed, and the
//   key (Telegram's production key, fingerprint 0xD09D1D85DE64FD85) has a private half only
//   Telegram holds. The test files a key of its own under that fingerprint, checks every byte of
//   req_DH_params around encrypted_data, and decrypts encrypted_data to compare the inner data and
//   padding with the page's.
// - The page's server answers are accepted as they are, except their message_length fields, which
//   the page prints wrong (see the vector file); a separate test shows them rejected as printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <sstream>
#include <string>

#include "support/fixed_entropy.hpp"
#include "support/support.hpp"
#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/handshake_kdf.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/crypto/rsa_pad.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/handshake/client_handshake.hpp"
#include "telepp/mtproto/message_id.hpp"
#include "telepp/mtproto/plain_message.hpp"

namespace telepp::mtproto::handshake {
namespace {

/// `name = hex` lines of the vector file.
class ExampleVectors {
 public:
  ExampleVectors() {
    std::istringstream in(test::vector_text("mtproto_handshake_example.txt"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find(" = ");
      if (eq == std::string::npos) continue;
      values_[line.substr(0, eq)] = line.substr(eq + 3);
    }
  }
  Bytes operator[](const std::string& name) const {
    auto it = values_.find(name);
    EXPECT_NE(it, values_.end()) << "missing vector " << name;
    return it == values_.end() ? Bytes{} : test::hex(it->second);
  }
  template <std::size_t N>
  FixedBytes<N> fixed(const std::string& name) const {
    FixedBytes<N> out;
    auto b = (*this)[name];
    EXPECT_EQ(b.size(), N) << name;
    std::copy_n(b.begin(), std::min(N, b.size()), out.bytes.begin());
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
};

const ExampleVectors& vectors() {
  static const ExampleVectors v;
  return v;
}

/// Hands out the given byte strings to requests of exactly their size, in order; any other request
/// (RSA_PAD's temp_key draws, which the page does not print) gets deterministic filler. Records
/// the sizes asked for.
class SequenceEntropy final : public Entropy {
 public:
  explicit SequenceEntropy(std::deque<Bytes> items) : items_(std::move(items)) {}
  void fill(MutableByteView out) override {
    requests.push_back(out.size());
    if (!items_.empty() && items_.front().size() == out.size()) {
      std::copy(items_.front().begin(), items_.front().end(), out.begin());
      items_.pop_front();
      return;
    }
    filler_.fill(out);
  }
  bool used_up() const { return items_.empty(); }
  std::vector<std::size_t> requests;

 private:
  std::deque<Bytes> items_;
  test::FixedEntropy filler_{7};
};

/// The local time at which a client MessageIdGenerator (offset 0) produces `msg_id`.
Time time_of_msg_id(std::int64_t msg_id) {
  const std::int64_t seconds = msg_id >> 32;
  const std::int64_t low = msg_id & 0xffffffff;
  const std::int64_t guess = (low * 1'000'000'000 + (std::int64_t{1} << 32) - 1) >> 32;
  for (std::int64_t ns = guess - 4; ns <= guess + 4; ++ns) {
    MessageIdGenerator ids;
    Time t = from_unix_seconds(seconds) + std::chrono::nanoseconds(ns);
    if (ids.next(t) == msg_id) return t;
  }
  ADD_FAILURE() << "no time gives msg_id " << msg_id;
  return from_unix_seconds(seconds);
}

std::int64_t msg_id_of(const Bytes& message) { return static_cast<std::int64_t>(load_le64(message.data() + 8)); }

/// The message with its message_length field set to the body's real length.
Bytes with_true_length(Bytes message) {
  store_le32(message.data() + 16, static_cast<std::uint32_t>(message.size() - kPlainHeaderSize));
  return message;
}

const crypto::RsaPrivateKey& stand_in_key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

constexpr std::uint64_t kExampleFingerprint = 0xD09D1D85DE64FD85ull;

ClientHandshakeConfig example_config(const crypto::RsaPublicKey& key) {
  ClientHandshakeConfig config;
  config.dc_id = 2;  // the page's p_q_inner_data_dc has dc = 2
  config.server_keys.insert_or_assign(kExampleFingerprint, key);
  return config;
}

SequenceEntropy example_entropy() {
  const auto& v = vectors();
  return SequenceEntropy({v["nonce"], v["new_nonce"], v["random_padding_bytes"], v["b"], v["client_dh_padding"]});
}

TEST(HandshakeExample, VectorFileIsConsistent) {
  const auto& v = vectors();
  EXPECT_EQ(v["req_pq_multi"].size(), 40u);
  EXPECT_EQ(v["res_pq"].size(), 100u);
  EXPECT_EQ(v["req_dh_params"].size(), 340u);
  EXPECT_EQ(v["server_dh_params_ok"].size(), 652u);
  EXPECT_EQ(v["set_client_dh_params"].size(), 396u);
  EXPECT_EQ(v["dh_gen_ok"].size(), 72u);
  EXPECT_EQ(v["random_padding_bytes"].size(), 192u - v["p_q_inner_data_dc"].size());
  // pq = p * q as the page says
  EXPECT_EQ(0x1460e7d3fa727791ull, 0x3c2357cfull * 0x56bfb29full);
}

TEST(HandshakeExample, TheChosenKeyIsTelegramsProductionKey) {
  // The page names the fingerprint only; gramjs ships the key. Our fingerprint must agree.
  const auto& v = vectors();
  auto key = crypto::RsaPublicKey::from_components(v["telegram_key_n"], v["telegram_key_e"]);
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->fingerprint(), kExampleFingerprint);
}

TEST(HandshakeExample, PrintedServerAnswersHaveWrongLengthsAndAreRejectedAsPrinted) {
  const auto& v = vectors();
  for (const char* name : {"res_pq", "server_dh_params_ok", "dh_gen_ok"}) {
    auto printed = v[name];
    auto r = unpack_plain_message(printed, Direction::server_to_client);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_length)) << r.error().to_string();
    EXPECT_TRUE(unpack_plain_message(with_true_length(printed), Direction::server_to_client).ok()) << name;
  }
}

TEST(HandshakeExample, ServerAnswerDecryptsWithThePagesTmpAesKey) {
  const auto& v = vectors();
  auto aes = crypto::handshake_tmp_aes(v.fixed<32>("new_nonce"), v.fixed<16>("server_nonce"));
  EXPECT_EQ(Bytes(aes.key.bytes.begin(), aes.key.bytes.end()), v["tmp_aes_key"]);
  EXPECT_EQ(Bytes(aes.iv.bytes.begin(), aes.iv.bytes.end()), v["tmp_aes_iv"]);
  auto message = v["server_dh_params_ok"];
  Bytes encrypted(message.begin() + 60, message.end());  // after the 4-byte TL length prefix fe500200
  ASSERT_TRUE(crypto::aes_ige_decrypt(aes.key, aes.iv, encrypted).ok());
  EXPECT_EQ(encrypted, v["answer_with_hash"]);
}

TEST(HandshakeExample, ClientReproducesTheExampleAndAcceptsItsAnswers) {
  const auto& v = vectors();
  const crypto::RsaPrivateKey& key = stand_in_key();
  ClientHandshake client(example_config(key.public_key()));
  SequenceEntropy entropy = example_entropy();

  // 1) req_pq_multi, byte for byte (msg_id included).
  const Bytes req_pq = v["req_pq_multi"];
  const Time t1 = time_of_msg_id(msg_id_of(req_pq));
  auto first = client.start(t1, entropy);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(*first, req_pq);

  // 2) resPQ → req_DH_params. Everything but encrypted_data matches; encrypted_data decrypts
  //    (with the stand-in key) to the page's p_q_inner_data_dc and its random padding.
  auto second = client.on_message(with_true_length(v["res_pq"]), t1, entropy);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const Bytes expected_req_dh = v["req_dh_params"];
  const Bytes& req_dh = second->send;
  ASSERT_EQ(req_dh.size(), expected_req_dh.size());
  constexpr std::size_t kEncryptedDataAt = 84;  // header 20, TL up to the 4-byte length prefix of encrypted_data
  EXPECT_TRUE(std::equal(req_dh.begin(), req_dh.begin() + kEncryptedDataAt, expected_req_dh.begin()));
  auto inner = crypto::rsa_pad_decrypt(key, ByteView(req_dh).subspan(kEncryptedDataAt));
  ASSERT_TRUE(inner.ok()) << inner.error().to_string();
  Bytes expected_inner = v["p_q_inner_data_dc"];
  const Bytes padding = v["random_padding_bytes"];
  expected_inner.insert(expected_inner.end(), padding.begin(), padding.end());
  EXPECT_EQ(*inner, expected_inner);

  // 3) server_DH_params_ok → set_client_DH_params, byte for byte: b and the padding come from the
  //    page, the msg_id from the server's time.
  const Bytes expected_set = v["set_client_dh_params"];
  const Time t3 = time_of_msg_id(msg_id_of(expected_set));
  auto third = client.on_message(with_true_length(v["server_dh_params_ok"]), t3, entropy);
  ASSERT_TRUE(third.ok()) << third.error().to_string();
  EXPECT_EQ(third->send, expected_set);
  EXPECT_TRUE(entropy.used_up());

  // 4) dh_gen_ok: new_nonce_hash1 verifies, the key is the page's auth_key.
  auto done = client.on_message(with_true_length(v["dh_gen_ok"]), t3 + std::chrono::seconds(1), entropy);
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  ASSERT_TRUE(done->done.has_value());
  EXPECT_TRUE(done->send.empty());
  EXPECT_EQ(client.state(), ClientState::done);
  const NegotiatedKey& result = done->done->key;
  const Bytes auth_key = v["auth_key"];
  EXPECT_TRUE(std::equal(auth_key.begin(), auth_key.end(), result.auth_key.bytes().bytes.begin()));
  // server_salt = substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8), read little-endian.
  const Bytes new_nonce = v["new_nonce"];
  const Bytes server_nonce = v["server_nonce"];
  Byte salt[8];
  for (int i = 0; i < 8; ++i) salt[i] = static_cast<Byte>(new_nonce[i] ^ server_nonce[i]);
  EXPECT_EQ(result.server_salt, load_le64(salt));
  EXPECT_EQ(result.kind, KeyKind::permanent);
  EXPECT_EQ(result.dc, 2);
  EXPECT_EQ(done->done->time_offset, Duration(0));  // server_time is the local second
}

TEST(HandshakeExample, ClientWithTelegramsRealKeyBuildsTheSameRequestAroundEncryptedData) {
  // With the real public key (as a client would hold it) the request is the page's except for
  // encrypted_data, which only Telegram can decrypt; its length and range are all we can check.
  const auto& v = vectors();
  auto key = crypto::RsaPublicKey::from_components(v["telegram_key_n"], v["telegram_key_e"]);
  ASSERT_TRUE(key.ok());
  ClientHandshakeConfig config;
  config.dc_id = 2;
  config.trust(*key);
  ClientHandshake client(config);
  SequenceEntropy entropy = example_entropy();
  const Time t1 = time_of_msg_id(msg_id_of(v["req_pq_multi"]));
  ASSERT_TRUE(client.start(t1, entropy).ok());
  auto second = client.on_message(with_true_length(v["res_pq"]), t1, entropy);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  const Bytes expected = v["req_dh_params"];
  ASSERT_EQ(second->send.size(), expected.size());
  EXPECT_TRUE(std::equal(second->send.begin(), second->send.begin() + 84, expected.begin()));
  // RSA output is below the modulus.
  EXPECT_TRUE(std::lexicographical_compare(second->send.begin() + 84, second->send.end(), key->n().begin(),
                                           key->n().end()));
}

TEST(HandshakeExample, ClientRejectsTheExampleAnswersWhenANonceDiffers) {
  // The same run with another nonce: the page's resPQ is then someone else's.
  const auto& v = vectors();
  ClientHandshake client(example_config(stand_in_key().public_key()));
  Bytes other_nonce = v["nonce"];
  other_nonce[0] ^= 1;
  SequenceEntropy entropy({other_nonce});
  ASSERT_TRUE(client.start(from_unix_seconds(1705754876), entropy).ok());
  auto r = client.on_message(with_true_length(v["res_pq"]), from_unix_seconds(1705754876), entropy);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::handshake_nonce)) << r.error().to_string();
  EXPECT_EQ(client.state(), ClientState::failed);
}

}  // namespace
}  // namespace telepp::mtproto::handshake
