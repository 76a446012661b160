#pragma once
/// \file The auth keys one DC knows, what was learnt with each (initConnection's client info,
/// the logged-in account, temp→perm bindings), and each key's sessions.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "telepp/base/entropy.hpp"
#include "telepp/base/time.hpp"
#include "telepp/mtproto/auth_key.hpp"
#include "telepp/mtproto/server/server_salts.hpp"
#include "telepp/mtproto/server_session.hpp"

namespace telepp::server {

/// initConnection's fields as a client sent them, plus the layer it wrapped them in.
struct ClientInfo {
  int layer = 0;
  std::int32_t api_id = 0;
  std::string device_model, system_version, app_version, system_lang_code, lang_pack, lang_code;
  std::optional<std::string> proxy_address;
  std::optional<std::int32_t> proxy_port;
  std::optional<std::string> params_json;  ///< initConnection.params in the dynamic JSON form (e.g. tz_offset)
  std::int64_t date_created = 0;
  std::int64_t date_active = 0;

  bool operator==(const ClientInfo&) const = default;
};

/// One auth key of this DC.
struct AuthRecord {
  mtproto::AuthKey key;
  bool temporary = false;
  std::int64_t expires_at = 0;                  ///< temporary keys (server Unix seconds)
  std::optional<std::uint64_t> bound_perm_id;   ///< temporary keys after auth.bindTempAuthKey
  std::optional<ClientInfo> client;             ///< saved by invokeWithLayer(initConnection(...))
  std::optional<std::int64_t> user_id;          ///< the logged-in account (permanent keys)
  /// The account whose login code was accepted and which now waits for auth.checkPassword (2FA).
  std::optional<std::int64_t> password_pending_user;
  std::unique_ptr<mtproto::ServerSalts> salts;
  std::map<std::uint64_t, std::unique_ptr<mtproto::ServerSession>> sessions;
};

/// The keys of one DC, by auth_key_id. Single-threaded (the server's event loop).
class AuthKeys {
 public:
  explicit AuthKeys(Entropy& entropy) : entropy_(entropy) {}

  /// The key `id`, or nullptr. Marks it touched (the caller may change what was learnt with it).
  AuthRecord* find(std::uint64_t id);
  bool contains(std::uint64_t id) const { return keys_.count(id) != 0; }
  AuthRecord& add(const mtproto::AuthKey& key, bool temporary, std::int64_t expires_at);
  /// The session `session_id` of `record`, created on first use.
  mtproto::ServerSession& session(AuthRecord& record, std::uint64_t session_id);
  /// The permanent key that carries `record`'s authorisation: itself, or the key a temporary key
  /// is bound to; nullptr for an unbound temporary key.
  AuthRecord* permanent_of(AuthRecord& record);
  std::size_t size() const { return keys_.size(); }
  /// Every key, by auth_key_id (account.getAuthorizations walks them). Marks every key touched.
  std::map<std::uint64_t, AuthRecord>& records() {
    all_touched_ = true;
    return keys_;
  }
  const std::map<std::uint64_t, AuthRecord>& records() const { return keys_; }

  /// Keys reached for writing since `clear_touched` (lookups, new keys; every key after a
  /// mutable `records()`): the SQLite store compares them with what it wrote last.
  const std::set<std::uint64_t>& touched() const { return touched_; }
  /// Marks `record` touched: the query it carries may change it (a pointer kept across queries
  /// is not marked again by `find`).
  void touch(const AuthRecord& record) { touched_.insert(record.key.id()); }
  bool all_touched() const { return all_touched_; }
  void clear_touched() {
    touched_.clear();
    all_touched_ = false;
  }

 private:
  Entropy& entropy_;
  std::map<std::uint64_t, AuthRecord> keys_;
  std::set<std::uint64_t> touched_;
  bool all_touched_ = false;
};

}  // namespace telepp::server
