// users.*: accounts as another account sees them.
#include "telepp/server/account_helpers.hpp"

namespace telepp::server {
namespace {

Reply get_users(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::users::getUsers>();
  std::vector<api::User> out;
  for (const auto& input : req.id) {
    if (const UserRecord* u = resolve_input_user(call.state, input, *me)) {
      out.push_back(user_object(*u, *me));
      continue;
    }
    std::int64_t wanted = *me;
    if (const auto* in = input.get_if<api::inputUser>()) wanted = in->user_id;
    else if (const auto* from = input.get_if<api::inputUserFromMessage>()) wanted = from->user_id;
    out.push_back(api::userEmpty{.id = wanted});
  }
  return Reply::of(out);
}

Reply get_full_user(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::users::getFullUser>();
  const UserRecord* u = resolve_input_user(call.state, req.id, *me);
  if (!u) return Reply::fail(400, "USER_ID_INVALID");
  api::userFull full{.id = u->id, .settings = api::peerSettings{}, .notify_settings = api::peerNotifySettings{},
                     .common_chats_count = 0};
  if (!u->about.empty()) full.about = u->about;
  return Reply::of(api::users::userFull{.full_user = std::move(full), .chats = {}, .users = {user_object(*u, *me)}});
}

}  // namespace

void add_users_handlers(Dispatcher& d) {
  d.add(api::users::getUsers::kId, get_users);
  d.add(api::users::getFullUser::kId, get_full_user);
}

}  // namespace telepp::server
