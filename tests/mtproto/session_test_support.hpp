#pragma once
// A scripted peer for session tests: builds packets the way the other side would and opens what
// the session sends, using the same encrypted-message code in the other seat.

#include <gtest/gtest.h>

#include <vector>

#include "support/fixed_entropy.hpp"
#include "telepp/mtp.hpp"
#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/mtproto/message_id.hpp"

namespace telepp::test {

inline mtproto::AuthKey test_auth_key(std::uint8_t seed = 7) {
  mtproto::AuthKey::Bytes256 raw;
  for (std::size_t i = 0; i < raw.bytes.size(); ++i) raw.bytes[i] = static_cast<Byte>(seed * 31 + i * 17);
  return mtproto::AuthKey(raw);
}

inline Time test_now() { return from_unix_seconds(1750000000); }

template <class T>
Bytes boxed(const T& v) {
  auto b = tl::to_bytes(v);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

/// One message as opened by the peer.
struct Opened {
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
  Bytes body;
  std::uint32_t id() const { return body.size() >= 4 ? load_le32(body.data()) : 0; }
};

/// A fake server speaking to a ClientSession (or a fake client for a ServerSession).
struct ScriptedPeer {
  mtproto::AuthKey key = test_auth_key();
  std::uint64_t session_id = 0x1122334455667788ull;
  std::uint64_t salt = 0x0102030405060708ull;
  mtproto::Direction outgoing = mtproto::Direction::server_to_client;
  mtproto::MessageIdGenerator ids{mtproto::MsgIdKind::server_answer};
  mtproto::SeqNoCounter seq;
  FixedEntropy entropy{99};

  /// An encrypted packet carrying `body` (content-related unless told otherwise).
  Bytes packet(ByteView body, Time now, bool content = true, std::int64_t msg_id = 0) {
    Buffer b(mtproto::kEncryptedHeaderSize, body.size());
    b.append(body);
    mtproto::MessageHeader h{salt, session_id, msg_id ? msg_id : ids.next(now), seq.next(content)};
    mtproto::encrypt_message(key, outgoing, h, b, entropy);
    return b.to_bytes();
  }
  /// A container of bodies in one packet.
  Bytes container_packet(const std::vector<Bytes>& bodies, Time now) {
    std::vector<mtproto::OutgoingMessage> msgs;
    for (const auto& body : bodies) msgs.push_back({ids.next(now), seq.next(true), body});
    std::vector<const mtproto::OutgoingMessage*> list;
    for (const auto& m : msgs) list.push_back(&m);
    Bytes c;
    mtproto::write_container(list, c);
    return packet(c, now, false);
  }
  /// Decrypts what the other side sent (direction opposite to ours) and lists its messages,
  /// opening a container if there is one. `header` receives the outer header.
  std::vector<Opened> open(Buffer& sent, mtproto::MessageHeader* header = nullptr) {
    auto incoming = outgoing == mtproto::Direction::server_to_client ? mtproto::Direction::client_to_server
                                                                     : mtproto::Direction::server_to_client;
    auto d = mtproto::decrypt_message(key, incoming, sent.mutable_view());
    EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().to_string());
    if (!d.ok()) return {};
    if (header) *header = d->header;
    if (!mtproto::is_container(d->body)) return {Opened{d->header.msg_id, d->header.seq_no, Bytes(d->body.begin(), d->body.end())}};
    std::vector<Opened> out;
    auto inner = mtproto::parse_container(d->body);
    EXPECT_TRUE(inner.ok());
    if (!inner.ok()) return {};
    for (const auto& m : *inner) out.push_back({m.msg_id, m.seq_no, Bytes(m.body.begin(), m.body.end())});
    return out;
  }
};

/// The rpc_result body answering `req_msg_id` with `result` (boxed bytes).
inline Bytes rpc_result(std::int64_t req_msg_id, ByteView result) {
  Bytes b(12);
  store_le32(b.data(), mtp::rpc_result::kId);
  store_le64(b.data() + 4, static_cast<std::uint64_t>(req_msg_id));
  b.insert(b.end(), result.begin(), result.end());
  return b;
}

}  // namespace telepp::test
