#pragma once
/// \file The test server's world: accounts (users and bots) and who is logged in where.
/// In memory for now; `--data DIR` persistence comes with the SQLite store.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace telepp::server {

/// One account.
struct UserRecord {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  bool bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string phone;
  int home_dc = 1;
  std::string bot_token_secret;  ///< the part after `<id>:` of the bot's token
};

/// All accounts, by id. Single-threaded (the server's event loop).
class State {
 public:
  const UserRecord* find(std::int64_t id) const;
  UserRecord* find(std::int64_t id);
  /// Creates a bot homed on `dc`, or returns the existing one.
  UserRecord& bot(std::int64_t id, const std::string& secret, int dc);
  const std::map<std::int64_t, UserRecord>& users() const { return users_; }

 private:
  std::map<std::int64_t, UserRecord> users_;
};

}  // namespace telepp::server
