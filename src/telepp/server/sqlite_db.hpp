#pragma once
/// \file A thin RAII layer over the SQLite C API for the server's store (persistence.hpp): a
/// connection and prepared statements, errors as `Result` (ErrorDomain::server, code 4) naming
/// the database file and SQLite's message. Single-threaded, like the server's event loop.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace telepp::server::sql {

/// The error code of everything the store reports (ErrorDomain::server).
constexpr int kStoreError = 4;

/// One prepared statement. Bind with 1-based indexes, `step` until it returns false, then the
/// statement is reset (bindings cleared) for the next use.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string path) : db_(db), stmt_(stmt), path_(std::move(path)) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_blob(int index, ByteView value);
  Statement& bind_null(int index);

  /// True when a row is ready (read it with the column getters); false when the statement is
  /// done, after which it is reset for reuse.
  Result<bool> step();
  /// Steps a statement that returns no rows.
  Status run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  Bytes blob(int column) const;
  bool is_null(int column) const;

 private:
  void reset();

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string path_;
};

/// A connection to one database file.
class Database {
 public:
  /// Opens (creating when missing) the database at `path`.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs `sql` (one or more statements, no results).
  Status exec(const std::string& sql);
  /// Prepares `sql` (one statement).
  Result<std::unique_ptr<Statement>> prepare(const std::string& sql);
  const std::string& path() const { return path_; }
  /// An error naming the file, `what` was being done and SQLite's last message.
  Error error(const std::string& what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

}  // namespace telepp::server::sql
