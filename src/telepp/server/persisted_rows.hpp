#pragma once
/// \file How the SQLite store (persistence.hpp) writes a record into a row's body: JSON for the
/// server's own plain records, TL bytes (layer 228) where a TL object already is the
/// representation. Decoders check what they read: a corrupt body is an Error, never a crash.

#include <cstdint>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"
#include "telepp/server/auth_keys.hpp"
#include "telepp/server/message_store.hpp"
#include "telepp/server/state.hpp"

namespace telepp::server::rows {

/// An account (every field but the id, which is the row's key) as JSON.
std::string user_body(const UserRecord& user);
Result<UserRecord> user_from_body(std::int64_t id, std::string_view body);

/// What was learnt with an auth key, as JSON: the bound permanent key, the account logged in or
/// waiting for its password, initConnection's client info. Not the key itself (a column of its
/// own) and not `client.date_active` (a column of its own, written lazily: see persistence.hpp).
std::string auth_body(const AuthRecord& record);
/// Fills those fields of `record` from `body`; `date_active` goes into the client info.
Status auth_from_body(std::string_view body, std::int64_t date_active, AuthRecord& record);

/// A stored message copy as the TL `message` its owner sees (peer_copy_id is a column).
Result<Bytes> message_body(const StoredMessage& message, std::int64_t owner);
Result<StoredMessage> message_from_body(ByteView body, std::int32_t peer_copy_id);

}  // namespace telepp::server::rows
