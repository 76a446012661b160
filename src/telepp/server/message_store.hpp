#pragma once
/// \file Private chats as Telegram keeps them: every account has its own message box, with its
/// own increasing message ids and its own pts. A message between A and B exists once in each box
/// (`out` in the sender's); Saved Messages (A to A) exist once. Every change to a box bumps its
/// pts and is logged, so `updates.getDifference` can replay what an offline client missed.
/// See https://core.telegram.org/api/updates.
///
/// Plain data (records with ids, no pointers between records) so a SQLite store can persist it.
/// The store does not validate requests (handlers do: peers, lengths, authorship); what it is
/// given it applies. Single-threaded (the server's event loop).

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "telepp/api.hpp"
#include "telepp/base/time.hpp"

namespace telepp::server {

/// One copy of a private message, in one account's box.
struct StoredMessage {
  std::int32_t id = 0;
  std::int64_t peer = 0;  ///< the other side of the dialog (the owner itself in Saved Messages)
  bool out = false;       ///< the box's owner sent it
  std::int32_t date = 0;
  std::optional<std::int32_t> edit_date{};
  std::string text{};
  std::vector<api::MessageEntity> entities{};
  std::optional<api::MessageMedia> media{};
  /// The id of the same message in the peer's box (0: Saved Messages, which have one copy).
  std::int32_t peer_copy_id = 0;
};

/// One change to a box, as logged for updates.getDifference and pushed to the owner's sessions.
struct LoggedUpdate {
  std::int32_t pts = 0;        ///< the box's pts after this change
  std::int32_t pts_count = 0;  ///< how many pts it took
  std::int32_t date = 0;
  std::int64_t peer = 0;       ///< the dialog it concerns (0: several or none), for the users list
  api::Update update{};        ///< carries the same pts and pts_count
};

/// Read state of one dialog in one box.
struct DialogState {
  std::int32_t read_inbox_max_id = 0;   ///< incoming messages up to this id were read by the owner
  std::int32_t read_outbox_max_id = 0;  ///< outgoing messages up to this id were read by the peer
};

/// One account's messages, dialogs and update log.
struct MessageBox {
  /// pts of a box nothing happened in yet (Telegram starts new accounts above 0, too).
  static constexpr std::int32_t kInitialPts = 1;
  /// Updates kept for getDifference; older ones are forgotten (differenceTooLong for a client behind them).
  static constexpr std::size_t kMaxLogged = 10000;

  std::int64_t owner = 0;
  std::int32_t last_message_id = 0;
  std::int32_t pts = kInitialPts;
  std::int32_t log_floor_pts = kInitialPts;  ///< the pts before the oldest logged update
  std::map<std::int32_t, StoredMessage> messages;  ///< by id
  std::map<std::int64_t, DialogState> dialogs;     ///< by peer
  std::deque<LoggedUpdate> log;                    ///< in pts order
  std::map<std::int64_t, std::int32_t> random_ids; ///< the owner's sent random_id → message id
};

/// A change to the box of `owner` (what to push to that account's sessions).
struct BoxChange {
  std::int64_t owner = 0;
  LoggedUpdate logged{};
};

/// What `add_private_message` did.
struct SentMessage {
  StoredMessage sender_copy;   ///< out = true
  BoxChange sender;            ///< updateNewMessage in the sender's box
  std::optional<StoredMessage> recipient_copy;  ///< absent for Saved Messages
  std::optional<BoxChange> recipient;           ///< updateNewMessage in the recipient's box
};

/// What `read_history` did: the reader's box always answers with its pts.
struct ReadResult {
  std::int32_t pts = 0;
  std::int32_t pts_count = 0;
  std::vector<BoxChange> changes{};  ///< the reader's updateReadHistoryInbox, the peer's ...Outbox (when anything changed)
};

/// What `delete_messages` did.
struct DeleteResult {
  std::int32_t pts = 0;        ///< the caller's box
  std::int32_t pts_count = 0;  ///< messages deleted there
  std::vector<BoxChange> changes{};  ///< one updateDeleteMessages per box that lost messages (caller's first)
};

/// What `difference` found.
struct DifferenceResult {
  bool too_long = false;          ///< the client is behind the log (or asked for less): refetch
  std::vector<const LoggedUpdate*> updates{};  ///< in pts order
  std::int32_t pts = 0;           ///< the state the client reaches with `updates`
  bool slice = false;             ///< more remains after `pts`
};

/// What changed since `MessageStore::clear_changes`, by id, for the SQLite store (persistence.hpp).
struct MessageChanges {
  std::set<std::int64_t> boxes;  ///< boxes reached for writing (counters, pts, new logged updates)
  std::set<std::pair<std::int64_t, std::int32_t>> messages;    ///< (owner, id): written, edited or deleted
  std::set<std::pair<std::int64_t, std::int64_t>> dialogs;     ///< (owner, peer): read state
  std::set<std::pair<std::int64_t, std::int64_t>> random_ids;  ///< (owner, random_id): newly used
};

/// The private chats of every account.
class MessageStore {
 public:
  /// Every box, by owner (the SQLite store reads them).
  const std::map<std::int64_t, MessageBox>& boxes() const { return boxes_; }
  /// What changed since the last `clear_changes`.
  const MessageChanges& changes() const { return changes_; }
  void clear_changes() { changes_ = {}; }

  /// The box of `owner`, created empty on first use; marked in `changes().boxes`.
  MessageBox& box(std::int64_t owner);
  /// The box of `owner`, or nullptr when nothing happened to it yet.
  const MessageBox* find_box(std::int64_t owner) const;
  /// Message `id` of `owner`'s box, or nullptr.
  const StoredMessage* find(std::int64_t owner, std::int32_t id) const;
  /// True when `from` already sent a message with `random_id`.
  bool random_id_used(std::int64_t from, std::int64_t random_id) const;

  /// Stores a message from `from` to `to` (`to == from`: Saved Messages, one copy) dated `now`,
  /// and logs updateNewMessage in each box. `random_id` is remembered for `random_id_used`.
  SentMessage add_private_message(std::int64_t from, std::int64_t to, std::string text,
                                  std::vector<api::MessageEntity> entities, std::optional<api::MessageMedia> media,
                                  std::int64_t random_id, Time now);
  /// Replaces the text and entities of `owner`'s message `id` and of its copy in the peer's box,
  /// sets edit_date, logs updateEditMessage in each (the owner's change first). Nothing when `id`
  /// is not in the box.
  std::vector<BoxChange> edit_message(std::int64_t owner, std::int32_t id, std::string text,
                                      std::vector<api::MessageEntity> entities, Time now);
  /// Deletes `ids` from `owner`'s box (unknown ids are skipped) and, with `revoke`, their copies
  /// in the peers' boxes.
  DeleteResult delete_messages(std::int64_t owner, const std::vector<std::int32_t>& ids, bool revoke, Time now);
  /// Marks incoming messages of the dialog with `peer` read up to `max_id` (0: all), and the
  /// peer's copies as read by the owner.
  ReadResult read_history(std::int64_t owner, std::int64_t peer, std::int32_t max_id, Time now);

  /// Messages of `owner`'s dialog with `peer`, newest (highest id) first.
  std::vector<const StoredMessage*> dialog(std::int64_t owner, std::int64_t peer) const;
  /// Incoming messages not read yet, in one dialog / in the whole box.
  std::int32_t unread_count(std::int64_t owner, std::int64_t peer) const;
  std::int32_t unread_count(std::int64_t owner) const;
  /// The updates after `pts` (at most `limit` pts of them; 0: no limit) in `owner`'s box.
  /// `too_long` when `pts` is older than the log.
  DifferenceResult difference(std::int64_t owner, std::int32_t pts, std::int32_t limit) const;

 private:
  std::map<std::int64_t, MessageBox> boxes_;
  MessageChanges changes_;
};

/// The `message` object for a stored copy, as its box's owner sees it.
api::Message message_object(const StoredMessage& m, std::int64_t owner);

/// Length of UTF-8 `text` in UTF-16 code units (how Telegram measures text and entity bounds);
/// invalid bytes count one unit each.
std::size_t utf16_length(std::string_view text);

}  // namespace telepp::server
