#pragma once
/// \file `ServerSession`: the server side of one MTProto session (one auth key, one session_id)
/// as a pure state machine: decrypted client messages and time in; requests to execute, notes and
/// encrypted packets out. The local test server drives it; it never calls out.
/// See https://core.telegram.org/mtproto/description, /mtproto/service_messages and
/// /mtproto/service_messages_about_messages.
///
/// What the session does by itself (never shown to the owner as a request):
///
/// | client sends                       | the session                                                     |
/// | ---------------------------------- | --------------------------------------------------------------- |
/// | first accepted message             | `new_session_created` (before anything else it sends)          |
/// | a salt not valid now               | `bad_server_salt` (48); the packet is not processed             |
/// | msg_id out of window / bad parity  | `bad_msg_notification` 16 / 17 / 18 (20 when too old to judge) |
/// | reused container msg_id, bad container | `bad_msg_notification` 19 / 64                              |
/// | wrong seq_no parity                | `bad_msg_notification` 34 / 35 (see "seq_no" below)             |
/// | a duplicate msg_id                 | its stored answer again, else only an ack                       |
/// | `msgs_ack`                         | forgets the acknowledged outgoing messages                      |
/// | `ping`, `ping_delay_disconnect`    | `pong` (not in rpc_result); the latter sets `disconnect_deadline()` |
/// | `get_future_salts`                 | `future_salts` (not in rpc_result)                              |
/// | `msgs_state_req`                   | `msgs_state_info`                                               |
/// | `msg_resend_req`, `msg_resend_ans_req` | the messages / answers again, `msgs_state_info` if some are unknown |
/// | `destroy_session`                  | `DestroySessionRequest` for the owner; own id: `destroy_session_none` |
/// | `rpc_drop_answer`                  | `rpc_answer_unknown` / `_dropped_running` / `_dropped` in rpc_result (`_dropped` has msg_id and seq_no 0 if the answer was never sent) |
/// | `http_wait`, `msgs_*_info`, `msg_*detailed_info` | ignored (noted)                                   |
/// | `gzip_packed` around a message     | inflated (bounded) and handled as the inner message             |
/// | anything else (API queries, `invokeAfterMsg`, `initConnection`, ...) | an `IncomingRequest`          |
///
/// seq_no: API queries and the service functions `get_future_salts`, `rpc_drop_answer` and
/// `destroy_session` must carry an odd seq_no (35 otherwise); `msgs_ack` and containers an even
/// one (34 otherwise). Other service messages are accepted either way, because clients disagree
/// (pyrogram sends ping as not content-related, Telethon as content-related). Codes 32/33
/// (seq_no order) are not checked. Every accepted message with an odd seq_no is acknowledged.

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "telepp/base/buffer.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/mtproto/auth_key.hpp"
#include "telepp/mtproto/container.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/mtproto/gzip.hpp"
#include "telepp/mtproto/message_id.hpp"
#include "telepp/mtproto/server/server_salts.hpp"

namespace telepp::mtproto {

struct ServerSessionConfig {
  /// Results and pushes at least this big are sent gzip_packed when that is smaller.
  std::size_t gzip_threshold = 1024;
  /// How many answers (by the client's req_msg_id) are kept to answer duplicates; least
  /// recently used first out.
  std::size_t max_stored_results = 1024;
  /// The same store's cap in bytes (an answer bigger than this is not kept; its unacknowledged
  /// copy is still re-sent after a reconnect).
  std::size_t max_stored_result_bytes = std::size_t{32} << 20;
  /// Acknowledgements wait at most this long for a packet to ride on.
  Duration ack_delay = std::chrono::milliseconds(100);
  /// Random extra padding of outgoing packets (see `encrypt_message`).
  std::size_t max_extra_padding = 0;
  /// The largest inflated `gzip_packed` message accepted.
  std::size_t max_inflated_size = kMaxInflatedSize;
  /// Caps on what is kept for a client that does not acknowledge: beyond either, the oldest
  /// messages already sent once are forgotten (see `dropped_unacknowledged()`).
  std::size_t max_unacknowledged = 8192;
  std::size_t max_unacknowledged_bytes = std::size_t{64} << 20;
  /// Enforce the seq_no parity rules (see the file comment). Off only to debug odd clients.
  bool check_seq_no_parity = true;
  /// Accept msgs_ack with an odd seq_no instead of answering bad_msg_notification 34. NOTE:
  /// Telegram's servers accept them, and clients in the wild (mtcute 0.30) send them; a strict
  /// answer makes such a client reset its session and resend forever.
  bool tolerate_odd_acks = false;
};

/// A content-level query for the owner's dispatcher: answer it with `reply` or `reply_error`.
struct IncomingRequest {
  std::int64_t msg_id = 0;  ///< the client's msg_id: the req_msg_id of the answer
  Bytes body;               ///< the boxed query, gzip already unpacked
};

/// The client asked to destroy another session of the same auth key. The owner looks it up and
/// answers with `reply_destroy_session`.
struct DestroySessionRequest {
  std::int64_t msg_id = 0;
  std::uint64_t session_id = 0;
};

/// What a note is about.
enum class NoteKind : std::uint8_t {
  new_session,   ///< new_session_created was queued (code 0)
  rejected,      ///< a bad_msg_notification was queued; `code` is its error_code
  bad_salt,      ///< bad_server_salt was queued (code 48)
  duplicate,     ///< a msg_id seen before: answered from the store (code 1) or only acknowledged (code 0)
  malformed,     ///< a message that could not be parsed or inflated; ignored, nothing recorded
  ignored,       ///< a valid message the server has nothing to do with (http_wait, msgs_all_info, ...)
};

/// Something the session did on its own, for logs and tests.
struct SessionNote {
  NoteKind kind = NoteKind::ignored;
  std::int64_t msg_id = 0;
  int code = 0;
  std::string detail;
};

/// What one incoming packet asks of the owner.
struct ServerEvents {
  std::vector<IncomingRequest> requests;  ///< in the order the client sent them
  std::vector<DestroySessionRequest> destroy_sessions;
  std::vector<SessionNote> notes;
};

/// The server side of one session. Not thread-safe; one connection at a time drives it, and the
/// owner calls `take_outgoing` until it returns nullopt after every input (and at
/// `next_deadline()`).
///
/// Reliability: every content-related message it sends (answers, pushes, new_session_created) is
/// kept, with its msg_id and seq_no, until the client acknowledges it; after
/// `on_connection_lost()` the next `take_outgoing` sends them all again. Answers are also kept by
/// the client's req_msg_id (bounded, LRU) so a request resent with the same msg_id is answered
/// from the store instead of being executed twice.
///
/// Hostile input: a message that fails a check changes no state except the notification it
/// triggers; nothing a client sends can make it assert or grow without bound (stores and the
/// unacknowledged set are capped, id lists are limited to 8192, inflation to
/// `max_inflated_size`). Requests handed out stay tracked until the owner answers them.
class ServerSession {
 public:
  /// Ids per msgs_ack / msgs_state_req / msg_resend_req (the spec's limit).
  static constexpr std::size_t kMaxIdsPerMessage = 8192;
  /// Largest container payload sent; a bigger message travels alone (the spec's 2^15 limit).
  static constexpr std::size_t kMaxOutgoingContainerBytes = std::size_t{1} << 15;
  /// How many client msg_ids are remembered for duplicate detection and msgs_state_info.
  static constexpr std::size_t kReceivedWindow = 4096;
  /// `msg_resend_ans_req#8610baeb msg_ids:Vector<long>` (on the spec page, not in mtproto.tl).
  static constexpr std::uint32_t kMsgResendAnsReqId = 0x8610baeb;

  /// `salts` is the auth key's salt store and `entropy` the randomness (salts, unique_id,
  /// padding); both must outlive the session. The key is copied.
  ServerSession(const AuthKey& key, std::uint64_t session_id, ServerSalts& salts, Entropy& entropy,
                ServerSessionConfig config = {});

  /// Processes one client packet that the owner decrypted with `decrypt_message(key,
  /// Direction::client_to_server, ...)` (it needs the key to find the session). The body is
  /// copied where needed; the packet may be reused afterwards. Fails with `bad_session` only when
  /// the message's session_id is not this session's; every other problem is answered to the
  /// client (bad_msg_notification, bad_server_salt) and noted.
  Result<ServerEvents> on_message(const DecryptedMessage& message, Time now);

  /// Answers a request with `rpc_result{req_msg_id, result}`. `result` is a boxed TL object
  /// (non-empty, a multiple of 4 bytes: asserted), sent gzip_packed inside the rpc_result when at
  /// least `gzip_threshold` bytes and smaller packed. Returns false (and sends nothing) when the
  /// request is not awaiting an answer (dropped by rpc_drop_answer, already answered, unknown).
  bool reply(std::int64_t req_msg_id, ByteView result);
  /// Answers a request with `rpc_result{req_msg_id, rpc_error{code, message}}`. Same return.
  bool reply_error(std::int64_t req_msg_id, int code, std::string_view message);
  /// Answers a `DestroySessionRequest`: destroy_session_ok when `destroyed`, else _none.
  bool reply_destroy_session(std::int64_t req_msg_id, std::uint64_t session_id, bool destroyed);
  /// Queues a server-initiated content message (updates): a boxed TL object (non-empty, a
  /// multiple of 4 bytes: asserted), sent as a whole gzip_packed like big results.
  void push(ByteView body);

  /// True when `take_outgoing(now)` would return a packet.
  bool has_outgoing(Time now) const;
  /// One encrypted packet (`Direction::server_to_client`) with at least `headroom` free bytes in
  /// front for the transport: a single message, or a container when several are due (acks
  /// ride along). Nullopt when nothing is due. Call again until nullopt: one packet holds at
  /// most 1020 messages and `kMaxOutgoingContainerBytes`.
  std::optional<Buffer> take_outgoing(Time now, std::size_t headroom = 0);
  /// When `take_outgoing` must be called without new input: the ack deadline, `Time{}` (the
  /// epoch, i.e. already) when messages wait, or nullopt.
  std::optional<Time> next_deadline() const;
  /// When the connection should be closed because of `ping_delay_disconnect`, if ever. Each
  /// ping_delay_disconnect moves it; one with disconnect_delay ≤ 0 clears it.
  std::optional<Time> disconnect_deadline() const { return disconnect_deadline_; }
  /// The connection dropped: every unacknowledged content-related message is sent again (same
  /// msg_id and seq_no) by the next `take_outgoing`; the disconnect timer is cleared.
  void on_connection_lost();

  std::uint64_t session_id() const { return session_id_; }
  const AuthKey& key() const { return key_; }
  /// True once new_session_created has been queued (the first accepted message).
  bool created() const { return created_; }
  /// The unique_id announced in new_session_created (0 before).
  std::uint64_t unique_id() const { return unique_id_; }
  /// Messages queued and not yet sent, plus content-related ones sent and not yet acknowledged.
  std::size_t unacknowledged_count() const { return out_.size(); }
  /// Unacknowledged messages forgotten because of the `max_unacknowledged*` caps, so far.
  std::size_t dropped_unacknowledged() const { return dropped_unacknowledged_; }
  /// Answers kept for duplicates.
  std::size_t stored_result_count() const { return results_.size(); }
  /// True while a request handed out as IncomingRequest (or DestroySessionRequest) awaits its answer.
  bool is_running(std::int64_t req_msg_id) const { return running_.count(req_msg_id) != 0; }

 private:
  /// Per-message status flags of msgs_state_info (the spec's +8..+64).
  enum : std::uint8_t { kAcked = 8, kNoAckNeeded = 16, kQuery = 32, kAnswered = 64 };

  struct Outgoing {
    OutgoingMessage msg;             ///< msg_id and seq_no are 0 until first sent
    MsgIdKind kind = MsgIdKind::server_answer;
    bool content_related = true;
    std::int64_t answers = 0;        ///< the client msg_id it answers (0: none)
  };
  struct Stored {
    Bytes body;
    bool content_related = true;
    std::uint64_t out_key = 0;  ///< the queue entry carrying it, while one exists
    std::list<std::int64_t>::iterator lru;
  };
  struct Context {
    Time now{};
    std::int64_t packet_min_id = 0;  ///< lowest msg_id of the packet (first_msg_id of a new session)
    ServerEvents events;
  };

  void process(std::int64_t msg_id, std::int32_t seq_no, ByteView body, Context& ctx);
  void dispatch(std::uint32_t id, std::int64_t msg_id, std::int32_t seq_no, ByteView content, Context& ctx);
  void accept(std::int64_t msg_id, std::int32_t seq_no, std::uint8_t flags, Context& ctx);
  void on_duplicate(std::int64_t msg_id, std::int32_t seq_no, Context& ctx);
  void on_rpc_drop_answer(std::int64_t msg_id, std::int64_t req_msg_id, Context& ctx);
  void on_resend(std::int64_t msg_id, const std::vector<std::int64_t>& ids, bool answers, Context& ctx);
  void reject(std::int64_t msg_id, std::int32_t seq_no, int code, std::string detail, Context& ctx);
  void note(Context& ctx, NoteKind kind, std::int64_t msg_id, int code, std::string detail);
  void new_session(std::int64_t first_msg_id, Context& ctx);

  std::uint64_t enqueue(Bytes body, MsgIdKind kind, bool content_related, std::int64_t answers, bool front = false);
  void answer(std::int64_t req_msg_id, Bytes body, bool content_related);
  void store(std::int64_t req_msg_id, Bytes body, bool content_related, std::uint64_t out_key);
  void resend_stored(std::int64_t req_msg_id);
  void erase_stored(std::unordered_map<std::int64_t, Stored>::iterator it);
  void forget_outgoing(std::uint64_t key);
  void trim_outgoing();
  void add_ack(std::int64_t msg_id, Time now);
  void drop_ack(std::int64_t msg_id);
  void remember(std::int64_t msg_id, std::uint8_t flags);   ///< records a received message's flags
  void set_flags(std::int64_t msg_id, std::uint8_t flags);  ///< adds flags to a remembered message
  std::uint8_t status_of(std::int64_t msg_id, Time now) const;
  Bytes state_info(std::int64_t req_msg_id, const std::vector<std::int64_t>& ids, Time now) const;
  Bytes maybe_packed(ByteView body) const;
  std::int64_t next_msg_id(Time now, MsgIdKind kind);

  AuthKey key_;
  std::uint64_t session_id_;
  ServerSalts& salts_;
  Entropy& entropy_;
  ServerSessionConfig config_;

  bool created_ = false;
  std::uint64_t unique_id_ = 0;
  std::int64_t first_msg_id_ = 0;

  // Received side.
  ReceivedIds received_{kReceivedWindow};
  std::unordered_map<std::int64_t, std::uint8_t> received_flags_;  ///< msgs_state_info flags
  std::deque<std::int64_t> received_order_;                         ///< bounds received_flags_
  std::unordered_set<std::int64_t> running_;                        ///< handed out, not answered
  std::vector<std::int64_t> pending_acks_;            ///< in arrival order
  std::unordered_set<std::int64_t> pending_ack_set_;  ///< the same ids, for lookups
  std::optional<Time> acks_since_;
  std::optional<Time> disconnect_deadline_;

  // Sent side.
  MessageIdGenerator ids_{MsgIdKind::client};  ///< multiples of 4; the kind bits are added
  SeqNoCounter seq_;
  std::map<std::uint64_t, Outgoing> out_;                        ///< by queue key = send order
  std::set<std::uint64_t> unsent_;                               ///< keys due on this connection
  std::unordered_map<std::int64_t, std::uint64_t> out_by_msg_id_;  ///< sent content messages
  std::uint64_t next_key_ = 1;                                   ///< 0 is new_session_created's
  std::size_t out_bytes_ = 0;                                    ///< body bytes held in out_
  std::size_t dropped_unacknowledged_ = 0;
  std::unordered_map<std::int64_t, Stored> results_;             ///< by the client's req_msg_id
  std::list<std::int64_t> results_lru_;                          ///< most recently used first
  std::size_t stored_bytes_ = 0;                                 ///< body bytes in results_
};

}  // namespace telepp::mtproto
