#pragma once
/// \file `BoxedBase`: the value-semantics holder behind every boxed TL type (`api::InputPeer`, …).

#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "telepp/tl/type_info.hpp"

namespace telepp::tl {

/// Constructors small and trivial enough to live inside the holder (peerUser, messageEntityBold,
/// userStatusOnline, ...): no allocation, and copying or moving them is a 16-byte copy.
template <class T>
inline constexpr bool kFitsInline = sizeof(T) <= 16 && alignof(T) <= 8 && std::is_trivially_copyable_v<T>;

/// Holds one constructor of a boxed type, or nothing. Copying copies deeply; moving is cheap.
/// Generated holders derive from it and only accept their own type's constructors.
class BoxedBase {
 public:
  BoxedBase() = default;
  BoxedBase(const BoxedBase& other) : info_(other.info_) {
    if (other.is_inline()) adopt_inline(other);
    else obj_ = info_ ? info_->clone(other.obj_) : nullptr;
  }
  BoxedBase(BoxedBase&& other) noexcept : info_(other.info_) { steal(other); }
  BoxedBase& operator=(const BoxedBase& other) {
    if (this != &other) *this = BoxedBase(other);
    return *this;
  }
  BoxedBase& operator=(BoxedBase&& other) noexcept {
    if (this != &other) {
      reset();
      info_ = other.info_;
      steal(other);
    }
    return *this;
  }
  ~BoxedBase() { reset(); }

  /// True when no constructor is held (a default-constructed holder).
  bool empty() const { return info_ == nullptr; }
  explicit operator bool() const { return info_ != nullptr; }
  /// The held constructor's ID (0 when empty).
  std::uint32_t id() const { return info_ ? info_->id : 0; }
  /// The held constructor's TL name (empty when empty).
  std::string_view name() const { return info_ ? info_->name : ""; }
  const TypeInfo* info() const { return info_; }

  /// The held constructor if it is a C, else nullptr.
  template <class C>
  C* get_if() {
    return info_ == &C::tl_info ? static_cast<C*>(obj_) : nullptr;
  }
  template <class C>
  const C* get_if() const {
    return info_ == &C::tl_info ? static_cast<const C*>(obj_) : nullptr;
  }
  template <class C>
  bool is() const {
    return info_ == &C::tl_info;
  }
  /// The held constructor, which must be a C.
  template <class C>
  C& as() {
    assert(is<C>());
    return *static_cast<C*>(obj_);
  }
  template <class C>
  const C& as() const {
    assert(is<C>());
    return *static_cast<const C*>(obj_);
  }

  const void* raw() const { return obj_; }
  void* raw() { return obj_; }

  /// Deep equality: the same constructor with the same serialised content. (Comparing bytes keeps
  /// per-type code out of the generated API; equality of TL values is equality of their bytes.)
  friend bool operator==(const BoxedBase& a, const BoxedBase& b) {
    if (a.info_ != b.info_) return false;
    return a.info_ == nullptr || a.obj_ == b.obj_ || same_content(a, b);
  }

  /// Replaces the content with a fresh default object of `info`'s type (used by decoders).
  void* emplace(const TypeInfo* info) {
    reset();
    info_ = info;
    obj_ = info->create();
    return obj_;
  }
  /// Replaces the content with a fresh default C and returns it (used by generated decoders).
  template <class C>
  C& emplace_as() {
    reset();
    C* p;
    if constexpr (kFitsInline<C>) p = new (inline_) C;
    else p = static_cast<C*>(detail::TypeOps<C>::create());
    info_ = &C::tl_info;
    obj_ = p;
    return *p;
  }

 protected:
  template <class C>
  explicit BoxedBase(std::in_place_t, C&& c) : info_(&std::remove_cvref_t<C>::tl_info) {
    using T = std::remove_cvref_t<C>;
    if constexpr (kFitsInline<T>) obj_ = new (inline_) T(std::forward<C>(c));
    else obj_ = detail::TypeOps<T>::construct(std::forward<C>(c));
  }

 private:
  static bool same_content(const BoxedBase& a, const BoxedBase& b);
  bool is_inline() const { return obj_ == static_cast<const void*>(inline_); }
  // Inline objects are trivially copyable: their bytes are the object.
  void adopt_inline(const BoxedBase& other) {
    std::memcpy(inline_, other.inline_, sizeof inline_);
    obj_ = inline_;
  }
  void steal(BoxedBase& other) {
    if (other.is_inline()) adopt_inline(other);
    else obj_ = other.obj_;
    other.info_ = nullptr;
    other.obj_ = nullptr;
  }
  void reset() {
    if (info_ && !is_inline()) info_->destroy(obj_);
    info_ = nullptr;
    obj_ = nullptr;
  }

  const TypeInfo* info_ = nullptr;
  void* obj_ = nullptr;
  alignas(8) unsigned char inline_[16]{};
};

/// True when C is a constructor (or function) struct that belongs to holder H.
template <class C, class H>
concept ConstructorOf = std::is_same_v<typename std::remove_cvref_t<C>::tl_boxed, H>;

/// Writes a holder: its constructor's ID, then the body. An empty holder is an error.
void write_boxed(Writer& w, const BoxedBase& h);
/// Reads the body of constructor C (its ID already read) into holder `h`.
template <class C>
void read_boxed_as(Reader& r, BoxedBase& h);
/// The failure for an ID that is not one of `type_name`'s constructors.
void fail_boxed(Reader& r, std::uint32_t id, std::string_view type_name);
/// Reads an ID and the body of one of `sorted_ctors` (sorted by ID) into `h`.
void read_boxed(Reader& r, BoxedBase& h, std::span<const TypeInfo* const> sorted_ctors, std::string_view type_name);

}  // namespace telepp::tl
