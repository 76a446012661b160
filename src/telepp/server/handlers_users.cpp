// users.*
#include "telepp/server/dispatcher.hpp"

namespace telepp::server {
namespace {

std::optional<std::int64_t> logged_in(Call& call) {
  if (!call.permanent) return std::nullopt;
  return call.permanent->user_id;
}

Reply get_users(Call& call, const api::AnyFunction& q) {
  auto me = logged_in(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::users::getUsers>();
  std::vector<api::User> out;
  for (const auto& input : req.id) {
    const UserRecord* u = nullptr;
    std::int64_t wanted = 0;
    if (input.is<api::inputUserSelf>()) {
      u = call.state.find(*me);
      wanted = *me;
    } else if (const auto* in = input.get_if<api::inputUser>()) {
      wanted = in->user_id;
      u = call.state.find(in->user_id);
      if (u && u->access_hash != in->access_hash && u->id != *me) u = nullptr;
    } else if (const auto* from = input.get_if<api::inputUserFromMessage>()) {
      wanted = from->user_id;
      u = call.state.find(from->user_id);
    }
    if (u) out.push_back(user_object(*u, *me));
    else out.push_back(api::userEmpty{.id = wanted});
  }
  return Reply::of(out);
}

}  // namespace

void add_users_handlers(Dispatcher& d) { d.add(api::users::getUsers::kId, get_users); }

}  // namespace telepp::server
