// account.*: 2FA settings, the list of logged-in devices, username and profile.
#include "telepp/server/account_helpers.hpp"
#include "telepp/server/srp_server.hpp"

namespace telepp::server {
namespace {

// Logged-in devices are shown for this long without activity (account.authorizations).
constexpr std::int32_t kAuthorizationTtlDays = 180;

Reply unregistered() { return Reply::fail(401, "AUTH_KEY_UNREGISTERED"); }

Reply get_password(Call& call, const api::AnyFunction&) {
  // NOTE: also on a key whose login waits for the password: that is how the client learns the SRP
  // parameters for auth.checkPassword.
  auto user_id = logged_in_user(call);
  if (!user_id && call.permanent) user_id = call.permanent->password_pending_user;
  if (!user_id) return unregistered();
  return Reply::of(password_info(call, *user_id));
}

Reply update_password_settings(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::account::updatePasswordSettings>();
  auto me = logged_in_user(call);
  if (!me) return unregistered();
  // The current password must be proven; with none set, inputCheckPasswordEmpty is the proof.
  bool has_password = call.state.accounts.passwords.count(*me) != 0;
  if (has_password) {
    if (auto error = check_password(call, *me, req.password)) return *error;
  } else if (!req.password.is<api::inputCheckPasswordEmpty>()) {
    return Reply::fail(400, "PASSWORD_HASH_INVALID");
  }
  if (auto error = apply_password_settings(call, *me, req.new_settings)) return *error;
  return Reply::of(api::boolTrue{});
}

std::string platform_of(const ClientInfo& c) {
  if (c.lang_pack == "android" || c.lang_pack == "android_x") return "Android";
  if (c.lang_pack == "ios") return "iOS";
  if (c.lang_pack == "macos") return "macOS";
  if (c.lang_pack == "tdesktop") return "Desktop";
  if (c.lang_pack.rfind("web", 0) == 0) return "Web";
  return c.system_version;
}

// What a permanent key's client said last: its own initConnection, or that of a temporary key
// bound to it (the client info of a temporary key counts once it is bound).
const ClientInfo* latest_info(AuthKeys& keys, const AuthRecord& perm) {
  const ClientInfo* best = perm.client ? &*perm.client : nullptr;
  for (auto& [id, r] : keys.records()) {
    if (!r.temporary || r.bound_perm_id != perm.key.id() || !r.client) continue;
    if (!best || r.client->date_active > best->date_active) best = &*r.client;
  }
  return best;
}

api::authorization authorization_of(const AuthRecord& r, const ClientInfo* info, bool current) {
  api::authorization out{.current = current, .password_pending = !r.user_id.has_value(), .ip = "127.0.0.1",
                         .country = "Local", .region = "Local"};
  // NOTE: the hash names the authorisation for account.resetAuthorization; 0 is the caller's own.
  out.hash = current ? 0 : static_cast<std::int64_t>(r.key.id() >> 1 | 1);
  if (info) {
    out.device_model = info->device_model;
    out.platform = platform_of(*info);
    out.system_version = info->system_version;
    out.api_id = info->api_id;
    out.app_name = "api_id " + std::to_string(info->api_id);
    out.app_version = info->app_version;
    out.date_created = static_cast<std::int32_t>(info->date_created);
    out.date_active = static_cast<std::int32_t>(info->date_active);
  }
  return out;
}

Reply get_authorizations(Call& call, const api::AnyFunction&) {
  auto me = logged_in_user(call);
  if (!me) return unregistered();
  std::vector<api::Authorization> list;
  for (int dc = 1; dc <= call.dcs; ++dc) {
    AuthKeys* keys = call.hooks ? call.hooks->dc_keys(dc) : (dc == call.dc ? call.keys : nullptr);
    if (!keys) continue;
    for (auto& [id, r] : keys->records()) {
      if (r.temporary || (r.user_id != me && r.password_pending_user != me)) continue;
      list.push_back(authorization_of(r, latest_info(*keys, r), &r == call.permanent));
    }
  }
  return Reply::of(api::account::authorizations{.authorization_ttl_days = kAuthorizationTtlDays, .authorizations = std::move(list)});
}

Reply update_username(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::account::updateUsername>();
  auto me = logged_in_user(call);
  UserRecord* user = me ? call.state.find(*me) : nullptr;
  if (!user) return unregistered();
  if (req.username == user->username) return Reply::fail(400, "USERNAME_NOT_MODIFIED");
  // An empty username removes it.
  if (!req.username.empty()) {
    if (!username_valid(req.username)) return Reply::fail(400, "USERNAME_INVALID");
    const UserRecord* holder = call.state.find_by_username(req.username);
    if (holder && holder->id != user->id) return Reply::fail(400, "USERNAME_OCCUPIED");
  }
  user->username = req.username;
  return Reply::of(user_object(*user, user->id));
}

Reply update_profile(Call& call, const api::AnyFunction& q) {
  const auto& req = q.as<api::account::updateProfile>();
  auto me = logged_in_user(call);
  UserRecord* user = me ? call.state.find(*me) : nullptr;
  if (!user) return unregistered();
  // Every field is checked before any is changed.
  std::optional<std::string> first, last;
  if (req.first_name) {
    first = trimmed(*req.first_name);
    if (!first_name_valid(*first)) return Reply::fail(400, "FIRSTNAME_INVALID");
  }
  if (req.last_name) {
    last = trimmed(*req.last_name);
    if (!last_name_valid(*last)) return Reply::fail(400, "LASTNAME_INVALID");
  }
  if (req.about && !about_valid(*req.about)) return Reply::fail(400, "ABOUT_TOO_LONG");
  if (first) user->first_name = *first;
  if (last) user->last_name = *last;
  if (req.about) user->about = *req.about;
  return Reply::of(user_object(*user, user->id));
}

}  // namespace

void add_account_handlers(Dispatcher& d) {
  d.add(api::account::getPassword::kId, get_password);
  d.add(api::account::updatePasswordSettings::kId, update_password_settings);
  d.add(api::account::getAuthorizations::kId, get_authorizations);
  d.add(api::account::updateUsername::kId, update_username);
  d.add(api::account::updateProfile::kId, update_profile);
}

}  // namespace telepp::server
