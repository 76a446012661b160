// upload.*: saving file parts and downloading documents, with Telegram's rules
// (https://core.telegram.org/api/files).
#include "telepp/server/dispatcher.hpp"

namespace telepp::server {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

std::optional<std::int64_t> account(const Call& call) {
  if (!call.permanent) return std::nullopt;
  return call.permanent->user_id;
}

Reply saved(const Call& call, std::int64_t file_id, int part, std::optional<int> total, std::string bytes) {
  auto me = account(call);
  if (!me) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  auto error = call.state.files.save_part(*me, file_id, part, total, std::move(bytes), call.dc, unix_seconds(call.now));
  if (error) return Reply{{}, error};
  return Reply::of(true);
}

Reply save_file_part(Call& call, const api::AnyFunction& q) {
  auto req = q.as<api::upload::saveFilePart>();
  return saved(call, req.file_id, req.file_part, std::nullopt, std::move(req.bytes));
}

Reply save_big_file_part(Call& call, const api::AnyFunction& q) {
  auto req = q.as<api::upload::saveBigFilePart>();
  return saved(call, req.file_id, req.file_part, req.file_total_parts, std::move(req.bytes));
}

// The window rules. Without `precise`: offset and limit divisible by 4 KiB, 1 MiB divisible by
// limit; with it: both divisible by 1 KiB, limit at most 1 MiB. Either way the window stays inside
// one 1 MiB chunk. NOTE: a window crossing a chunk boundary is LIMIT_INVALID here (Telegram
// documents the rule, not which of its two errors it gives).
std::optional<Reply> check_window(const api::upload::getFile& req) {
  std::int64_t unit = req.precise ? 1024 : 4096;
  std::int64_t limit = req.limit;
  if (limit <= 0 || limit % unit != 0 || limit > kMiB) return Reply::fail(400, "LIMIT_INVALID");
  if (!req.precise && kMiB % limit != 0) return Reply::fail(400, "LIMIT_INVALID");
  if (req.offset < 0 || req.offset % unit != 0) return Reply::fail(400, "OFFSET_INVALID");
  if (req.offset / kMiB != (req.offset + limit - 1) / kMiB) return Reply::fail(400, "LIMIT_INVALID");
  return std::nullopt;
}

// storage.FileType of a whole file, from its MIME type.
api::storage::FileType file_type(const std::string& mime) {
  if (mime == "image/jpeg") return api::storage::fileJpeg{};
  if (mime == "image/gif") return api::storage::fileGif{};
  if (mime == "image/png") return api::storage::filePng{};
  if (mime == "image/webp") return api::storage::fileWebp{};
  if (mime == "application/pdf") return api::storage::filePdf{};
  if (mime == "audio/mpeg") return api::storage::fileMp3{};
  if (mime == "video/quicktime") return api::storage::fileMov{};
  if (mime == "video/mp4") return api::storage::fileMp4{};
  return api::storage::fileUnknown{};
}

// The document a location names, or the error to answer.
std::variant<const DocumentRecord*, Reply> locate(const Call& call, const api::InputFileLocation& location) {
  const auto* in = location.get_if<api::inputDocumentFileLocation>();
  // NOTE: photos, profile photos, stickers sets etc. are not stored by the test server.
  if (!in) return Reply::fail(400, "LOCATION_INVALID");
  const auto* doc = call.state.files.document(in->id);
  if (!doc || doc->access_hash != in->access_hash) return Reply::fail(400, "FILE_ID_INVALID");
  // Files live on one DC, as on Telegram: the client must download from there.
  if (doc->dc_id != call.dc) return Reply::fail(303, "FILE_MIGRATE_" + std::to_string(doc->dc_id));
  if (in->file_reference.empty()) return Reply::fail(400, "FILE_REFERENCE_EMPTY");
  // NOTE: any reference but the current one is stale to the server; EXPIRED makes clients
  // refetch the message that carries the document, which is the behaviour to test against.
  if (in->file_reference != doc->file_reference) return Reply::fail(400, "FILE_REFERENCE_EXPIRED");
  if (!in->thumb_size.empty()) return Reply::fail(400, "LOCATION_INVALID");  // documents have no thumbnails here
  return doc;
}

Reply get_file(Call& call, const api::AnyFunction& q) {
  if (!account(call)) return Reply::fail(401, "AUTH_KEY_UNREGISTERED");
  const auto& req = q.as<api::upload::getFile>();
  if (auto bad = check_window(req)) return *bad;
  auto found = locate(call, req.location);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  const auto& doc = *std::get<const DocumentRecord*>(found);

  auto size = static_cast<std::int64_t>(doc.bytes.size());
  api::upload::file out{.type = api::storage::filePartial{}, .mtime = doc.date};
  // NOTE: at or past the end the answer is empty bytes: that is how clients learn the file ended.
  if (req.offset < size) out.bytes = doc.bytes.substr(static_cast<std::size_t>(req.offset), static_cast<std::size_t>(req.limit));
  // NOTE: the file's own type when the window holds all of it; storage.filePartial for a piece.
  if (req.offset == 0 && size <= req.limit) out.type = file_type(doc.mime_type);
  return Reply::of(out);
}

}  // namespace

void add_upload_handlers(Dispatcher& d) {
  d.add(api::upload::saveFilePart::kId, save_file_part);
  d.add(api::upload::saveBigFilePart::kId, save_big_file_part);
  d.add(api::upload::getFile::kId, get_file);
}

}  // namespace telepp::server
