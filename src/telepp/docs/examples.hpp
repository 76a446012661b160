#pragma once
/// \file The two examples on every method and constructor page: a C++ expression with the typed
/// API (`telepp::api`, designated initialisers) and the same value as the JSON that
/// `telepp tl encode` reads. Internal to `telepp_docs`.
///
/// Values are placeholders chosen by field type (and a few field names: `message`, `api_id`, …);
/// optional fields are left out; a boxed type near the top gets a constructor that is not an
/// `…Empty` placeholder when it has one, then the one with the fewest required fields; a few levels
/// down, vectors are empty and types take their smallest value, so recursive types end.

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "telepp/tl/schema.hpp"

namespace telepp::docs {

/// C++ spellings of TL names, following tools/tlgen (see its README, "Naming"): TL namespaces
/// become C++ namespaces under `api::`, a C++ keyword (or a name the generated structs reserve)
/// gets a trailing `_`, and so does a top-level constructor named like a TL namespace (`updates_`).
class CppNames {
 public:
  explicit CppNames(const tl::Schema& schema);

  /// A field or struct name as a C++ identifier (`default` → `default_`, `true` → `true_`).
  static std::string ident(std::string_view tl_name);
  /// `api::messages::sendMessage`, `api::updates_`, `api::true_`.
  std::string struct_name(const tl::Combinator& c) const;

 private:
  std::set<std::string, std::less<>> namespaces_;
};

/// Both forms of one example.
struct Example {
  std::string cpp;   ///< a statement, possibly several lines, without a trailing newline
  std::string json;  ///< the shell command, possibly several lines
};

/// Builds examples for one schema. Holds pointers into `schema`, which must outlive it.
class ExampleBuilder {
 public:
  explicit ExampleBuilder(const tl::Schema& schema);

  /// `auto result = co_await client.invoke(api::...{...});` and `telepp tl encode '{...}'`.
  Example for_method(const tl::Combinator& fn) const;
  /// `auto value = api::...{...};` and `telepp tl encode '{...}'`.
  Example for_constructor(const tl::Combinator& ctor) const;

  struct Node;  ///< a sample value in both spellings (defined in examples.cpp)

 private:
  Node object(const tl::Combinator& c, int depth) const;
  Node value(const tl::Type& t, std::string_view field, int depth) const;
  Node scalar(const tl::Type& t, std::string_view field) const;
  const tl::Combinator* pick_constructor(std::string_view type, int depth) const;

  const tl::Schema& schema_;
  CppNames names_;
  std::map<std::string, int, std::less<>> cost_;  ///< per boxed type: nodes in its smallest value
  const tl::Combinator* sample_query_ = nullptr;  ///< what `!X` fields carry
  const tl::Combinator* sample_object_ = nullptr; ///< what `Object` fields carry
};

}  // namespace telepp::docs
