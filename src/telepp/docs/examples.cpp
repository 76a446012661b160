#include "telepp/docs/examples.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace telepp::docs {
namespace {

using tl::Combinator;
using tl::Type;
using tl::TypeKind;

constexpr int kMaxDepth = 3;        // below this, vectors are empty and values take the shortest form
constexpr std::size_t kWidth = 100; // lines longer than this are broken, one field per line
constexpr int kInfinite = std::numeric_limits<int>::max() / 4;

bool is_required(const tl::Param& p) { return !p.is_flags_word() && !p.is_conditional(); }

int required_count(const Combinator& c) {
  return static_cast<int>(std::count_if(c.params.begin(), c.params.end(), is_required));
}

bool ends_with_empty(const Combinator& c) { return c.short_name().ends_with("Empty"); }

// Nodes in the smallest value of `c`: one plus its required fields; vectors may be empty, so a
// vector costs one, and a boxed type costs its entry in `by_type` (unknown yet: infinite).
int constructor_cost(const Combinator& c, const std::map<std::string, int, std::less<>>& by_type) {
  int cost = 1;
  for (const auto& p : c.params) {
    if (!is_required(p)) continue;
    int field = 1;
    if (p.type.kind == TypeKind::boxed) {
      auto it = by_type.find(p.type.name);
      field = it == by_type.end() ? kInfinite : it->second;
    }
    cost = std::min(kInfinite, cost + field);
  }
  return cost;
}

std::string json_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// Octal escapes have a fixed length, so they cannot swallow a following digit as `\x` would.
std::string cpp_string(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      out += '\\';
      out += static_cast<char>('0' + (u >> 6));
      out += static_cast<char>('0' + ((u >> 3) & 7));
      out += static_cast<char>('0' + (u & 7));
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// A placeholder string that suits the field.
std::string sample_text(std::string_view field) {
  static constexpr std::pair<std::string_view, std::string_view> kByName[] = {
      {"message", "Hello"},
      {"text", "Hello"},
      {"lang_code", "en"},
      {"system_lang_code", "en"},
      {"lang_pack", ""},  // what third-party apps send
      {"device_model", "telepp"},
      {"system_version", "Debian 12"},
      {"app_version", "0.1.0"},
      {"phone_number", "+15555550100"},
      {"phone_code", "12345"},
      {"phone_code_hash", "0123456789abcdef"},
      {"username", "telepp"},
      {"first_name", "Ada"},
      {"last_name", "Lovelace"},
      {"title", "Title"},
      {"about", "About"},
      {"url", "https://example.com"},
      {"link", "https://example.com"},
      {"domain", "example.com"},
      {"q", "telepp"},
      {"query", "telepp"},
      {"emoticon", "\xf0\x9f\x91\x8d"},  // thumbs up
      {"address", "127.0.0.1"},
      {"ip", "127.0.0.1"},
      {"ip_address", "127.0.0.1"},
      {"short_name", "telepp"},
      {"slug", "telepp"},
      {"email", "ada@example.com"},
      {"mime_type", "text/plain"},
      {"file_name", "file.txt"},
      {"password", "secret"}};
  for (auto [name, text] : kByName) {
    if (field == name) return std::string(text);
  }
  return "example";
}

// A placeholder number that suits the field; `layer` fields get the schema's layer.
long long sample_number(std::string_view field, bool is_long, int layer) {
  if (field == "api_id") return 12345;
  if (field == "layer") return layer;
  if (field == "limit") return 100;
  if (field == "port") return 443;
  if (field == "dc_id") return 2;
  if (field == "access_hash") return 5678;
  if (field == "hash" || field.starts_with("offset") || field == "add_offset" || field == "max_id" ||
      field == "min_id") {
    return 0;
  }
  if (field == "date" || field.ends_with("_date") || field == "expires") return 1700000000;
  if (field == "id" || field.ends_with("_id")) return 1234;
  return is_long ? 1234 : 1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// C++ names

CppNames::CppNames(const tl::Schema& schema) {
  for (const auto& c : schema.combinators()) {
    if (!c.ns().empty()) namespaces_.emplace(c.ns());
  }
}

std::string CppNames::ident(std::string_view tl_name) {
  static constexpr std::string_view kReserved[] = {
      // C++20 keywords and alternative tokens
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default",
      "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float",
      "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not",
      "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static", "static_assert",
      "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef",
      "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while",
      "xor", "xor_eq",
      // members every generated struct has
      "kId", "tl_info", "tl_boxed", "Result"};
  std::string out(tl_name);
  if (std::find(std::begin(kReserved), std::end(kReserved), tl_name) != std::end(kReserved)) out += '_';
  return out;
}

std::string CppNames::struct_name(const Combinator& c) const {
  std::string out = "api::";
  if (!c.ns().empty()) out += std::string(c.ns()) + "::";
  std::string name = ident(c.short_name());
  // NOTE: a top-level `updates` struct would hide the `updates::` namespace, hence `updates_`.
  if (c.ns().empty() && namespaces_.count(name)) name += '_';
  return out + name;
}

// ---------------------------------------------------------------------------------------------
// Sample values

/// One value in both spellings: a scalar, an object (a constructor or function with fields), or a
/// list.
struct ExampleBuilder::Node {
  enum class Shape { atom, object, list } shape = Shape::atom;
  std::string cpp;   ///< atom: the C++ literal; object: the struct name
  std::string json;  ///< atom: the JSON literal; object: the TL name
  std::vector<std::pair<std::string, Node>> fields;  ///< object: TL field name → value
  std::vector<Node> items;                           ///< list
};

namespace {

using Node = ExampleBuilder::Node;

// How a tree is spelled in one of the two languages.
struct Style {
  bool cpp = true;

  std::string open(const Node& n) const {
    if (n.shape == Node::Shape::list) return cpp ? "{" : "[";
    return cpp ? n.cpp + "{" : "{";
  }
  std::string close(const Node& n) const { return n.shape == Node::Shape::list && !cpp ? "]" : "}"; }
  std::string key(const std::string& field) const {
    return cpp ? "." + CppNames::ident(field) + " = " : json_string(field) + ": ";
  }
  // The entries between the brackets: `"_": "name"` first in JSON objects.
  std::vector<std::pair<std::string, const Node*>> entries(const Node& n) const {
    std::vector<std::pair<std::string, const Node*>> out;
    if (n.shape == Node::Shape::object) {
      if (!cpp) out.emplace_back("\"_\": " + json_string(n.json), nullptr);
      for (const auto& [field, child] : n.fields) out.emplace_back(key(field), &child);
    } else {
      for (const auto& item : n.items) out.emplace_back(std::string(), &item);
    }
    return out;
  }
  int indent_step() const { return cpp ? 4 : 2; }
};

std::string flat(const Node& n, const Style& style) {
  if (n.shape == Node::Shape::atom) return style.cpp ? n.cpp : n.json;
  std::string out = style.open(n);
  bool first = true;
  for (const auto& [prefix, child] : style.entries(n)) {
    if (!first) out += ", ";
    first = false;
    out += prefix;
    if (child) out += flat(*child, style);
  }
  return out + style.close(n);
}

// Breaks a value over several lines when it does not fit after `column` characters.
std::string pretty(const Node& n, const Style& style, std::size_t column, int indent) {
  std::string one_line = flat(n, style);
  if (n.shape == Node::Shape::atom || column + one_line.size() <= kWidth) return one_line;
  auto entries = style.entries(n);
  if (entries.empty()) return one_line;
  std::string pad(static_cast<std::size_t>(indent + style.indent_step()), ' ');
  std::string out = style.open(n) + "\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [prefix, child] = entries[i];
    out += pad + prefix;
    if (child) out += pretty(*child, style, pad.size() + prefix.size(), indent + style.indent_step());
    // A trailing comma is fine in a C++ braced list, not in JSON.
    if (style.cpp || i + 1 < entries.size()) out += ",";
    out += "\n";
  }
  return out + std::string(static_cast<std::size_t>(indent), ' ') + style.close(n);
}

// Quotes a shell argument in single quotes.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += "'\\''";
    else out += ch;
  }
  return out + "'";
}

Example render(const Node& n, std::string_view cpp_prefix, std::string_view cpp_suffix) {
  constexpr std::string_view kCli = "telepp tl encode ";
  Example out;
  out.cpp = std::string(cpp_prefix) + pretty(n, Style{true}, cpp_prefix.size(), 0) + std::string(cpp_suffix);
  out.json = std::string(kCli) + shell_quote(pretty(n, Style{false}, kCli.size() + 1, 0));
  return out;
}

}  // namespace

ExampleBuilder::ExampleBuilder(const tl::Schema& schema) : schema_(schema), names_(schema) {
  // The size of the smallest value of each boxed type, by fixpoint: costs only go down, so this
  // ends.
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto* c : schema.constructors()) {
      int cost = constructor_cost(*c, cost_);
      auto [it, inserted] = cost_.try_emplace(c->result.name, cost);
      if (inserted || cost < it->second) {
        it->second = cost;
        changed = true;
      }
    }
  }
  // The wrapped query of `!X` fields: help.getConfig, as a client's first call, else any function
  // without required fields.
  sample_query_ = schema.find("help.getConfig");
  if (sample_query_ && !sample_query_->is_function) sample_query_ = nullptr;
  for (const auto* fn : schema.functions()) {
    if (!sample_query_ && fn->type_params.empty() && required_count(*fn) == 0) sample_query_ = fn;
  }
  for (const auto* c : schema.constructors()) {
    if (!sample_object_ && required_count(*c) == 0) sample_object_ = c;
  }
}

const Combinator* ExampleBuilder::pick_constructor(std::string_view type, int depth) const {
  const Combinator* best = nullptr;
  auto cost_of = [&](const Combinator& c) { return constructor_cost(c, cost_); };
  // Near the top: a constructor that is not an `…Empty` placeholder, then the fewest fields, as that
  // shows the most; deeper: the smallest value overall, so that recursive types end.
  auto key = [&](const Combinator& c) {
    bool shallow = depth < kMaxDepth;
    return std::make_tuple(cost_of(c) >= kInfinite, shallow && ends_with_empty(c),
                           shallow ? required_count(c) : cost_of(c), ends_with_empty(c));
  };
  for (const auto* c : schema_.constructors_of(type)) {
    if (!best || key(*c) < key(*best)) best = c;
  }
  return best;
}

ExampleBuilder::Node ExampleBuilder::object(const Combinator& c, int depth) const {
  Node n;
  n.shape = Node::Shape::object;
  n.cpp = names_.struct_name(c);
  n.json = c.name;
  for (const auto& p : c.params) {
    if (is_required(p)) n.fields.emplace_back(p.name, value(p.type, p.name, depth + 1));
  }
  return n;
}

ExampleBuilder::Node ExampleBuilder::value(const Type& t, std::string_view field, int depth) const {
  switch (t.kind) {
    case TypeKind::boxed: {
      const auto* c = pick_constructor(t.name, depth);
      return c ? object(*c, depth) : Node{};
    }
    case TypeKind::bare: {
      const auto* c = schema_.find(t.name);
      return c ? object(*c, depth) : Node{};
    }
    case TypeKind::vector:
    case TypeKind::bare_vector: {
      Node n;
      n.shape = Node::Shape::list;
      if (depth < kMaxDepth) n.items.push_back(value(*t.element, field, depth + 1));
      return n;
    }
    case TypeKind::query:
      return sample_query_ ? object(*sample_query_, depth) : Node{};
    case TypeKind::object:
      return sample_object_ ? object(*sample_object_, depth) : Node{};
    default: return scalar(t, field);
  }
}

ExampleBuilder::Node ExampleBuilder::scalar(const Type& t, std::string_view field) const {
  Node n;
  switch (t.kind) {
    case TypeKind::int32:
    case TypeKind::int64:
      n.cpp = n.json = std::to_string(sample_number(field, t.kind == TypeKind::int64, schema_.layer().value_or(0)));
      break;
    case TypeKind::float64: n.cpp = n.json = "1.5"; break;
    case TypeKind::string:
      n.cpp = cpp_string(sample_text(field));
      n.json = json_string(sample_text(field));
      break;
    case TypeKind::bytes:
      n.cpp = "\"\\x01\\x02\\x03\"";
      n.json = "\"AQID\"";  // base64 of 01 02 03
      break;
    case TypeKind::int128:
      n.cpp = "telepp::Int128{}";
      n.json = json_string(std::string(32, '0'));
      break;
    case TypeKind::int256:
      n.cpp = "telepp::Int256{}";
      n.json = json_string(std::string(64, '0'));
      break;
    case TypeKind::boolean:
    case TypeKind::true_flag: n.cpp = n.json = "true"; break;
    default: n.cpp = "{}"; n.json = "null"; break;  // flags words and type parameters are never fields
  }
  return n;
}

Example ExampleBuilder::for_method(const Combinator& fn) const {
  return render(object(fn, 0), "auto result = co_await client.invoke(", ");");
}

Example ExampleBuilder::for_constructor(const Combinator& ctor) const {
  return render(object(ctor, 0), "auto value = ", ";");
}

}  // namespace telepp::docs
