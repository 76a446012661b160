#include "telepp/server/private_chats.hpp"

#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::server {
namespace {

std::int32_t date_of(const Call& call) { return static_cast<std::int32_t>(unix_seconds(call.now)); }

std::optional<std::int64_t> user_of(const Call& call, std::int64_t me, const api::InputUser& input) {
  const auto* u = resolve_input_user(call.state, input, me);
  if (!u) return std::nullopt;
  return u->id;
}

// An entity's offset and length, read through the dynamic form: every MessageEntity constructor
// has them, but each is its own struct.
std::optional<std::pair<std::int32_t, std::int32_t>> bounds_of(const api::MessageEntity& entity) {
  auto bytes = tl::to_bytes(entity);
  if (!bytes) return std::nullopt;
  auto value = tl::decode_value(*schemas::api(), *bytes);
  if (!value) return std::nullopt;
  const auto* offset = value->field("offset");
  const auto* length = value->field("length");
  if (!offset || !length || offset->kind() != tl::Value::Kind::int32 || length->kind() != tl::Value::Kind::int32) {
    return std::nullopt;
  }
  return std::pair{offset->as_int32(), length->as_int32()};
}

// The update pushed for a text message: what Telegram sends for one in a private chat.
api::Updates short_message(const StoredMessage& m, const LoggedUpdate& logged) {
  api::updateShortMessage out{.out = m.out, .id = m.id, .user_id = m.peer, .message = m.text, .pts = logged.pts,
                              .pts_count = logged.pts_count, .date = m.date};
  if (!m.entities.empty()) out.entities = m.entities;
  return out;
}

}  // namespace

std::optional<std::int64_t> private_peer(const Call& call, std::int64_t me, const api::InputPeer& peer) {
  if (peer.is<api::inputPeerSelf>()) return me;
  const auto* in = peer.get_if<api::inputPeerUser>();
  if (!in) return std::nullopt;
  return user_of(call, me, api::inputUser{.user_id = in->user_id, .access_hash = in->access_hash});
}

std::optional<Reply> check_entities(const Call& call, std::int64_t me, const std::string& text,
                                    std::vector<api::MessageEntity>& entities) {
  auto length = static_cast<std::int64_t>(utf16_length(text));
  for (auto& entity : entities) {
    auto bounds = bounds_of(entity);
    if (!bounds || bounds->first < 0 || bounds->second <= 0 ||
        std::int64_t{bounds->first} + bounds->second > length) {
      return Reply::fail(400, "ENTITY_BOUNDS_INVALID");
    }
    if (const auto* mention = entity.get_if<api::inputMessageEntityMentionName>()) {
      auto user = user_of(call, me, mention->user_id);
      if (!user) return Reply::fail(400, "ENTITY_MENTION_USER_INVALID");
      entity = api::messageEntityMentionName{.offset = mention->offset, .length = mention->length, .user_id = *user};
    }
  }
  return std::nullopt;
}

std::vector<api::User> users_of(const Call& call, std::int64_t viewer, const std::set<std::int64_t>& ids) {
  std::vector<api::User> out;
  for (auto id : ids) {
    if (const auto* u = call.state.find(id)) out.push_back(user_object(*u, viewer));
  }
  return out;
}

void push_to_user(Call& call, std::int64_t user, const api::Updates& updates) {
  if (!call.hooks) return;
  auto bytes = tl::to_bytes(updates);
  if (bytes) call.hooks->push_updates(user, *bytes, call.session);
}

api::Updates updates_of(const Call& call, std::int64_t viewer, const std::vector<const BoxChange*>& changes) {
  api::updates_ out{.date = date_of(call), .seq = 0};
  std::set<std::int64_t> users{viewer};
  for (const auto* change : changes) {
    out.updates.push_back(change->logged.update);
    if (change->logged.peer != 0) users.insert(change->logged.peer);
  }
  out.users = users_of(call, viewer, users);
  return out;
}

void push_change(Call& call, const BoxChange& change) {
  push_to_user(call, change.owner, updates_of(call, change.owner, {&change}));
}

Reply send_private_message(Call& call, std::int64_t me, std::int64_t to, std::string text,
                           std::vector<api::MessageEntity> entities, std::optional<api::MessageMedia> media,
                           std::int64_t random_id) {
  if (random_id == 0) return Reply::fail(400, "RANDOM_ID_EMPTY");
  // NOTE: Telegram answers a random_id the sender used before with this error (code 500), so a
  // client retrying a send it believes lost learns the first one arrived.
  if (call.state.messages.random_id_used(me, random_id)) return Reply::fail(500, "RANDOM_ID_DUPLICATE");
  bool with_media = media.has_value();
  auto sent = call.state.messages.add_private_message(me, to, std::move(text), std::move(entities), std::move(media),
                                                      random_id, call.now);
  if (!with_media) {
    if (sent.recipient) push_to_user(call, to, short_message(*sent.recipient_copy, sent.recipient->logged));
    push_to_user(call, me, short_message(sent.sender_copy, sent.sender.logged));
    const auto& m = sent.sender_copy;
    api::updateShortSentMessage answer{.out = true, .id = m.id, .pts = sent.sender.logged.pts,
                                       .pts_count = sent.sender.logged.pts_count, .date = m.date};
    if (!m.entities.empty()) answer.entities = m.entities;
    return Reply::of(api::Updates(answer));
  }
  if (sent.recipient) push_change(call, *sent.recipient);
  push_change(call, sent.sender);
  auto answer = updates_of(call, me, {&sent.sender});
  auto& list = answer.as<api::updates_>().updates;
  list.insert(list.begin(), api::updateMessageID{.id = sent.sender_copy.id, .random_id = random_id});
  return Reply::of(answer);
}

}  // namespace telepp::server
