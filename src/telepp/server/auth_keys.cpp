#include "telepp/server/auth_keys.hpp"

namespace telepp::server {

AuthRecord* AuthKeys::find(std::uint64_t id) {
  auto it = keys_.find(id);
  if (it == keys_.end()) return nullptr;
  touched_.insert(id);
  return &it->second;
}

AuthRecord& AuthKeys::add(const mtproto::AuthKey& key, bool temporary, std::int64_t expires_at) {
  auto& r = keys_[key.id()];
  touched_.insert(key.id());
  r.key = key;
  r.temporary = temporary;
  r.expires_at = expires_at;
  if (!r.salts) r.salts = std::make_unique<mtproto::ServerSalts>(entropy_);
  return r;
}

mtproto::ServerSession& AuthKeys::session(AuthRecord& record, std::uint64_t session_id) {
  auto& slot = record.sessions[session_id];
  if (!slot) {
    mtproto::ServerSessionConfig config;
    config.tolerate_odd_acks = true;  // NOTE: as Telegram does; mtcute 0.30 sends odd-seq_no acks
    slot = std::make_unique<mtproto::ServerSession>(record.key, session_id, *record.salts, entropy_, config);
  }
  return *slot;
}

AuthRecord* AuthKeys::permanent_of(AuthRecord& record) {
  if (!record.temporary) return &record;
  if (!record.bound_perm_id) return nullptr;
  return find(*record.bound_perm_id);
}

}  // namespace telepp::server
