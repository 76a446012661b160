#pragma once
/// \file `Value`: a TL value driven by a run-time `Schema` (the dynamic form), with conversions
/// to and from JSON and bytes. Bytes are identical to the typed (generated) path.
///
/// JSON shape: `{"_": "initConnection", "api_id": 1, "query": {"_": "help.getConfig"}}`. Field
/// names are the TL names; `#` flag words never appear (they are computed); absent optional fields
/// are omitted; `true` flags appear only when set; Bool and true are JSON booleans; bytes are
/// standard base64; long is a number, or a decimal string when a double cannot hold it exactly;
/// int128/int256 are lowercase hex; double is a number.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/tl/schema.hpp"

namespace telepp::tl {

class Value;

/// A constructor or function with its fields, aligned with `combinator->params` (flag words and
/// absent optional fields hold a null Value; `true` flags hold a bool).
struct ObjectValue {
  const Combinator* combinator = nullptr;
  std::vector<Value> fields;
};

/// One dynamic TL value. Objects point into the Schema they were made with, which must outlive them.
class Value {
 public:
  enum class Kind : std::uint8_t { null, boolean, int32, int64, float64, string, bytes, int128, int256, vector, object };
  using Vector = std::vector<Value>;

  Value() = default;
  static Value of_bool(bool v) { return Value(v); }
  static Value of_int32(std::int32_t v) { return Value(v); }
  static Value of_int64(std::int64_t v) { return Value(v); }
  static Value of_double(double v) { return Value(v); }
  static Value of_string(std::string v) { return Value(Text{std::move(v)}); }
  static Value of_bytes(std::string v) { return Value(Blob{std::move(v)}); }
  static Value of_int128(const Int128& v) { return Value(v); }
  static Value of_int256(const Int256& v) { return Value(v); }
  static Value of_vector(Vector v) { return Value(std::move(v)); }
  static Value of_object(ObjectValue v) { return Value(std::make_shared<ObjectValue>(std::move(v))); }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool as_bool() const { return std::get<bool>(v_); }
  std::int32_t as_int32() const { return std::get<std::int32_t>(v_); }
  std::int64_t as_int64() const { return std::get<std::int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  /// The characters of a string or the bytes of a bytes value.
  const std::string& as_text() const {
    return kind() == Kind::string ? std::get<Text>(v_).value : std::get<Blob>(v_).value;
  }
  const Int128& as_int128() const { return std::get<Int128>(v_); }
  const Int256& as_int256() const { return std::get<Int256>(v_); }
  const Vector& as_vector() const { return std::get<Vector>(v_); }
  const ObjectValue& as_object() const { return *std::get<std::shared_ptr<ObjectValue>>(v_); }
  /// An object's field by TL name, or nullptr when there is no such field.
  const Value* field(std::string_view name) const;

 private:
  struct Text {
    std::string value;
  };
  struct Blob {
    std::string value;
  };
  template <class T>
    requires(!std::is_same_v<T, Value>)
  explicit Value(T v) : v_(std::move(v)) {}

  // Objects are shared (immutable once built), which keeps Value cheap to copy.
  std::variant<std::monostate, bool, std::int32_t, std::int64_t, double, Text, Blob, Int128, Int256, Vector,
               std::shared_ptr<ObjectValue>>
      v_;
};

/// Parses JSON text describing one object (constructor or function) of `schema`.
/// Errors name the field path (`messages.sendMessage.peer.user_id: ...`).
Result<Value> value_from_json(const Schema& schema, std::string_view json);
/// The JSON text of `v`; `indent` < 0 for one line.
std::string value_to_json(const Value& v, int indent = -1);

/// The bytes of an object Value, boxed (constructor ID first), exactly as the typed path writes them.
Result<Bytes> encode_value(const Value& v);
/// Parses one boxed object (any constructor or function of `schema`) filling all of `data`.
Result<Value> decode_value(const Schema& schema, ByteView data);

/// The bytes of `v` as a value of `type` (e.g. a function's result type `Vector<User>`).
Result<Bytes> encode_value_as(const Value& v, const Type& type);
/// Parses `data` as one value of `type` (e.g. `Vector<User>`, `Bool`), filling all of it.
Result<Value> decode_value_as(const Schema& schema, const Type& type, ByteView data);

}  // namespace telepp::tl
