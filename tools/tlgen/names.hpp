#pragma once
// C++ spellings of TL names and types for one generated module.

#include <set>
#include <string>
#include <string_view>

#include "telepp/tl/schema.hpp"

namespace tlgen {

using telepp::tl::Combinator;
using telepp::tl::Schema;
using telepp::tl::Type;
using telepp::tl::TypeKind;

/// One schema turned into one C++ namespace (e.g. api.tl → telepp::api).
struct Module {
  const Schema* schema = nullptr;
  std::string name;       ///< file prefix and include folder: "api"
  std::string cpp_ns;     ///< "telepp::api"
  std::set<std::string> tl_namespaces;  ///< "messages", "help", …

  /// `::telepp::api` (+ `::messages`).
  std::string qualify(std::string_view tl_ns) const;
  /// A TL identifier as a C++ identifier: keywords get a trailing `_`.
  static std::string ident(std::string_view name);
  /// The struct name of a combinator (`updates` → `updates_`, which would clash with a namespace).
  std::string struct_name(const Combinator& c) const;
  std::string struct_qual(const Combinator& c) const;
  /// The holder class of a boxed type name (`messages.Messages` → `::telepp::api::messages::Messages`).
  std::string holder_qual(std::string_view type_name) const;
  std::string holder_name(std::string_view type_name) const;
  /// The C++ type of a field; generic parameters are spelled `Q`.
  std::string cpp_type(const Type& t) const;
  /// The C++ result type of a function.
  std::string result_type(const Combinator& fn) const;
  std::string any_function() const { return "::" + cpp_ns + "::AnyFunction"; }
};

/// Splits `messages.sendMessage` into {"messages", "sendMessage"}.
std::pair<std::string_view, std::string_view> split_name(std::string_view full);

/// `0x1cb5c415`
std::string hex_id(std::uint32_t id);

}  // namespace tlgen
