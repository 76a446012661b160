#pragma once
/// \file The test server's state in SQLite (`telepp serve --data DIR`): DIR/telepp.sqlite, WAL
/// mode, held exclusively by one server. Write-through: after each query the records the stores
/// marked (state.hpp, account_store.hpp, message_store.hpp, file_store.hpp, auth_keys.hpp) are
/// compared with what was written last and the changed ones written in one transaction, before
/// the answer goes out. At start `load` rebuilds State and every DC's AuthKeys.
///
/// Kept: accounts, 2FA passwords and offered salts, every DC's auth keys with what was learnt
/// with them, message boxes (messages, dialogs' read state, pts, update log, used random_ids),
/// documents and the id counters. Not kept: salts, sessions and their answered-query caches,
/// uploads in progress, login codes, SRP challenges, exported authorisations (all short-lived).
/// docs/server.md, "Persistence", describes the schema.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "telepp/base/result.hpp"
#include "telepp/server/auth_keys.hpp"
#include "telepp/server/state.hpp"

namespace telepp::server {

namespace sql {
class Database;
class Statement;
}  // namespace sql

/// One DC's keys, as the store sees them.
struct DcKeys {
  int dc = 1;
  AuthKeys* keys = nullptr;
};

class Persistence {
 public:
  /// The layout this build writes; a database with a higher version is refused.
  static constexpr std::int64_t kSchemaVersion = 1;
  /// The database's file name under the data folder.
  static constexpr const char* kFileName = "telepp.sqlite";

  /// Opens (creating) `dir`/telepp.sqlite and its tables. Errors (ErrorDomain::server, code 4),
  /// each naming the file: not a database or corrupt, a newer schema version, bodies written at
  /// another TL layer, in use by another server.
  static Result<std::unique_ptr<Persistence>> open(const std::string& dir);
  ~Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  /// Rebuilds `state` and the keys of `dcs` (keys of DCs not in `dcs` stay in the file, unused)
  /// and clears every change mark. Errors: unreadable rows (named).
  Status load(State& state, const std::vector<DcKeys>& dcs);
  /// Writes the changed records in one transaction and clears the marks; on an error nothing is
  /// written and the marks stay (the next flush tries again). `at_stop`: also every key whose
  /// date_active moved (it moves on every query, so it is otherwise written only along with a
  /// real change to its key).
  Status flush(State& state, const std::vector<DcKeys>& dcs, bool at_stop = false);

  /// Clears every change mark of `state` and `dcs` (a server without a store calls it after each
  /// query, so the marks do not pile up).
  static void clear_marks(State& state, const std::vector<DcKeys>& dcs);

  /// Rows written by the last flush (for tests and the cost figures in docs/server.md).
  std::size_t last_flush_rows() const { return last_rows_; }

 private:
  struct Statements;
  struct Pending;
  struct BoxWritten {
    std::int32_t last_message_id = 0;
    std::int32_t pts = 0;
    std::int32_t log_floor_pts = 0;
    bool operator==(const BoxWritten&) const = default;
  };
  /// What is written of a key besides the key itself, with date_active apart (see flush).
  struct KeyWritten {
    std::optional<std::uint64_t> bound_perm_id;
    std::optional<std::int64_t> user_id;
    std::optional<std::int64_t> password_pending_user;
    std::optional<ClientInfo> client;  ///< date_active zeroed
    std::int64_t date_active = 0;

    static KeyWritten of(const AuthRecord& record);
    bool same_but_activity(const KeyWritten& other) const;
  };
  using KeyRef = std::pair<int, std::uint64_t>;  // (dc, auth_key_id)

  explicit Persistence(std::unique_ptr<sql::Database> db);
  Status prepare_schema();
  Status prepare_statements();

  Status load_users(State& state);
  Status load_passwords(State& state);
  Status load_keys(const std::vector<DcKeys>& dcs);
  Status load_boxes(State& state);
  Status load_box_rows(State& state);
  Status load_documents(State& state);

  Status write_users(State& state, Pending& pending);
  Status write_passwords(State& state, Pending& pending);
  Status write_keys(const std::vector<DcKeys>& dcs, bool at_stop, Pending& pending);
  Status write_key(int dc, std::uint64_t id, const AuthRecord* record, bool at_stop, Pending& pending);
  Status write_messages(State& state, Pending& pending);
  Status write_boxes(State& state, Pending& pending);
  Status write_documents(State& state, Pending& pending);
  Status run_in_transaction(State& state, const std::vector<DcKeys>& dcs, bool at_stop, Pending& pending);

  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<Statements> st_;
  // NOTE: copies of what was written last, compared field by field after each query: most
  // queries reach records for writing without changing them, and comparing is far cheaper than
  // encoding them again (docs/server.md, "Persistence").
  std::map<std::int64_t, UserRecord> users_written_;
  std::map<KeyRef, KeyWritten> keys_written_;
  std::map<std::int64_t, BoxWritten> boxes_written_;
  std::uint64_t document_counter_written_ = 0;
  std::size_t last_rows_ = 0;
};

}  // namespace telepp::server
