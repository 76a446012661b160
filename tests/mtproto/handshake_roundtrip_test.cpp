// ClientHandshake against ServerHandshake in memory: permanent and temporary keys, the legacy
// req_pq, dh_gen_retry and dh_gen_fail, clocks, and error injection at every step (every message
// truncated at every length, every byte of every message flipped, garbage and out-of-order input).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <vector>

#include "support/fixed_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"
#include "telepp/mtproto/plain_message.hpp"

namespace telepp::mtproto::handshake {
namespace {

using test::FixedEntropy;
using namespace std::chrono_literals;

const crypto::RsaPrivateKey& server_key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

ServerHandshakeConfig server_config() {
  ServerHandshakeConfig config;
  config.keys.push_back(server_key());
  return config;
}

ClientHandshakeConfig client_config(KeyKind kind = KeyKind::permanent, std::int32_t expires_in = 0) {
  ClientHandshakeConfig config;
  config.dc_id = 2;
  config.trust(server_key().public_key());
  config.kind = kind;
  config.expires_in = expires_in;
  return config;
}

// The client's clock, and the server's 1234.6 s ahead of it.
const Time kClientNow = from_unix_seconds(1750000000) + 250ms;
const Time kServerNow = kClientNow + 1234s + 600ms;

/// How one exchange ended.
struct Outcome {
  std::optional<ClientHandshakeResult> client;
  std::optional<ServerHandshakeResult> server;
  std::optional<Error> client_error;
  std::optional<Error> server_error;  ///< an Error, or the failure that came with dh_gen_fail
  std::vector<Bytes> transcript;      ///< every message, client's first
};

/// Delivers `message` (to the server when `to_server`) and runs the exchange to its end.
Outcome drive(ClientHandshake& client, ServerHandshake& server, Entropy& client_entropy, Entropy& server_entropy,
              Bytes message, bool to_server) {
  Outcome out;
  for (int turn = 0; turn < 32; ++turn) {
    out.transcript.push_back(message);
    if (to_server) {
      auto step = server.on_message(message, kServerNow, server_entropy);
      if (!step) {
        out.server_error = step.error();
        return out;
      }
      if (step->failure) out.server_error = step->failure;
      if (step->done) out.server = step->done;
      message = step->send;
    } else {
      auto step = client.on_message(message, kClientNow, client_entropy);
      if (!step) {
        out.client_error = step.error();
        return out;
      }
      if (step->done) {
        out.client = step->done;
        return out;
      }
      message = step->send;
    }
    to_server = !to_server;
  }
  ADD_FAILURE() << "the exchange did not end";
  return out;
}

Outcome handshake(ClientHandshake& client, ServerHandshake& server, Entropy& client_entropy, Entropy& server_entropy) {
  auto first = client.start(kClientNow, client_entropy);
  EXPECT_TRUE(first.ok());
  return drive(client, server, client_entropy, server_entropy, *first, true);
}

void expect_agreement(const Outcome& o) {
  ASSERT_TRUE(o.client.has_value()) << (o.client_error ? o.client_error->to_string() : "no client result");
  ASSERT_TRUE(o.server.has_value()) << (o.server_error ? o.server_error->to_string() : "no server result");
  const NegotiatedKey& c = o.client->key;
  const NegotiatedKey& s = o.server->key;
  EXPECT_FALSE(c.auth_key.empty());
  EXPECT_EQ(c.auth_key, s.auth_key);
  EXPECT_EQ(c.auth_key.id(), s.auth_key.id());
  EXPECT_EQ(c.server_salt, s.server_salt);
  EXPECT_EQ(c.kind, s.kind);
  EXPECT_EQ(c.dc, s.dc);
  EXPECT_LE(std::abs(c.expires_at - s.expires_at), 1);
}

TEST(HandshakeRoundTrip, PermanentKeyBothSidesAgree) {
  ClientHandshake client(client_config());
  ServerHandshake server(server_config());
  FixedEntropy ce(1), se(2);
  Outcome o = handshake(client, server, ce, se);
  expect_agreement(o);
  EXPECT_EQ(o.client->key.kind, KeyKind::permanent);
  EXPECT_EQ(o.client->key.expires_at, 0);
  EXPECT_EQ(o.client->key.dc, 2);
  EXPECT_FALSE(o.server->legacy_rsa);
  EXPECT_EQ(client.state(), ClientState::done);
  EXPECT_EQ(server.state(), ServerState::done);
  EXPECT_EQ(o.transcript.size(), 6u);  // req_pq_multi, resPQ, req_DH_params, ok, set_client_DH_params, dh_gen_ok
}

TEST(HandshakeRoundTrip, ClientLearnsTheServersClock) {
  ClientHandshake client(client_config());
  ServerHandshake server(server_config());
  FixedEntropy ce(3), se(4);
  Outcome o = handshake(client, server, ce, se);
  ASSERT_TRUE(o.client.has_value());
  // server_time has one-second resolution; the offset is whole seconds within a second of the truth.
  const Duration truth = kServerNow - kClientNow;
  const Duration learned = o.client->time_offset;
  EXPECT_EQ(learned % 1s, Duration(0));
  EXPECT_LE(std::chrono::abs(learned - truth), Duration(1s));
  // With it, the client's clock reads the server's second.
  EXPECT_EQ(unix_seconds(kClientNow + learned), unix_seconds(kServerNow));
  // The set_client_DH_params msg_id already carries the server's time.
  auto set_client = unpack_plain_message(o.transcript[4], Direction::client_to_server);
  ASSERT_TRUE(set_client.ok());
  EXPECT_EQ(msg_id_seconds(set_client->msg_id), unix_seconds(kServerNow));
}

TEST(HandshakeRoundTrip, TemporaryKeyCarriesItsExpiry) {
  ClientHandshake client(client_config(KeyKind::temporary, 86400));
  ServerHandshake server(server_config());
  FixedEntropy ce(5), se(6);
  Outcome o = handshake(client, server, ce, se);
  expect_agreement(o);
  EXPECT_EQ(o.server->key.kind, KeyKind::temporary);
  EXPECT_EQ(o.server->key.expires_at, unix_seconds(kServerNow) + 86400);
  EXPECT_EQ(o.client->key.expires_at, unix_seconds(kServerNow) + 86400);
}

TEST(HandshakeRoundTrip, TemporaryKeyNeedsAPositiveLifetime) {
  ClientHandshake client(client_config(KeyKind::temporary, 0));
  FixedEntropy ce;
  auto r = client.start(kClientNow, ce);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::handshake_unexpected));
}

TEST(HandshakeRoundTrip, TestAndMediaDcsAreSentAndChecked) {
  EXPECT_EQ(inner_data_dc(2, false, false), 2);
  EXPECT_EQ(inner_data_dc(2, false, true), -2);
  EXPECT_EQ(inner_data_dc(2, true, false), 10002);
  EXPECT_EQ(inner_data_dc(4, true, true), -10004);

  auto config = client_config();
  config.test_dc = true;
  config.media_dc = true;
  {
    ClientHandshake client(config);
    auto sc = server_config();
    sc.accepted_dcs = {-10002};
    ServerHandshake server(sc);
    FixedEntropy ce(7), se(8);
    Outcome o = handshake(client, server, ce, se);
    expect_agreement(o);
    EXPECT_EQ(o.server->key.dc, -10002);
  }
  {
    ClientHandshake client(config);
    auto sc = server_config();
    sc.accepted_dcs = {2, -2};  // a production server
    ServerHandshake server(sc);
    FixedEntropy ce(7), se(8);
    Outcome o = handshake(client, server, ce, se);
    ASSERT_TRUE(o.server_error.has_value());
    EXPECT_TRUE(is(*o.server_error, MtprotoErrc::handshake_unexpected)) << o.server_error->to_string();
    EXPECT_FALSE(o.client.has_value());
  }
}

TEST(HandshakeRoundTrip, ServerAnswersTheLegacyReqPq) {
  ServerHandshake server(server_config());
  FixedEntropy se(9);
  Int128 nonce;
  nonce.bytes[3] = 7;
  auto body = tl::to_bytes(mtp::req_pq{nonce});
  ASSERT_TRUE(body.ok());
  auto step = server.on_message(pack_plain_message((std::int64_t{1750000000} << 32) | 8, *body), kServerNow, se);
  ASSERT_TRUE(step.ok()) << step.error().to_string();
  auto answer = unpack_plain_message(step->send, Direction::server_to_client);
  ASSERT_TRUE(answer.ok());
  auto res = tl::deserialize<mtp::resPQ>(answer->body);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->nonce, nonce);
  ASSERT_EQ(res->server_public_key_fingerprints.size(), 1u);
  EXPECT_EQ(static_cast<std::uint64_t>(res->server_public_key_fingerprints[0]), server_key().public_key().fingerprint());
  EXPECT_EQ(res->pq.size(), 8u);
  EXPECT_EQ(server.state(), ServerState::wait_req_dh_params);
}

TEST(HandshakeRoundTrip, ServerAnnouncesAllKeysAndClientPicksTheOneItTrusts) {
  auto other = crypto::RsaPrivateKey::generate(2048);
  ASSERT_TRUE(other.ok());
  ServerHandshakeConfig sc;
  sc.keys = {*other, server_key()};
  ClientHandshake client(client_config());  // trusts server_key() only
  ServerHandshake server(sc);
  FixedEntropy ce(10), se(11);
  expect_agreement(handshake(client, server, ce, se));
}

TEST(HandshakeRoundTrip, MessageIdsHaveEachSidesParityAndIncrease) {
  ClientHandshake client(client_config());
  ServerHandshake server(server_config());
  FixedEntropy ce(12), se(13);
  Outcome o = handshake(client, server, ce, se);
  ASSERT_TRUE(o.client.has_value());
  std::int64_t last_client = 0;
  for (std::size_t i = 0; i < o.transcript.size(); ++i) {
    const bool from_client = i % 2 == 0;
    auto m = unpack_plain_message(o.transcript[i], from_client ? Direction::client_to_server : Direction::server_to_client);
    ASSERT_TRUE(m.ok()) << i;
    if (from_client) {
      EXPECT_EQ(m->msg_id % 4, 0);
      EXPECT_GT(m->msg_id, last_client);
      last_client = m->msg_id;
    } else {
      EXPECT_EQ(m->msg_id % 4, 1);
    }
  }
}

TEST(HandshakeRoundTrip, DhGenRetryOnACollidingKeyThenSuccess) {
  // The server's first key "exists": it answers dh_gen_retry, the client sends a new g_b with
  // retry_id = the colliding key's aux hash (the server checks it), and the second key is taken.
  std::vector<std::uint64_t> asked;
  auto sc = server_config();
  sc.key_exists = [&asked](std::uint64_t id) {
    asked.push_back(id);
    return asked.size() == 1;
  };
  ClientHandshake client(client_config());
  ServerHandshake server(sc);
  FixedEntropy ce(14), se(15);
  Outcome o = handshake(client, server, ce, se);
  expect_agreement(o);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_NE(asked[0], asked[1]);
  EXPECT_EQ(asked[1], o.client->key.auth_key.id());
  EXPECT_EQ(o.transcript.size(), 8u);  // one more set_client_DH_params / dh_gen_retry pair
}

TEST(HandshakeRoundTrip, ServerGivesUpAfterMaxRetriesWithDhGenFail) {
  auto sc = server_config();
  sc.max_retries = 2;
  sc.key_exists = [](std::uint64_t) { return true; };
  ClientHandshake client(client_config());
  ServerHandshake server(sc);
  FixedEntropy ce(16), se(17);
  Outcome o = handshake(client, server, ce, se);
  ASSERT_TRUE(o.server_error.has_value());
  EXPECT_TRUE(is(*o.server_error, MtprotoErrc::handshake_failed)) << o.server_error->to_string();
  ASSERT_TRUE(o.client_error.has_value());
  // The client verified new_nonce_hash3 of the dh_gen_fail and reports the failure.
  EXPECT_TRUE(is(*o.client_error, MtprotoErrc::handshake_failed)) << o.client_error->to_string();
  EXPECT_EQ(server.state(), ServerState::failed);
  EXPECT_EQ(client.state(), ClientState::failed);
  EXPECT_EQ(o.transcript.size(), 10u);  // 2 retries, then the fail
}

TEST(HandshakeRoundTrip, ClientGivesUpAfterItsMaxRetries) {
  auto sc = server_config();
  sc.max_retries = 100;
  sc.key_exists = [](std::uint64_t) { return true; };
  auto cc = client_config();
  cc.max_retries = 1;
  ClientHandshake client(cc);
  ServerHandshake server(sc);
  FixedEntropy ce(18), se(19);
  Outcome o = handshake(client, server, ce, se);
  ASSERT_TRUE(o.client_error.has_value());
  EXPECT_TRUE(is(*o.client_error, MtprotoErrc::handshake_failed)) << o.client_error->to_string();
}

TEST(HandshakeRoundTrip, NothingIsAcceptedAfterTheEnd) {
  ClientHandshake client(client_config());
  ServerHandshake server(server_config());
  FixedEntropy ce(20), se(21);
  Outcome o = handshake(client, server, ce, se);
  ASSERT_TRUE(o.client.has_value());
  auto c = client.on_message(o.transcript[5], kClientNow, ce);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(is(c.error(), MtprotoErrc::handshake_unexpected));
  auto s = server.on_message(o.transcript[4], kServerNow, se);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is(s.error(), MtprotoErrc::handshake_unexpected));
  auto again = client.start(kClientNow, ce);
  EXPECT_FALSE(again.ok());
}

TEST(HandshakeRoundTrip, SecondRunWithOtherRandomnessGivesAnotherKey) {
  ClientHandshake c1(client_config()), c2(client_config());
  ServerHandshake s1(server_config()), s2(server_config());
  FixedEntropy ce1(22), se1(23), ce2(24), se2(25);
  Outcome a = handshake(c1, s1, ce1, se1);
  Outcome b = handshake(c2, s2, ce2, se2);
  ASSERT_TRUE(a.client && b.client);
  EXPECT_NE(a.client->key.auth_key, b.client->key.auth_key);
  EXPECT_NE(a.client->key.server_salt, b.client->key.server_salt);
}

// ---- error injection ----

/// A clean exchange, with each receiver's state (and entropy) saved just before each message.
struct Recording {
  struct Point {
    bool to_server;
    Bytes message;
    ClientHandshake client;
    ServerHandshake server;
    FixedEntropy client_entropy;
    FixedEntropy server_entropy;
  };
  std::vector<Point> points;
  AuthKey key;
};

Recording record() {
  Recording rec;
  ClientHandshake client(client_config());
  ServerHandshake server(server_config());
  FixedEntropy ce(30), se(31);
  auto message = client.start(kClientNow, ce);
  EXPECT_TRUE(message.ok());
  Bytes next = *message;
  bool to_server = true;
  for (;;) {
    rec.points.push_back({to_server, next, client, server, ce, se});
    if (to_server) {
      auto step = server.on_message(next, kServerNow, se);
      EXPECT_TRUE(step.ok());
      next = step->send;
    } else {
      auto step = client.on_message(next, kClientNow, ce);
      EXPECT_TRUE(step.ok());
      if (step->done) {
        rec.key = step->done->key.auth_key;
        break;
      }
      next = step->send;
    }
    to_server = !to_server;
  }
  EXPECT_EQ(rec.points.size(), 6u);
  return rec;
}

const Recording& recording() {
  static const Recording rec = record();
  return rec;
}

/// Replays point `i` with `message` instead and runs the exchange on from there.
Outcome replay(std::size_t i, const Bytes& message) {
  const Recording::Point& p = recording().points[i];
  ClientHandshake client = p.client;
  ServerHandshake server = p.server;
  FixedEntropy ce = p.client_entropy, se = p.server_entropy;
  return drive(client, server, ce, se, message, p.to_server);
}

bool failed_somewhere(const Outcome& o) { return o.client_error.has_value() || o.server_error.has_value(); }

// Safe either way: an error on one side, or both sides end with the recorded key.
void expect_safe(const Outcome& o, const std::string& what) {
  if (failed_somewhere(o)) {
    EXPECT_FALSE(o.client.has_value()) << what << ": the client accepted a key the exchange then refused";
    return;
  }
  // The client always finishes; the server has finished already when the replay starts at dh_gen_ok.
  ASSERT_TRUE(o.client.has_value()) << what;
  EXPECT_EQ(o.client->key.auth_key, recording().key) << what;
  if (o.server) {
    EXPECT_EQ(o.server->key.auth_key, recording().key) << what;
  }
}

TEST(HandshakeInjection, CleanReplayReachesTheRecordedKey) {
  for (std::size_t i = 0; i < recording().points.size(); ++i) {
    Outcome o = replay(i, recording().points[i].message);
    ASSERT_TRUE(o.client.has_value()) << i;
    EXPECT_EQ(o.client->key.auth_key, recording().key);
  }
}

TEST(HandshakeInjection, EveryMessageTruncatedAtEveryLengthIsRefused) {
  for (std::size_t i = 0; i < recording().points.size(); ++i) {
    const Bytes& m = recording().points[i].message;
    for (std::size_t len = 0; len < m.size(); ++len) {
      Outcome o = replay(i, Bytes(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(len)));
      ASSERT_TRUE(failed_somewhere(o)) << "message " << i << " truncated to " << len;
      // The receiver itself refuses: nothing was answered.
      EXPECT_EQ(o.transcript.size(), 1u) << "message " << i << " truncated to " << len;
    }
  }
}

TEST(HandshakeInjection, EveryByteFlippedIsRefusedOrHarmless) {
  // Flipping a byte either ends the exchange with an error, or (bytes no check covers: the time
  // bits of msg_id, TL string padding) changes nothing: both sides reach the recorded key. The
  // harmless positions must be exactly of that kind.
  for (std::size_t i = 0; i < recording().points.size(); ++i) {
    const Bytes& m = recording().points[i].message;
    std::set<std::size_t> harmless;
    for (std::size_t at = 0; at < m.size(); ++at) {
      Bytes mutated = m;
      mutated[at] ^= 0xff;
      Outcome o = replay(i, mutated);
      expect_safe(o, "message " + std::to_string(i) + " byte " + std::to_string(at));
      if (!failed_somewhere(o)) harmless.insert(at);
    }
    for (std::size_t at : harmless) {
      const bool msg_id_time = at >= 9 && at < 16;
      EXPECT_TRUE(msg_id_time || at >= kPlainHeaderSize)
          << "message " << i << ": flipping header byte " << at << " went unnoticed";
    }
    // Beyond msg_id, only TL padding may be unchecked: at most 3 bytes per string field.
    std::size_t in_body = 0;
    for (std::size_t at : harmless) in_body += at >= kPlainHeaderSize;
    EXPECT_LE(in_body, 6u) << "message " << i;
  }
}

TEST(HandshakeInjection, GarbageAtEveryStepIsRefused) {
  FixedEntropy noise(99);
  for (std::size_t i = 0; i < recording().points.size(); ++i) {
    for (std::size_t len : {0u, 1u, 19u, 20u, 24u, 40u, 100u, 339u, 652u, 1000u}) {
      Bytes garbage(len);
      noise.fill(garbage);
      EXPECT_TRUE(failed_somewhere(replay(i, garbage))) << i << " / " << len;
      // The same garbage as a well-framed unencrypted message (right parity, right length).
      if (len % 4 == 0) {
        const std::int64_t msg_id = (std::int64_t{1750000000} << 32) | (recording().points[i].to_server ? 4 : 1);
        Outcome o = replay(i, pack_plain_message(msg_id, garbage));
        EXPECT_TRUE(failed_somewhere(o)) << i << " / framed " << len;
        EXPECT_EQ(o.transcript.size(), 1u);
      }
    }
  }
}

TEST(HandshakeInjection, MessagesOutOfOrderAreUnexpected) {
  const auto& points = recording().points;
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = 0; j < points.size(); ++j) {
      if (i == j || points[i].to_server != points[j].to_server) continue;
      Outcome o = replay(i, points[j].message);
      ASSERT_TRUE(failed_somewhere(o)) << "message " << j << " at step " << i;
      const Error& e = o.client_error ? *o.client_error : *o.server_error;
      EXPECT_TRUE(is(e, MtprotoErrc::handshake_unexpected)) << e.to_string();
    }
  }
}

TEST(HandshakeInjection, AMessageFromTheWrongSideIsRefusedByParity) {
  // A reflected message (the receiver's own, sent back) fails the msg_id parity check.
  const auto& points = recording().points;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    Outcome o = replay(i + 1, points[i].message);
    ASSERT_TRUE(failed_somewhere(o));
    const Error& e = o.client_error ? *o.client_error : *o.server_error;
    EXPECT_TRUE(is(e, MtprotoErrc::bad_msg_id)) << e.to_string();
  }
}

}  // namespace
}  // namespace telepp::mtproto::handshake
