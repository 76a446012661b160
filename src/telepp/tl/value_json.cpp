// The JSON side of the dynamic form (nlohmann-json stays private to this file).
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "telepp/base/base64.hpp"
#include "telepp/base/hex.hpp"
#include "telepp/tl/reader.hpp"
#include "telepp/tl/value.hpp"

namespace telepp::tl {
namespace {

// ordered: "_" first, then the fields in TL order, as people read them.
using json = nlohmann::ordered_json;

// The largest integer magnitude every double represents exactly.
constexpr std::int64_t kMaxExactDouble = std::int64_t{1} << 53;

json to_json(const Value& v);

json object_to_json(const ObjectValue& o) {
  json out = json::object();
  out["_"] = o.combinator->name;
  for (std::size_t i = 0; i < o.combinator->params.size(); ++i) {
    const auto& p = o.combinator->params[i];
    const auto& f = o.fields[i];
    if (p.is_flags_word() || f.is_null()) continue;
    if (p.type.kind == TypeKind::true_flag && !f.as_bool()) continue;
    out[p.name] = to_json(f);
  }
  return out;
}

json to_json(const Value& v) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::null: return nullptr;
    case K::boolean: return v.as_bool();
    case K::int32: return v.as_int32();
    case K::int64: {
      auto x = v.as_int64();
      if (x >= -kMaxExactDouble && x <= kMaxExactDouble) return x;
      return std::to_string(x);
    }
    case K::float64: return v.as_double();
    case K::string: return v.as_text();
    case K::bytes: return to_base64(as_bytes(v.as_text()));
    case K::int128: return to_hex(v.as_int128().view());
    case K::int256: return to_hex(v.as_int256().view());
    case K::vector: {
      json arr = json::array();
      for (const auto& e : v.as_vector()) arr.push_back(to_json(e));
      return arr;
    }
    case K::object: return object_to_json(v.as_object());
  }
  return nullptr;
}

class FromJson {
 public:
  explicit FromJson(const Schema& s) : s_(s) {}

  Result<Value> object(const json& j, const std::string& path, const Type* expected) {
    // SECURITY: the same nesting limit as the binary decoder, so hostile JSON cannot exhaust the
    // stack and nothing is accepted here that decode_value would refuse.
    if (depth_ >= Reader::kMaxDepth) {
      return fail(TlErrc::too_deep, path + ": nesting deeper than " + std::to_string(Reader::kMaxDepth) + " objects");
    }
    ++depth_;
    auto result = object_body(j, path, expected);
    --depth_;
    return result;
  }

 private:
  Result<Value> object_body(const json& j, const std::string& path, const Type* expected) {
    if (!j.is_object()) return bad(path, "expected an object with \"_\", got " + describe(j));
    auto name_it = j.find("_");
    if (name_it == j.end() || !name_it->is_string()) return bad(path, "missing \"_\" (the constructor name)");
    const std::string name = name_it->get<std::string>();
    const Combinator* c = s_.find(name);
    if (!c) return bad(path, "unknown constructor or function '" + name + "'");
    if (expected) TELEPP_TRY(check_fits(*c, *expected, path));
    std::string here = path.empty() ? name : path;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "_") continue;
      bool known = false;
      for (const auto& p : c->params) known |= p.name == it.key() && !p.is_flags_word();
      if (!known) return bad(here + "." + it.key(), "'" + name + "' has no field '" + it.key() + "'");
    }
    ObjectValue o{c, std::vector<Value>(c->params.size())};
    for (std::size_t i = 0; i < c->params.size(); ++i) {
      const auto& p = c->params[i];
      if (p.is_flags_word()) continue;
      std::string field_path = here + "." + p.name;
      auto it = j.find(p.name);
      bool length_of_body = p.name == "bytes" && i + 1 < c->params.size() && c->params[i + 1].type.kind == TypeKind::object;
      if (it == j.end() || it->is_null()) {
        if (p.type.kind == TypeKind::true_flag) o.fields[i] = Value::of_bool(false);
        else if (length_of_body) o.fields[i] = Value::of_int32(0);  // computed when writing
        else if (!p.is_conditional()) return bad(field_path, "required field is missing");
        continue;
      }
      auto v = value(*it, p.type, field_path);
      if (!v) return v;
      o.fields[i] = std::move(*v);
    }
    return Value::of_object(std::move(o));
  }

  static Failure bad(const std::string& path, const std::string& what) {
    return fail(TlErrc::json, (path.empty() ? std::string("(top level)") : path) + ": " + what);
  }
  static std::string describe(const json& j) {
    std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return std::string(j.type_name()) + " " + text;
  }

  Status check_fits(const Combinator& c, const Type& t, const std::string& path) {
    bool ok = false;
    switch (t.kind) {
      case TypeKind::boxed: ok = !c.is_function && c.result.name == t.name; break;
      case TypeKind::bare: ok = !c.is_function && c.name == t.name; break;
      case TypeKind::query: ok = c.is_function; break;
      case TypeKind::object: ok = true; break;  // a message body may be a request (a function)
      default: break;
    }
    if (!ok) return bad(path, "'" + c.name + "' is not a " + t.to_tl());
    return {};
  }

  Result<Value> value(const json& j, const Type& t, const std::string& path) {
    switch (t.kind) {
      case TypeKind::int32: {
        if (!j.is_number_integer()) return bad(path, "expected an int, got " + describe(j));
        if (j.is_number_unsigned() && j.get<std::uint64_t>() > 0x7fffffffu) return bad(path, "int out of 32-bit range: " + j.dump());
        auto x = j.get<std::int64_t>();
        if (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max()) {
          return bad(path, "int out of 32-bit range: " + j.dump());
        }
        return Value::of_int32(static_cast<std::int32_t>(x));
      }
      case TypeKind::int64: return long_value(j, path);
      case TypeKind::float64:
        if (!j.is_number()) return bad(path, "expected a double, got " + describe(j));
        return Value::of_double(j.get<double>());
      case TypeKind::string:
        if (!j.is_string()) return bad(path, "expected a string, got " + describe(j));
        return Value::of_string(j.get<std::string>());
      case TypeKind::bytes: {
        if (!j.is_string()) return bad(path, "expected base64 bytes, got " + describe(j));
        auto raw = from_base64(j.get_ref<const std::string&>());
        if (!raw) return bad(path, raw.error().detail);
        return Value::of_bytes(std::string(raw->begin(), raw->end()));
      }
      case TypeKind::int128: return fixed<16>(j, path);
      case TypeKind::int256: return fixed<32>(j, path);
      case TypeKind::boolean:
      case TypeKind::true_flag:
        if (!j.is_boolean()) return bad(path, "expected true or false, got " + describe(j));
        return Value::of_bool(j.get<bool>());
      case TypeKind::boxed:
      case TypeKind::bare:
      case TypeKind::query: return object(j, path, &t);
      case TypeKind::object: {
        if (j.is_string()) {  // an object kept as raw bytes (its type unknown to the schema)
          auto raw = from_base64(j.get_ref<const std::string&>());
          if (!raw) return bad(path, raw.error().detail);
          return Value::of_bytes(std::string(raw->begin(), raw->end()));
        }
        return object(j, path, &t);
      }
      case TypeKind::vector:
      case TypeKind::bare_vector: {
        if (!j.is_array()) return bad(path, "expected an array, got " + describe(j));
        Value::Vector items;
        items.reserve(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) {
          auto e = value(j[i], *t.element, path + "[" + std::to_string(i) + "]");
          if (!e) return e;
          items.push_back(std::move(*e));
        }
        return Value::of_vector(std::move(items));
      }
      case TypeKind::flags:
      case TypeKind::type_param: break;
    }
    return bad(path, "type " + t.to_tl() + " has no JSON form");
  }

  Result<Value> long_value(const json& j, const std::string& path) {
    if (j.is_number_integer()) {
      if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return bad(path, "long out of 64-bit range: " + j.dump());
      }
      return Value::of_int64(j.get<std::int64_t>());
    }
    if (j.is_string()) {
      const auto& s = j.get_ref<const std::string&>();
      std::int64_t x = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) {
        return bad(path, "expected a long as a number or a decimal string, got \"" + s + "\"");
      }
      return Value::of_int64(x);
    }
    return bad(path, "expected a long, got " + describe(j));
  }

  template <std::size_t N>
  Result<Value> fixed(const json& j, const std::string& path) {
    const char* what = N == 16 ? "int128" : "int256";
    if (!j.is_string() || j.get_ref<const std::string&>().size() != 2 * N) {
      return bad(path, std::string("expected ") + what + " as " + std::to_string(2 * N) + " lowercase hex digits");
    }
    const auto& s = j.get_ref<const std::string&>();
    for (char ch : s) {
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return bad(path, std::string(what) + ": not lowercase hex");
    }
    auto raw = from_hex(s);
    FixedBytes<N> out;
    std::memcpy(out.data(), raw->data(), N);
    if constexpr (N == 16) return Value::of_int128(out);
    else return Value::of_int256(out);
  }

  const Schema& s_;
  int depth_ = 0;
};

}  // namespace

Result<Value> value_from_json(const Schema& schema, std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return fail(TlErrc::json, std::string("invalid JSON: ") + e.what());
  }
  return FromJson(schema).object(j, "", nullptr);
}

std::string value_to_json(const Value& v, int indent) {
  return to_json(v).dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace telepp::tl
