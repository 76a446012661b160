#include "telepp/server/file_store.hpp"

#include <limits>

namespace telepp::server {
namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMaxPartUnit = 512 * kKiB;  // every part size must divide it
constexpr std::int64_t kMinId = std::numeric_limits<std::int64_t>::min();

RpcErrorInfo error(std::string name) { return RpcErrorInfo{400, std::move(name), {}}; }

// part_size % 1024 == 0 and 524288 % part_size == 0: the size of every part but the last.
bool valid_part_size(std::size_t size) { return size > 0 && size % kKiB == 0 && kMaxPartUnit % size == 0; }

// A bijection on 64 bits (xor-shifts and odd multipliers), so distinct inputs give distinct ids.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

std::string mib(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

std::optional<RpcErrorInfo> FileStore::save_part(std::int64_t owner, std::int64_t file_id, int part,
                                                 std::optional<int> total_parts, std::string bytes, int dc,
                                                 std::int64_t now) {
  bool big = total_parts.has_value();
  if (big && (*total_parts < 1 || *total_parts > limits_.max_parts)) return error("FILE_PARTS_INVALID");
  if (part < 0 || part >= (big ? *total_parts : limits_.max_parts)) return error("FILE_PART_INVALID");
  if (bytes.empty()) return error("FILE_PART_EMPTY");
  if (bytes.size() > limits_.max_part_size) return error("FILE_PART_TOO_BIG");

  expire(owner, now);
  Key key{owner, file_id};
  auto it = uploads_.find(key);
  bool fresh = it == uploads_.end();
  UploadRecord start;
  start.owner = owner;
  start.file_id = file_id;
  start.dc = dc;
  start.big = big;
  start.total_parts = total_parts.value_or(0);
  const UploadRecord& current = fresh ? start : it->second;
  // NOTE: one file_id is one upload: the other method, or another part count, contradicts it.
  if (current.big != big || current.total_parts != start.total_parts) return error("FILE_PARTS_INVALID");
  if (big) {
    if (auto e = check_big_part(current, part, bytes.size())) return e;
  }
  auto old = current.parts.find(part);
  std::size_t replaced = old == current.parts.end() ? 0 : old->second.size();
  if (auto e = check_caps(owner, fresh, bytes.size() > replaced ? bytes.size() - replaced : 0)) return e;

  if (fresh) it = uploads_.emplace(key, std::move(start)).first;
  auto& u = it->second;
  if (big && part + 1 < u.total_parts) u.part_size = bytes.size();
  auto& slot = u.parts[part];
  u.bytes = u.bytes - slot.size() + bytes.size();
  slot = std::move(bytes);
  u.touched = now;
  return std::nullopt;
}

// A big file's part: every part but the last has one size, a valid one; the last is no bigger.
std::optional<RpcErrorInfo> FileStore::check_big_part(const UploadRecord& u, int part, std::size_t size) const {
  bool last = part + 1 == u.total_parts;
  if (last) {
    if (u.part_size != 0 && size > u.part_size) return error("FILE_PART_SIZE_CHANGED");
    return std::nullopt;
  }
  if (!valid_part_size(size)) return error("FILE_PART_SIZE_INVALID");
  if (u.part_size != 0 && size != u.part_size) return error("FILE_PART_SIZE_CHANGED");
  // The last part may have come first (clients upload in parallel): it must fit this size.
  if (auto l = u.parts.find(u.total_parts - 1); l != u.parts.end() && l->second.size() > size) {
    return error("FILE_PART_SIZE_CHANGED");
  }
  return std::nullopt;
}

// Drops `owner`'s uploads untouched for longer than the TTL, as Telegram's temporary storage does.
void FileStore::expire(std::int64_t owner, std::int64_t now) {
  for (auto it = uploads_.lower_bound({owner, kMinId}); it != uploads_.end() && it->first.first == owner;) {
    if (it->second.touched + limits_.upload_ttl_seconds < now) it = uploads_.erase(it);
    else ++it;
  }
}

// The test server's caps on `owner`'s uploads in progress, before `adding` more bytes.
std::optional<RpcErrorInfo> FileStore::check_caps(std::int64_t owner, bool new_upload, std::size_t adding) const {
  std::size_t count = 0;
  std::size_t held = 0;
  for (auto it = uploads_.lower_bound({owner, kMinId}); it != uploads_.end() && it->first.first == owner; ++it) {
    ++count;
    held += it->second.bytes;
  }
  if (new_upload && count >= limits_.uploads_per_account) {
    return error("UPLOADS_TOO_MANY_FOR_TEST_SERVER: at most " + std::to_string(limits_.uploads_per_account) +
                 " uploads in progress per account");
  }
  if (held + adding > limits_.upload_bytes_per_account) {
    return error("UPLOAD_TOO_LARGE_FOR_TEST_SERVER: at most " + mib(limits_.upload_bytes_per_account) +
                 " of parts in progress per account");
  }
  return std::nullopt;
}

std::variant<std::pair<std::string, int>, RpcErrorInfo> FileStore::assemble(const InputFileRef& ref) const {
  if (ref.parts < 1 || ref.parts > limits_.max_parts) return error("FILE_PARTS_INVALID");
  auto it = uploads_.find({ref.owner, ref.file_id});
  if (it == uploads_.end()) return error("FILE_PART_0_MISSING");
  const auto& u = it->second;
  if (u.big != ref.big) return error("INPUT_FILE_INVALID");
  if (u.big && u.total_parts != ref.parts) return error("FILE_PARTS_INVALID");
  for (int i = 0; i < ref.parts; ++i) {
    if (!u.parts.count(i)) return error("FILE_PART_" + std::to_string(i) + "_MISSING");
  }
  if (!u.big) {
    if (auto e = check_small_sizes(u, ref.parts)) return *e;
  }
  std::string out;
  std::size_t size = 0;
  for (int i = 0; i < ref.parts; ++i) size += u.parts.at(i).size();
  out.reserve(size);
  for (int i = 0; i < ref.parts; ++i) out += u.parts.at(i);
  return std::pair{std::move(out), u.dc};
}

// saveFilePart cannot tell the last part, so a small file's part sizes are checked here.
std::optional<RpcErrorInfo> FileStore::check_small_sizes(const UploadRecord& u, int parts) const {
  std::size_t part_size = u.parts.at(0).size();
  std::size_t total = 0;
  for (int i = 0; i < parts; ++i) {
    std::size_t size = u.parts.at(i).size();
    total += size;
    bool last = i + 1 == parts;
    if (!last && (size != part_size || !valid_part_size(size))) return error("FILE_PART_LENGTH_INVALID");
    if (last && size > part_size) return error("FILE_PART_LENGTH_INVALID");
  }
  // NOTE: files over 10 MiB go through saveBigFilePart; as a small file they have too many parts.
  if (total > limits_.max_small_file) return error("FILE_PARTS_INVALID");
  return std::nullopt;
}

void FileStore::drop_upload(std::int64_t owner, std::int64_t file_id) { uploads_.erase({owner, file_id}); }

std::variant<const DocumentRecord*, RpcErrorInfo> FileStore::add_document(DocumentRecord doc) {
  if (document_bytes_ + doc.bytes.size() > limits_.document_bytes) {
    return error("STORAGE_FULL_ON_TEST_SERVER: at most " + mib(limits_.document_bytes) + " of documents");
  }
  // Ids look random (clients must not rely on order) but are deterministic for tests.
  std::int64_t id = 0;
  do {
    id = static_cast<std::int64_t>(mix(next_document_++) >> 1);
  } while (id == 0 || documents_.count(id));
  doc.id = id;
  doc.access_hash = static_cast<std::int64_t>(mix(static_cast<std::uint64_t>(id) ^ 0xacce55ull));
  std::uint64_t ref = mix(static_cast<std::uint64_t>(id) + 0xf11eull);
  doc.file_reference.assign(1, '\x01');  // a version byte, then 8 opaque ones
  for (int i = 0; i < 8; ++i) doc.file_reference.push_back(static_cast<char>(ref >> (8 * i)));
  document_bytes_ += doc.bytes.size();
  added_.insert(id);
  auto [it, inserted] = documents_.emplace(id, std::move(doc));
  return &it->second;
}

void FileStore::restore_document(DocumentRecord doc) {
  auto id = doc.id;
  auto [it, inserted] = documents_.insert_or_assign(id, std::move(doc));
  if (inserted) document_bytes_ += it->second.bytes.size();
}

const DocumentRecord* FileStore::document(std::int64_t id) const {
  auto it = documents_.find(id);
  return it == documents_.end() ? nullptr : &it->second;
}

std::size_t FileStore::upload_bytes(std::int64_t owner) const {
  std::size_t held = 0;
  for (auto it = uploads_.lower_bound({owner, kMinId}); it != uploads_.end() && it->first.first == owner; ++it) {
    held += it->second.bytes;
  }
  return held;
}

}  // namespace telepp::server
