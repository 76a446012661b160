#include "telepp/server/state.hpp"

namespace telepp::server {

const UserRecord* State::find(std::int64_t id) const {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

UserRecord* State::find(std::int64_t id) {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

UserRecord& State::bot(std::int64_t id, const std::string& secret, int dc) {
  auto [it, created] = users_.try_emplace(id);
  if (created) {
    auto& u = it->second;
    u.id = id;
    // A stable access hash derived from the id: clients cache it, tests can predict it.
    u.access_hash = static_cast<std::int64_t>((static_cast<std::uint64_t>(id) * 0x9e3779b97f4a7c15ull) ^ 0x5bd1e995ull);
    u.bot = true;
    u.first_name = "Test bot " + std::to_string(id);
    u.username = "bot" + std::to_string(id) + "_bot";
    u.home_dc = dc;
    u.bot_token_secret = secret;
  }
  return it->second;
}

}  // namespace telepp::server
