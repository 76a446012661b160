#pragma once
/// \file Pieces the account handlers share (auth.*, account.*, users.*, contacts.*): who is
/// logged in on the calling key, logging a key in, randomness, the test DCs' phone numbers,
/// InputUser lookup and the name/username rules.

#include <cstdint>
#include <optional>
#include <string>

#include "telepp/server/dispatcher.hpp"

namespace telepp::server {

/// The server's randomness, or the process-wide OS source when a handler runs without a server.
Entropy& handler_entropy(Call& call);
/// `n` random bytes.
Bytes random_bytes(Call& call, std::size_t n);
/// A random positive 63-bit id (srp_id, export ids, authorization hashes).
std::int64_t random_id(Call& call);

/// The account logged in on the calling key (through the permanent key a temporary key is
/// bound to), or nullopt.
std::optional<std::int64_t> logged_in_user(const Call& call);
/// Logs the calling permanent key in as `user` (replacing any earlier login on it, as Telegram
/// allows) and answers auth.authorization. AUTH_KEY_PERM_EMPTY (401) on an unbound temporary key.
Reply log_in(Call& call, const UserRecord& user);

/// api_id/api_hash as the auth methods check them (`--api-id`; any api_id > 0 by default).
bool api_id_valid(const ServerConfig& config, std::int32_t api_id, const std::string& api_hash);

/// A phone number of the test DCs, `99966XYYYY`: home DC X, login code X repeated five times.
struct TestPhone {
  std::string digits;  ///< the ten digits, as stored with the account
  int dc = 0;
  std::string code() const { return std::string(5, static_cast<char>('0' + dc)); }
};
/// Parses `text` (digits; '+', spaces, dashes and parentheses ignored); nullopt for anything else,
/// including an X outside 1..`dcs`.
std::optional<TestPhone> parse_test_phone(const std::string& text, int dcs);

/// The account `input` names as seen by `me` (inputUserSelf, inputUser with the right
/// access_hash, inputUserFromMessage), or nullptr.
UserRecord* resolve_input_user(State& state, const api::InputUser& input, std::int64_t me);

/// `text` without leading and trailing whitespace.
std::string trimmed(const std::string& text);
/// A first name as Telegram takes it: 1..64 characters after trimming.
bool first_name_valid(const std::string& trimmed_name);
/// A last name: at most 64 characters after trimming (may be empty).
bool last_name_valid(const std::string& trimmed_name);
/// A bio (userFull.about): at most 70 characters, Telegram's limit without Premium.
bool about_valid(const std::string& about);
/// A username one may take: 5..32 of [a-zA-Z0-9_], starting with a letter, not ending with '_'.
bool username_valid(const std::string& username);
/// A username one may look up: 1..32 of [a-zA-Z0-9_] (bots and old accounts have short ones).
bool username_lookup_valid(const std::string& username);

/// Parts of auth.* registered by add_auth_handlers: phone login (phone_login.cpp) and
/// auth.bindTempAuthKey (temp_key_binding.cpp).
void add_phone_login_handlers(Dispatcher& d);
void add_temp_key_binding_handlers(Dispatcher& d);

}  // namespace telepp::server
