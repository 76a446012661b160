// Reading api-meta.json and api-schema.json. nlohmann-json is used in its non-throwing way
// (`parse(..., false)`, type checks before every `get`), so nothing here throws.
#include "telepp/docs/metadata.hpp"

#include <limits>

#include <nlohmann/json.hpp>

namespace telepp::docs {
namespace {

using json = nlohmann::json;

Failure bad(std::string_view file, const std::string& where, std::string_view what) {
  return fail(TlErrc::json, std::string(file) + ": " + where + ": " + std::string(what));
}

Result<json> parse_object(std::string_view file, std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return bad(file, "(top level)", "not valid JSON");
  if (!j.is_object()) return bad(file, "(top level)", "expected an object");
  return j;
}

std::optional<int> small_int(const json& j) {
  if (!j.is_number_integer()) return std::nullopt;
  auto v = j.get<std::int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(v);
}

// A string member of an object, or `fallback` when absent; nullopt when present but not a string.
std::optional<std::string> string_member(const json& obj, const char* key, std::string fallback = {}) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// `[{"code": n, "name": s, "comment"?: s}]`
Result<std::vector<ErrorEntry>> parse_errors(std::string_view file, const std::string& where, const json& arr) {
  if (!arr.is_array()) return bad(file, where, "expected an array of errors");
  std::vector<ErrorEntry> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& e = arr[i];
    std::string here = where + "[" + std::to_string(i) + "]";
    if (!e.is_object()) return bad(file, here, "expected an object");
    auto code = e.contains("code") ? small_int(e["code"]) : std::nullopt;
    auto name = string_member(e, "name");
    auto comment = string_member(e, "comment");
    if (!code) return bad(file, here, "\"code\" must be an integer");
    if (!name || name->empty()) return bad(file, here, "\"name\" must be a non-empty string");
    if (!comment) return bad(file, here, "\"comment\" must be a string");
    out.push_back(ErrorEntry{*code, std::move(*name), std::move(*comment)});
  }
  return out;
}

Result<std::optional<bool>> optional_bool(std::string_view file, const std::string& where, const json& obj,
                                          const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return bad(file, where + "." + key, "expected true or false");
  return std::optional<bool>(it->get<bool>());
}

Result<MethodMeta> parse_method_meta(const std::string& where, const json& m) {
  constexpr std::string_view kFile = "api-meta.json";
  if (!m.is_object()) return bad(kFile, where, "expected an object");
  MethodMeta out;
  auto users = optional_bool(kFile, where, m, "users");
  if (!users) return Failure{users.take_error()};
  auto bots = optional_bool(kFile, where, m, "bots");
  if (!bots) return Failure{bots.take_error()};
  out.users = *users;
  out.bots = *bots;
  if (auto it = m.find("errors"); it != m.end()) {
    auto errors = parse_errors(kFile, where + ".errors", *it);
    if (!errors) return Failure{errors.take_error()};
    out.errors = std::move(*errors);
  }
  return out;
}

Result<CombinatorDoc> parse_entry_doc(const std::string& where, const json& e) {
  constexpr std::string_view kFile = "descriptions";
  CombinatorDoc doc;
  auto comment = string_member(e, "comment");
  if (!comment) return bad(kFile, where + ".comment", "expected a string");
  doc.comment = std::move(*comment);
  if (auto it = e.find("arguments"); it != e.end()) {
    if (!it->is_array()) return bad(kFile, where + ".arguments", "expected an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& a = (*it)[i];
      auto name = a.is_object() ? string_member(a, "name") : std::nullopt;
      auto text = a.is_object() ? string_member(a, "comment") : std::nullopt;
      if (!name || !text) return bad(kFile, where + ".arguments[" + std::to_string(i) + "]", "expected {\"name\", \"comment\"}");
      doc.params.emplace(std::move(*name), std::move(*text));
    }
  }
  if (auto it = e.find("throws"); it != e.end()) {
    auto throws = parse_errors(kFile, where + ".throws", *it);
    if (!throws) return Failure{throws.take_error()};
    doc.throws = std::move(*throws);
  }
  return doc;
}

}  // namespace

const MethodMeta* Metadata::find(std::string_view method) const {
  auto it = methods.find(method);
  return it == methods.end() ? nullptr : &it->second;
}

Result<Metadata> parse_metadata(std::string_view text) {
  constexpr std::string_view kFile = "api-meta.json";
  auto root = parse_object(kFile, text);
  if (!root) return Failure{root.take_error()};
  Metadata out;
  if (auto it = root->find("layer"); it != root->end()) {
    out.layer = small_int(*it);
    if (!out.layer) return bad(kFile, "layer", "expected an integer");
  }
  auto methods = root->find("methods");
  if (methods == root->end() || !methods->is_object()) return bad(kFile, "methods", "expected an object");
  for (auto it = methods->begin(); it != methods->end(); ++it) {
    auto meta = parse_method_meta("methods." + it.key(), it.value());
    if (!meta) return Failure{meta.take_error()};
    out.methods.emplace(it.key(), std::move(*meta));
  }
  return out;
}

std::string_view CombinatorDoc::error_comment(int code, std::string_view name) const {
  std::string_view by_name;
  for (const auto& e : throws) {
    if (e.name != name) continue;
    if (e.code == code) return e.comment;
    if (by_name.empty()) by_name = e.comment;
  }
  return by_name;
}

const CombinatorDoc* Descriptions::find(std::string_view name) const {
  auto it = combinators.find(name);
  return it == combinators.end() ? nullptr : &it->second;
}

std::string_view Descriptions::type(std::string_view name) const {
  auto it = types.find(name);
  return it == types.end() ? std::string_view() : std::string_view(it->second);
}

Result<Descriptions> parse_descriptions(std::string_view text) {
  constexpr std::string_view kFile = "descriptions";
  auto root = parse_object(kFile, text);
  if (!root) return Failure{root.take_error()};
  Descriptions out;
  auto entries = root->find("e");
  if (entries == root->end() || !entries->is_array()) return bad(kFile, "e", "expected an array of entries");
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const auto& e = (*entries)[i];
    std::string where = "e[" + std::to_string(i) + "]";
    auto name = e.is_object() ? string_member(e, "name") : std::nullopt;
    if (!name || name->empty()) return bad(kFile, where, "expected an object with a \"name\"");
    auto doc = parse_entry_doc(where, e);
    if (!doc) return Failure{doc.take_error()};
    out.combinators.emplace(std::move(*name), std::move(*doc));
  }
  if (auto types = root->find("u"); types != root->end()) {
    if (!types->is_object()) return bad(kFile, "u", "expected an object of type descriptions");
    for (auto it = types->begin(); it != types->end(); ++it) {
      if (!it.value().is_string()) return bad(kFile, "u." + it.key(), "expected a string");
      out.types.emplace(it.key(), it.value().get<std::string>());
    }
  }
  return out;
}

}  // namespace telepp::docs
