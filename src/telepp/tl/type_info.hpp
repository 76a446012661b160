#pragma once
/// \file Run-time descriptions of generated TL types, and the registry that maps IDs to them.
///
/// Every generated constructor and function struct has a `static const TypeInfo tl_info`; boxed
/// holders keep a pointer to it, so copying, comparing, writing and reading a holder's content is
/// one indirect call into code shared by all types (compact code, see ARCHITECTURE.md).

#include <cstdint>
#include <new>
#include <span>
#include <string_view>
#include <utility>

#include "telepp/tl/pool.hpp"

namespace telepp::tl {

class Reader;
class Writer;

/// What a holder needs to know about one constructor or function struct.
struct TypeInfo {
  std::uint32_t id;
  const char* name;  ///< the TL name, `messages.sendMessage`
  bool is_function;
  void* (*create)();                          ///< a new default-constructed object
  void* (*clone)(const void*);                ///< a new deep copy
  void (*destroy)(void*);
  void (*write)(Writer&, const void*);        ///< the body, without the ID
  void (*read)(Reader&, void*);               ///< the body, without the ID
};

namespace detail {
// One class per type rather than one lambda per operation: fewer instantiations for the compiler
// (the generated API has thousands of types, and compile time is a budget).
template <class T>
struct TypeOps {
  template <class... Args>
  static T* construct(Args&&... args) {
    void* memory = pool_allocate(sizeof(T));
    try {
      return new (memory) T(std::forward<Args>(args)...);
    } catch (...) {
      pool_deallocate(memory, sizeof(T));
      throw;
    }
  }
  // Default-initialised, not value-initialised: every scalar field has a `{}` initialiser, so this
  // skips zeroing the whole object first (a `message` is ~700 bytes).
  static void* create() {
    void* memory = pool_allocate(sizeof(T));
    return new (memory) T;
  }
  static void* clone(const void* p) { return construct(*static_cast<const T*>(p)); }
  static void destroy(void* p) {
    static_cast<T*>(p)->~T();
    pool_deallocate(p, sizeof(T));
  }
  static void write(Writer& w, const void* p) { tl_write(w, *static_cast<const T*>(p)); }
  static void read(Reader& r, void* p) { tl_read(r, *static_cast<T*>(p)); }
};
}  // namespace detail

/// Builds the TypeInfo of struct T (used by generated code).
template <class T>
constexpr TypeInfo make_type_info(std::uint32_t id, const char* name, bool is_function) {
  using Ops = detail::TypeOps<T>;
  return TypeInfo{id, name, is_function, &Ops::create, &Ops::clone, &Ops::destroy, &Ops::write, &Ops::read};
}

/// Registers a module's types (sorted by ID); generated code does this at start-up.
void register_types(std::span<const TypeInfo* const> sorted_by_id);
/// The registered type with this ID, or nullptr.
const TypeInfo* find_type(std::uint32_t id);

}  // namespace telepp::tl
