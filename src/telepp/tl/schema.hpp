#pragma once
/// \file The TL schema as data: combinators, their parameters and types, parsed from `.tl` text.
///
/// See https://core.telegram.org/mtproto/TL and TL-combinators. Supported: `#` flag words (several
/// per combinator), `flags.N?T` conditional fields including `true`, `Vector<T>` and bare
/// `vector<T>`, `%T`, `{X:Type}` with `!X`, the built-in types, `Object`, section markers.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telepp/base/result.hpp"

namespace telepp::tl {

enum class TypeKind : std::uint8_t {
  int32,       ///< int
  int64,       ///< long
  float64,     ///< double
  string,      ///< string
  bytes,       ///< bytes
  int128,      ///< int128
  int256,      ///< int256
  boolean,     ///< Bool (boxed boolTrue/boolFalse)
  true_flag,   ///< true: present or absent, no bytes
  flags,       ///< # (a flag word, computed when writing)
  boxed,       ///< a boxed type by name (`InputPeer`, `messages.Messages`)
  bare,        ///< a bare constructor by name (`future_salt`, or `%Message` resolved to `message`)
  vector,      ///< Vector<T> (boxed: 0x1cb5c415 then count)
  bare_vector, ///< vector<T> (count only)
  type_param,  ///< X, the result of a generic function
  query,       ///< !X: any function, whose result becomes the result
  object,      ///< Object: any boxed constructor
};

/// A parameter or result type.
struct Type {
  TypeKind kind = TypeKind::int32;
  std::string name;                    ///< boxed/bare/type_param: the name
  std::shared_ptr<const Type> element; ///< vector/bare_vector: the element type
  std::string percent_of;              ///< bare written as `%T`: T (then `name` is T's constructor)

  /// The type as TL spells it (`Vector<InputUser>`, `%Message`, `flags` aside).
  std::string to_tl() const;
};

/// One parameter of a combinator.
struct Param {
  std::string name;
  Type type;
  int flag_param = -1;  ///< index of the `#` parameter this field hangs on, or -1
  int flag_bit = -1;    ///< the bit in that word

  bool is_conditional() const { return flag_param >= 0; }
  bool is_flags_word() const { return type.kind == TypeKind::flags; }
};

/// A constructor or a function.
struct Combinator {
  std::string name;          ///< with namespace: `messages.sendMessage`
  std::uint32_t id = 0;
  bool is_function = false;
  bool id_explicit = false;  ///< false when the line had no `#id` and it was computed
  std::vector<std::string> type_params;  ///< `{X:Type}` names
  std::vector<Param> params;
  Type result;               ///< the boxed type (constructors) or the result (functions)
  int line = 0;

  std::string_view ns() const;          ///< `messages`, or empty
  std::string_view short_name() const;  ///< `sendMessage`
  /// The normalised text whose CRC32 is the ID.
  std::string normalized() const;
  /// The line as it would appear in a .tl file (with the ID, without the trailing `;`).
  std::string to_tl() const;
};

namespace detail {
class SchemaParser;
}

/// What to do when an explicit ID disagrees with the CRC32 of its line.
enum class IdCheck : std::uint8_t { strict, lenient };

/// A parsed schema. Immutable after parsing; cheap lookups by ID and name.
class Schema {
 public:
  /// Parses `.tl` text. Errors name the line and column.
  static Result<Schema> parse(std::string_view text, IdCheck check = IdCheck::strict);

  const std::vector<Combinator>& combinators() const { return all_; }
  std::span<const Combinator* const> constructors() const { return constructors_; }
  std::span<const Combinator* const> functions() const { return functions_; }
  const Combinator* find(std::uint32_t id) const;
  const Combinator* find(std::string_view name) const;
  /// Constructors whose boxed type is `type` (in schema order); empty if unknown.
  std::span<const Combinator* const> constructors_of(std::string_view type) const;
  /// All boxed type names, sorted.
  std::vector<std::string> type_names() const;
  /// From a `// LAYER N` comment, if any.
  std::optional<int> layer() const { return layer_; }
  /// IDs that differ from their CRC32 (only in lenient mode).
  const std::vector<std::string>& id_mismatches() const { return id_mismatches_; }

  Schema() = default;
  Schema(Schema&&) noexcept = default;
  Schema& operator=(Schema&&) noexcept = default;
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

 private:
  friend class detail::SchemaParser;
  void index();

  std::vector<Combinator> all_;
  std::vector<const Combinator*> constructors_;
  std::vector<const Combinator*> functions_;
  std::vector<std::pair<std::uint32_t, const Combinator*>> by_id_;
  std::map<std::string, const Combinator*, std::less<>> by_name_;
  std::map<std::string, std::vector<const Combinator*>, std::less<>> by_type_;
  std::optional<int> layer_;
  std::vector<std::string> id_mismatches_;
};

/// True when a type name denotes a bare constructor (its last segment starts in lowercase).
bool is_bare_name(std::string_view name);

}  // namespace telepp::tl
