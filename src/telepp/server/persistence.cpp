#include "telepp/server/persistence.hpp"

#include <filesystem>
#include <iterator>
#include <limits>
#include <utility>

#include "telepp/server/persisted_rows.hpp"
#include "telepp/server/sqlite_db.hpp"

namespace telepp::server {
namespace {

Error store_error(std::string text) { return Error(ErrorDomain::server, sql::kStoreError, std::move(text)); }

// Version 1. Keys and ids are typed columns; bodies are JSON (the server's own records) or TL
// bytes at the layer in meta.tl_layer (messages, logged updates, document attributes).
constexpr const char* kSchema = R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE users(id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE passwords(user_id INTEGER PRIMARY KEY, salt1 BLOB NOT NULL, salt2 BLOB NOT NULL,
                       verifier BLOB NOT NULL, hint TEXT NOT NULL);
CREATE TABLE password_salts(user_id INTEGER PRIMARY KEY, salt1_prefix BLOB NOT NULL, salt2 BLOB NOT NULL);
CREATE TABLE auth_keys(dc INTEGER NOT NULL, key_id INTEGER NOT NULL, auth_key BLOB NOT NULL,
                       temporary INTEGER NOT NULL, expires_at INTEGER NOT NULL, date_active INTEGER NOT NULL,
                       body TEXT NOT NULL, PRIMARY KEY(dc, key_id)) WITHOUT ROWID;
CREATE TABLE boxes(owner INTEGER PRIMARY KEY, last_message_id INTEGER NOT NULL, pts INTEGER NOT NULL,
                   log_floor_pts INTEGER NOT NULL);
CREATE TABLE messages(owner INTEGER NOT NULL, id INTEGER NOT NULL, peer_copy_id INTEGER NOT NULL,
                      body BLOB NOT NULL, PRIMARY KEY(owner, id)) WITHOUT ROWID;
CREATE TABLE dialogs(owner INTEGER NOT NULL, peer INTEGER NOT NULL, read_inbox_max_id INTEGER NOT NULL,
                     read_outbox_max_id INTEGER NOT NULL, PRIMARY KEY(owner, peer)) WITHOUT ROWID;
CREATE TABLE updates(owner INTEGER NOT NULL, pts INTEGER NOT NULL, pts_count INTEGER NOT NULL,
                     date INTEGER NOT NULL, peer INTEGER NOT NULL, body BLOB NOT NULL,
                     PRIMARY KEY(owner, pts)) WITHOUT ROWID;
CREATE TABLE random_ids(owner INTEGER NOT NULL, random_id INTEGER NOT NULL, message_id INTEGER NOT NULL,
                        PRIMARY KEY(owner, random_id)) WITHOUT ROWID;
CREATE TABLE documents(id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL, file_reference BLOB NOT NULL,
                       dc_id INTEGER NOT NULL, mime_type TEXT NOT NULL, attributes BLOB NOT NULL,
                       date INTEGER NOT NULL, uploader INTEGER NOT NULL, bytes BLOB NOT NULL);
)sql";

std::int64_t as_column(std::uint64_t v) { return static_cast<std::int64_t>(v); }
ByteView blob(const std::string& s) { return as_bytes(s); }

}  // namespace

struct Persistence::Statements {
  std::unique_ptr<sql::Statement> begin, commit, rollback, put_meta;
  std::unique_ptr<sql::Statement> put_user, put_password, delete_password, put_salts, delete_salts;
  std::unique_ptr<sql::Statement> put_key, delete_key;
  std::unique_ptr<sql::Statement> put_box, put_update, trim_updates, put_message, delete_message;
  std::unique_ptr<sql::Statement> put_dialog, delete_dialog, put_random_id, put_document;
};

/// What a flush wrote, applied to the "written last" caches once the transaction committed.
struct Persistence::Pending {
  std::vector<UserRecord> users;
  std::vector<std::pair<KeyRef, std::optional<KeyWritten>>> keys;  // nullopt: deleted
  std::vector<std::pair<std::int64_t, BoxWritten>> boxes;
  std::optional<std::uint64_t> document_counter;
  std::size_t rows = 0;
  bool in_transaction = false;
};

Persistence::KeyWritten Persistence::KeyWritten::of(const AuthRecord& r) {
  KeyWritten out{r.bound_perm_id, r.user_id, r.password_pending_user, r.client, 0};
  if (out.client) out.date_active = std::exchange(out.client->date_active, 0);
  return out;
}

bool Persistence::KeyWritten::same_but_activity(const KeyWritten& o) const {
  return bound_perm_id == o.bound_perm_id && user_id == o.user_id && password_pending_user == o.password_pending_user &&
         client == o.client;
}

Persistence::Persistence(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}
Persistence::~Persistence() = default;

Result<std::unique_ptr<Persistence>> Persistence::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(store_error("cannot create the data folder " + dir + ": " + ec.message()));
  auto db = sql::Database::open((std::filesystem::path(dir) / kFileName).string());
  if (!db) return fail(db.take_error());
  std::unique_ptr<Persistence> p(new Persistence(std::move(*db)));
  TELEPP_TRY(p->prepare_schema());
  TELEPP_TRY(p->prepare_statements());
  return p;
}

Status Persistence::prepare_schema() {
  // NOTE: EXCLUSIVE keeps the file locked from the first write on, so a second server on the
  // same folder fails at start instead of interleaving its writes. synchronous=NORMAL in WAL
  // mode: a committed flush survives the process being killed; not necessarily a power loss.
  auto opened = db_->exec("PRAGMA busy_timeout=0; PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE;");
  if (!opened) {
    return fail(store_error("not a usable telepp state database (corrupt, not SQLite, or in use by another server): " +
                            opened.error().detail));
  }
  auto checked = [&]() -> Status {
    auto count = db_->prepare("SELECT count(*), count(*) FILTER (WHERE name = 'meta') FROM sqlite_master WHERE type = 'table'");
    if (!count) return fail(count.take_error());
    TELEPP_TRY((*count)->step());
    auto tables = (*count)->int64(0);
    bool has_meta = (*count)->int64(1) != 0;
    TELEPP_TRY((*count)->step());
    if (tables == 0) {
      TELEPP_TRY(db_->exec(kSchema));
      return db_->exec("INSERT INTO meta VALUES ('schema_version', " + std::to_string(kSchemaVersion) + "), ('tl_layer', " +
                       std::to_string(api::kLayer) + "), ('next_document', 1)");
    }
    if (!has_meta) return fail(store_error(db_->path() + ": not a telepp state database (it has other tables)"));
    auto read = db_->prepare("SELECT (SELECT value FROM meta WHERE name = 'schema_version'), "
                             "(SELECT value FROM meta WHERE name = 'tl_layer')");
    if (!read) return fail(read.take_error());
    TELEPP_TRY((*read)->step());
    auto version = (*read)->int64(0);
    auto layer = (*read)->int64(1);
    TELEPP_TRY((*read)->step());
    if (version > kSchemaVersion) {
      return fail(store_error(db_->path() + ": schema version " + std::to_string(version) + " is newer than this telepp's (" +
                              std::to_string(kSchemaVersion) + "): run a newer telepp on it, or use another --data folder"));
    }
    if (version != kSchemaVersion) {
      return fail(store_error(db_->path() + ": unknown schema version " + std::to_string(version)));
    }
    if (layer != api::kLayer) {
      return fail(store_error(db_->path() + ": its messages are TL at layer " + std::to_string(layer) + ", this telepp's is " +
                              std::to_string(api::kLayer) + ": use another --data folder"));
    }
    return {};
  }();
  if (!checked) {
    (void)db_->exec("ROLLBACK");
    return checked;
  }
  return db_->exec("COMMIT");
}

Status Persistence::prepare_statements() {
  st_ = std::make_unique<Statements>();
  auto prepare = [&](std::unique_ptr<sql::Statement>& slot, const char* text) -> Status {
    auto s = db_->prepare(text);
    if (!s) return fail(s.take_error());
    slot = std::move(*s);
    return {};
  };
  TELEPP_TRY(prepare(st_->begin, "BEGIN"));
  TELEPP_TRY(prepare(st_->commit, "COMMIT"));
  TELEPP_TRY(prepare(st_->rollback, "ROLLBACK"));
  TELEPP_TRY(prepare(st_->put_meta, "INSERT OR REPLACE INTO meta VALUES (?, ?)"));
  TELEPP_TRY(prepare(st_->put_user, "INSERT OR REPLACE INTO users VALUES (?, ?)"));
  TELEPP_TRY(prepare(st_->put_password, "INSERT OR REPLACE INTO passwords VALUES (?, ?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->delete_password, "DELETE FROM passwords WHERE user_id = ?"));
  TELEPP_TRY(prepare(st_->put_salts, "INSERT OR REPLACE INTO password_salts VALUES (?, ?, ?)"));
  TELEPP_TRY(prepare(st_->delete_salts, "DELETE FROM password_salts WHERE user_id = ?"));
  TELEPP_TRY(prepare(st_->put_key, "INSERT OR REPLACE INTO auth_keys VALUES (?, ?, ?, ?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->delete_key, "DELETE FROM auth_keys WHERE dc = ? AND key_id = ?"));
  TELEPP_TRY(prepare(st_->put_box, "INSERT OR REPLACE INTO boxes VALUES (?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->put_update, "INSERT OR REPLACE INTO updates VALUES (?, ?, ?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->trim_updates, "DELETE FROM updates WHERE owner = ? AND pts <= ?"));
  TELEPP_TRY(prepare(st_->put_message, "INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->delete_message, "DELETE FROM messages WHERE owner = ? AND id = ?"));
  TELEPP_TRY(prepare(st_->put_dialog, "INSERT OR REPLACE INTO dialogs VALUES (?, ?, ?, ?)"));
  TELEPP_TRY(prepare(st_->delete_dialog, "DELETE FROM dialogs WHERE owner = ? AND peer = ?"));
  TELEPP_TRY(prepare(st_->put_random_id, "INSERT OR REPLACE INTO random_ids VALUES (?, ?, ?)"));
  TELEPP_TRY(prepare(st_->put_document, "INSERT OR IGNORE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return {};
}

// ---- flush ------------------------------------------------------------------------------

namespace {

// Runs one bound write, opening the flush's transaction on the first one: a query that changed
// nothing costs no transaction at all.
Status write_row(sql::Statement& begin, sql::Statement& s, bool& in_transaction, std::size_t& rows) {
  if (!in_transaction) {
    TELEPP_TRY(begin.run());
    in_transaction = true;
  }
  ++rows;
  return s.run();
}

}  // namespace

#define TELEPP_WRITE(stmt) TELEPP_TRY(write_row(*st_->begin, (stmt), pending.in_transaction, pending.rows))

Status Persistence::flush(State& state, const std::vector<DcKeys>& dcs, bool at_stop) {
  Pending pending;
  auto written = run_in_transaction(state, dcs, at_stop, pending);
  if (written && pending.in_transaction) written = st_->commit->run();
  if (!written) {
    if (pending.in_transaction) (void)st_->rollback->run();
    return written;
  }
  for (auto& user : pending.users) {
    auto id = user.id;
    users_written_[id] = std::move(user);
  }
  for (auto& [ref, key] : pending.keys) {
    if (key) keys_written_[ref] = std::move(*key);
    else keys_written_.erase(ref);
  }
  for (auto& [owner, box] : pending.boxes) boxes_written_[owner] = box;
  if (pending.document_counter) document_counter_written_ = *pending.document_counter;
  clear_marks(state, dcs);
  last_rows_ = pending.rows;
  return {};
}

void Persistence::clear_marks(State& state, const std::vector<DcKeys>& dcs) {
  state.clear_touched();
  state.accounts.passwords.clear_touched();
  state.accounts.new_salts.clear_touched();
  state.messages.clear_changes();
  state.files.clear_changes();
  for (const auto& d : dcs) d.keys->clear_touched();
}

Status Persistence::run_in_transaction(State& state, const std::vector<DcKeys>& dcs, bool at_stop, Pending& pending) {
  TELEPP_TRY(write_users(state, pending));
  TELEPP_TRY(write_passwords(state, pending));
  TELEPP_TRY(write_keys(dcs, at_stop, pending));
  TELEPP_TRY(write_boxes(state, pending));
  TELEPP_TRY(write_messages(state, pending));
  return write_documents(state, pending);
}

Status Persistence::write_users(State& state, Pending& pending) {
  for (auto id : state.touched_users()) {
    const UserRecord* user = std::as_const(state).find(id);
    if (!user) continue;  // accounts are never deleted
    if (auto it = users_written_.find(id); it != users_written_.end() && it->second == *user) continue;
    TELEPP_WRITE(st_->put_user->bind(1, id).bind_text(2, rows::user_body(*user)));
    pending.users.push_back(*user);
  }
  return {};
}

Status Persistence::write_passwords(State& state, Pending& pending) {
  const auto& passwords = state.accounts.passwords;
  for (auto id : passwords.touched()) {
    auto it = passwords.values().find(id);
    if (it == passwords.values().end()) {
      TELEPP_WRITE(st_->delete_password->bind(1, id));
      continue;
    }
    const auto& p = it->second;
    TELEPP_WRITE(st_->put_password->bind(1, id).bind_blob(2, p.salt1).bind_blob(3, p.salt2).bind_blob(4, p.verifier).bind_text(5, p.hint));
  }
  const auto& salts = state.accounts.new_salts;
  for (auto id : salts.touched()) {
    auto it = salts.values().find(id);
    if (it == salts.values().end()) {
      TELEPP_WRITE(st_->delete_salts->bind(1, id));
      continue;
    }
    TELEPP_WRITE(st_->put_salts->bind(1, id).bind_blob(2, it->second.salt1_prefix).bind_blob(3, it->second.salt2));
  }
  return {};
}

Status Persistence::write_keys(const std::vector<DcKeys>& dcs, bool at_stop, Pending& pending) {
  for (const auto& d : dcs) {
    const auto& records = std::as_const(*d.keys).records();
    if (!d.keys->all_touched() && !at_stop) {
      for (auto id : d.keys->touched()) {
        auto it = records.find(id);
        TELEPP_TRY(write_key(d.dc, id, it == records.end() ? nullptr : &it->second, at_stop, pending));
      }
      continue;
    }
    for (const auto& [id, record] : records) TELEPP_TRY(write_key(d.dc, id, &record, at_stop, pending));
    for (auto it = keys_written_.lower_bound({d.dc, 0}); it != keys_written_.end() && it->first.first == d.dc; ++it) {
      if (!records.count(it->first.second)) TELEPP_TRY(write_key(d.dc, it->first.second, nullptr, at_stop, pending));
    }
  }
  return {};
}

Status Persistence::write_key(int dc, std::uint64_t id, const AuthRecord* record, bool at_stop, Pending& pending) {
  KeyRef ref{dc, id};
  auto it = keys_written_.find(ref);
  if (!record) {
    if (it == keys_written_.end()) return {};
    TELEPP_WRITE(st_->delete_key->bind(1, dc).bind(2, as_column(id)));
    pending.keys.emplace_back(ref, std::nullopt);
    return {};
  }
  auto now = KeyWritten::of(*record);
  if (it != keys_written_.end() && it->second.same_but_activity(now) && (!at_stop || it->second.date_active == now.date_active)) {
    return {};
  }
  TELEPP_WRITE(st_->put_key->bind(1, dc)
                   .bind(2, as_column(id))
                   .bind_blob(3, record->key.bytes().view())
                   .bind(4, record->temporary ? 1 : 0)
                   .bind(5, record->expires_at)
                   .bind(6, now.date_active)
                   .bind_text(7, rows::auth_body(*record)));
  pending.keys.emplace_back(ref, std::move(now));
  return {};
}

// A box's counters, and the updates logged since it was last written (and the log's trimmed start).
Status Persistence::write_boxes(State& state, Pending& pending) {
  for (auto owner : state.messages.changes().boxes) {
    const MessageBox* box = state.messages.find_box(owner);
    if (!box) continue;
    BoxWritten now{box->last_message_id, box->pts, box->log_floor_pts};
    auto it = boxes_written_.find(owner);
    bool known = it != boxes_written_.end();
    if (known && it->second == now) continue;
    TELEPP_WRITE(st_->put_box->bind(1, owner).bind(2, now.last_message_id).bind(3, now.pts).bind(4, now.log_floor_pts));
    std::int32_t written_pts = known ? it->second.pts : std::numeric_limits<std::int32_t>::min();
    auto first_new = box->log.end();
    while (first_new != box->log.begin() && std::prev(first_new)->pts > written_pts) --first_new;
    for (auto l = first_new; l != box->log.end(); ++l) {
      auto body = tl::to_bytes(l->update);
      if (!body) return fail(body.take_error());
      TELEPP_WRITE(st_->put_update->bind(1, owner).bind(2, l->pts).bind(3, l->pts_count).bind(4, l->date).bind(5, l->peer).bind_blob(6, *body));
    }
    if (!known || it->second.log_floor_pts != now.log_floor_pts) {
      TELEPP_WRITE(st_->trim_updates->bind(1, owner).bind(2, now.log_floor_pts));
    }
    pending.boxes.emplace_back(owner, now);
  }
  return {};
}

Status Persistence::write_messages(State& state, Pending& pending) {
  const auto& store = state.messages;
  const auto& changes = store.changes();
  for (auto [owner, id] : changes.messages) {
    const StoredMessage* m = store.find(owner, id);
    if (!m) {
      TELEPP_WRITE(st_->delete_message->bind(1, owner).bind(2, id));
      continue;
    }
    auto body = rows::message_body(*m, owner);
    if (!body) return fail(body.take_error());
    TELEPP_WRITE(st_->put_message->bind(1, owner).bind(2, id).bind(3, m->peer_copy_id).bind_blob(4, *body));
  }
  for (auto [owner, peer] : changes.dialogs) {
    const MessageBox* box = store.find_box(owner);
    const DialogState* dialog = nullptr;
    if (box) {
      if (auto it = box->dialogs.find(peer); it != box->dialogs.end()) dialog = &it->second;
    }
    if (!dialog) {
      TELEPP_WRITE(st_->delete_dialog->bind(1, owner).bind(2, peer));
      continue;
    }
    TELEPP_WRITE(st_->put_dialog->bind(1, owner).bind(2, peer).bind(3, dialog->read_inbox_max_id).bind(4, dialog->read_outbox_max_id));
  }
  for (auto [owner, random_id] : changes.random_ids) {
    const MessageBox* box = store.find_box(owner);
    if (!box) continue;
    auto it = box->random_ids.find(random_id);
    if (it == box->random_ids.end()) continue;
    TELEPP_WRITE(st_->put_random_id->bind(1, owner).bind(2, random_id).bind(3, it->second));
  }
  return {};
}

// Documents never change: each is written once, with its bytes. The id counter goes with them.
Status Persistence::write_documents(State& state, Pending& pending) {
  const auto& files = state.files;
  for (auto id : files.added_documents()) {
    const DocumentRecord* d = files.document(id);
    if (!d) continue;
    TELEPP_WRITE(st_->put_document->bind(1, d->id)
                     .bind(2, d->access_hash)
                     .bind_blob(3, blob(d->file_reference))
                     .bind(4, d->dc_id)
                     .bind_text(5, d->mime_type)
                     .bind_blob(6, blob(d->attributes))
                     .bind(7, d->date)
                     .bind(8, d->uploader)
                     .bind_blob(9, blob(d->bytes)));
  }
  if (files.document_counter() != document_counter_written_) {
    TELEPP_WRITE(st_->put_meta->bind_text(1, "next_document").bind(2, as_column(files.document_counter())));
    pending.document_counter = files.document_counter();
  }
  return {};
}

#undef TELEPP_WRITE

}  // namespace telepp::server
