#pragma once
/// \file `ClientSession`: the client side of an MTProto session (msg_id, seq_no, salts, containers,
/// acks, gzip, service messages, resends) as a pure state machine: requests and packets in,
/// packets and events out, time as a parameter. See https://core.telegram.org/mtproto/description,
/// /mtproto/service_messages and /mtproto/service_messages_about_messages.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "telepp/base/buffer.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/time.hpp"
#include "telepp/mtproto/auth_key.hpp"
#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/mtproto/message_id.hpp"

namespace telepp::mtproto {

/// Identifies a request for the lifetime of the session (its msg_id may change on resends).
using RequestId = std::uint64_t;

struct ClientSessionConfig {
  std::size_t gzip_threshold = 1024;         ///< bodies at least this big are sent gzip_packed when smaller
  Duration ack_delay = std::chrono::milliseconds(500);  ///< acks wait at most this long for company
  std::size_t max_pending_acks = 32;         ///< acks sent at once beyond this many
  std::size_t max_extra_padding = 0;         ///< random extra padding (hides message sizes)
};

/// A request's answer (an rpc_result's content, or the direct answer of ping/get_future_salts).
struct RpcResultEvent {
  RequestId request = 0;
  Bytes result;  ///< the boxed result, gzip already unpacked
};
/// The server answered a request with rpc_error.
struct RpcErrorEvent {
  RequestId request = 0;
  RpcErrorInfo error;
};
/// A request that will not be answered (rejected container, our own bug reported by the server).
struct RequestFailedEvent {
  RequestId request = 0;
  Error error;
};
/// A server-initiated message (updates and anything else not answering a request).
struct UpdateEvent {
  Bytes body;
};
/// The server created a new session: updates may have been missed (call updates.getDifference).
struct NewSessionEvent {
  std::int64_t first_msg_id = 0;
  std::uint64_t unique_id = 0;
};
/// A message of a valid packet that could not be understood (kept out of the way, reported).
struct BadMessageEvent {
  std::int64_t msg_id = 0;
  Error error;
};

using SessionEvent =
    std::variant<RpcResultEvent, RpcErrorEvent, RequestFailedEvent, UpdateEvent, NewSessionEvent, BadMessageEvent>;

/// The client side of one session. Not thread-safe; one connection drives it at a time.
class ClientSession {
 public:
  /// `salt` and the time offset come from the handshake (or stored state).
  ClientSession(AuthKey key, std::uint64_t session_id, std::uint64_t salt, Entropy& entropy,
                ClientSessionConfig config = {});

  /// Queues a query (boxed TL bytes of a function, possibly wrapped in invokeWithLayer etc.).
  RequestId enqueue(Bytes query);
  /// True when `take_outgoing` has something to send at `now`.
  bool has_outgoing(Time now) const;
  /// One encrypted packet (a container when several messages wait) with `headroom` bytes free
  /// in front for the transport, or nullopt when nothing is due.
  std::optional<Buffer> take_outgoing(Time now, std::size_t headroom = 0);
  /// Decrypts and processes one packet from the server. A packet that fails a check (key,
  /// msg_key, lengths, session_id, msg_id) is an Error and changes nothing.
  Result<std::vector<SessionEvent>> on_packet(MutableByteView packet, Time now);
  /// When `take_outgoing` should be called next without new input (batched acks), if ever.
  std::optional<Time> next_deadline() const;
  /// The connection dropped: every unanswered request is sent again (same msg_id, so the server
  /// answers it from its stored result rather than executing it twice).
  void on_connection_lost();
  /// Drops a request locally (its answer, if any, is ignored).
  void cancel(RequestId id);
  bool is_pending(RequestId id) const { return requests_.count(id) != 0; }
  std::size_t pending_count() const { return requests_.size(); }

  std::uint64_t session_id() const { return session_id_; }
  std::uint64_t salt() const { return salt_; }
  Duration time_offset() const { return ids_.offset(); }
  void set_time_offset(Duration offset) { ids_.set_offset(offset); }
  /// Server salts known in advance (from future_salts), valid_since/until in server Unix seconds.
  struct FutureSalt {
    std::int64_t valid_since = 0, valid_until = 0;
    std::uint64_t salt = 0;
  };
  const std::vector<FutureSalt>& future_salts() const { return future_salts_; }

 private:
  struct Request {
    RequestId id = 0;
    Bytes body;
    std::int64_t msg_id = 0;  ///< 0 until sent; kept across reconnects, renewed on salt/time fixes
    std::int32_t seq_no = 0;
    bool sent = false;
    bool acked = false;
  };
  struct Context;  // per-packet processing state

  void process(std::int64_t msg_id, std::int32_t seq_no, ByteView body, Context& ctx, int depth);
  void on_rpc_result(ByteView body, std::int64_t msg_id, Context& ctx);
  void on_bad_msg(std::int64_t bad_msg_id, int code, std::int64_t server_msg_id, Context& ctx);
  void on_bad_salt(std::int64_t bad_msg_id, std::uint64_t new_salt, Context& ctx);
  void on_new_session(std::int64_t first_msg_id, std::uint64_t unique_id, std::uint64_t salt, Context& ctx);
  void on_state_req(const std::vector<std::int64_t>& ids, std::int64_t req_msg_id, Time now);
  void on_detailed_info(std::int64_t answer_msg_id, std::int64_t msg_id, Time now);
  void answer(std::int64_t req_msg_id, Bytes result, Context& ctx);
  void requeue(std::int64_t msg_id, bool renew_msg_id);
  std::vector<RequestId> requests_sent_in(std::int64_t msg_id) const;
  bool is_clock_fix(ByteView body) const;
  void forget_msg_id(Request& r);
  void pick_salt(Time now);
  Bytes take_ack_body();

  AuthKey key_;
  std::uint64_t session_id_;
  std::uint64_t salt_;
  Entropy& entropy_;
  ClientSessionConfig config_;

  MessageIdGenerator ids_{MsgIdKind::client};
  SeqNoCounter seq_;
  ReceivedIds received_;
  RequestId next_request_ = 1;
  std::map<RequestId, Request> requests_;                 ///< unanswered, by id (send order)
  std::unordered_map<std::int64_t, RequestId> by_msg_id_; ///< sent requests by current msg_id
  std::deque<std::pair<std::int64_t, std::vector<std::int64_t>>> containers_;  ///< recent container msg_id → inner ids
  std::deque<Bytes> service_out_;                         ///< msgs_state_info, msg_resend_req, ...
  std::vector<std::int64_t> pending_acks_;
  std::optional<Time> acks_since_;
  std::vector<FutureSalt> future_salts_;
};

}  // namespace telepp::mtproto
