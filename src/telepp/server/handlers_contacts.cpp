// contacts.*: finding accounts by username.
#include "telepp/server/account_helpers.hpp"

namespace telepp::server {
namespace {

Reply resolve_username(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::contacts::resolveUsername>();
  if (!username_lookup_valid(req.username)) return Reply::fail(400, "USERNAME_INVALID");
  const UserRecord* u = call.state.find_by_username(req.username);
  if (!u) return Reply::fail(400, "USERNAME_NOT_OCCUPIED");
  return Reply::of(api::contacts::resolvedPeer{.peer = api::peerUser{.user_id = u->id}, .chats = {}, .users = {user_object(*u, *me)}});
}

}  // namespace

void add_contacts_handlers(Dispatcher& d) { d.add(api::contacts::resolveUsername::kId, resolve_username); }

}  // namespace telepp::server
