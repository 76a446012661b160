#include "telepp/server/state.hpp"

#include <algorithm>
#include <cctype>

namespace telepp::server {
namespace {

// A stable access hash derived from the id: clients cache it, tests can predict it.
std::int64_t derived_access_hash(std::int64_t id) {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(id) * 0x9e3779b97f4a7c15ull) ^ 0x5bd1e995ull);
}

// The first id given to users who sign up (bots keep the id of their token).
constexpr std::int64_t kFirstUserId = 1000000;

bool same_username(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const UserRecord* State::find(std::int64_t id) const {
  auto it = users_.find(id);
  return it == users_.end() ? nullptr : &it->second;
}

UserRecord* State::find(std::int64_t id) {
  auto it = users_.find(id);
  return touch(it == users_.end() ? nullptr : &it->second);
}

UserRecord* State::touch(UserRecord* user) {
  if (user) touched_users_.insert(user->id);
  return user;
}

void State::restore(UserRecord user) {
  auto id = user.id;
  users_[id] = std::move(user);
}

UserRecord& State::bot(std::int64_t id, const std::string& secret, int dc) {
  auto [it, created] = users_.try_emplace(id);
  if (created) {
    auto& u = it->second;
    u.id = id;
    u.access_hash = derived_access_hash(id);
    u.bot = true;
    u.first_name = "Test bot " + std::to_string(id);
    u.username = "bot" + std::to_string(id) + "_bot";
    u.home_dc = dc;
    u.bot_token_secret = secret;
  }
  return *touch(&it->second);
}

UserRecord* State::find_by_phone(const std::string& phone) {
  if (phone.empty()) return nullptr;
  for (auto& [id, u] : users_) {
    if (!u.bot && u.phone == phone) return touch(&u);
  }
  return nullptr;
}

UserRecord* State::find_by_username(const std::string& username) {
  if (username.empty()) return nullptr;
  for (auto& [id, u] : users_) {
    if (same_username(u.username, username)) return touch(&u);
  }
  return nullptr;
}

UserRecord& State::add_user(const std::string& phone, const std::string& first_name, const std::string& last_name, int dc) {
  std::int64_t id = kFirstUserId;
  if (!users_.empty()) id = std::max(id, users_.rbegin()->first + 1);
  auto& u = users_[id];
  u.id = id;
  u.access_hash = derived_access_hash(id);
  u.phone = phone;
  u.first_name = first_name;
  u.last_name = last_name;
  u.home_dc = dc;
  return *touch(&u);
}

}  // namespace telepp::server
