// Persistence::load: State and every DC's AuthKeys rebuilt from telepp.sqlite at start.
#include <algorithm>

#include "telepp/server/persisted_rows.hpp"
#include "telepp/server/persistence.hpp"
#include "telepp/server/sqlite_db.hpp"

namespace telepp::server {
namespace {

Error corrupt(const std::string& what) {
  return Error(ErrorDomain::server, sql::kStoreError, "corrupt state database: " + what);
}

// Runs `query` and hands each row to `row` (which returns a Status).
template <class Row>
Status each_row(sql::Database& db, const char* query, Row row) {
  auto s = db.prepare(query);
  if (!s) return fail(s.take_error());
  while (true) {
    auto more = (*s)->step();
    if (!more) return fail(more.take_error());
    if (!*more) return {};
    TELEPP_TRY(row(**s));
  }
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }
std::int32_t int32(const sql::Statement& s, int column) { return static_cast<std::int32_t>(s.int64(column)); }

}  // namespace

Status Persistence::load(State& state, const std::vector<DcKeys>& dcs) {
  TELEPP_TRY(load_users(state));
  TELEPP_TRY(load_passwords(state));
  TELEPP_TRY(load_keys(dcs));
  TELEPP_TRY(load_boxes(state));
  TELEPP_TRY(load_documents(state));
  clear_marks(state, dcs);  // what was just read is what is written: nothing to flush
  return {};
}

Status Persistence::load_users(State& state) {
  return each_row(*db_, "SELECT id, body FROM users", [&](const sql::Statement& s) -> Status {
    auto user = rows::user_from_body(s.int64(0), s.text(1));
    if (!user) return fail(user.take_error());
    users_written_[user->id] = *user;
    state.restore(std::move(*user));
    return {};
  });
}

Status Persistence::load_passwords(State& state) {
  TELEPP_TRY(each_row(*db_, "SELECT user_id, salt1, salt2, verifier, hint FROM passwords", [&](const sql::Statement& s) -> Status {
    state.accounts.passwords[s.int64(0)] = PasswordRecord{s.blob(1), s.blob(2), s.blob(3), s.text(4)};
    return {};
  }));
  return each_row(*db_, "SELECT user_id, salt1_prefix, salt2 FROM password_salts", [&](const sql::Statement& s) -> Status {
    state.accounts.new_salts[s.int64(0)] = NewPasswordSalts{s.blob(1), s.blob(2)};
    return {};
  });
}

Status Persistence::load_keys(const std::vector<DcKeys>& dcs) {
  const char* query = "SELECT dc, key_id, auth_key, temporary, expires_at, date_active, body FROM auth_keys";
  return each_row(*db_, query, [&](const sql::Statement& s) -> Status {
    int dc = static_cast<int>(s.int64(0));
    auto id = static_cast<std::uint64_t>(s.int64(1));
    auto target = std::find_if(dcs.begin(), dcs.end(), [&](const DcKeys& d) { return d.dc == dc; });
    if (target == dcs.end()) return {};  // a DC this run does not have: kept in the file, unused
    Bytes bytes = s.blob(2);
    mtproto::AuthKey::Bytes256 raw;
    if (bytes.size() != raw.size()) return fail(corrupt("auth key of " + std::to_string(bytes.size()) + " bytes"));
    std::copy(bytes.begin(), bytes.end(), raw.bytes.begin());
    mtproto::AuthKey key(raw);
    if (key.id() != id) return fail(corrupt("auth key whose id is not its key_id"));
    auto& record = target->keys->add(key, s.int64(3) != 0, s.int64(4));
    TELEPP_TRY(rows::auth_from_body(s.text(6), s.int64(5), record));
    keys_written_[{dc, id}] = KeyWritten::of(record);
    return {};
  });
}

Status Persistence::load_boxes(State& state) {
  auto& store = state.messages;
  TELEPP_TRY(each_row(*db_, "SELECT owner, last_message_id, pts, log_floor_pts FROM boxes", [&](const sql::Statement& s) -> Status {
    auto& box = store.box(s.int64(0));
    box.last_message_id = int32(s, 1);
    box.pts = int32(s, 2);
    box.log_floor_pts = int32(s, 3);
    boxes_written_[box.owner] = BoxWritten{box.last_message_id, box.pts, box.log_floor_pts};
    return {};
  }));
  return load_box_rows(state);
}

// Messages, read states, logged updates and used random_ids of the boxes.
Status Persistence::load_box_rows(State& state) {
  auto& store = state.messages;
  TELEPP_TRY(each_row(*db_, "SELECT owner, id, peer_copy_id, body FROM messages", [&](const sql::Statement& s) -> Status {
    auto m = rows::message_from_body(s.blob(3), int32(s, 2));
    if (!m) return fail(m.take_error());
    if (m->id != int32(s, 1)) return fail(corrupt("message whose id is not its row's"));
    store.box(s.int64(0)).messages[m->id] = std::move(*m);
    return {};
  }));
  const char* dialogs = "SELECT owner, peer, read_inbox_max_id, read_outbox_max_id FROM dialogs";
  TELEPP_TRY(each_row(*db_, dialogs, [&](const sql::Statement& s) -> Status {
    store.box(s.int64(0)).dialogs[s.int64(1)] = DialogState{int32(s, 2), int32(s, 3)};
    return {};
  }));
  const char* updates = "SELECT owner, pts, pts_count, date, peer, body FROM updates ORDER BY owner, pts";
  TELEPP_TRY(each_row(*db_, updates, [&](const sql::Statement& s) -> Status {
    auto update = tl::deserialize<api::Update>(s.blob(5));
    if (!update) return fail(corrupt("logged update: " + update.error().to_string()));
    store.box(s.int64(0)).log.push_back(
        LoggedUpdate{.pts = int32(s, 1), .pts_count = int32(s, 2), .date = int32(s, 3), .peer = s.int64(4), .update = std::move(*update)});
    return {};
  }));
  return each_row(*db_, "SELECT owner, random_id, message_id FROM random_ids", [&](const sql::Statement& s) -> Status {
    store.box(s.int64(0)).random_ids[s.int64(1)] = int32(s, 2);
    return {};
  });
}

Status Persistence::load_documents(State& state) {
  const char* query = "SELECT id, access_hash, file_reference, dc_id, mime_type, attributes, date, uploader, bytes FROM documents";
  TELEPP_TRY(each_row(*db_, query, [&](const sql::Statement& s) -> Status {
    state.files.restore_document(DocumentRecord{.id = s.int64(0),
                                                .access_hash = s.int64(1),
                                                .file_reference = text(s.blob(2)),
                                                .dc_id = static_cast<int>(s.int64(3)),
                                                .mime_type = s.text(4),
                                                .attributes = text(s.blob(5)),
                                                .date = int32(s, 6),
                                                .uploader = s.int64(7),
                                                .bytes = text(s.blob(8))});
    return {};
  }));
  return each_row(*db_, "SELECT value FROM meta WHERE name = 'next_document'", [&](const sql::Statement& s) -> Status {
    document_counter_written_ = static_cast<std::uint64_t>(s.int64(0));
    state.files.restore_document_counter(document_counter_written_);
    return {};
  });
}

}  // namespace telepp::server
