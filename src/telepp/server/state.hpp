#pragma once
/// \file The test server's world: accounts (users and bots) and who is logged in where.
/// In memory; with `--data DIR` the SQLite store (persistence.hpp) writes what changed after
/// each query and rebuilds it at start.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "telepp/server/account_store.hpp"
#include "telepp/server/file_store.hpp"
#include "telepp/server/message_store.hpp"

namespace telepp::server {

/// One account.
struct UserRecord {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  bool bot = false;
  std::string first_name;
  std::string last_name;
  std::string username;
  std::string phone;  ///< digits only
  std::string about;
  int home_dc = 1;
  std::string bot_token_secret;  ///< the part after `<id>:` of the bot's token

  bool operator==(const UserRecord&) const = default;
};

/// All accounts, by id. Single-threaded (the server's event loop).
class State {
 public:
  const UserRecord* find(std::int64_t id) const;
  UserRecord* find(std::int64_t id);
  /// Creates a bot homed on `dc`, or returns the existing one.
  UserRecord& bot(std::int64_t id, const std::string& secret, int dc);
  const std::map<std::int64_t, UserRecord>& users() const { return users_; }
  /// The user registered with `phone` (digits only), or nullptr.
  UserRecord* find_by_phone(const std::string& phone);
  /// The account whose username is `username` (case-insensitive), or nullptr.
  UserRecord* find_by_username(const std::string& username);
  /// Registers a user with a new id, homed on `dc`.
  UserRecord& add_user(const std::string& phone, const std::string& first_name, const std::string& last_name, int dc);
  /// Puts back an account read from the SQLite store (marks nothing).
  void restore(UserRecord user);
  /// Accounts reached for writing (non-const lookups, new accounts) since `clear_touched`: the
  /// SQLite store compares them with what it wrote last and writes those that differ.
  const std::set<std::int64_t>& touched_users() const { return touched_users_; }
  void clear_touched() { touched_users_.clear(); }

  AccountStore accounts;  ///< login codes, 2FA passwords, exported authorisations (account_store.hpp)
  MessageStore messages;  ///< private chats and per-account pts (message_store.hpp)
  FileStore files;        ///< uploads in progress and documents (file_store.hpp)

 private:
  UserRecord* touch(UserRecord* user);

  std::map<std::int64_t, UserRecord> users_;
  std::set<std::int64_t> touched_users_;
};

}  // namespace telepp::server
