#include "telepp/server/sqlite_db.hpp"

#include <sqlite3.h>

namespace telepp::server::sql {
namespace {

Error store_error(sqlite3* db, const std::string& path, const std::string& what) {
  std::string message = db ? sqlite3_errmsg(db) : "out of memory";
  return Error(ErrorDomain::server, kStoreError, path + ": " + what + ": " + message);
}

}  // namespace

Statement::~Statement() { sqlite3_finalize(stmt_); }

// NOTE: bind errors (an index out of range, out of memory) come back from the next step.
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind_blob(int index, ByteView value) {
  // An empty blob is still a blob (not NULL): SQLite needs a non-null pointer for that.
  static const Byte kEmpty = 0;
  sqlite3_bind_blob64(stmt_, index, value.empty() ? &kEmpty : value.data(), value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    reset();
    return false;
  }
  auto e = store_error(db_, path_, std::string("running ") + sqlite3_sql(stmt_));
  reset();
  return fail(std::move(e));
}

Status Statement::run() {
  auto row = step();
  if (!row) return fail(row.take_error());
  if (*row) reset();  // a statement run for its effect: rows are not expected
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

Bytes Statement::blob(int column) const {
  const auto* p = static_cast<const Byte*>(sqlite3_column_blob(stmt_, column));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return p ? Bytes(p, p + n) : Bytes();
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto e = store_error(db, path, "cannot open");
    sqlite3_close(db);
    return fail(std::move(e));
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() { sqlite3_close(db_); }

Status Database::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string text = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return fail(Error(ErrorDomain::server, kStoreError, path_ + ": " + text));
}

Result<std::unique_ptr<Statement>> Database::prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return fail(error("preparing " + sql));
  }
  return std::make_unique<Statement>(db_, stmt, path_);
}

Error Database::error(const std::string& what) const { return store_error(db_, path_, what); }

}  // namespace telepp::server::sql
