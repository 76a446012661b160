// messages.* for private chats: send, history, get, edit, delete, read.
//
// Simplifications (test server): peers are users only (no chats or channels); reply_to,
// reply_markup, schedule_date, send_as and the like are ignored; getHistory ignores `hash`;
// bots may call getHistory and readHistory, which Telegram refuses them.
#include <algorithm>
#include <cctype>

#include "telepp/server/private_chats.hpp"

namespace telepp::server {
namespace {

// Telegram's caption limit for messages with media.
constexpr std::size_t kMaxCaptionLength = 1024;
// getHistory: the default for limit 0 and the most it returns.
constexpr std::int32_t kDefaultHistoryLimit = 20;
constexpr std::int32_t kMaxHistoryLimit = 100;

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

Reply not_logged_in() { return Reply::fail(401, "AUTH_KEY_UNREGISTERED"); }
Reply peer_invalid() { return Reply::fail(400, "PEER_ID_INVALID"); }

Reply send_message(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::sendMessage>();
  auto to = private_peer(call, *me, req.peer);
  if (!to) return peer_invalid();
  if (blank(req.message)) return Reply::fail(400, "MESSAGE_EMPTY");
  if (utf16_length(req.message) > kMaxMessageLength) return Reply::fail(400, "MESSAGE_TOO_LONG");
  auto entities = req.entities.value_or(std::vector<api::MessageEntity>{});
  if (auto error = check_entities(call, *me, req.message, entities)) return *error;
  return send_private_message(call, *me, *to, req.message, std::move(entities), std::nullopt, req.random_id);
}

// Messages in the window Telegram's pagination rules select (https://core.telegram.org/api/offsets):
// skip offsetFromID(offset_id) + add_offset of the newest-first list, take `limit`, then keep
// only ids inside (min_id, max_id).
struct HistoryWindow {
  std::vector<const StoredMessage*> messages;
  std::int32_t start = 0;  ///< position of the window in the whole list
};

HistoryWindow history_window(const std::vector<const StoredMessage*>& all, const api::messages::getHistory& req) {
  auto total = static_cast<std::int64_t>(all.size());
  std::int64_t limit = req.limit <= 0 ? kDefaultHistoryLimit : std::min(req.limit, kMaxHistoryLimit);
  std::int64_t start = 0;
  if (req.offset_id > 0) {
    start = std::count_if(all.begin(), all.end(), [&](const auto* m) { return m->id >= req.offset_id; });
  } else if (req.offset_date > 0) {
    start = std::count_if(all.begin(), all.end(), [&](const auto* m) { return m->date >= req.offset_date; });
  }
  start += req.add_offset;
  std::int64_t end = std::clamp<std::int64_t>(start + limit, 0, total);
  start = std::clamp<std::int64_t>(start, 0, total);
  HistoryWindow out;
  out.start = static_cast<std::int32_t>(start);
  for (auto i = start; i < end; ++i) {
    const auto* m = all[static_cast<std::size_t>(i)];
    if (req.max_id > 0 && m->id >= req.max_id) continue;
    if (req.min_id > 0 && m->id <= req.min_id) continue;
    out.messages.push_back(m);
  }
  return out;
}

Reply get_history(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::getHistory>();
  auto peer = private_peer(call, *me, req.peer);
  if (!peer) return peer_invalid();
  auto all = call.state.messages.dialog(*me, *peer);
  auto window = history_window(all, req);
  std::vector<api::Message> messages;
  for (const auto* m : window.messages) messages.push_back(message_object(*m, *me));
  auto users = users_of(call, *me, {*me, *peer});
  if (window.messages.size() == all.size()) {
    return Reply::of(api::messages::Messages(api::messages::messages{.messages = std::move(messages), .users = std::move(users)}));
  }
  return Reply::of(api::messages::Messages(api::messages::messagesSlice{
      .count = static_cast<std::int32_t>(all.size()), .offset_id_offset = window.start, .messages = std::move(messages),
      .users = std::move(users)}));
}

Reply get_messages(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::getMessages>();
  api::messages::messages out;
  std::set<std::int64_t> users{*me};
  for (const auto& input : req.id) {
    // NOTE: only inputMessageID names a message here: the test server keeps no replies, pins or
    // callback queries, so the others find nothing (messageEmpty), as a missing id does.
    const auto* by_id = input.get_if<api::inputMessageID>();
    const auto* m = by_id ? call.state.messages.find(*me, by_id->id) : nullptr;
    if (!m) {
      out.messages.push_back(api::messageEmpty{.id = by_id ? by_id->id : 0});
      continue;
    }
    out.messages.push_back(message_object(*m, *me));
    users.insert(m->peer);
  }
  out.users = users_of(call, *me, users);
  return Reply::of(api::messages::Messages(std::move(out)));
}

Reply edit_message(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::editMessage>();
  auto peer = private_peer(call, *me, req.peer);
  if (!peer) return peer_invalid();
  const auto* m = call.state.messages.find(*me, req.id);
  if (!m || m->peer != *peer) return Reply::fail(400, "MESSAGE_ID_INVALID");
  if (!m->out) return Reply::fail(403, "MESSAGE_AUTHOR_REQUIRED");
  if (req.media) return Reply::fail(400, "METHOD_NOT_SUPPORTED_BY_TEST_SERVER: messages.editMessage with media");
  std::string text = req.message.value_or(m->text);
  auto entities = req.entities.value_or(req.message ? std::vector<api::MessageEntity>{} : m->entities);
  if (blank(text) && !m->media) return Reply::fail(400, "MESSAGE_EMPTY");
  if (m->media && utf16_length(text) > kMaxCaptionLength) return Reply::fail(400, "MEDIA_CAPTION_TOO_LONG");
  if (utf16_length(text) > kMaxMessageLength) return Reply::fail(400, "MESSAGE_TOO_LONG");
  if (auto error = check_entities(call, *me, text, entities)) return *error;
  if (text == m->text && entities == m->entities) return Reply::fail(400, "MESSAGE_NOT_MODIFIED");
  auto changes = call.state.messages.edit_message(*me, req.id, std::move(text), std::move(entities), call.now);
  for (const auto& change : changes) push_change(call, change);
  return Reply::of(updates_of(call, *me, {&changes.front()}));
}

Reply delete_messages(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::deleteMessages>();
  auto result = call.state.messages.delete_messages(*me, req.id, req.revoke, call.now);
  for (const auto& change : result.changes) push_change(call, change);
  return Reply::of(api::messages::AffectedMessages(api::messages::affectedMessages{.pts = result.pts, .pts_count = result.pts_count}));
}

Reply read_history(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return not_logged_in();
  const auto& req = q.as<api::messages::readHistory>();
  auto peer = private_peer(call, *me, req.peer);
  if (!peer) return peer_invalid();
  if (req.max_id < 0) return Reply::fail(400, "MSG_ID_INVALID");
  auto result = call.state.messages.read_history(*me, *peer, req.max_id, call.now);
  for (const auto& change : result.changes) push_change(call, change);
  return Reply::of(api::messages::AffectedMessages(api::messages::affectedMessages{.pts = result.pts, .pts_count = result.pts_count}));
}

}  // namespace

void add_messages_handlers(Dispatcher& d) {
  d.add(api::messages::sendMessage::kId, send_message);
  d.add(api::messages::getHistory::kId, get_history);
  d.add(api::messages::getMessages::kId, get_messages);
  d.add(api::messages::editMessage::kId, edit_message);
  d.add(api::messages::deleteMessages::kId, delete_messages);
  d.add(api::messages::readHistory::kId, read_history);
}

}  // namespace telepp::server
