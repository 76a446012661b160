#pragma once
/// \file The layer adapter: converts dynamic TL values (`tl::Value`) between two API layers by
/// constructor and field name, so the test server, which implements the newest layer, can serve
/// clients at their own layer (queries converted up, results and updates converted down).
///
/// The rules, in one place (the tests in tests/server/layer_adapter_test.cpp pin each of them):
///
/// **Constructors** are matched by TL name: a constructor converts to the constructor of the same
/// name in the target schema; a function to the function of the same name. Constructor IDs are
/// never compared (they change whenever a field does).
///
/// **Fields** are matched by name *and* a compatible type:
/// - same type, or `int` ↔ `long` (widening always; narrowing when the value fits, else an error),
///   `string` ↔ `bytes` (the same on the wire), `Bool` ↔ `true` flag, the same boxed type by name
///   (converted recursively), `Vector`/`vector` of compatible elements, `!X` ↔ `!X`, `Object`;
/// - a scalar and a type that only wraps one (a single constructor with one field besides flags:
///   `stories_max_id:int` ↔ `stories_max_id:RecentStory`, `recentStory{live?, max_id?}`) convert
///   by wrapping and unwrapping; unwrapping drops the `true` flags (reported), and a wrapper
///   without its field cannot be represented (see below);
/// - a field the target lacks, or whose type changed incompatibly (`Bool` → `PaidReactionPrivacy`), is
///   dropped when it is optional in the target, and fails (`TlErrc::missing_field`) when the
///   target requires it;
/// - a field the target adds is absent when optional (a `true` flag is unset) and defaulted when
///   required; a field that was optional and becomes required is defaulted when absent.
/// - flag words are never copied: the encoder computes them from the fields present. When a
///   target field shares its flag bit with a present field but is itself absent, it is defaulted
///   (the encoder requires every field on a set bit).
///
/// **Defaults** (required fields the source cannot fill): 0, 0.0, `""`, `false`, an empty vector,
/// zero int128/int256; for a boxed type, the constructor of that type (in the target) that needs
/// the fewest objects when all its required fields are defaulted the same way and all optional ones
/// are absent; ties go to a constructor named `…Empty`, then to schema order. So a missing `Peer`
/// becomes `peerUser{user_id = 0}`, a missing `Photo` `photoEmpty{id = 0}`. `!X` and `Object` have
/// no default (a target requiring one fails with `TlErrc::missing_field`).
///
/// **Constructors the target lacks** (or has under another type than the field expects): the
/// expected type's fallback in the target, filled by field name as above: its `…Unsupported`
/// constructor (`messageMediaUnsupported`, `pageBlockUnsupported`), else, unless it is an input
/// constructor (`input…`, where substituting would change what a query asks for), its `…Empty`
/// constructor (`messageActionEmpty`; `community{id…}` → `chatEmpty{id}`). Other constructors of
/// the type are never substituted: `peerUser` for an unknown peer would point at the wrong peer.
/// Without a fallback the object cannot be represented (`TlErrc::unknown_id`, naming the
/// constructor; a required field that cannot be filled is the same case, `TlErrc::missing_field`):
/// - as a vector element it is dropped (an old client gets the updates, entities, … it can parse);
/// - as an optional field it is dropped (the field becomes absent);
/// - anywhere else (a required field, the top level) the enclosing object cannot be represented
///   either, up to the nearest vector element or optional field, or else the conversion fails
///   with that error and the field path (`updateShort.update: updateNewEphemeralMessage …`).
/// Integer overflow on narrowing is never dropped: it fails with `TlErrc::bad_value` wherever it is.
///
/// Values are data: `invokeWithLayer.layer` keeps the client's layer number.
///
/// **`Object`** fields holding undecoded bytes pass through unchanged; decoded ones are converted.
///
/// Everything the conversion dropped or replaced can be listed through the optional `dropped`
/// argument, one `path: reason` line each:
/// `messages.messages.users[3].bot_forum_view: user has no bot_forum_view at layer 198`,
/// `updates.updates[2]: updateNewEphemeralMessage (0x20bcbba1) has no counterpart at layer 198, …`,
/// `messages.messages.messages[0].media: messageMediaToDo replaced by messageMediaUnsupported`.
///
/// Thread safety: a LayerAdapter is immutable after construction (the per-constructor field
/// mappings are all computed by the constructor), so one instance may be used from any number of
/// threads. Converted values share nothing mutable with their source.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"
#include "telepp/tl/schema.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::server {

/// Converts dynamic values between two schemas by constructor name (see the file comment for the
/// rules). Both schemas must outlive the adapter and every value it returns.
class LayerAdapter {
 public:
  /// Builds the field mappings of every combinator of `from` (a few milliseconds for two full API
  /// layers; see `shipped()` to build each pair of shipped layers once).
  LayerAdapter(const tl::Schema& from, const tl::Schema& to);
  ~LayerAdapter();
  LayerAdapter(LayerAdapter&&) noexcept;
  LayerAdapter& operator=(LayerAdapter&&) noexcept;
  LayerAdapter(const LayerAdapter&) = delete;
  LayerAdapter& operator=(const LayerAdapter&) = delete;

  /// The adapter between two shipped API layers (`telepp::schemas::api(layer)`), built on first
  /// use and kept until exit (thread-safe); nullptr when either layer is not shipped.
  static const LayerAdapter* shipped(int from_layer, int to_layer);

  const tl::Schema& from() const;
  const tl::Schema& to() const;

  /// Converts `v` (an object made with `from()`: a constructor or a function) into a value of
  /// `to()`. Errors (domain `tl`) name the constructor and the field path:
  /// `TlErrc::unknown_id` when a constructor has no counterpart and no fallback,
  /// `TlErrc::missing_field` when a required target field cannot be filled,
  /// `TlErrc::bad_value` for an integer that does not fit, or a value that does not match its
  /// schema (or was not made with `from()`), `TlErrc::too_deep` beyond `tl::Reader::kMaxDepth`
  /// nested objects (only values built by hand get there). When `dropped` is given, the paths of dropped fields
  /// and vector elements, and of replaced constructors, are appended to it (see the file comment).
  Result<tl::Value> convert(const tl::Value& v, std::vector<std::string>* dropped = nullptr) const;

  /// Converts any value of type `from_type` (of `from()`, e.g. a function's result type
  /// `Vector<User>`) into one of `to_type` (of `to()`). Fails like `convert`, and with
  /// `TlErrc::missing_field` when the two types are not compatible at all.
  Result<tl::Value> convert_as(const tl::Value& v, const tl::Type& from_type, const tl::Type& to_type,
                               std::vector<std::string>* dropped = nullptr) const;

  /// Decodes one boxed object with `from()`, converts it and encodes it with `to()`.
  Result<Bytes> convert_bytes(ByteView boxed, std::vector<std::string>* dropped = nullptr) const;

  /// Converts the result of `function` (by name; e.g. `users.getUsers`, whose result is a
  /// `Vector<User>`, not an object): decoded as the result type in `from()`, encoded as the result
  /// type in `to()`. Fails with `TlErrc::unknown_id` when either schema lacks the function, and
  /// with `TlErrc::bad_value` for a generic function (`invokeWithLayer`: pass the wrapped query).
  Result<Bytes> convert_result_bytes(std::string_view function, ByteView result,
                                     std::vector<std::string>* dropped = nullptr) const;

  /// Combinators of `from()` (constructors and functions) with no namesake in `to()`.
  std::vector<const tl::Combinator*> unmatched() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Converts bytes of one layer to bytes of another: decodes one boxed object with `from`,
/// converts it (see LayerAdapter) and encodes it with `to`. Between shipped layers this uses
/// `LayerAdapter::shipped()`; for other schemas it builds a LayerAdapter per call (keep one
/// instead when converting repeatedly).
Result<Bytes> convert_bytes(const tl::Schema& from, const tl::Schema& to, ByteView boxed);

}  // namespace telepp::server
