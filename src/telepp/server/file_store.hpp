#pragma once
/// \file Files on the test server: uploads in progress (upload.saveFilePart,
/// upload.saveBigFilePart) and the documents made from them. Plain records keyed by ids, so a
/// SQLite store can persist them later. The rules are Telegram's
/// (https://core.telegram.org/api/files); the memory caps are the test server's own.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "telepp/base/error.hpp"

namespace telepp::server {

/// Telegram's upload rules, and the caps that keep a test server's memory bounded.
struct FileLimits {
  std::size_t max_part_size = 512 * 1024;              ///< a part is at most 512 KiB
  int max_parts = 4000;                                 ///< upload_max_fileparts_default
  std::size_t max_small_file = 10 * 1024 * 1024;        ///< saveFilePart files; bigger ones use saveBigFilePart
  // The test server's own caps (Telegram has other means): each gets a clear error naming it.
  std::size_t upload_bytes_per_account = 64 * 1024 * 1024;  ///< parts held for uploads in progress
  std::size_t uploads_per_account = 64;                     ///< uploads in progress at once
  std::size_t document_bytes = 512 * 1024 * 1024;           ///< all documents together
  std::int64_t upload_ttl_seconds = 3600;  ///< an untouched upload's parts are dropped (Telegram: minutes to hours)
};

/// One upload in progress: the parts one account saved under one file_id.
struct UploadRecord {
  std::int64_t owner = 0;    ///< the uploading account
  std::int64_t file_id = 0;  ///< the client's random id for the file
  int dc = 1;                ///< the DC that received the first part (the document's dc_id)
  bool big = false;          ///< saveBigFilePart
  int total_parts = 0;       ///< big files: file_total_parts
  std::size_t part_size = 0; ///< big files: the size of every part but the last (0: not known yet)
  std::map<int, std::string> parts{};  ///< by file_part
  std::size_t bytes = 0;             ///< the sum of the parts' sizes
  std::int64_t touched = 0;          ///< Unix seconds of the last part saved
};

/// A finished document, as messageMediaDocument shows it, with its content.
struct DocumentRecord {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::string file_reference{};  ///< what upload.getFile must be given back
  int dc_id = 1;               ///< where the file is stored: other DCs answer FILE_MIGRATE_X
  std::string mime_type{};
  std::string attributes{};      ///< the boxed Vector<DocumentAttribute>, as TL bytes
  std::int32_t date = 0;       ///< Unix seconds
  std::int64_t uploader = 0;   ///< the account that sent it first
  std::string bytes{};           ///< the content (TL bytes are std::string)
};

/// How an InputFile names a finished upload.
struct InputFileRef {
  std::int64_t owner = 0;
  std::int64_t file_id = 0;
  int parts = 0;
  bool big = false;  ///< inputFileBig
};

/// Uploads in progress and documents. Single-threaded (the server's event loop).
class FileStore {
 public:
  explicit FileStore(FileLimits limits = {}) : limits_(limits) {}

  /// Saves part `part` of `owner`'s upload `file_id`, received on `dc`; `total_parts` is set for
  /// saveBigFilePart. Saving a part again replaces it. Errors (code 400): FILE_PART_INVALID,
  /// FILE_PARTS_INVALID, FILE_PART_EMPTY, FILE_PART_TOO_BIG, and for big files
  /// FILE_PART_SIZE_INVALID, FILE_PART_SIZE_CHANGED; the caps' errors.
  std::optional<RpcErrorInfo> save_part(std::int64_t owner, std::int64_t file_id, int part,
                                        std::optional<int> total_parts, std::string bytes, int dc, std::int64_t now);

  /// The content of the finished upload `ref` names (it stays stored: see drop_upload), and the
  /// DC it was uploaded to. Errors (400): FILE_PARTS_INVALID, INPUT_FILE_INVALID (saved with the
  /// other method), FILE_PART_<n>_MISSING, FILE_PART_LENGTH_INVALID (small files' part sizes).
  std::variant<std::pair<std::string, int>, RpcErrorInfo> assemble(const InputFileRef& ref) const;
  /// Forgets an upload (once a document was made from it).
  void drop_upload(std::int64_t owner, std::int64_t file_id);

  /// Stores `doc`, assigning its id, access_hash and file_reference. Error: the documents cap.
  std::variant<const DocumentRecord*, RpcErrorInfo> add_document(DocumentRecord doc);
  const DocumentRecord* document(std::int64_t id) const;

  /// Documents added since `clear_changes` (the SQLite store writes each once; they never change).
  const std::set<std::int64_t>& added_documents() const { return added_; }
  void clear_changes() { added_.clear(); }
  /// Puts back a document read from the SQLite store (marks nothing).
  void restore_document(DocumentRecord doc);
  /// The counter document ids are made from: persisted so ids never repeat after a restart.
  std::uint64_t document_counter() const { return next_document_; }
  void restore_document_counter(std::uint64_t next) { next_document_ = next; }

  /// Bytes held for `owner`'s uploads in progress.
  std::size_t upload_bytes(std::int64_t owner) const;
  const FileLimits& limits() const { return limits_; }

 private:
  using Key = std::pair<std::int64_t, std::int64_t>;  // (owner, file_id)

  std::optional<RpcErrorInfo> check_big_part(const UploadRecord& u, int part, std::size_t size) const;
  void expire(std::int64_t owner, std::int64_t now);
  std::optional<RpcErrorInfo> check_caps(std::int64_t owner, bool new_upload, std::size_t adding) const;
  std::optional<RpcErrorInfo> check_small_sizes(const UploadRecord& u, int parts) const;

  FileLimits limits_;
  std::map<Key, UploadRecord> uploads_;
  std::map<std::int64_t, DocumentRecord> documents_;
  std::size_t document_bytes_ = 0;
  std::uint64_t next_document_ = 1;
  std::set<std::int64_t> added_;
};

}  // namespace telepp::server
