#include "telepp/server/account_store.hpp"

namespace telepp::server {

PhoneCodeRecord* AccountStore::code(const std::string& hash, const std::string& phone, std::int64_t now) {
  auto it = codes.find(hash);
  if (it == codes.end() || it->second.phone != phone) return nullptr;
  if (it->second.expires_at <= now) {
    codes.erase(it);
    return nullptr;
  }
  return &it->second;
}

void AccountStore::forget_codes(const std::string& phone) {
  std::erase_if(codes, [&](const auto& entry) { return entry.second.phone == phone; });
}

void AccountStore::forget_challenges(std::int64_t user_id) {
  std::erase_if(challenges, [&](const auto& entry) { return entry.second.user_id == user_id; });
}

void AccountStore::expire(std::int64_t now) {
  std::erase_if(codes, [&](const auto& entry) { return entry.second.expires_at <= now; });
  std::erase_if(exported, [&](const auto& entry) { return entry.second.expires_at <= now; });
}

}  // namespace telepp::server
