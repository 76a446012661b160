#pragma once
/// \file Generic (de)serialisation of typed values: `serialize(value)` and `deserialize<T>(bytes)`.
///
/// A value is written the way TL writes it where the schema names its type: holders and
/// constructor/function structs boxed (with their ID) at the top level, vectors as `Vector<T>`,
/// `bool` as a boxed Bool, integers and strings bare.

#include <string>
#include <type_traits>
#include <vector>

#include "telepp/base/buffer.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/tl/boxed.hpp"
#include "telepp/tl/reader.hpp"
#include "telepp/tl/writer.hpp"

namespace telepp::tl {

/// A complete serialised TL object kept as bytes (the MTProto `Object` type: message bodies and
/// rpc_result results are opaque until the session knows what they answer).
struct RawObject {
  std::string data;
  bool operator==(const RawObject&) const = default;
};

template <class T>
concept Holder = std::is_base_of_v<BoxedBase, T>;
/// A generated constructor or function struct.
template <class T>
concept Struct = requires { T::tl_info; T::kId; } && !Holder<T>;

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
}  // namespace detail

template <class C>
void read_boxed_as(Reader& r, BoxedBase& h) {
  auto& obj = h.emplace_as<C>();
  auto previous = r.enter(C::kId);
  tl_read(r, obj);
  r.leave(previous);
}

/// Smallest wire size of one value of T (bounds vector counts when reading).
template <class T>
constexpr std::size_t min_wire_size() {
  if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) return 8;
  else if constexpr (std::is_same_v<T, Int128>) return 16;
  else if constexpr (std::is_same_v<T, Int256>) return 32;
  else if constexpr (Struct<T>) return 0;  // a bare struct may be empty
  else return 4;
}

/// Writes `v` as TL writes a value of its type inside another object (holders boxed, structs bare).
template <class T>
[[gnu::always_inline]] inline void write_value(Writer& w, const T& v) {
  if constexpr (std::is_same_v<T, std::int32_t>) w.i32(v);
  else if constexpr (std::is_same_v<T, std::int64_t>) w.i64(v);
  else if constexpr (std::is_same_v<T, double>) w.f64(v);
  else if constexpr (std::is_same_v<T, bool>) w.boolean(v);
  else if constexpr (std::is_same_v<T, std::string>) w.bytes(v);
  else if constexpr (std::is_same_v<T, Int128>) w.int128(v);
  else if constexpr (std::is_same_v<T, Int256>) w.int256(v);
  else if constexpr (std::is_same_v<T, RawObject>) w.raw(as_bytes(v.data));
  else if constexpr (detail::is_vector<T>::value) {
    w.vector_header(v.size());
    for (const auto& e : v) write_value(w, e);
  } else if constexpr (Holder<T>) write_boxed(w, v);
  else tl_write(w, v);
}

/// Reads a value of T as `write_value` writes it.
template <class T>
[[gnu::always_inline]] inline void read_value(Reader& r, T& v) {
  if constexpr (std::is_same_v<T, std::int32_t>) v = r.i32();
  else if constexpr (std::is_same_v<T, std::int64_t>) v = r.i64();
  else if constexpr (std::is_same_v<T, double>) v = r.f64();
  else if constexpr (std::is_same_v<T, bool>) v = r.boolean();
  else if constexpr (std::is_same_v<T, std::string>) r.bytes_into(v);
  else if constexpr (std::is_same_v<T, Int128>) v = r.int128();
  else if constexpr (std::is_same_v<T, Int256>) v = r.int256();
  else if constexpr (std::is_same_v<T, RawObject>) {
    auto rest = r.raw(r.remaining());
    v.data.assign(reinterpret_cast<const char*>(rest.data()), rest.size());
  } else if constexpr (detail::is_vector<T>::value) {
    v.resize(r.vector_header(min_wire_size<typename T::value_type>()));
    for (auto& e : v) read_value(r, e);
  } else tl_read(r, v);
}

/// Writes `v` boxed: structs get their constructor ID first (this is how a query or a top-level
/// object is sent).
template <class T>
void write_object(Writer& w, const T& v) {
  if constexpr (Struct<T>) {
    w.u32(T::kId);
    tl_write(w, v);
  } else {
    write_value(w, v);
  }
}

/// Reads what `write_object` writes. A struct's ID must match.
template <class T>
void read_object(Reader& r, T& v) {
  if constexpr (Struct<T>) {
    auto id = r.u32();
    if (id != T::kId) {
      r.fail_unknown_id(id, T::tl_info.name);
      return;
    }
    auto previous = r.enter(id);
    tl_read(r, v);
    r.leave(previous);
  } else {
    read_value(r, v);
  }
}

/// Serialises `v` boxed into a new buffer with `headroom` bytes free in front.
template <class T>
Result<Buffer> serialize(const T& v, std::size_t headroom = 0) {
  Writer w(headroom);
  write_object(w, v);
  TELEPP_TRY(w.status());
  return w.take();
}

/// Serialises `v` boxed into bytes.
template <class T>
Result<Bytes> to_bytes(const T& v) {
  auto buffer = serialize(v);
  if (!buffer) return fail(buffer.take_error());
  return buffer->to_bytes();
}

/// Parses exactly one boxed T from `data` (trailing bytes are an error).
template <class T>
Result<T> deserialize(ByteView data) {
  Reader r(data);
  T v{};
  read_object(r, v);
  TELEPP_TRY(r.finish());
  return v;
}

}  // namespace telepp::tl
