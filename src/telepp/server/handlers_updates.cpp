// updates.getState and updates.getDifference over each account's message box (common pts only:
// the test server has no secret chats (qts), channels or seq-numbered updates; seq is always 0).
#include "telepp/server/private_chats.hpp"

namespace telepp::server {
namespace {

// pts per getDifference answer without pts_limit (more comes as differenceSlice), and the most
// a client may ask for.
constexpr std::int32_t kDifferenceSlice = 1000;

std::int32_t date_of(const Call& call) { return static_cast<std::int32_t>(unix_seconds(call.now)); }

api::updates::state state_of(const Call& call, std::int64_t me, std::int32_t pts) {
  return api::updates::state{.pts = pts, .qts = 0, .date = date_of(call), .seq = 0,
                             .unread_count = call.state.messages.unread_count(me)};
}

std::int32_t current_pts(const Call& call, std::int64_t me) {
  const auto* box = call.state.messages.find_box(me);
  return box ? box->pts : MessageBox::kInitialPts;
}

Reply get_state(Call& call, const api::AnyFunction&) {
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  return Reply::of(api::updates::State(state_of(call, *me, current_pts(call, *me))));
}

Reply get_difference(Call& call, const api::AnyFunction& q) {
  auto me = logged_in_user(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::updates::getDifference>();
  auto pts = current_pts(call, *me);
  if (req.pts == 0) return Reply::fail(400, "PERSISTENT_TIMESTAMP_EMPTY");
  // NOTE: a pts this server never gave (negative, or ahead of the account's) is refused rather
  // than silently treated as current, so a client bug shows.
  if (req.pts < 0 || req.pts > pts) return Reply::fail(400, "PERSISTENT_TIMESTAMP_INVALID");
  using Difference = api::updates::Difference;
  if (req.pts_total_limit && *req.pts_total_limit > 0 && std::int64_t{req.pts} + *req.pts_total_limit < pts) {
    return Reply::of(Difference(api::updates::differenceTooLong{.pts = pts}));
  }
  auto limit = req.pts_limit && *req.pts_limit > 0 ? std::min(*req.pts_limit, kDifferenceSlice) : kDifferenceSlice;
  auto found = call.state.messages.difference(*me, req.pts, limit);
  if (found.too_long) return Reply::of(Difference(api::updates::differenceTooLong{.pts = pts}));
  if (found.updates.empty()) return Reply::of(Difference(api::updates::differenceEmpty{.date = date_of(call), .seq = 0}));

  std::vector<api::Message> new_messages;
  std::vector<api::Update> other_updates;
  std::set<std::int64_t> users{*me};
  for (const auto* logged : found.updates) {
    if (const auto* m = logged->update.get_if<api::updateNewMessage>()) new_messages.push_back(m->message);
    else other_updates.push_back(logged->update);
    if (logged->peer != 0) users.insert(logged->peer);
  }
  auto state = state_of(call, *me, found.pts);
  if (found.slice) {
    return Reply::of(Difference(api::updates::differenceSlice{.new_messages = std::move(new_messages),
                                                              .other_updates = std::move(other_updates),
                                                              .users = users_of(call, *me, users),
                                                              .intermediate_state = state}));
  }
  return Reply::of(Difference(api::updates::difference{.new_messages = std::move(new_messages),
                                                       .other_updates = std::move(other_updates),
                                                       .users = users_of(call, *me, users), .state = state}));
}

}  // namespace

void add_updates_handlers(Dispatcher& d) {
  d.add(api::updates::getState::kId, get_state);
  d.add(api::updates::getDifference::kId, get_difference);
}

}  // namespace telepp::server
