#pragma once
/// \file The two JSON inputs of the docs generator, read into plain structs: `api-meta.json`
/// (who may call a method, which errors it returns) and @mtcute/core's `api-schema.json` (prose
/// descriptions). Internal to `telepp_docs`; nlohmann-json stays inside metadata.cpp.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telepp/base/result.hpp"

namespace telepp::docs {

/// An RPC error a method may return (`400`, `CONNECTION_LAYER_INVALID`).
struct ErrorEntry {
  int code = 0;
  std::string name;
  std::string comment;  ///< HTML prose; empty when unknown
};

/// What api-meta.json says about one method. Absent flags mean "not stated".
struct MethodMeta {
  std::optional<bool> users;
  std::optional<bool> bots;
  std::vector<ErrorEntry> errors;
};

/// All of api-meta.json.
struct Metadata {
  std::optional<int> layer;
  std::map<std::string, MethodMeta, std::less<>> methods;

  const MethodMeta* find(std::string_view method) const;
};

/// Parses api-meta.json: `{"layer": N, "methods": {"name": {"users": b, "bots": b, "errors":
/// [{"code": n, "name": s}]}}}`. Errors (`TlErrc::json`) name the offending entry.
Result<Metadata> parse_metadata(std::string_view json);

/// The prose of one constructor or method; every text is HTML as upstream wrote it.
struct CombinatorDoc {
  std::string comment;
  std::map<std::string, std::string, std::less<>> params;  ///< by parameter name
  std::vector<ErrorEntry> throws;

  /// The comment on an error, matched by name (and code when several share a name); empty if none.
  std::string_view error_comment(int code, std::string_view name) const;
};

/// All of api-schema.json that the pages use.
struct Descriptions {
  std::map<std::string, CombinatorDoc, std::less<>> combinators;  ///< by TL name
  std::map<std::string, std::string, std::less<>> types;          ///< by boxed type name

  const CombinatorDoc* find(std::string_view name) const;
  std::string_view type(std::string_view name) const;
};

/// Parses @mtcute/core's api-schema.json (`{"e": [{"name", "comment", "arguments": [{"name",
/// "comment"}], "throws": [{"code", "name", "comment"}]}], "u": {"Type": "comment"}}`). Unknown
/// keys are ignored; a wrong shape is an error (`TlErrc::json`).
Result<Descriptions> parse_descriptions(std::string_view json);

}  // namespace telepp::docs
