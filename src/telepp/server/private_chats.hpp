#pragma once
/// \file What handlers of private-chat methods share (messages.sendMessage here, and
/// messages.sendMedia in the files handlers): who is calling, which user a peer names, entity
/// checks, sending a message with its answer and pushes, and pushing updates to an account.
///
/// NOTE: test-server simplification: any two accounts may message each other, bots included
/// (Telegram refuses bot-to-bot messages and lets bots write only to users who started them).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "telepp/server/account_helpers.hpp"  // logged_in_user: nullopt → 401 AUTH_KEY_UNREGISTERED
#include "telepp/server/dispatcher.hpp"

namespace telepp::server {

/// Longest message text, in UTF-16 code units (MESSAGE_TOO_LONG beyond).
inline constexpr std::size_t kMaxMessageLength = 4096;

/// The user a private-chat peer names for `me`: inputPeerSelf, inputPeerUser (an existing user
/// with its access_hash; `me` needs none). Nullopt for anything else: answer PEER_ID_INVALID.
std::optional<std::int64_t> private_peer(const Call& call, std::int64_t me, const api::InputPeer& peer);

/// Checks `entities` against `text` (offset ≥ 0, length > 0, inside the text in UTF-16 units:
/// ENTITY_BOUNDS_INVALID) and turns inputMessageEntityMentionName into messageEntityMentionName
/// (an unknown user: ENTITY_MENTION_USER_INVALID). The failure to answer, or nullopt when fine.
std::optional<Reply> check_entities(const Call& call, std::int64_t me, const std::string& text,
                                    std::vector<api::MessageEntity>& entities);

/// The `user` objects of `ids` as `viewer` sees them (unknown ids skipped).
std::vector<api::User> users_of(const Call& call, std::int64_t viewer, const std::set<std::int64_t>& ids);

/// Pushes `updates` to every online session of `user`, except the calling session.
void push_to_user(Call& call, std::int64_t user, const api::Updates& updates);

/// Sends a validated private message from `me` to `to` (checks only random_id: RANDOM_ID_EMPTY,
/// RANDOM_ID_DUPLICATE), pushes it to the recipient's sessions and to the sender's other
/// sessions, and returns the sender's answer. Without media, as Telegram does for text:
/// updateShortSentMessage to the sender, updateShortMessage pushed; with media: `updates` with
/// updateMessageID + updateNewMessage to the sender, `updates` with updateNewMessage pushed.
Reply send_private_message(Call& call, std::int64_t me, std::int64_t to, std::string text,
                           std::vector<api::MessageEntity> entities, std::optional<api::MessageMedia> media,
                           std::int64_t random_id);

/// Pushes one logged change to its box's owner (as `updates` with the users it names), except to
/// the calling session.
void push_change(Call& call, const BoxChange& change);

/// `updates` carrying `changes`' updates (in order) with the users they name, for `viewer`.
api::Updates updates_of(const Call& call, std::int64_t viewer, const std::vector<const BoxChange*>& changes);

}  // namespace telepp::server
