#pragma once
/// \file Markdown reference pages for every method, constructor and type of a schema, in the
/// style of MadelineProto's reference (front matter, parameters table, return type, who may call
/// it, errors, a C++ and a JSON/CLI example), plus index pages per section.

#include <optional>
#include <string>
#include <string_view>

#include "telepp/base/result.hpp"
#include "telepp/tl/schema.hpp"

namespace telepp::docs {

/// What to generate from.
struct Input {
  const tl::Schema* schema = nullptr;  ///< the API schema (its `// LAYER` is shown on pages)
  std::string_view meta_json;          ///< schema/api-meta.json: availability and errors per method
  /// Optional: an `api-schema.json` of @mtcute/core (as `tools/update-schema --descriptions-out`
  /// saves it) whose `comment` fields give the prose descriptions. Never committed.
  std::optional<std::string_view> descriptions_json;
};

/// What was written.
struct Summary {
  int methods = 0;
  int constructors = 0;
  int types = 0;
  int index_pages = 0;
  int files_written = 0;  ///< files whose content changed
};

/// Writes the pages under `out_dir` (created if needed): `methods/<name>.md`,
/// `constructors/<name>.md`, `types/<Type>.md`, an `index.md` in each of those folders and one at
/// the top (see README.md). Files are written only when their content changes; nothing is deleted.
/// Output depends only on the inputs. Errors: malformed metadata or descriptions JSON
/// (`TlErrc::json`, checked before anything is written); a missing schema or an unwritable
/// directory (`ErrorDomain::base`, the OS error number as the code for I/O).
Result<Summary> generate(const Input& input, const std::string& out_dir);

}  // namespace telepp::docs
