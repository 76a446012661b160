#pragma once
/// \file msg_id and seq_no rules (https://core.telegram.org/mtproto/description#message-identifier-msg-id
/// and /mtproto/service_messages_about_messages).

#include <cstdint>
#include <deque>
#include <unordered_set>

#include "telepp/base/time.hpp"

namespace telepp::mtproto {

/// What a msg_id's low two bits say about its sender.
enum class MsgIdKind : std::uint8_t {
  client = 0,         ///< sent by a client (divisible by 4)
  server_answer = 1,  ///< a server's answer to a client message
  server_push = 3,    ///< a server-initiated message
};

/// The Unix time (seconds) a msg_id carries in its upper 32 bits.
inline std::int64_t msg_id_seconds(std::int64_t msg_id) { return msg_id >> 32; }

/// Generates strictly increasing, time-based msg_ids of one kind, with a clock offset learned
/// from the peer (server time minus local time).
class MessageIdGenerator {
 public:
  explicit MessageIdGenerator(MsgIdKind kind = MsgIdKind::client) : kind_(kind) {}

  /// A new msg_id for `now` (local time; the offset is applied).
  std::int64_t next(Time now);
  /// Sets the offset (server time - local time) and forgets nothing: later ids stay increasing.
  void set_offset(Duration offset) { offset_ = offset; }
  Duration offset() const { return offset_; }
  /// Learns the offset from a msg_id the server just sent (its time is the server's clock).
  void adopt_server_time(std::int64_t server_msg_id, Time now);

 private:
  MsgIdKind kind_;
  Duration offset_{0};
  std::int64_t last_ = 0;
  std::int64_t floor_before_jump_ = 0;
};

/// Counts content-related messages to produce seq_no: 2n+1 for content-related, 2n otherwise.
class SeqNoCounter {
 public:
  std::int32_t next(bool content_related) {
    if (!content_related) return 2 * count_;
    return 2 * count_++ + 1;
  }
  std::int32_t content_count() const { return count_; }
  /// Moves the count (bad_msg_notification 32/33: the server saw seq_nos too low or too high).
  void adjust(std::int32_t delta) { count_ = count_ + delta < 0 ? 0 : count_ + delta; }

 private:
  std::int32_t count_ = 0;
};

/// Why a peer's msg_id is refused; the values are bad_msg_notification error codes.
enum class MsgIdProblem : int {
  none = 0,
  too_low = 16,      ///< more than 300 s in the past (the sender's clock is behind)
  too_high = 17,     ///< more than 30 s in the future
  bad_parity = 18,   ///< the low bits do not match the sender's role
  duplicate = 19,    ///< seen before (for a container: reused)
  too_old = 20,      ///< older than everything remembered: cannot tell whether it is new
};

/// Remembers the peer's recent msg_ids (a fixed-size window) to reject duplicates and replays.
/// SECURITY: with the time window, this is what stops a replayed message from being processed.
class ReceivedIds {
 public:
  explicit ReceivedIds(std::size_t capacity = 4096) : capacity_(capacity) {}

  /// Checks a msg_id without recording it. `expect_client` selects the parity rule.
  /// `check_time` false skips the time window (parity and duplicates are always checked).
  MsgIdProblem check(std::int64_t msg_id, Time now, bool expect_client, bool check_time = true) const;
  /// Records an accepted msg_id.
  void insert(std::int64_t msg_id);
  bool contains(std::int64_t msg_id) const { return ids_.count(msg_id) != 0; }
  /// Forgets everything (a new session).
  void clear();

  static constexpr std::int64_t kPastSeconds = 300;
  static constexpr std::int64_t kFutureSeconds = 30;

 private:
  std::size_t capacity_;
  std::deque<std::int64_t> order_;
  std::unordered_set<std::int64_t> ids_;
  std::int64_t forgotten_max_ = 0;  ///< largest id dropped from the window
};

}  // namespace telepp::mtproto
