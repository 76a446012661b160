#include "telepp/server/message_store.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace telepp::server {
namespace {

std::int32_t date_of(Time now) { return static_cast<std::int32_t>(unix_seconds(now)); }

api::Peer peer_user(std::int64_t id) { return api::peerUser{.user_id = id}; }

// Bumps the box's pts by `pts_count`, builds the update for the new pts with `make(pts)` and logs it.
template <class Make>
BoxChange log_change(MessageBox& box, std::int32_t pts_count, std::int64_t peer, Time now, Make make) {
  box.pts += pts_count;
  LoggedUpdate logged{.pts = box.pts, .pts_count = pts_count, .date = date_of(now), .peer = peer, .update = make(box.pts)};
  box.log.push_back(logged);
  while (box.log.size() > MessageBox::kMaxLogged) {
    box.log_floor_pts = box.log.front().pts;
    box.log.pop_front();
  }
  return BoxChange{box.owner, std::move(logged)};
}

BoxChange log_new_message(MessageBox& box, const StoredMessage& m, Time now) {
  return log_change(box, 1, m.peer, now, [&](std::int32_t pts) -> api::Update {
    return api::updateNewMessage{.message = message_object(m, box.owner), .pts = pts, .pts_count = 1};
  });
}

BoxChange log_edit(MessageBox& box, const StoredMessage& m, Time now) {
  return log_change(box, 1, m.peer, now, [&](std::int32_t pts) -> api::Update {
    return api::updateEditMessage{.message = message_object(m, box.owner), .pts = pts, .pts_count = 1};
  });
}

BoxChange log_delete(MessageBox& box, std::vector<std::int32_t> ids, Time now) {
  auto count = static_cast<std::int32_t>(ids.size());
  return log_change(box, count, 0, now, [&](std::int32_t pts) -> api::Update {
    return api::updateDeleteMessages{.messages = std::move(ids), .pts = pts, .pts_count = count};
  });
}

}  // namespace

MessageBox& MessageStore::box(std::int64_t owner) {
  auto [it, created] = boxes_.try_emplace(owner);
  if (created) it->second.owner = owner;
  changes_.boxes.insert(owner);
  return it->second;
}

const MessageBox* MessageStore::find_box(std::int64_t owner) const {
  auto it = boxes_.find(owner);
  return it == boxes_.end() ? nullptr : &it->second;
}

const StoredMessage* MessageStore::find(std::int64_t owner, std::int32_t id) const {
  const auto* b = find_box(owner);
  if (!b) return nullptr;
  auto it = b->messages.find(id);
  return it == b->messages.end() ? nullptr : &it->second;
}

bool MessageStore::random_id_used(std::int64_t from, std::int64_t random_id) const {
  const auto* b = find_box(from);
  return b && b->random_ids.count(random_id) != 0;
}

SentMessage MessageStore::add_private_message(std::int64_t from, std::int64_t to, std::string text,
                                              std::vector<api::MessageEntity> entities,
                                              std::optional<api::MessageMedia> media, std::int64_t random_id, Time now) {
  auto& sender = box(from);
  StoredMessage mine{.id = ++sender.last_message_id, .peer = to, .out = true, .date = date_of(now),
                     .text = std::move(text), .entities = std::move(entities), .media = std::move(media)};
  sender.random_ids[random_id] = mine.id;
  sender.dialogs[to];
  changes_.random_ids.emplace(from, random_id);
  changes_.messages.emplace(from, mine.id);
  changes_.dialogs.emplace(from, to);
  SentMessage out;
  if (to != from) {
    auto& recipient = box(to);
    StoredMessage theirs = mine;
    theirs.id = ++recipient.last_message_id;
    theirs.peer = from;
    theirs.out = false;
    theirs.peer_copy_id = mine.id;
    mine.peer_copy_id = theirs.id;
    recipient.dialogs[from];
    recipient.messages[theirs.id] = theirs;
    changes_.messages.emplace(to, theirs.id);
    changes_.dialogs.emplace(to, from);
    out.recipient = log_new_message(recipient, theirs, now);
    out.recipient_copy = std::move(theirs);
  }
  sender.messages[mine.id] = mine;
  out.sender = log_new_message(sender, mine, now);
  out.sender_copy = std::move(mine);
  return out;
}

std::vector<BoxChange> MessageStore::edit_message(std::int64_t owner, std::int32_t id, std::string text,
                                                  std::vector<api::MessageEntity> entities, Time now) {
  std::vector<BoxChange> changes;
  auto& b = box(owner);
  auto it = b.messages.find(id);
  if (it == b.messages.end()) return changes;
  auto apply = [&](MessageBox& target, StoredMessage& m) {
    m.text = text;
    m.entities = entities;
    m.edit_date = date_of(now);
    changes_.messages.emplace(target.owner, m.id);
    changes.push_back(log_edit(target, m, now));
  };
  apply(b, it->second);
  const StoredMessage& edited = it->second;
  if (edited.peer != owner && edited.peer_copy_id != 0) {
    auto& other = box(edited.peer);
    if (auto copy = other.messages.find(edited.peer_copy_id); copy != other.messages.end()) apply(other, copy->second);
  }
  return changes;
}

DeleteResult MessageStore::delete_messages(std::int64_t owner, const std::vector<std::int32_t>& ids, bool revoke, Time now) {
  DeleteResult result;
  auto& b = box(owner);
  std::vector<std::int32_t> deleted;
  std::map<std::int64_t, std::vector<std::int32_t>> copies;  // by peer
  for (auto id : std::set<std::int32_t>(ids.begin(), ids.end())) {
    auto it = b.messages.find(id);
    if (it == b.messages.end()) continue;
    if (revoke && it->second.peer != owner && it->second.peer_copy_id != 0) {
      copies[it->second.peer].push_back(it->second.peer_copy_id);
    }
    deleted.push_back(id);
    b.messages.erase(it);
    changes_.messages.emplace(owner, id);
  }
  result.pts_count = static_cast<std::int32_t>(deleted.size());
  if (!deleted.empty()) result.changes.push_back(log_delete(b, std::move(deleted), now));
  result.pts = b.pts;
  for (auto& [peer, peer_ids] : copies) {
    auto& other = box(peer);
    std::vector<std::int32_t> gone;
    for (auto id : peer_ids) {
      if (other.messages.erase(id)) {
        gone.push_back(id);
        changes_.messages.emplace(peer, id);
      }
    }
    if (!gone.empty()) result.changes.push_back(log_delete(other, std::move(gone), now));
  }
  return result;
}

ReadResult MessageStore::read_history(std::int64_t owner, std::int64_t peer, std::int32_t max_id, Time now) {
  auto& b = box(owner);
  ReadResult result{.pts = b.pts};
  if (peer == owner) return result;  // Saved Messages are all outgoing: nothing to read
  std::int32_t limit = max_id > 0 ? max_id : std::numeric_limits<std::int32_t>::max();
  std::int32_t newest_read = 0;   // in the owner's box
  std::int32_t newest_copy = 0;   // the same messages in the peer's box
  for (const auto* m : dialog(owner, peer)) {
    if (m->out || m->id > limit) continue;
    newest_read = std::max(newest_read, m->id);
    newest_copy = std::max(newest_copy, m->peer_copy_id);
  }
  auto& state = b.dialogs[peer];
  if (newest_read <= state.read_inbox_max_id) return result;
  state.read_inbox_max_id = newest_read;
  changes_.dialogs.emplace(owner, peer);
  auto still_unread = unread_count(owner, peer);
  result.changes.push_back(log_change(b, 1, peer, now, [&](std::int32_t pts) -> api::Update {
    return api::updateReadHistoryInbox{.peer = peer_user(peer), .max_id = newest_read, .still_unread_count = still_unread,
                                       .pts = pts, .pts_count = 1};
  }));
  result.pts = b.pts;
  result.pts_count = 1;
  auto& other = box(peer);
  auto& other_state = other.dialogs[owner];
  if (newest_copy > other_state.read_outbox_max_id) {
    other_state.read_outbox_max_id = newest_copy;
    changes_.dialogs.emplace(peer, owner);
    result.changes.push_back(log_change(other, 1, owner, now, [&](std::int32_t pts) -> api::Update {
      return api::updateReadHistoryOutbox{.peer = peer_user(owner), .max_id = newest_copy, .pts = pts, .pts_count = 1};
    }));
  }
  return result;
}

std::vector<const StoredMessage*> MessageStore::dialog(std::int64_t owner, std::int64_t peer) const {
  std::vector<const StoredMessage*> out;
  const auto* b = find_box(owner);
  if (!b) return out;
  for (auto it = b->messages.rbegin(); it != b->messages.rend(); ++it) {
    if (it->second.peer == peer) out.push_back(&it->second);
  }
  return out;
}

std::int32_t MessageStore::unread_count(std::int64_t owner, std::int64_t peer) const {
  const auto* b = find_box(owner);
  if (!b) return 0;
  auto state = b->dialogs.find(peer);
  std::int32_t read = state == b->dialogs.end() ? 0 : state->second.read_inbox_max_id;
  std::int32_t n = 0;
  for (const auto& [id, m] : b->messages) n += (m.peer == peer && !m.out && id > read) ? 1 : 0;
  return n;
}

std::int32_t MessageStore::unread_count(std::int64_t owner) const {
  const auto* b = find_box(owner);
  if (!b) return 0;
  std::int32_t n = 0;
  for (const auto& [peer, state] : b->dialogs) n += unread_count(owner, peer);
  return n;
}

DifferenceResult MessageStore::difference(std::int64_t owner, std::int32_t pts, std::int32_t limit) const {
  DifferenceResult result;
  const auto* b = find_box(owner);
  if (!b) {
    result.pts = MessageBox::kInitialPts;
    return result;
  }
  result.pts = b->pts;
  if (pts < b->log_floor_pts) {
    result.too_long = true;
    return result;
  }
  for (const auto& logged : b->log) {
    if (logged.pts <= pts) continue;
    if (limit > 0 && !result.updates.empty() && logged.pts - pts > limit) {
      result.slice = true;
      result.pts = result.updates.back()->pts;
      break;
    }
    result.updates.push_back(&logged);
  }
  return result;
}

api::Message message_object(const StoredMessage& m, std::int64_t owner) {
  api::message out{.out = m.out, .id = m.id, .peer_id = peer_user(m.peer), .date = m.date, .message = m.text};
  // NOTE: private chats name the chat in peer_id; from_id is set on outgoing copies only (an
  // incoming message's sender is its peer).
  if (m.out) out.from_id = peer_user(owner);
  if (!m.entities.empty()) out.entities = m.entities;
  if (m.media) out.media = m.media;
  out.edit_date = m.edit_date;
  return out;
}

std::size_t utf16_length(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool valid = n > 0 && i + n <= text.size();
    for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (!valid) {
      ++units;
      ++i;
      continue;
    }
    units += n == 4 ? 2 : 1;  // beyond the BMP: a surrogate pair
    i += n;
  }
  return units;
}

}  // namespace telepp::server
