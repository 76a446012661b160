#include "telepp/tl/boxed.hpp"

#include <algorithm>
#include <mutex>
#include <vector>

#include "telepp/tl/reader.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::tl {
namespace {

struct TypeRegistry {
  std::mutex mutex;
  std::vector<std::span<const TypeInfo* const>> tables;
};
TypeRegistry& registry() {
  static TypeRegistry r;
  return r;
}

const TypeInfo* find_in(std::span<const TypeInfo* const> sorted, std::uint32_t id) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), id, [](const TypeInfo* t, std::uint32_t v) { return t->id < v; });
  return it != sorted.end() && (*it)->id == id ? *it : nullptr;
}

}  // namespace

void register_types(std::span<const TypeInfo* const> sorted_by_id) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.tables.push_back(sorted_by_id);
}

const TypeInfo* find_type(std::uint32_t id) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (auto table : r.tables) {
    if (auto* t = find_in(table, id)) return t;
  }
  return nullptr;
}

std::string_view constructor_name(std::uint32_t id) {
  auto* t = find_type(id);
  return t ? t->name : std::string_view{};
}

bool BoxedBase::same_content(const BoxedBase& a, const BoxedBase& b) {
  Writer wa, wb;
  a.info_->write(wa, a.obj_);
  b.info_->write(wb, b.obj_);
  auto va = wa.view(), vb = wb.view();
  return wa.ok() == wb.ok() && va.size() == vb.size() && std::equal(va.begin(), va.end(), vb.begin());
}

void write_boxed(Writer& w, const BoxedBase& h) {
  if (h.empty()) {
    w.fail(TlErrc::missing_field, "an empty holder cannot be written (a required object was not set)");
    return;
  }
  w.u32(h.info()->id);
  h.info()->write(w, h.raw());
}

void fail_boxed(Reader& r, std::uint32_t id, std::string_view type_name) {
  if (r.ok()) r.fail_unknown_id(id, type_name);
}

void read_boxed(Reader& r, BoxedBase& h, std::span<const TypeInfo* const> sorted_ctors, std::string_view type_name) {
  auto id = r.u32();
  if (!r.ok()) return;
  const TypeInfo* info = find_in(sorted_ctors, id);
  if (!info) {
    r.fail_unknown_id(id, type_name);
    return;
  }
  void* obj = h.emplace(info);
  auto previous = r.enter(id);
  info->read(r, obj);
  r.leave(previous);
}

}  // namespace telepp::tl
