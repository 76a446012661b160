// auth.*: logging in (bots for now).
#include <charconv>

#include "telepp/server/dispatcher.hpp"

namespace telepp::server {
namespace {

bool api_id_valid(const ServerConfig& config, std::int32_t api_id, const std::string& api_hash) {
  if (config.api_ids.empty()) return api_id > 0;
  auto it = config.api_ids.find(api_id);
  return it != config.api_ids.end() && it->second == api_hash;
}

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
  if (!call.permanent) return Reply::fail(401, "AUTH_KEY_PERM_EMPTY");
  call.permanent->user_id = bot.id;
  return Reply::of(api::auth::authorization{.user = user_object(bot, bot.id)});
}

}  // namespace

void add_auth_handlers(Dispatcher& d) {
  d.add(api::auth::importBotAuthorization::kId, import_bot_authorization);
}

}  // namespace telepp::server
