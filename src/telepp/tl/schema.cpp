#include "telepp/tl/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

#include "telepp/base/crc32.hpp"

namespace telepp::tl {

bool is_bare_name(std::string_view name) {
  auto dot = name.rfind('.');
  auto last = dot == std::string_view::npos ? name : name.substr(dot + 1);
  return !last.empty() && last[0] >= 'a' && last[0] <= 'z';
}

std::string Type::to_tl() const {
  switch (kind) {
    case TypeKind::int32: return "int";
    case TypeKind::int64: return "long";
    case TypeKind::float64: return "double";
    case TypeKind::string: return "string";
    case TypeKind::bytes: return "bytes";
    case TypeKind::int128: return "int128";
    case TypeKind::int256: return "int256";
    case TypeKind::boolean: return "Bool";
    case TypeKind::true_flag: return "true";
    case TypeKind::flags: return "#";
    case TypeKind::boxed: return name;
    case TypeKind::bare: return percent_of.empty() ? name : "%" + percent_of;
    case TypeKind::vector: return "Vector<" + element->to_tl() + ">";
    case TypeKind::bare_vector: return "vector<" + element->to_tl() + ">";
    case TypeKind::type_param: return name;
    case TypeKind::query: return "!" + name;
    case TypeKind::object: return "Object";
  }
  return {};
}

namespace {

// The spelling used inside the CRC32 input: `<`/`>` become a space/nothing; a field typed
// `bytes` counts as `string` (but `Vector<bytes>` keeps its spelling: several real IDs depend on
// it); `%T` counts as the name of T's only constructor (msg_container's ID needs that).
std::string normalized_type(const Type& t, bool whole_field) {
  switch (t.kind) {
    case TypeKind::bytes: return whole_field ? "string" : "bytes";
    case TypeKind::bare: return t.name;
    case TypeKind::vector: return "Vector " + normalized_type(*t.element, false);
    case TypeKind::bare_vector: return "vector " + normalized_type(*t.element, false);
    default: return t.to_tl();
  }
}

// Upstream IDs that are not the CRC32 of their line (see schema/README.md): kept as published.
struct KnownIrregularId {
  std::string_view name;
  std::uint32_t id;
};
constexpr KnownIrregularId kKnownIrregularIds[] = {
    {"inputPeerPhotoFileLocationLegacy", 0x27d69997},  // ID of the pre-layer-128 name
    {"inputStickerSetThumbLegacy", 0x0dbaeae9},        // ID of the pre-layer-128 name
    {"ipPortSecret", 0x37982646},                      // hashed with secret:bytes
    {"accessPointRule", 0x4679b65f},                   // hard-coded by every client
    {"help.configSimple", 0x5a592a6c},                 // hard-coded by every client
};

bool is_known_irregular(const Combinator& c) {
  for (const auto& k : kKnownIrregularIds) {
    if (k.name == c.name && k.id == c.id) return true;
  }
  return false;
}

std::string param_prefix(const Combinator& c, const Param& p) {
  if (!p.is_conditional()) return {};
  return c.params[static_cast<std::size_t>(p.flag_param)].name + "." + std::to_string(p.flag_bit) + "?";
}

}  // namespace

std::string_view Combinator::ns() const {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? std::string_view{} : std::string_view(name).substr(0, dot);
}

std::string_view Combinator::short_name() const {
  auto dot = name.rfind('.');
  return dot == std::string::npos ? std::string_view(name) : std::string_view(name).substr(dot + 1);
}

std::string Combinator::normalized() const {
  std::string out = name;
  for (const auto& tp : type_params) out += " " + tp + ":Type";
  for (const auto& p : params) {
    if (p.is_conditional() && p.type.kind == TypeKind::true_flag) continue;
    out += " " + p.name + ":" + param_prefix(*this, p) + normalized_type(p.type, true);
  }
  out += " = " + normalized_type(result, false);
  return out;
}

std::string Combinator::to_tl() const {
  char idbuf[16];
  std::snprintf(idbuf, sizeof idbuf, "#%08x", id);
  std::string out = name + idbuf;
  for (const auto& tp : type_params) out += " {" + tp + ":Type}";
  for (const auto& p : params) out += " " + p.name + ":" + param_prefix(*this, p) + p.type.to_tl();
  out += " = " + result.to_tl();
  return out;
}

namespace {

struct Token {
  std::string_view text;
  std::size_t offset;  // in the whole file
};

}  // namespace

namespace detail {

class SchemaParser {
 public:
  SchemaParser(std::string_view text, IdCheck check) : text_(text), check_(check) {}

  Result<Schema> run(Schema& out);

 private:
  Failure error_at(std::size_t offset, const std::string& what) const {
    int line = 1, col = 1;
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return fail(TlErrc::schema, "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
  }
  int line_of(std::size_t offset) const {
    return 1 + static_cast<int>(std::count(text_.begin(), text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }

  void skip_space_and_comments();
  Status statement(std::size_t begin, std::size_t end);
  Result<Type> parse_type(const Token& tok, std::string_view s, const Combinator& c, bool in_flag);
  Status resolve(Schema& out);
  Status check_id(Combinator& c, std::size_t offset);

  std::string_view text_;
  IdCheck check_;
  std::size_t pos_ = 0;
  bool functions_ = false;
  std::vector<Combinator> parsed_;
  std::vector<std::size_t> offsets_;  // statement start per parsed combinator
  std::optional<int> layer_;
  std::vector<std::string> mismatches_;
};

void SchemaParser::skip_space_and_comments() {
  while (pos_ < text_.size()) {
    char ch = text_[pos_];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      ++pos_;
    } else if (text_.substr(pos_, 2) == "//") {
      auto eol = text_.find('\n', pos_);
      if (eol == std::string_view::npos) eol = text_.size();
      auto comment = text_.substr(pos_ + 2, eol - pos_ - 2);
      // Exactly `// LAYER <digits>` (as Telegram's api.tl ends), not "LAYER" inside other prose.
      while (!comment.empty() && comment.front() == ' ') comment.remove_prefix(1);
      while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\r')) comment.remove_suffix(1);
      if (comment.starts_with("LAYER ")) {
        int layer = 0;
        auto digits = comment.substr(6);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), layer);
        if (ec == std::errc{} && p == digits.data() + digits.size() && p != digits.data()) layer_ = layer;
      }
      pos_ = eol;
    } else {
      return;
    }
  }
}

namespace {

bool is_builtin_declaration(std::string_view name) {
  static constexpr std::string_view kBuiltins[] = {"int", "long", "double", "string", "bytes", "int128", "int256", "vector"};
  return std::find(std::begin(kBuiltins), std::end(kBuiltins), name) != std::end(kBuiltins);
}

bool valid_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
    if (!ok) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9') && s.front() != '.' && s.back() != '.';
}

}  // namespace

Result<Type> SchemaParser::parse_type(const Token& tok, std::string_view s, const Combinator& c, bool in_flag) {
  Type t;
  if (s.empty()) return error_at(tok.offset, "missing type in '" + std::string(tok.text) + "'");
  if (s == "#") {
    t.kind = TypeKind::flags;
  } else if (s == "true") {
    if (!in_flag) return error_at(tok.offset, "'true' is only valid as a conditional field");
    t.kind = TypeKind::true_flag;
  } else if (s[0] == '!') {
    t.kind = TypeKind::query;
    t.name = std::string(s.substr(1));
    if (std::find(c.type_params.begin(), c.type_params.end(), t.name) == c.type_params.end()) {
      return error_at(tok.offset, "'!" + t.name + "' names no {" + t.name + ":Type} parameter");
    }
  } else if (s[0] == '%') {
    t.kind = TypeKind::bare;
    t.percent_of = std::string(s.substr(1));
    if (!valid_identifier(t.percent_of)) return error_at(tok.offset, "bad type name '" + std::string(s) + "'");
  } else if (s.size() > 8 && (s.starts_with("Vector<") || s.starts_with("vector<")) && s.back() == '>') {
    t.kind = s[0] == 'V' ? TypeKind::vector : TypeKind::bare_vector;
    auto inner = parse_type(tok, s.substr(7, s.size() - 8), c, false);
    if (!inner) return inner;
    if (inner->kind == TypeKind::flags || inner->kind == TypeKind::true_flag || inner->kind == TypeKind::query) {
      return error_at(tok.offset, "'" + std::string(s) + "' is not a valid vector");
    }
    t.element = std::make_shared<const Type>(std::move(*inner));
  } else {
    static const std::pair<std::string_view, TypeKind> kPrimitive[] = {
        {"int", TypeKind::int32},     {"long", TypeKind::int64},     {"double", TypeKind::float64},
        {"string", TypeKind::string}, {"bytes", TypeKind::bytes},    {"int128", TypeKind::int128},
        {"int256", TypeKind::int256}, {"Bool", TypeKind::boolean},   {"Object", TypeKind::object}};
    for (auto [name, kind] : kPrimitive) {
      if (s == name) {
        t.kind = kind;
        return t;
      }
    }
    if (!valid_identifier(s)) return error_at(tok.offset, "bad type '" + std::string(s) + "'");
    t.name = std::string(s);
    if (std::find(c.type_params.begin(), c.type_params.end(), t.name) != c.type_params.end()) {
      t.kind = TypeKind::type_param;
    } else {
      t.kind = is_bare_name(s) ? TypeKind::bare : TypeKind::boxed;
    }
  }
  return t;
}

Status SchemaParser::statement(std::size_t begin, std::size_t end) {
  std::vector<Token> tokens;
  for (std::size_t i = begin; i < end;) {
    while (i < end && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < end && !(text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
    if (i > start) tokens.push_back({text_.substr(start, i - start), start});
  }
  if (tokens.empty()) return error_at(begin, "empty statement");

  Combinator c;
  c.is_function = functions_;
  c.line = line_of(tokens[0].offset);
  auto head = tokens[0].text;
  auto hash = head.find('#');
  c.name = std::string(head.substr(0, hash));
  if (is_builtin_declaration(c.name)) return {};  // `vector {t:Type} # [ t ] = Vector t;` and friends
  if (!valid_identifier(c.name)) return error_at(tokens[0].offset, "bad combinator name '" + c.name + "'");
  if (hash != std::string_view::npos) {
    auto hex = head.substr(hash + 1);
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), c.id, 16);
    if (ec != std::errc{} || p != hex.data() + hex.size() || hex.empty() || hex.size() > 8) {
      return error_at(tokens[0].offset + hash, "bad constructor ID '" + std::string(hex) + "'");
    }
    c.id_explicit = true;
  }

  std::size_t i = 1;
  for (; i < tokens.size() && tokens[i].text != "="; ++i) {
    const auto& tok = tokens[i];
    auto s = tok.text;
    if (s.front() == '{') {
      auto colon = s.find(':');
      if (s.back() != '}' || colon == std::string_view::npos || s.substr(colon + 1, s.size() - colon - 2) != "Type") {
        return error_at(tok.offset, "expected '{X:Type}', got '" + std::string(s) + "'");
      }
      c.type_params.emplace_back(s.substr(1, colon - 1));
      continue;
    }
    auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return error_at(tok.offset, "expected 'name:type', got '" + std::string(s) + "'");
    }
    Param p;
    p.name = std::string(s.substr(0, colon));
    if (!valid_identifier(p.name)) return error_at(tok.offset, "bad parameter name '" + p.name + "'");
    for (const auto& other : c.params) {
      if (other.name == p.name) return error_at(tok.offset, "duplicate parameter '" + p.name + "'");
    }
    auto type = s.substr(colon + 1);
    auto question = type.find('?');
    bool in_flag = false;
    if (question != std::string_view::npos) {
      auto cond = type.substr(0, question);
      auto dot = cond.find('.');
      if (dot == std::string_view::npos) return error_at(tok.offset, "expected 'flags.N?Type'");
      auto word = cond.substr(0, dot);
      int bit = -1;
      auto digits = cond.substr(dot + 1);
      auto [bp, bec] = std::from_chars(digits.data(), digits.data() + digits.size(), bit);
      if (bec != std::errc{} || bp != digits.data() + digits.size() || bit < 0 || bit > 31) {
        return error_at(tok.offset, "flag bit must be 0..31 in '" + std::string(s) + "'");
      }
      for (std::size_t k = 0; k < c.params.size(); ++k) {
        if (c.params[k].name == word && c.params[k].is_flags_word()) p.flag_param = static_cast<int>(k);
      }
      if (p.flag_param < 0) return error_at(tok.offset, "'" + std::string(word) + "' is not an earlier '#' parameter");
      p.flag_bit = bit;
      type = type.substr(question + 1);
      in_flag = true;
    }
    auto parsed = parse_type(tok, type, c, in_flag);
    if (!parsed) return fail(parsed.take_error());
    p.type = std::move(*parsed);
    c.params.push_back(std::move(p));
  }
  if (i + 2 != tokens.size()) {
    auto at = i < tokens.size() ? tokens[i].offset : tokens.back().offset;
    return error_at(at, "expected '= ResultType;' at the end of '" + c.name + "'");
  }
  const auto& rt = tokens[i + 1];
  if (c.is_function) {
    auto r = parse_type(rt, rt.text, c, false);
    if (!r) return fail(r.take_error());
    c.result = std::move(*r);
  } else {
    if (!valid_identifier(rt.text) || is_bare_name(rt.text)) {
      return error_at(rt.offset, "a constructor's type must be a boxed type name, got '" + std::string(rt.text) + "'");
    }
    c.result.kind = TypeKind::boxed;
    c.result.name = std::string(rt.text);
  }

  parsed_.push_back(std::move(c));
  offsets_.push_back(tokens[0].offset);
  return {};
}

// Resolves %Type to its only constructor and checks that every named type exists.
Status SchemaParser::resolve(Schema& out) {
  for (std::size_t k = 0; k < parsed_.size(); ++k) {
    auto& c = parsed_[k];
    auto check = [&](auto& self, Type& t) -> Status {
      if (t.element) {
        Type inner = *t.element;
        TELEPP_TRY(self(self, inner));
        t.element = std::make_shared<const Type>(std::move(inner));
      }
      if (t.kind == TypeKind::bare && !t.percent_of.empty()) {
        auto ctors = out.constructors_of(t.percent_of);
        if (ctors.size() != 1) {
          return error_at(offsets_[k], "'%" + t.percent_of + "' needs a type with exactly one constructor, it has " +
                                           std::to_string(ctors.size()));
        }
        t.name = ctors[0]->name;
      } else if (t.kind == TypeKind::bare) {
        auto* ctor = out.find(t.name);
        if (!ctor || ctor->is_function) return error_at(offsets_[k], "unknown constructor '" + t.name + "'");
      } else if (t.kind == TypeKind::boxed && out.constructors_of(t.name).empty()) {
        return error_at(offsets_[k], "type '" + t.name + "' has no constructors");
      }
      return {};
    };
    for (auto& p : c.params) TELEPP_TRY(check(check, p.type));
    if (c.is_function) TELEPP_TRY(check(check, c.result));
    TELEPP_TRY(check_id(c, offsets_[k]));
  }
  return {};
}

// SECURITY: an ID that disagrees with its line means the schema was edited by hand or damaged.
Status SchemaParser::check_id(Combinator& c, std::size_t offset) {
  auto computed = crc32(as_bytes(c.normalized()));
  if (!c.id_explicit) {
    c.id = computed;
  } else if (computed != c.id && !is_known_irregular(c)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "#%08x but its line hashes to #%08x", c.id, computed);
    std::string what = "'" + c.name + "' has ID " + buf;
    if (check_ == IdCheck::strict) return error_at(offset, what);
    mismatches_.push_back(what);
  }
  return {};
}

Result<Schema> SchemaParser::run(Schema& out) {
  while (true) {
    skip_space_and_comments();
    if (pos_ >= text_.size()) break;
    if (text_.substr(pos_, 3) == "---") {
      auto close = text_.find("---", pos_ + 3);
      if (close == std::string_view::npos) return error_at(pos_, "unterminated section marker");
      auto section = text_.substr(pos_ + 3, close - pos_ - 3);
      if (section == "functions") functions_ = true;
      else if (section == "types") functions_ = false;
      else return error_at(pos_, "unknown section '---" + std::string(section) + "---'");
      pos_ = close + 3;
      continue;
    }
    auto semi = text_.find(';', pos_);
    if (semi == std::string_view::npos) return error_at(pos_, "statement without a closing ';'");
    auto next_comment = text_.substr(pos_, semi - pos_).find("//");
    if (next_comment != std::string_view::npos) return error_at(pos_ + next_comment, "comment inside a statement");
    TELEPP_TRY(statement(pos_, semi));
    pos_ = semi + 1;
  }

  std::set<std::string> names;
  for (std::size_t k = 0; k < parsed_.size(); ++k) {
    if (!names.insert(parsed_[k].name).second) return error_at(offsets_[k], "duplicate name '" + parsed_[k].name + "'");
  }
  out.all_ = std::move(parsed_);
  out.layer_ = layer_;
  out.index();
  // Resolution looks names up through `out` while editing the same elements; moving the vector
  // keeps the elements (and the index's pointers to them) where they are.
  parsed_ = std::move(out.all_);
  TELEPP_TRY(resolve(out));
  std::set<std::uint32_t> ids;
  for (std::size_t k = 0; k < parsed_.size(); ++k) {
    if (!ids.insert(parsed_[k].id).second) return error_at(offsets_[k], "duplicate ID of '" + parsed_[k].name + "'");
  }
  out.all_ = std::move(parsed_);
  out.id_mismatches_ = std::move(mismatches_);
  out.index();
  return Result<Schema>(std::move(out));
}

}  // namespace detail

void Schema::index() {
  constructors_.clear();
  functions_.clear();
  by_id_.clear();
  by_name_.clear();
  by_type_.clear();
  for (const auto& c : all_) {
    (c.is_function ? functions_ : constructors_).push_back(&c);
    by_id_.emplace_back(c.id, &c);
    by_name_.emplace(c.name, &c);
    if (!c.is_function) by_type_[c.result.name].push_back(&c);
  }
  std::sort(by_id_.begin(), by_id_.end(), [](auto& a, auto& b) { return a.first < b.first; });
}

Result<Schema> Schema::parse(std::string_view text, IdCheck check) {
  Schema out;
  detail::SchemaParser parser(text, check);
  return parser.run(out);
}

const Combinator* Schema::find(std::uint32_t id) const {
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id, [](auto& e, std::uint32_t v) { return e.first < v; });
  return it != by_id_.end() && it->first == id ? it->second : nullptr;
}

const Combinator* Schema::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::span<const Combinator* const> Schema::constructors_of(std::string_view type) const {
  auto it = by_type_.find(type);
  if (it == by_type_.end()) return {};
  return it->second;
}

std::vector<std::string> Schema::type_names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : by_type_) out.push_back(name);
  return out;
}

}  // namespace telepp::tl
