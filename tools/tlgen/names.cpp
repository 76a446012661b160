#include "names.hpp"

#include <cstdio>
#include <stdexcept>

namespace tlgen {

std::pair<std::string_view, std::string_view> split_name(std::string_view full) {
  auto dot = full.rfind('.');
  if (dot == std::string_view::npos) return {{}, full};
  return {full.substr(0, dot), full.substr(dot + 1)};
}

std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", id);
  return buf;
}

std::string Module::qualify(std::string_view tl_ns) const {
  std::string out = "::" + cpp_ns;
  if (!tl_ns.empty()) out += "::" + std::string(tl_ns);
  return out;
}

std::string Module::ident(std::string_view name) {
  static const std::set<std::string_view> kKeywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // names the generated structs use for themselves
      "kId", "tl_info", "tl_boxed", "Result"};
  std::string out(name);
  if (kKeywords.count(name)) out += '_';
  return out;
}

std::string Module::struct_name(const Combinator& c) const {
  auto [ns, short_name] = split_name(c.name);
  std::string out = ident(short_name);
  // A top-level constructor named like a TL namespace (`updates`) would hide that namespace.
  if (ns.empty() && tl_namespaces.count(out)) out += '_';
  return out;
}

std::string Module::struct_qual(const Combinator& c) const {
  auto [ns, _] = split_name(c.name);
  std::string out = qualify(ns) + "::" + struct_name(c);
  if (!c.type_params.empty()) out += "<>";
  return out;
}

std::string Module::holder_name(std::string_view type_name) const { return ident(split_name(type_name).second); }

std::string Module::holder_qual(std::string_view type_name) const {
  return qualify(split_name(type_name).first) + "::" + holder_name(type_name);
}

std::string Module::cpp_type(const Type& t) const {
  switch (t.kind) {
    case TypeKind::int32: return "std::int32_t";
    case TypeKind::int64: return "std::int64_t";
    case TypeKind::float64: return "double";
    case TypeKind::string:
    case TypeKind::bytes: return "std::string";
    case TypeKind::int128: return "::telepp::Int128";
    case TypeKind::int256: return "::telepp::Int256";
    case TypeKind::boolean:
    case TypeKind::true_flag: return "bool";
    case TypeKind::boxed: return holder_qual(t.name);
    case TypeKind::bare: {
      const auto* c = schema->find(t.name);
      if (!c) throw std::runtime_error("unknown bare constructor " + t.name);
      return struct_qual(*c);
    }
    case TypeKind::vector:
    case TypeKind::bare_vector: return "std::vector<" + cpp_type(*t.element) + ">";
    case TypeKind::type_param: return "typename Q::Result";
    case TypeKind::query: return "Q";
    case TypeKind::object: return "::telepp::tl::RawObject";
    case TypeKind::flags: break;
  }
  throw std::runtime_error("no C++ type for " + t.to_tl());
}

std::string Module::result_type(const Combinator& fn) const { return cpp_type(fn.result); }

}  // namespace tlgen
