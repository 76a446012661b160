// ServerSession driven by hand-built client packets: each is encrypted client→server, decrypted
// as the server would, fed in; what take_outgoing returns is decrypted server→client and parsed.
// source: expectations from core.telegram.org/mtproto/service_messages and
// /mtproto/service_messages_about_messages (computed by hand).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <telepp/mtp.hpp>

#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/mtproto/gzip.hpp"
#include "telepp/mtproto/server_session.hpp"
#include "telepp/tl/codec.hpp"

namespace telepp::mtproto {
namespace {

using namespace std::chrono_literals;

/// A reproducible byte stream (splitmix64), so salts, unique_id and padding are fixed.
class TestEntropy final : public Entropy {
 public:
  explicit TestEntropy(std::uint64_t seed) : state_(seed) {}
  void fill(MutableByteView out) override {
    for (auto& b : out) {
      if (used_ == 8) {
        state_ += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        store_le64(block_, z ^ (z >> 31));
        used_ = 0;
      }
      b = block_[used_++];
    }
  }

 private:
  std::uint64_t state_;
  Byte block_[8]{};
  std::size_t used_ = 8;
};

AuthKey test_key() {
  AuthKey::Bytes256 k;
  for (std::size_t i = 0; i < k.size(); ++i) k.bytes[i] = static_cast<Byte>(i * 7 + 3);
  return AuthKey(k);
}

constexpr std::uint64_t kSessionId = 0x1122334455667788ull;
const Time kStart = from_unix_seconds(1'700'000'000) + 250ms;
constexpr std::uint32_t kGetConfigId = 0xc4f9186b;  // help.getConfig: an API query the session passes on

template <class T>
Bytes tl_bytes(const T& value) {
  auto bytes = tl::to_bytes(value);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
}

/// An API query: a constructor ID the session does not know, plus `payload` bytes.
Bytes api_query(std::uint32_t id = kGetConfigId, std::size_t payload = 0) {
  Bytes b(4 + payload, 0);
  store_le32(b.data(), id);
  for (std::size_t i = 0; i < payload; ++i) b[4 + i] = static_cast<Byte>(i);
  return b;
}

/// A client msg_id for time `t` (divisible by 4).
std::int64_t id_at(Time t) {
  MessageIdGenerator g;
  return g.next(t);
}

/// The zlib wrapping of `data`'s deflate stream (what some clients put in gzip_packed), made
/// from gzip_compress's output: a 2-byte header, the same deflate data, Adler-32 big-endian.
Bytes zlib_wrapped(ByteView data) {
  auto gz = gzip_compress(data);
  Bytes out{0x78, 0x9c};
  // gzip_compress writes a 10-byte header without optional fields and an 8-byte trailer.
  out.insert(out.end(), gz.begin() + 10, gz.end() - 8);
  std::uint32_t a = 1, b = 0;
  for (auto byte : data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  std::uint32_t adler = (b << 16) | a;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<Byte>(adler >> shift));
  return out;
}

Bytes gzip_packed_body(const Bytes& compressed) {
  return tl_bytes(mtp::gzip_packed{.packed_data = std::string(compressed.begin(), compressed.end())});
}

/// One message as the client received it.
struct Received {
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
  Bytes body;

  std::uint32_t id() const { return body.size() >= 4 ? load_le32(body.data()) : 0; }
  template <class T>
  T as() const {
    auto r = tl::deserialize<T>(body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? std::move(r).value() : T{};
  }
};

struct Packet {
  MessageHeader header;
  bool container = false;
  std::vector<Received> messages;
};

struct Sent {
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
};

class ServerSessionTest : public ::testing::Test {
 protected:
  ServerSessionTest() { reset_session(); }

  void reset_session() {
    session_ = std::make_unique<ServerSession>(key_, kSessionId, salts_, entropy_, config_);
  }

  /// Encrypts as a client would, decrypts as the server would, and feeds the result.
  Result<ServerEvents> feed(const MessageHeader& header, ByteView body) {
    Buffer packet(kEncryptedHeaderSize);
    packet.append(body);
    encrypt_message(key_, Direction::client_to_server, header, packet, client_entropy_);
    auto decrypted = decrypt_message(key_, Direction::client_to_server, packet.mutable_view());
    EXPECT_TRUE(decrypted.ok());
    if (!decrypted) return fail(decrypted.take_error());
    return session_->on_message(*decrypted, now_);
  }

  MessageHeader header(std::int64_t msg_id, std::int32_t seq_no) const {
    return MessageHeader{.salt = salt_, .session_id = kSessionId, .msg_id = msg_id, .seq_no = seq_no};
  }

  /// Sends one message with a fresh msg_id; the events land in `events_`.
  Sent send(const Bytes& body, bool content_related = true) {
    Sent s{client_ids_.next(now_), client_seq_.next(content_related)};
    resend(s, body);
    return s;
  }
  /// Sends a message with a given msg_id and seq_no (a resend, or a hand-made header).
  void resend(Sent s, const Bytes& body) {
    auto r = feed(header(s.msg_id, s.seq_no), body);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    events_ = std::move(r).value();
  }

  /// Sends several messages in one container; returns their ids and the container's.
  std::vector<Sent> send_container(const std::vector<std::pair<Bytes, bool>>& bodies, Sent* container = nullptr) {
    std::vector<OutgoingMessage> messages;
    std::vector<Sent> sent;
    for (const auto& [body, content] : bodies) {
      OutgoingMessage m{client_ids_.next(now_), client_seq_.next(content), body};
      sent.push_back({m.msg_id, m.seq_no});
      messages.push_back(std::move(m));
    }
    std::vector<const OutgoingMessage*> pointers;
    for (const auto& m : messages) pointers.push_back(&m);
    Bytes body;
    write_container(pointers, body);
    Sent c{client_ids_.next(now_), client_seq_.next(false)};
    if (container) *container = c;
    resend(c, body);
    return sent;
  }

  /// Takes every due packet at `now_` and decrypts it as the client would.
  std::vector<Packet> receive() {
    std::vector<Packet> packets;
    while (auto buffer = session_->take_outgoing(now_, 16)) {
      EXPECT_GE(buffer->headroom(), 16u);
      auto d = decrypt_message(key_, Direction::server_to_client, buffer->mutable_view());
      EXPECT_TRUE(d.ok());
      if (!d) break;
      Packet p;
      p.header = d->header;
      EXPECT_EQ(p.header.session_id, kSessionId);
      EXPECT_EQ(p.header.salt, salts_.current(now_));
      EXPECT_NE(p.header.msg_id & 3, 0);
      if (is_container(d->body)) {
        p.container = true;
        EXPECT_EQ(p.header.seq_no % 2, 0);
        auto inner = parse_container(d->body);
        EXPECT_TRUE(inner.ok());
        if (inner) {
          for (const auto& m : *inner) {
            EXPECT_LT(m.msg_id, p.header.msg_id);
            p.messages.push_back({m.msg_id, m.seq_no, Bytes(m.body.begin(), m.body.end())});
          }
        }
      } else {
        p.messages.push_back({p.header.msg_id, p.header.seq_no, Bytes(d->body.begin(), d->body.end())});
      }
      packets.push_back(std::move(p));
      EXPECT_LT(packets.size(), 1000u) << "take_outgoing never runs dry";
      if (packets.size() >= 1000) break;
    }
    return packets;
  }

  /// Every message of every due packet.
  std::vector<Received> receive_messages() {
    std::vector<Received> all;
    for (auto& p : receive()) {
      for (auto& m : p.messages) all.push_back(std::move(m));
    }
    return all;
  }

  /// Creates the session (a ping with a valid salt) and drains what it sends.
  void start() {
    salt_ = salts_.current(now_);
    send(tl_bytes(mtp::ping{.ping_id = 1}));
    ASSERT_TRUE(session_->created());
    receive();
  }

  static std::vector<Received> of(const std::vector<Received>& messages, std::uint32_t id) {
    std::vector<Received> out;
    for (const auto& m : messages) {
      if (m.id() == id) out.push_back(m);
    }
    return out;
  }

  bool has_note(NoteKind kind, int code = -1) const {
    return std::any_of(events_.notes.begin(), events_.notes.end(),
                       [&](const SessionNote& n) { return n.kind == kind && (code < 0 || n.code == code); });
  }

  /// The bad_msg_notification codes among `messages`, by bad_msg_id.
  static std::vector<std::pair<std::int64_t, int>> rejections(const std::vector<Received>& messages) {
    std::vector<std::pair<std::int64_t, int>> out;
    for (const auto& m : of(messages, mtp::bad_msg_notification::kId)) {
      auto n = m.as<mtp::bad_msg_notification>();
      out.emplace_back(n.bad_msg_id, n.error_code);
    }
    return out;
  }

  AuthKey key_ = test_key();
  TestEntropy entropy_{42};
  TestEntropy client_entropy_{7};
  ServerSalts salts_{entropy_};
  ServerSessionConfig config_;
  std::unique_ptr<ServerSession> session_;
  MessageIdGenerator client_ids_;
  SeqNoCounter client_seq_;
  Time now_ = kStart;
  std::uint64_t salt_ = 0;
  ServerEvents events_;
};

// ---------------------------------------------------------------------------------------------
// New session, salts

TEST_F(ServerSessionTest, NewSessionCreatedComesFirst) {
  salt_ = salts_.current(now_);
  auto ping = send(tl_bytes(mtp::ping{.ping_id = 5}));
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::new_session));
  ASSERT_TRUE(session_->created());

  auto packets = receive();
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets[0].container);
  const auto m = packets[0].messages;
  ASSERT_EQ(m.size(), 2u);  // no msgs_ack: the pong answers the ping

  ASSERT_EQ(m[0].id(), mtp::new_session_created::kId);
  auto created = m[0].as<mtp::new_session_created>();
  EXPECT_EQ(created.first_msg_id, ping.msg_id);
  EXPECT_EQ(static_cast<std::uint64_t>(created.server_salt), salt_);
  EXPECT_EQ(static_cast<std::uint64_t>(created.unique_id), session_->unique_id());
  EXPECT_EQ(m[0].msg_id & 3, 3);  // server-initiated
  EXPECT_EQ(m[0].seq_no, 1);      // content-related, first

  ASSERT_EQ(m[1].id(), mtp::pong::kId);
  auto pong = m[1].as<mtp::pong>();
  EXPECT_EQ(pong.msg_id, ping.msg_id);
  EXPECT_EQ(pong.ping_id, 5);
  EXPECT_EQ(m[1].msg_id & 3, 1);  // an answer
  EXPECT_EQ(m[1].seq_no % 2, 0);  // pong needs no acknowledgement
  EXPECT_GT(m[1].msg_id, m[0].msg_id);

  // A second message: no second notification, a lone pong.
  now_ += 1s;
  send(tl_bytes(mtp::ping{.ping_id = 6}));
  EXPECT_FALSE(has_note(NoteKind::new_session));
  packets = receive();
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_FALSE(packets[0].container);
  ASSERT_EQ(packets[0].messages.size(), 1u);
  EXPECT_EQ(packets[0].messages[0].as<mtp::pong>().ping_id, 6);
  EXPECT_GT(packets[0].messages[0].msg_id, m[1].msg_id);
}

TEST_F(ServerSessionTest, TheHandshakeSaltIsAcceptedOnceAdopted) {
  // What a client derives at the end of the handshake, and uses for its first messages.
  const std::uint64_t handshake_salt = 0x0123456789abcdefull;
  salt_ = handshake_salt;
  send(api_query());
  EXPECT_TRUE(has_note(NoteKind::bad_salt, 48));  // not adopted: a fresh key's salts are random
  EXPECT_TRUE(events_.requests.empty());
  receive_messages();

  salts_.adopt_current(handshake_salt, now_);
  EXPECT_EQ(salts_.current(now_), handshake_salt);
  send(api_query());
  EXPECT_EQ(events_.requests.size(), 1u);
  salts_.adopt_current(0, now_);  // 0 is never a salt: ignored
  EXPECT_EQ(salts_.current(now_), handshake_salt);
}

TEST_F(ServerSessionTest, OddAcksAreToleratedWhenConfigured) {
  config_.tolerate_odd_acks = true;
  reset_session();
  start();
  Sent q = send(api_query());
  ASSERT_EQ(events_.requests.size(), 1u);
  receive();
  // msgs_ack with an odd seq_no, as mtcute 0.30 sends them: processed, not answered with 34.
  Sent a{client_ids_.next(now_), 3};
  resend(a, tl_bytes(mtp::msgs_ack{.msg_ids = {}}));
  EXPECT_FALSE(has_note(NoteKind::rejected, 34));
  EXPECT_TRUE(rejections(receive_messages()).empty());
  // Content-related messages still need an odd seq_no.
  resend({client_ids_.next(now_), 4}, api_query());
  EXPECT_TRUE(has_note(NoteKind::rejected, 35));
  (void)q;
}

TEST_F(ServerSessionTest, SaltZeroGetsBadServerSaltThenTheNewSaltWorks) {
  salt_ = 0;  // what gramjs sends first
  auto first = send(api_query());
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::bad_salt, 48));
  EXPECT_FALSE(session_->created());

  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].id(), mtp::bad_server_salt::kId);
  auto bad = m[0].as<mtp::bad_server_salt>();
  EXPECT_EQ(bad.bad_msg_id, first.msg_id);
  EXPECT_EQ(bad.bad_msg_seqno, first.seq_no);
  EXPECT_EQ(bad.error_code, 48);
  EXPECT_EQ(static_cast<std::uint64_t>(bad.new_server_salt), salts_.current(now_));
  EXPECT_NE(bad.new_server_salt, 0);
  EXPECT_EQ(m[0].msg_id & 3, 1);
  EXPECT_EQ(m[0].seq_no % 2, 0);  // notifications need no acknowledgement

  // The same message again with the new salt (the rejected one was not recorded).
  salt_ = static_cast<std::uint64_t>(bad.new_server_salt);
  resend(first, api_query());
  ASSERT_EQ(events_.requests.size(), 1u);
  EXPECT_EQ(events_.requests[0].msg_id, first.msg_id);
  EXPECT_EQ(events_.requests[0].body, api_query());
  ASSERT_TRUE(session_->created());

  m = receive_messages();
  ASSERT_EQ(m.size(), 2u);  // new_session_created, then the ack (the query is not answered yet)
  ASSERT_EQ(m[0].id(), mtp::new_session_created::kId);
  EXPECT_EQ(m[0].as<mtp::new_session_created>().first_msg_id, first.msg_id);
  ASSERT_EQ(m[1].id(), mtp::msgs_ack::kId);
  EXPECT_EQ(m[1].as<mtp::msgs_ack>().msg_ids, std::vector<std::int64_t>{first.msg_id});
}

TEST_F(ServerSessionTest, GetFutureSaltsAndSaltValidity) {
  start();
  auto req = send(tl_bytes(mtp::get_future_salts{.num = 3}));
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);  // the answer acknowledges the query
  ASSERT_EQ(m[0].id(), mtp::future_salts::kId);
  EXPECT_EQ(m[0].seq_no % 2, 0);  // "does not require an acknowledgment itself"
  auto fs = m[0].as<mtp::future_salts>();
  EXPECT_EQ(fs.req_msg_id, req.msg_id);
  EXPECT_EQ(fs.now, unix_seconds(now_));
  ASSERT_EQ(fs.salts.size(), 3u);
  EXPECT_EQ(static_cast<std::uint64_t>(fs.salts[0].salt), salt_);
  EXPECT_LE(fs.salts[0].valid_since, unix_seconds(now_));
  EXPECT_GT(fs.salts[0].valid_until, unix_seconds(now_));
  for (std::size_t i = 0; i < fs.salts.size(); ++i) {
    EXPECT_EQ(fs.salts[i].valid_until - fs.salts[i].valid_since, 3600);
    if (i > 0) {
      EXPECT_EQ(fs.salts[i].valid_since, fs.salts[i - 1].valid_until);
      EXPECT_NE(fs.salts[i].salt, fs.salts[i - 1].salt);
    }
  }

  // The limits: at most 64, at least 1.
  send(tl_bytes(mtp::get_future_salts{.num = 1000}));
  EXPECT_EQ(receive_messages().at(0).as<mtp::future_salts>().salts.size(), 64u);
  send(tl_bytes(mtp::get_future_salts{.num = 0}));
  EXPECT_EQ(receive_messages().at(0).as<mtp::future_salts>().salts.size(), 1u);

  // Later: the next salt is valid in its period, the old one for 1800 s more, then no longer.
  now_ = from_unix_seconds(fs.salts[1].valid_since) + 10s;
  salt_ = static_cast<std::uint64_t>(fs.salts[1].salt);
  send(tl_bytes(mtp::ping{.ping_id = 2}));
  EXPECT_FALSE(has_note(NoteKind::bad_salt));
  salt_ = static_cast<std::uint64_t>(fs.salts[0].salt);
  send(tl_bytes(mtp::ping{.ping_id = 3}));
  EXPECT_FALSE(has_note(NoteKind::bad_salt));
  EXPECT_EQ(of(receive_messages(), mtp::pong::kId).size(), 2u);

  now_ = from_unix_seconds(fs.salts[1].valid_since + ServerSalts::kGraceSeconds) + 1s;
  send(tl_bytes(mtp::ping{.ping_id = 4}));
  EXPECT_TRUE(has_note(NoteKind::bad_salt, 48));
  auto after = receive_messages();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(static_cast<std::uint64_t>(after[0].as<mtp::bad_server_salt>().new_server_salt),
            static_cast<std::uint64_t>(fs.salts[1].salt));
  // A salt from a period far ahead is not accepted either.
  salt_ = static_cast<std::uint64_t>(fs.salts[2].salt);
  send(tl_bytes(mtp::ping{.ping_id = 5}));
  EXPECT_TRUE(has_note(NoteKind::bad_salt, 48));
}

TEST(ServerSaltsTest, SaltsAreNeverZeroAndShareTheKeyAcrossSessions) {
  // An entropy source that yields zeros first: the store must draw again.
  class ZerosFirst final : public Entropy {
   public:
    void fill(MutableByteView out) override {
      for (auto& b : out) b = calls_ < 8 ? 0 : static_cast<Byte>(calls_);
      ++calls_;
    }
    int calls_ = 0;
  } entropy;
  ServerSalts salts(entropy);
  auto salt = salts.current(kStart);
  EXPECT_NE(salt, 0u);
  EXPECT_FALSE(salts.accepts(0, kStart));
  EXPECT_TRUE(salts.accepts(salt, kStart));
  EXPECT_EQ(salts.current(kStart + 1s), salt);
  // Two sessions of one key use the one store (Telegram keys salts by auth key).
  TestEntropy e(1);
  ServerSession a(test_key(), 1, salts, e), b(test_key(), 2, salts, e);
  EXPECT_EQ(a.session_id(), 1u);
  EXPECT_EQ(b.session_id(), 2u);
}

// ---------------------------------------------------------------------------------------------
// msg_id and seq_no checks

TEST_F(ServerSessionTest, MsgIdTooLowTooHighBadParity) {
  salt_ = salts_.current(now_);
  auto low = id_at(now_ - 301s);
  auto high = id_at(now_ + 31s);
  auto odd = id_at(now_) | 1;
  resend({low, 1}, api_query());
  EXPECT_TRUE(has_note(NoteKind::rejected, 16));
  EXPECT_TRUE(events_.requests.empty());
  resend({high, 3}, api_query());
  EXPECT_TRUE(has_note(NoteKind::rejected, 17));
  resend({odd, 5}, api_query());
  EXPECT_TRUE(has_note(NoteKind::rejected, 18));
  EXPECT_TRUE(events_.requests.empty());
  // Rejected messages change nothing: no session yet.
  EXPECT_FALSE(session_->created());

  auto m = receive_messages();
  EXPECT_EQ(rejections(m), (std::vector<std::pair<std::int64_t, int>>{{low, 16}, {high, 17}, {odd, 18}}));
  for (const auto& r : m) {
    EXPECT_EQ(r.msg_id & 3, 1);
    EXPECT_EQ(r.seq_no % 2, 0);
  }
  EXPECT_EQ(m[0].as<mtp::bad_msg_notification>().bad_msg_seqno, 1);

  // Just inside the window is fine.
  resend({id_at(now_ - 299s), 7}, api_query());
  EXPECT_EQ(events_.requests.size(), 1u);
  resend({id_at(now_ + 29s), 9}, api_query());
  EXPECT_EQ(events_.requests.size(), 1u);
}

TEST_F(ServerSessionTest, DuplicateIsNotExecutedTwiceAndIsAcknowledged) {
  start();
  auto r = send(api_query());
  ASSERT_EQ(events_.requests.size(), 1u);
  resend(r, api_query());
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::duplicate, 0));
  EXPECT_TRUE(session_->is_running(r.msg_id));

  now_ += config_.ack_delay;
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as<mtp::msgs_ack>().msg_ids, std::vector<std::int64_t>{r.msg_id});  // once

  // Still running: a duplicate is acknowledged again, not executed.
  resend(r, api_query());
  EXPECT_TRUE(events_.requests.empty());
  now_ += config_.ack_delay;
  m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as<mtp::msgs_ack>().msg_ids, std::vector<std::int64_t>{r.msg_id});
}

TEST_F(ServerSessionTest, SeqNoParity) {
  start();
  // A query (content-related) with an even seq_no: 35 ("odd msg_seqno expected").
  Sent q{client_ids_.next(now_), 2};
  resend(q, api_query());
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 35));
  // msgs_ack (not content-related) with an odd seq_no: 34.
  Sent a{client_ids_.next(now_), 3};
  resend(a, tl_bytes(mtp::msgs_ack{.msg_ids = {}}));
  EXPECT_TRUE(has_note(NoteKind::rejected, 34));
  auto m = receive_messages();
  EXPECT_EQ(rejections(m), (std::vector<std::pair<std::int64_t, int>>{{q.msg_id, 35}, {a.msg_id, 34}}));
  EXPECT_EQ(m[0].as<mtp::bad_msg_notification>().bad_msg_seqno, 2);

  // The rejected query was not recorded: sent again correctly, it runs.
  resend({q.msg_id, 5}, api_query());
  EXPECT_EQ(events_.requests.size(), 1u);

  // ping is accepted either way (clients disagree about it).
  send(tl_bytes(mtp::ping{.ping_id = 7}), /*content_related=*/false);
  send(tl_bytes(mtp::ping{.ping_id = 8}), /*content_related=*/true);
  EXPECT_EQ(of(receive_messages(), mtp::pong::kId).size(), 2u);

  // The check can be switched off for debugging odd clients.
  config_.check_seq_no_parity = false;
  reset_session();
  send(api_query(), /*content_related=*/false);
  EXPECT_EQ(events_.requests.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Containers and gzip

TEST_F(ServerSessionTest, ContainerMessagesAreHandledInOrder) {
  salt_ = salts_.current(now_);
  Sent container;
  auto ids = send_container({{tl_bytes(mtp::ping{.ping_id = 1}), true},
                             {api_query(kGetConfigId), true},
                             {tl_bytes(mtp::msgs_ack{.msg_ids = {}}), false},
                             {api_query(0x12345678, 8), true}},
                            &container);
  ASSERT_EQ(events_.requests.size(), 2u);
  EXPECT_EQ(events_.requests[0].msg_id, ids[1].msg_id);
  EXPECT_EQ(events_.requests[1].msg_id, ids[3].msg_id);
  EXPECT_EQ(events_.requests[1].body, api_query(0x12345678, 8));

  auto m = receive_messages();
  ASSERT_GE(m.size(), 3u);
  EXPECT_EQ(m[0].as<mtp::new_session_created>().first_msg_id, ids[0].msg_id);  // the lowest of the packet
  EXPECT_EQ(m[1].as<mtp::pong>().msg_id, ids[0].msg_id);
  ASSERT_EQ(m.back().id(), mtp::msgs_ack::kId);
  EXPECT_EQ(m.back().as<mtp::msgs_ack>().msg_ids, (std::vector<std::int64_t>{ids[1].msg_id, ids[3].msg_id}));

  // The same container msg_id again: 19, nothing inside is looked at.
  std::vector<const OutgoingMessage*> none;
  Bytes empty;
  write_container(none, empty);
  resend(container, empty);
  EXPECT_TRUE(has_note(NoteKind::rejected, 19));

  // An inner message with a bad msg_id is refused alone; the others run.
  std::vector<OutgoingMessage> inner = {{id_at(now_ - 400s), 1, api_query()}, {client_ids_.next(now_), 3, api_query()}};
  std::vector<const OutgoingMessage*> pointers = {&inner[0], &inner[1]};
  Bytes body;
  write_container(pointers, body);
  resend({client_ids_.next(now_), 4}, body);
  ASSERT_EQ(events_.requests.size(), 1u);
  EXPECT_EQ(events_.requests[0].msg_id, inner[1].msg_id);
  EXPECT_TRUE(has_note(NoteKind::rejected, 16));
}

TEST_F(ServerSessionTest, BadContainersAreRejectedWhole) {
  start();
  auto reject_count = [&](int code) {
    auto m = receive_messages();
    return std::count_if(m.begin(), m.end(), [&](const Received& r) {
      return r.id() == mtp::bad_msg_notification::kId && r.as<mtp::bad_msg_notification>().error_code == code;
    });
  };

  // Claims two messages, holds one.
  OutgoingMessage one{client_ids_.next(now_), 1, api_query()};
  Bytes body;
  write_container({&one}, body);
  store_le32(body.data() + 4, 2);
  resend({client_ids_.next(now_), 2}, body);
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 64));
  EXPECT_EQ(reject_count(64), 1);

  // An inner msg_id not below the container's.
  auto container_id = client_ids_.next(now_);
  OutgoingMessage late{client_ids_.next(now_), 1, api_query()};
  body.clear();
  write_container({&late}, body);
  resend({container_id, 2}, body);
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 64));

  // An inner msg_id equal to the container's.
  OutgoingMessage same{client_ids_.next(now_), 1, api_query()};
  body.clear();
  write_container({&same}, body);
  resend({same.msg_id, 2}, body);
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 64));

  // The same inner msg_id twice.
  OutgoingMessage a{client_ids_.next(now_), 1, api_query()};
  body.clear();
  write_container({&a, &a}, body);
  resend({client_ids_.next(now_), 2}, body);
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 64));

  // A container inside a container.
  Bytes nested_body;
  write_container({}, nested_body);
  OutgoingMessage nested{client_ids_.next(now_), 0, nested_body};
  body.clear();
  write_container({&nested}, body);
  resend({client_ids_.next(now_), 2}, body);
  EXPECT_TRUE(has_note(NoteKind::rejected, 64));

  // An odd seq_no on the container itself.
  OutgoingMessage fine{client_ids_.next(now_), 1, api_query()};
  body.clear();
  write_container({&fine}, body);
  resend({client_ids_.next(now_), 3}, body);
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::rejected, 34));

  // None of those inner messages was recorded: the last one, resent properly, runs.
  resend({fine.msg_id, fine.seq_no}, api_query());
  EXPECT_EQ(events_.requests.size(), 1u);
}

TEST_F(ServerSessionTest, GzipPackedInputGzipAndZlib) {
  start();
  auto query = api_query(kGetConfigId, 2000);
  send(gzip_packed_body(gzip_compress(query)));
  ASSERT_EQ(events_.requests.size(), 1u);
  EXPECT_EQ(events_.requests[0].body, query);

  send(gzip_packed_body(zlib_wrapped(query)));
  ASSERT_EQ(events_.requests.size(), 1u);
  EXPECT_EQ(events_.requests[0].body, query);

  // A packed service message is handled as such.
  send(gzip_packed_body(gzip_compress(tl_bytes(mtp::ping{.ping_id = 77}))));
  EXPECT_TRUE(events_.requests.empty());
  auto pongs = of(receive_messages(), mtp::pong::kId);
  ASSERT_EQ(pongs.size(), 1u);
  EXPECT_EQ(pongs[0].as<mtp::pong>().ping_id, 77);

  // Corrupt data: noted, nothing recorded; the same msg_id with a good body then runs.
  auto bad = gzip_compress(query);
  bad.resize(bad.size() / 2);
  auto corrupt = send(gzip_packed_body(bad));
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::malformed));
  resend(corrupt, query);
  EXPECT_EQ(events_.requests.size(), 1u);

  // Beyond the inflation limit.
  config_.max_inflated_size = 1024;
  reset_session();
  start();
  send(gzip_packed_body(gzip_compress(Bytes(100'000, 0))));
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::malformed));
}

// ---------------------------------------------------------------------------------------------
// Answers, reliability

TEST_F(ServerSessionTest, RequestReplyDeliversRpcResult) {
  start();
  auto r = send(api_query());
  ASSERT_EQ(events_.requests.size(), 1u);
  Bytes result = api_query(0x99999999, 16);
  ASSERT_TRUE(session_->reply(r.msg_id, result));
  EXPECT_FALSE(session_->reply(r.msg_id, result));  // answered once only
  EXPECT_FALSE(session_->is_running(r.msg_id));

  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);  // the result is the acknowledgement
  ASSERT_EQ(m[0].id(), mtp::rpc_result::kId);
  auto rr = m[0].as<mtp::rpc_result>();
  EXPECT_EQ(rr.req_msg_id, r.msg_id);
  EXPECT_EQ(Bytes(rr.result.data.begin(), rr.result.data.end()), result);
  EXPECT_EQ(m[0].msg_id & 3, 1);
  EXPECT_EQ(m[0].seq_no % 2, 1);

  auto e = send(api_query());
  ASSERT_TRUE(session_->reply_error(e.msg_id, 420, "FLOOD_WAIT_31"));
  m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  rr = m[0].as<mtp::rpc_result>();
  EXPECT_EQ(rr.req_msg_id, e.msg_id);
  auto err = tl::deserialize<mtp::rpc_error>(as_bytes(rr.result.data));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->error_code, 420);
  EXPECT_EQ(err->error_message, "FLOOD_WAIT_31");

  EXPECT_FALSE(session_->reply(123456, result));  // never asked
}

TEST_F(ServerSessionTest, ResentRequestIsAnsweredFromTheStoredResult) {
  start();
  auto r = send(api_query());
  ASSERT_EQ(events_.requests.size(), 1u);
  ASSERT_TRUE(session_->reply(r.msg_id, api_query(0x11111111)));
  auto first = receive_messages();
  ASSERT_EQ(first.size(), 1u);

  // The connection drops before the client sees the answer; it resends the query, same msg_id.
  session_->on_connection_lost();
  resend(r, api_query());
  EXPECT_TRUE(events_.requests.empty());
  EXPECT_TRUE(has_note(NoteKind::duplicate, 1));
  auto again = receive_messages();
  auto results = of(again, mtp::rpc_result::kId);
  ASSERT_EQ(results.size(), 1u);  // once, though both the resend and the duplicate asked for it
  EXPECT_EQ(results[0].msg_id, first[0].msg_id);
  EXPECT_EQ(results[0].seq_no, first[0].seq_no);
  EXPECT_EQ(results[0].body, first[0].body);

  // Acknowledged, then asked again: the stored answer goes out as a new message.
  send(tl_bytes(mtp::msgs_ack{.msg_ids = {first[0].msg_id}}), false);
  resend(r, api_query());
  EXPECT_TRUE(events_.requests.empty());
  results = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_GT(results[0].msg_id, first[0].msg_id);
  EXPECT_EQ(results[0].as<mtp::rpc_result>().req_msg_id, r.msg_id);
}

TEST_F(ServerSessionTest, UnacknowledgedMessagesAreResentAfterConnectionLoss) {
  salt_ = salts_.current(now_);
  auto r = send(api_query());
  ASSERT_TRUE(session_->reply(r.msg_id, api_query(0x22222222)));
  session_->push(api_query(0x33333333, 4));
  send(tl_bytes(mtp::ping{.ping_id = 3}));
  auto first = receive_messages();
  ASSERT_EQ(first.size(), 4u);  // new_session_created, rpc_result, the push, pong
  EXPECT_EQ(first[2].msg_id & 3, 3);
  EXPECT_EQ(session_->unacknowledged_count(), 3u);

  session_->on_connection_lost();
  auto second = receive_messages();
  ASSERT_EQ(second.size(), 3u);  // the pong is not kept
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(second[i].msg_id, first[i].msg_id);
    EXPECT_EQ(second[i].seq_no, first[i].seq_no);
    EXPECT_EQ(second[i].body, first[i].body);
  }

  // Acknowledged: nothing is resent any more.
  send(tl_bytes(mtp::msgs_ack{.msg_ids = {first[0].msg_id, first[1].msg_id, first[2].msg_id}}), false);
  EXPECT_EQ(session_->unacknowledged_count(), 0u);
  session_->on_connection_lost();
  EXPECT_TRUE(receive_messages().empty());
  EXPECT_FALSE(session_->next_deadline());
}

TEST_F(ServerSessionTest, StoredResultsAreBounded) {
  config_.max_stored_results = 2;
  reset_session();
  start();
  std::vector<Sent> sent;
  for (int i = 0; i < 4; ++i) {
    sent.push_back(send(api_query()));
    ASSERT_TRUE(session_->reply(sent.back().msg_id, api_query(0x44444444)));
  }
  EXPECT_EQ(session_->stored_result_count(), 2u);
  auto m = receive_messages();
  std::vector<std::int64_t> acks;
  for (const auto& x : m) acks.push_back(x.msg_id);
  send(tl_bytes(mtp::msgs_ack{.msg_ids = acks}), false);
  // The oldest answer is forgotten: its duplicate is only acknowledged; the newest is re-sent.
  resend(sent[0], api_query());
  EXPECT_TRUE(has_note(NoteKind::duplicate, 0));
  resend(sent[3], api_query());
  EXPECT_TRUE(has_note(NoteKind::duplicate, 1));
  EXPECT_TRUE(events_.requests.empty());

  // And by bytes: an answer bigger than the cap is not kept.
  config_.max_stored_results = 1024;
  config_.max_stored_result_bytes = 1000;
  reset_session();
  start();
  auto big = send(api_query());
  ASSERT_TRUE(session_->reply(big.msg_id, api_query(0x44444444, 996)));
  auto small = send(api_query());
  ASSERT_TRUE(session_->reply(small.msg_id, api_query(0x44444444, 96)));
  EXPECT_EQ(session_->stored_result_count(), 2u);  // the pong of start() and the small answer
}

TEST_F(ServerSessionTest, UnacknowledgedMessagesAreCapped) {
  config_.max_unacknowledged = 3;
  reset_session();
  start();  // new_session_created: sent, never acknowledged
  for (std::uint32_t i = 0; i < 5; ++i) session_->push(api_query(0x70000000 + i));
  auto first = receive_messages();
  ASSERT_EQ(first.size(), 5u);  // unsent messages are never dropped
  EXPECT_EQ(session_->unacknowledged_count(), 3u);
  EXPECT_EQ(session_->dropped_unacknowledged(), 3u);  // new_session_created and the two oldest pushes
  session_->on_connection_lost();
  auto again = receive_messages();
  ASSERT_EQ(again.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(again[i].msg_id, first[i + 2].msg_id);

  config_.max_unacknowledged = 8192;
  config_.max_unacknowledged_bytes = 10'000;
  reset_session();
  start();
  for (int i = 0; i < 4; ++i) {
    Bytes noise(4000);
    TestEntropy(200 + i).fill(noise);
    session_->push(noise);
    receive();
  }
  EXPECT_EQ(session_->unacknowledged_count(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Service messages about messages

TEST_F(ServerSessionTest, MsgsStateReq) {
  start();
  auto answered = send(api_query());
  ASSERT_TRUE(session_->reply(answered.msg_id, api_query(0x55555555)));
  auto m = receive_messages();
  auto ack = send(tl_bytes(mtp::msgs_ack{.msg_ids = {m.at(0).msg_id}}), false);
  auto running = send(api_query());
  auto unknown = id_at(now_ - 10s);
  auto high = id_at(now_ + 60s);
  auto low = id_at(now_ - 400s);

  auto req = send(tl_bytes(mtp::msgs_state_req{.msg_ids = {answered.msg_id, ack.msg_id, running.msg_id, unknown, high, low}}));
  m = receive_messages();
  auto infos = of(m, mtp::msgs_state_info::kId);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].seq_no % 2, 0);  // "does not require an acknowledgment"
  auto info = infos[0].as<mtp::msgs_state_info>();
  EXPECT_EQ(info.req_msg_id, req.msg_id);
  // received + acknowledged + query + answered; received + needs no ack; received + query;
  // not received (in range); too high; too low.
  EXPECT_EQ(Bytes(info.info.begin(), info.info.end()), (Bytes{4 + 8 + 32 + 64, 4 + 16, 4 + 32, 2, 3, 1}));

  // Too many ids is malformed: ignored.
  send(tl_bytes(mtp::msgs_state_req{.msg_ids = std::vector<std::int64_t>(8193, unknown)}));
  EXPECT_TRUE(has_note(NoteKind::malformed));
  EXPECT_TRUE(of(receive_messages(), mtp::msgs_state_info::kId).empty());
}

TEST_F(ServerSessionTest, MsgResendReq) {
  start();
  session_->push(api_query(0x66666666));
  auto pushed = receive_messages();
  ASSERT_EQ(pushed.size(), 1u);

  send(tl_bytes(mtp::msg_resend_req{.msg_ids = {pushed[0].msg_id}}));
  auto m = receive_messages();
  auto again = of(m, 0x66666666);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].msg_id, pushed[0].msg_id);
  EXPECT_EQ(again[0].seq_no, pushed[0].seq_no);
  EXPECT_TRUE(of(m, mtp::msgs_state_info::kId).empty());

  // One unknown id: the known one is resent and a msgs_state_info covers all.
  auto bogus = pushed[0].msg_id + 4;
  auto req = send(tl_bytes(mtp::msg_resend_req{.msg_ids = {pushed[0].msg_id, bogus}}));
  m = receive_messages();
  EXPECT_EQ(of(m, 0x66666666).size(), 1u);
  auto infos = of(m, mtp::msgs_state_info::kId);
  ASSERT_EQ(infos.size(), 1u);
  auto info = infos[0].as<mtp::msgs_state_info>();
  EXPECT_EQ(info.req_msg_id, req.msg_id);
  EXPECT_EQ(Bytes(info.info.begin(), info.info.end()), (Bytes{4, 1}));

  // msg_resend_ans_req: the answers to the given queries again, plus msgs_state_info.
  auto r = send(api_query());
  ASSERT_TRUE(session_->reply(r.msg_id, api_query(0x77777777)));
  auto answer = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(answer.size(), 1u);
  send(tl_bytes(mtp::msgs_ack{.msg_ids = {answer[0].msg_id}}), false);
  Bytes ans_req(4);
  store_le32(ans_req.data(), ServerSession::kMsgResendAnsReqId);
  auto ids = tl_bytes(mtp::msgs_ack{.msg_ids = {r.msg_id}});
  ans_req.insert(ans_req.end(), ids.begin() + 4, ids.end());  // Vector<long>, the same layout
  send(ans_req);
  m = receive_messages();
  auto results = of(m, mtp::rpc_result::kId);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].as<mtp::rpc_result>().req_msg_id, r.msg_id);
  EXPECT_EQ(of(m, mtp::msgs_state_info::kId).size(), 1u);
}

TEST_F(ServerSessionTest, RpcDropAnswer) {
  start();
  auto drop_result = [](const Received& m) {
    auto rr = m.as<mtp::rpc_result>();
    return std::make_pair(rr.req_msg_id, Bytes(rr.result.data.begin(), rr.result.data.end()));
  };

  // Still running: rpc_answer_dropped_running to both the drop and the original query.
  auto running = send(api_query());
  auto drop1 = send(tl_bytes(mtp::rpc_drop_answer{.req_msg_id = running.msg_id}));
  EXPECT_FALSE(session_->reply(running.msg_id, api_query()));
  auto m = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(drop_result(m[0]), std::make_pair(running.msg_id, tl_bytes(mtp::rpc_answer_dropped_running{})));
  EXPECT_EQ(drop_result(m[1]), std::make_pair(drop1.msg_id, tl_bytes(mtp::rpc_answer_dropped_running{})));

  // Sent, not acknowledged: removed from the queue, reported with its msg_id, seq_no, size.
  auto sent = send(api_query());
  ASSERT_TRUE(session_->reply(sent.msg_id, api_query(0x88888888, 8)));
  auto delivered = receive_messages();
  ASSERT_EQ(delivered.size(), 1u);
  auto drop2 = send(tl_bytes(mtp::rpc_drop_answer{.req_msg_id = sent.msg_id}));
  m = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(drop_result(m[0]),
            std::make_pair(drop2.msg_id, tl_bytes(mtp::rpc_answer_dropped{
                                             .msg_id = delivered[0].msg_id,
                                             .seq_no = delivered[0].seq_no,
                                             .bytes = static_cast<std::int32_t>(delivered[0].body.size())})));
  // It is not resent after a reconnect (only the unacknowledged drop answers are).
  session_->on_connection_lost();
  for (const auto& x : receive_messages()) EXPECT_NE(x.msg_id, delivered[0].msg_id);

  // A long answer (the reason to drop one) that is too big for the result store.
  config_.max_stored_result_bytes = 100;
  reset_session();
  start();
  auto long_query = send(api_query());
  Bytes noise(2000);
  TestEntropy(3).fill(noise);
  ASSERT_TRUE(session_->reply(long_query.msg_id, noise));
  auto drop_long = send(tl_bytes(mtp::rpc_drop_answer{.req_msg_id = long_query.msg_id}));
  m = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(m.size(), 1u);  // the long answer never leaves
  EXPECT_EQ(drop_result(m[0]), std::make_pair(drop_long.msg_id, tl_bytes(mtp::rpc_answer_dropped{
                                                                     .msg_id = 0, .seq_no = 0, .bytes = 2012})));

  // Never heard of it: rpc_answer_unknown.
  auto drop3 = send(tl_bytes(mtp::rpc_drop_answer{.req_msg_id = id_at(now_ - 5s)}));
  m = of(receive_messages(), mtp::rpc_result::kId);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(drop_result(m[0]), std::make_pair(drop3.msg_id, tl_bytes(mtp::rpc_answer_unknown{})));
}

TEST_F(ServerSessionTest, DestroySession) {
  start();
  auto own = send(tl_bytes(mtp::destroy_session{.session_id = static_cast<std::int64_t>(kSessionId)}));
  EXPECT_TRUE(events_.destroy_sessions.empty());
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as<mtp::destroy_session_none>().session_id, static_cast<std::int64_t>(kSessionId));
  EXPECT_EQ(m[0].seq_no % 2, 1);
  (void)own;

  auto other = send(tl_bytes(mtp::destroy_session{.session_id = 0x0abcdef}));
  ASSERT_EQ(events_.destroy_sessions.size(), 1u);
  EXPECT_EQ(events_.destroy_sessions[0].msg_id, other.msg_id);
  EXPECT_EQ(events_.destroy_sessions[0].session_id, 0x0abcdefu);
  EXPECT_TRUE(events_.requests.empty());
  ASSERT_TRUE(session_->reply_destroy_session(other.msg_id, 0x0abcdef, true));
  EXPECT_FALSE(session_->reply_destroy_session(other.msg_id, 0x0abcdef, true));
  m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as<mtp::destroy_session_ok>().session_id, 0x0abcdef);
}

TEST_F(ServerSessionTest, PingDelayDisconnectSetsTheDeadline) {
  start();
  EXPECT_FALSE(session_->disconnect_deadline());
  send(tl_bytes(mtp::ping_delay_disconnect{.ping_id = 9, .disconnect_delay = 75}));
  EXPECT_EQ(session_->disconnect_deadline(), now_ + 75s);
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].as<mtp::pong>().ping_id, 9);

  now_ += 30s;
  send(tl_bytes(mtp::ping_delay_disconnect{.ping_id = 10, .disconnect_delay = 75}));
  EXPECT_EQ(session_->disconnect_deadline(), now_ + 75s);  // moved
  send(tl_bytes(mtp::ping_delay_disconnect{.ping_id = 11, .disconnect_delay = 0}));
  EXPECT_FALSE(session_->disconnect_deadline());
  send(tl_bytes(mtp::ping_delay_disconnect{.ping_id = 12, .disconnect_delay = 35}));
  session_->on_connection_lost();
  EXPECT_FALSE(session_->disconnect_deadline());
}

TEST_F(ServerSessionTest, IgnoredServiceMessages) {
  start();
  send(tl_bytes(mtp::http_wait{.max_delay = 0, .wait_after = 0, .max_wait = 25000}), false);
  EXPECT_TRUE(has_note(NoteKind::ignored));
  send(tl_bytes(mtp::msgs_all_info{.msg_ids = {}, .info = ""}), false);
  EXPECT_TRUE(has_note(NoteKind::ignored));
  send(tl_bytes(mtp::pong{.msg_id = 1, .ping_id = 2}));  // only a server sends pong
  EXPECT_TRUE(has_note(NoteKind::ignored));
  EXPECT_TRUE(events_.requests.empty());
  // invokeAfterMsg and friends are API-level: passed on as they are.
  Bytes invoke_after(4 + 8);
  store_le32(invoke_after.data(), 0xcb9f372d);
  store_le64(invoke_after.data() + 4, 1);
  auto q = api_query();
  invoke_after.insert(invoke_after.end(), q.begin(), q.end());
  send(invoke_after);
  ASSERT_EQ(events_.requests.size(), 1u);
  EXPECT_EQ(events_.requests[0].body, invoke_after);
}

// ---------------------------------------------------------------------------------------------
// Outgoing

TEST_F(ServerSessionTest, BigRepliesAndPushesAreGzipPacked) {
  start();
  Bytes big(4096);
  store_le32(big.data(), 0x99999999);
  for (std::size_t i = 4; i < big.size(); ++i) big[i] = static_cast<Byte>(i % 7);
  auto r = send(api_query());
  ASSERT_TRUE(session_->reply(r.msg_id, big));
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  auto rr = m[0].as<mtp::rpc_result>();
  EXPECT_EQ(rr.req_msg_id, r.msg_id);
  auto packed = tl::deserialize<mtp::gzip_packed>(as_bytes(rr.result.data));  // inside the rpc_result
  ASSERT_TRUE(packed.ok());
  auto inflated = gzip_decompress(as_bytes(packed->packed_data));
  ASSERT_TRUE(inflated.ok());
  EXPECT_EQ(*inflated, big);
  EXPECT_LT(m[0].body.size(), big.size());

  // Small, or not compressible: as is.
  auto small = send(api_query());
  ASSERT_TRUE(session_->reply(small.msg_id, api_query(0x99999999, 100)));
  Bytes noise(4096);
  TestEntropy(9).fill(noise);
  auto noisy = send(api_query());
  ASSERT_TRUE(session_->reply(noisy.msg_id, noise));
  m = receive_messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].as<mtp::rpc_result>().result.data.size(), 104u);
  EXPECT_EQ(m[1].as<mtp::rpc_result>().result.data, std::string(noise.begin(), noise.end()));

  // A big push: the whole message is gzip_packed.
  session_->push(big);
  m = receive_messages();
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].id(), mtp::gzip_packed::kId);
  EXPECT_EQ(*gzip_decompress(as_bytes(m[0].as<mtp::gzip_packed>().packed_data)), big);
}

TEST_F(ServerSessionTest, AcksAreBatchedUntilTheDeadline) {
  start();
  EXPECT_FALSE(session_->next_deadline());
  auto t0 = now_;
  auto r1 = send(api_query());
  EXPECT_FALSE(session_->has_outgoing(now_));
  EXPECT_TRUE(receive().empty());
  EXPECT_EQ(session_->next_deadline(), t0 + config_.ack_delay);

  now_ += 50ms;
  auto r2 = send(api_query());
  EXPECT_TRUE(receive().empty());
  EXPECT_EQ(session_->next_deadline(), t0 + config_.ack_delay);  // the first one sets it

  now_ = t0 + config_.ack_delay;
  auto packets = receive();
  ASSERT_EQ(packets.size(), 1u);
  ASSERT_EQ(packets[0].messages.size(), 1u);
  const auto& ack = packets[0].messages[0];
  EXPECT_EQ(ack.as<mtp::msgs_ack>().msg_ids, (std::vector<std::int64_t>{r1.msg_id, r2.msg_id}));
  EXPECT_EQ(ack.msg_id & 3, 1);
  EXPECT_EQ(ack.seq_no % 2, 0);
  EXPECT_FALSE(session_->next_deadline());

  // Waiting acks ride along with any packet before the deadline.
  auto r3 = send(api_query());
  session_->push(api_query(0x12121212));
  EXPECT_EQ(session_->next_deadline(), Time{});
  auto m = receive_messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].as<mtp::msgs_ack>().msg_ids, std::vector<std::int64_t>{r3.msg_id});
}

TEST_F(ServerSessionTest, OutgoingIdsIncreaseAndContainersRespectLimits) {
  start();
  for (int i = 0; i < 1100; ++i) session_->push(api_query(0x13131313));
  auto packets = receive();
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].messages.size(), kMaxContainerMessages);
  std::int64_t last = 0;
  std::int32_t last_seq = -1;
  for (const auto& p : packets) {
    for (const auto& m : p.messages) {
      EXPECT_EQ(m.msg_id & 3, 3);
      EXPECT_GT(m.msg_id, last);
      EXPECT_GT(m.seq_no, last_seq);
      EXPECT_EQ(m.seq_no % 2, 1);
      last = m.msg_id;
      last_seq = m.seq_no;
    }
  }

  // Incompressible 20 KB pushes: no container goes beyond 2^15 bytes.
  for (int i = 0; i < 3; ++i) {
    Bytes noise(20'000);
    TestEntropy(100 + i).fill(noise);
    session_->push(noise);
  }
  packets = receive();
  ASSERT_EQ(packets.size(), 3u);
  for (const auto& p : packets) EXPECT_EQ(p.messages.size(), 1u);
}

TEST_F(ServerSessionTest, LowerMsgIdLaterGetsAnotherNewSessionNotification) {
  salt_ = salts_.current(now_);
  auto early = id_at(now_ - 20s);
  send(api_query());
  auto first = of(receive_messages(), mtp::new_session_created::kId);
  ASSERT_EQ(first.size(), 1u);
  resend({early, 1}, api_query());
  EXPECT_EQ(events_.requests.size(), 1u);
  auto second = of(receive_messages(), mtp::new_session_created::kId);
  ASSERT_EQ(second.size(), 1u);
  auto n = second[0].as<mtp::new_session_created>();
  EXPECT_EQ(n.first_msg_id, early);
  EXPECT_EQ(static_cast<std::uint64_t>(n.unique_id), session_->unique_id());  // the same session
}

// ---------------------------------------------------------------------------------------------
// Hostile input

TEST_F(ServerSessionTest, WrongSessionIdIsAnError) {
  salt_ = salts_.current(now_);
  auto h = header(client_ids_.next(now_), 1);
  h.session_id = kSessionId + 1;
  auto r = feed(h, api_query());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.error(), MtprotoErrc::bad_session));
  EXPECT_FALSE(session_->has_outgoing(now_ + 1h));
  EXPECT_FALSE(session_->created());
}

TEST_F(ServerSessionTest, MalformedMessagesChangeNothing) {
  salt_ = salts_.current(now_);
  auto check_ignored = [&](const Bytes& body, bool content) {
    Sent s{client_ids_.next(now_), client_seq_.next(content)};
    resend(s, body);
    EXPECT_TRUE(events_.requests.empty());
    EXPECT_TRUE(has_note(NoteKind::malformed)) << "body of " << body.size() << " bytes";
    // Not recorded: the same msg_id later carries a proper query.
    resend({s.msg_id, 1}, api_query());
    EXPECT_EQ(events_.requests.size(), 1u);
  };
  Bytes truncated_ack(4);
  store_le32(truncated_ack.data(), mtp::msgs_ack::kId);
  check_ignored(truncated_ack, false);
  check_ignored({}, true);
  auto ping = tl_bytes(mtp::ping{.ping_id = 1});
  ping.resize(8);
  check_ignored(ping, true);
  check_ignored(tl_bytes(mtp::msgs_ack{.msg_ids = std::vector<std::int64_t>(8193, 4)}), false);
  check_ignored(gzip_packed_body(gzip_compress(gzip_packed_body(gzip_compress(api_query())))), true);

  // Random bodies behind every service constructor ID never break the session.
  const std::uint32_t ids[] = {mtp::msgs_ack::kId, mtp::ping::kId, mtp::ping_delay_disconnect::kId,
                               mtp::get_future_salts::kId, mtp::msgs_state_req::kId, mtp::msg_resend_req::kId,
                               ServerSession::kMsgResendAnsReqId, mtp::destroy_session::kId,
                               mtp::rpc_drop_answer::kId, mtp::gzip_packed::kId, kMsgContainerId};
  TestEntropy noise(5);
  for (int round = 0; round < 300; ++round) {
    Byte len_byte[1];
    noise.fill(len_byte);
    Bytes body(4 + (len_byte[0] % 40) * 4);
    noise.fill(body);
    store_le32(body.data(), ids[round % std::size(ids)]);
    auto r = feed(header(client_ids_.next(now_), client_seq_.next(round % 2 == 0)), body);
    ASSERT_TRUE(r.ok());
  }
  receive();
  EXPECT_FALSE(session_->has_outgoing(now_ + 1h));
}

}  // namespace
}  // namespace telepp::mtproto
