// auth.*: bot login, 2FA's auth.checkPassword, logging out, exporting an authorisation to
// another DC. Phone login is phone_login.cpp; auth.bindTempAuthKey is temp_key_binding.cpp.
#include <charconv>

#include "telepp/server/account_helpers.hpp"
#include "telepp/server/srp_server.hpp"

namespace telepp::server {
namespace {

bool url_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// `<bot id>:<at least 30 url-safe characters>`, as BotFather issues them.
std::optional<std::pair<std::int64_t, std::string>> parse_bot_token(const std::string& token) {
  auto colon = token.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + colon, id);
  if (ec != std::errc{} || end != token.data() + colon || id <= 0) return std::nullopt;
  std::string secret = token.substr(colon + 1);
  if (secret.size() < 30) return std::nullopt;
  for (char c : secret) {
    if (!url_safe(c)) return std::nullopt;
  }
  return std::pair{id, secret};
}

Reply import_bot_authorization(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::importBotAuthorization>();
  if (!api_id_valid(call.config, req.api_id, req.api_hash)) return Reply::fail(400, "API_ID_INVALID");
  auto token = parse_bot_token(req.bot_auth_token);
  if (!token) return Reply::fail(400, "ACCESS_TOKEN_INVALID");
  auto* existing = call.state.find(token->first);
  if (existing && (!existing->bot || existing->bot_token_secret != token->second)) {
    return Reply::fail(400, "ACCESS_TOKEN_INVALID");
  }
  // A bot lives on the DC that received its first login.
  auto& bot = existing ? *existing : call.state.bot(token->first, token->second, call.dc);
  if (bot.home_dc != call.dc) return Reply::fail(303, "USER_MIGRATE_" + std::to_string(bot.home_dc));
  return log_in(call, bot);
}

Reply auth_check_password(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::checkPassword>();
  if (!call.permanent) return Reply::fail(401, "AUTH_KEY_PERM_EMPTY");
  // The account whose code was accepted (or, re-checking, the one logged in).
  auto user_id = call.permanent->password_pending_user ? call.permanent->password_pending_user : call.permanent->user_id;
  const UserRecord* user = user_id ? call.state.find(*user_id) : nullptr;
  if (!user) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  if (auto error = check_password(call, user->id, req.password)) return *error;
  return log_in(call, *user);
}

Reply log_out(Call& call, const api::AnyFunction&) {
  if (!logged_in_user(call)) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  call.permanent->user_id.reset();
  call.permanent->password_pending_user.reset();
  return Reply::of(api::auth::loggedOut{});
}

Reply export_authorization(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::exportAuthorization>();
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  if (req.dc_id < 1 || req.dc_id > call.dcs || req.dc_id == call.dc) return Reply::fail(400, "DC_ID_INVALID");
  auto now = unix_seconds(call.now);
  auto& store = call.state.accounts;
  store.expire(now);
  Bytes token = random_bytes(call, 32);
  std::string key(token.begin(), token.end());
  store.exported[key] = ExportedAuthRecord{.user_id = *me, .dc = req.dc_id, .expires_at = now + AccountStore::kExportLifetime};
  return Reply::of(api::auth::exportedAuthorization{.id = *me, .bytes = key});
}

Reply import_authorization(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::auth::importAuthorization>();
  auto& store = call.state.accounts;
  store.expire(unix_seconds(call.now));
  auto it = store.exported.find(req.bytes);
  // SECURITY: one use, short-lived, for the account and DC it was made for.
  if (it == store.exported.end()) return Reply::fail(400, "AUTH_BYTES_INVALID");
  if (it->second.user_id != req.id) return Reply::fail(400, "USER_ID_INVALID");
  if (it->second.dc != call.dc) return Reply::fail(400, "DC_ID_INVALID");
  const UserRecord* user = call.state.find(it->second.user_id);
  if (!user) return Reply::fail(400, "USER_ID_INVALID");
  if (!call.permanent) return Reply::fail(401, "AUTH_KEY_PERM_EMPTY");
  store.exported.erase(it);
  return log_in(call, *user);
}

}  // namespace

void add_auth_handlers(Dispatcher& d) {
  d.add(api::auth::importBotAuthorization::kId, import_bot_authorization);
  d.add(api::auth::checkPassword::kId, auth_check_password);
  d.add(api::auth::logOut::kId, log_out);
  d.add(api::auth::exportAuthorization::kId, export_authorization);
  d.add(api::auth::importAuthorization::kId, import_authorization);
  add_phone_login_handlers(d);
  add_temp_key_binding_handlers(d);
}

}  // namespace telepp::server
