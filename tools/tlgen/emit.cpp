#include "emit.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tlgen {
namespace {

using telepp::tl::Param;

constexpr const char* kTl = "::telepp::tl::";

std::string header_name(std::string_view tl_ns) { return tl_ns.empty() ? "root" : std::string(tl_ns); }

bool is_generic(const Combinator& c) { return !c.type_params.empty(); }

// The `bytes:int body:Object` pair of MTProto's `message`: the length belongs to the body.
bool is_length_of_next(const Combinator& c, std::size_t i) {
  return i + 1 < c.params.size() && c.params[i].name == "bytes" && c.params[i].type.kind == TypeKind::int32 &&
         c.params[i + 1].type.kind == TypeKind::object;
}

std::string flag_var(int flag_param) { return "f" + std::to_string(flag_param); }
std::string bit_mask(int bit) { return "(1u << " + std::to_string(bit) + ")"; }

// True when another field hangs on the same bit as params[i] (the bit then means "all of them").
bool bit_is_shared(const Combinator& c, std::size_t i) {
  const auto& p = c.params[i];
  for (std::size_t k = 0; k < c.params.size(); ++k) {
    const auto& q = c.params[k];
    if (k != i && q.flag_param == p.flag_param && q.flag_bit == p.flag_bit) return true;
  }
  return false;
}

class Emitter {
 public:
  Emitter(const Module& m, const Options& o) : m_(m), o_(o) {}
  Files run();

 private:
  std::string struct_body(const Combinator& c) const;
  std::string field_decl(const Param& p) const;
  std::string write_fn(const Combinator& c, bool inline_template) const;
  std::string read_fn(const Combinator& c, bool inline_template) const;
  std::string write_value(const Param& p, const std::string& expr) const;
  std::string read_value(const Param& p, const std::string& expr) const;
  std::string holders_header() const;
  std::string namespace_header(const std::string& tl_ns, const std::vector<const Combinator*>& items) const;
  std::string umbrella_header() const;
  std::vector<std::string> shard_sources() const;
  std::string registry_source() const;
  std::string holder_read_fn(const std::string& type) const;
  std::string type_info_def(const Combinator& c) const;
  std::string include_dir() const { return "telepp/" + m_.name; }
  // The namespace a combinator's functions live in, spelled for an out-of-namespace definition.
  std::string scope_of(const Combinator& c) const { return m_.qualify(c.ns()).substr(2); }
  std::string scope_of_type(const std::string& type) const { return m_.qualify(split_name(type).first).substr(2); }

  const Module& m_;
  const Options& o_;
};

// Every field has a `{}` initialiser: scalars start at zero, and designated initialisers may omit
// any field without -Wmissing-field-initializers warnings in users' code.
std::string Emitter::field_decl(const Param& p) const {
  std::string name = Module::ident(p.name);
  if (p.type.kind == TypeKind::true_flag) return "  bool " + name + "{};\n";
  std::string type = m_.cpp_type(p.type);
  if (p.is_conditional()) return "  std::optional<" + type + "> " + name + "{};\n";
  return "  " + type + " " + name + "{};\n";
}

std::string Emitter::struct_body(const Combinator& c) const {
  std::ostringstream out;
  std::string name = m_.struct_name(c);
  std::string self = is_generic(c) ? name : m_.struct_qual(c);
  out << "/// `" << c.to_tl() << "`\n";
  if (is_generic(c)) out << "template <class Q = " << m_.any_function() << ">\n";
  out << "struct " << name << " {\n";
  for (const auto& p : c.params) {
    if (!p.is_flags_word()) out << field_decl(p);
  }
  out << "\n  static constexpr std::uint32_t kId = " << hex_id(c.id) << "u;\n";
  if (c.is_function) {
    out << "  using Result = " << m_.result_type(c) << ";\n";
    out << "  using tl_boxed = " << m_.any_function() << ";\n";
  } else {
    out << "  using tl_boxed = " << m_.holder_qual(c.result.name) << ";\n";
  }
  out << "  static const " << kTl << "TypeInfo tl_info;\n";
  out << "  bool operator==(const " << self << "&) const = default;\n";
  out << "};\n";
  return out.str();
}

std::string Emitter::write_value(const Param& p, const std::string& expr) const {
  if (p.type.kind == TypeKind::bare_vector) {
    return "w.bare_vector_count(" + expr + ".size()); for (const auto& e : " + expr + ") " + kTl + "write_value(w, e);";
  }
  if (p.type.kind == TypeKind::query) return std::string(kTl) + "write_object(w, " + expr + ");";
  return std::string(kTl) + "write_value(w, " + expr + ");";
}

std::string Emitter::read_value(const Param& p, const std::string& expr) const {
  if (p.type.kind == TypeKind::bare_vector) {
    std::string elem = m_.cpp_type(*p.type.element);
    return expr + ".resize(r.bare_vector_count(" + kTl + "min_wire_size<" + elem + ">())); for (auto& e : " + expr +
           ") " + kTl + "read_value(r, e);";
  }
  if (p.type.kind == TypeKind::query) return std::string(kTl) + "read_object(r, " + expr + ");";
  return std::string(kTl) + "read_value(r, " + expr + ");";
}

std::string Emitter::write_fn(const Combinator& c, bool inline_template) const {
  std::ostringstream out;
  std::string self = inline_template ? m_.struct_name(c) + "<Q>" : m_.struct_qual(c);
  if (inline_template) out << "template <class Q>\ninline ";
  std::string fn = inline_template ? "tl_write" : scope_of(c) + "::tl_write";
  out << "void " << fn << "([[maybe_unused]] " << kTl << "Writer& w, [[maybe_unused]] const " << self << "& o) {\n";
  // Flag words first: each bit is set when any field hanging on it is present.
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    if (!c.params[i].is_flags_word()) continue;
    out << "  std::uint32_t " << flag_var(static_cast<int>(i)) << " = 0;\n";
    for (const auto& p : c.params) {
      if (p.flag_param != static_cast<int>(i)) continue;
      std::string present = p.type.kind == TypeKind::true_flag ? "o." + Module::ident(p.name)
                                                               : "o." + Module::ident(p.name) + ".has_value()";
      out << "  if (" << present << ") " << flag_var(p.flag_param) << " |= " << bit_mask(p.flag_bit) << ";\n";
    }
  }
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const auto& p = c.params[i];
    std::string field = "o." + Module::ident(p.name);
    if (p.is_flags_word()) {
      out << "  w.u32(" << flag_var(static_cast<int>(i)) << ");\n";
    } else if (p.type.kind == TypeKind::true_flag) {
      continue;
    } else if (is_length_of_next(c, i)) {
      out << "  w.i32(static_cast<std::int32_t>(o." << Module::ident(c.params[i + 1].name) << ".data.size()));\n";
    } else if (p.is_conditional() && bit_is_shared(c, i)) {
      out << "  if (" << flag_var(p.flag_param) << " & " << bit_mask(p.flag_bit) << ") {\n"
          << "    if (!" << field << ") w.fail(::telepp::TlErrc::missing_field, \"" << c.name << "." << p.name
          << " must be set: another field on flags." << p.flag_bit << " is\");\n"
          << "    else { " << write_value(p, "*" + field) << " }\n  }\n";
    } else if (p.is_conditional()) {
      out << "  if (" << field << ") { " << write_value(p, "*" + field) << " }\n";
    } else {
      out << "  " << write_value(p, field) << "\n";
    }
  }
  out << "}\n";
  return out.str();
}

std::string Emitter::read_fn(const Combinator& c, bool inline_template) const {
  std::ostringstream out;
  std::string self = inline_template ? m_.struct_name(c) + "<Q>" : m_.struct_qual(c);
  if (inline_template) out << "template <class Q>\ninline ";
  std::string fn = inline_template ? "tl_read" : scope_of(c) + "::tl_read";
  out << "void " << fn << "([[maybe_unused]] " << kTl << "Reader& r, [[maybe_unused]] " << self << "& o) {\n";
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const auto& p = c.params[i];
    std::string field = "o." + Module::ident(p.name);
    if (p.is_flags_word()) {
      out << "  [[maybe_unused]] const std::uint32_t " << flag_var(static_cast<int>(i)) << " = r.u32();\n";
    } else if (p.type.kind == TypeKind::true_flag) {
      out << "  " << field << " = (" << flag_var(p.flag_param) << " & " << bit_mask(p.flag_bit) << ") != 0;\n";
    } else if (i > 0 && is_length_of_next(c, i - 1)) {
      std::string len = "o." + Module::ident(c.params[i - 1].name);
      out << "  if (" << len << " < 0) r.fail(::telepp::TlErrc::bad_length, \"negative object length\");\n"
          << "  { auto body = r.raw(static_cast<std::size_t>(" << len << " < 0 ? 0 : " << len << ")); " << field
          << ".data.assign(reinterpret_cast<const char*>(body.data()), body.size()); }\n";
    } else if (p.is_conditional()) {
      out << "  if (" << flag_var(p.flag_param) << " & " << bit_mask(p.flag_bit) << ") { " << read_value(p, field + ".emplace()")
          << " }\n";
    } else {
      out << "  " << read_value(p, field) << "\n";
    }
  }
  out << "}\n";
  return out.str();
}

std::string Emitter::type_info_def(const Combinator& c) const {
  std::string qual = m_.struct_qual(c);
  return "constinit const " + std::string(kTl) + "TypeInfo " + qual.substr(2) + "::tl_info = " + kTl + "make_type_info<" +
         qual + ">(" + hex_id(c.id) + "u, \"" + c.name + "\", " + (c.is_function ? "true" : "false") + ");\n";
}

// Boxed types in schema order, with their constructors sorted by ID.
std::map<std::string, std::vector<const Combinator*>> holders_of(const Schema& s) {
  std::map<std::string, std::vector<const Combinator*>> out;
  for (const auto* c : s.constructors()) out[c->result.name].push_back(c);
  for (auto& [_, list] : out) std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return out;
}

std::string Emitter::holders_header() const {
  std::ostringstream out;
  out << "// Generated by tlgen from the " << m_.name << " schema. Do not edit.\n#pragma once\n\n"
      << "#include <cstdint>\n#include <optional>\n#include <string>\n#include <string_view>\n#include <vector>\n\n"
      << "#include \"telepp/base/int128.hpp\"\n#include \"telepp/tl/boxed.hpp\"\n#include \"telepp/tl/codec.hpp\"\n\n";
  out << "namespace " << m_.cpp_ns << " {\n\n";
  if (m_.schema->layer()) out << "/// The TL layer of this schema.\ninline constexpr int kLayer = " << *m_.schema->layer() << ";\n\n";
  out << "/// Any function of this schema (what `!X` reads when the query's type is not known statically).\n"
      << "class AnyFunction : public " << kTl << "BoxedBase {\n public:\n  AnyFunction() = default;\n"
      << "  template <" << kTl << "ConstructorOf<AnyFunction> C>\n"
      << "  AnyFunction(C&& c) : BoxedBase(std::in_place, std::forward<C>(c)) {}\n"
      << "  using Result = " << kTl << "RawObject;\n};\n"
      << "void tl_read(" << kTl << "Reader& r, AnyFunction& h);\n\n}  // namespace " << m_.cpp_ns << "\n";
  std::map<std::string, std::vector<std::string>> by_ns;
  for (const auto& [type, _] : holders_of(*m_.schema)) by_ns[std::string(split_name(type).first)].push_back(type);
  for (const auto& [ns, types] : by_ns) {
    out << "\nnamespace " << m_.cpp_ns << (ns.empty() ? "" : "::" + ns) << " {\n";
    for (const auto& type : types) {
      auto name = m_.holder_name(type);
      out << "\n/// Boxed type `" << type << "`: holds one of its constructors.\n"
          << "class " << name << " : public " << kTl << "BoxedBase {\n public:\n  " << name << "() = default;\n"
          << "  template <" << kTl << "ConstructorOf<" << name << "> C>\n"
          << "  " << name << "(C&& c) : BoxedBase(std::in_place, std::forward<C>(c)) {}\n};\n"
          << "void tl_read(" << kTl << "Reader& r, " << name << "& h);\n";
    }
    out << "\n}  // namespace\n";
  }
  return out.str();
}

// Bare constructors used by value must be defined before their users.
std::vector<const Combinator*> in_dependency_order(const Schema& s, const std::vector<const Combinator*>& items) {
  std::vector<const Combinator*> out;
  std::set<const Combinator*> done, in_file(items.begin(), items.end());
  std::function<void(const Combinator*)> visit = [&](const Combinator* c) {
    if (done.count(c)) return;
    done.insert(c);
    std::function<void(const Type&)> deps = [&](const Type& t) {
      if (t.element) deps(*t.element);
      if (t.kind == TypeKind::bare) {
        auto* dep = s.find(t.name);
        if (dep && in_file.count(dep)) visit(dep);
      }
    };
    for (const auto& p : c->params) deps(p.type);
    out.push_back(c);
  };
  for (const auto* c : items) visit(c);
  return out;
}

std::string Emitter::namespace_header(const std::string& tl_ns, const std::vector<const Combinator*>& items) const {
  std::ostringstream out;
  out << "// Generated by tlgen from the " << m_.name << " schema. Do not edit.\n#pragma once\n\n"
      << "#include \"" << include_dir() << "/holders.hpp\"\n";
  out << "\nnamespace " << m_.cpp_ns << (tl_ns.empty() ? "" : "::" + tl_ns) << " {\n";
  for (const auto* c : in_dependency_order(*m_.schema, items)) {
    out << "\n" << struct_body(*c);
    if (is_generic(*c)) {
      auto name = m_.struct_name(*c);
      out << "template <class Q>\nconst " << kTl << "TypeInfo " << name << "<Q>::tl_info = " << kTl << "make_type_info<"
          << name << "<Q>>(" << hex_id(c->id) << "u, \"" << c->name << "\", true);\n";
      out << write_fn(*c, true) << read_fn(*c, true);
    } else {
      auto qual = m_.struct_qual(*c);
      out << "void tl_write(" << kTl << "Writer& w, const " << qual << "& o);\n"
          << "void tl_read(" << kTl << "Reader& r, " << qual << "& o);\n";
    }
  }
  out << "\n}  // namespace\n";
  return out.str();
}

std::string Emitter::umbrella_header() const {
  std::ostringstream out;
  out << "// Generated by tlgen from the " << m_.name << " schema. Do not edit.\n#pragma once\n\n"
      << "#include \"" << include_dir() << "/holders.hpp\"\n#include \"" << include_dir() << "/root.hpp\"\n";
  for (const auto& ns : m_.tl_namespaces) out << "#include \"" << include_dir() << "/" << ns << ".hpp\"\n";
  return out.str();
}

// A switch over the constructor IDs: the compiler builds a jump table or a search tree and each
// case calls the constructor's reader directly.
std::string Emitter::holder_read_fn(const std::string& type) const {
  std::ostringstream out;
  auto list = m_.schema->constructors_of(type);
  std::vector<const Combinator*> sorted(list.begin(), list.end());
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->id < b->id; });
  out << "void " << scope_of_type(type) << "::tl_read(" << kTl << "Reader& r, " << m_.holder_qual(type) << "& h) {\n"
      << "  const std::uint32_t id = r.u32();\n  switch (id) {\n";
  for (const auto* c : sorted) {
    out << "    case " << hex_id(c->id) << "u: " << kTl << "read_boxed_as<" << m_.struct_qual(*c) << ">(r, h); return;\n";
  }
  out << "    default: " << kTl << "fail_boxed(r, id, \"" << type << "\");\n  }\n}\n";
  return out.str();
}

std::vector<std::string> Emitter::shard_sources() const {
  int n = std::max(1, o_.shards);
  std::vector<std::ostringstream> shards(static_cast<std::size_t>(n));
  std::vector<std::size_t> weight(static_cast<std::size_t>(n), 0);
  auto lightest = [&] { return static_cast<std::size_t>(std::min_element(weight.begin(), weight.end()) - weight.begin()); };
  for (const auto& c : m_.schema->combinators()) {
    if (is_generic(c)) continue;
    auto k = lightest();
    shards[k] << "\n" << type_info_def(c) << write_fn(c, false) << read_fn(c, false);
    weight[k] += 3 + c.params.size();
  }
  for (const auto& [type, _] : holders_of(*m_.schema)) {
    auto k = lightest();
    shards[k] << "\n" << holder_read_fn(type);
    weight[k] += 2;
  }
  std::vector<std::string> out;
  for (auto& s : shards) {
    out.push_back("// Generated by tlgen from the " + m_.name + " schema. Do not edit.\n#include \"telepp/" + m_.name +
                  ".hpp\"\n\nnamespace " + m_.cpp_ns + "::detail {\nextern const int registry_anchor;\n"
                  "// Pulls the registry (and so every type) into any program that uses this shard.\n"
                  "[[gnu::used]] static const int* const kRegistryAnchor = &registry_anchor;\n}  // namespace\n" +
                  s.str());
  }
  return out;
}

std::string Emitter::registry_source() const {
  std::vector<const Combinator*> all;
  for (const auto& c : m_.schema->combinators()) all.push_back(&c);
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->id < b->id; });
  std::ostringstream out;
  out << "// Generated by tlgen from the " << m_.name << " schema. Do not edit.\n#include \"telepp/" << m_.name
      << ".hpp\"\n\nnamespace " << m_.cpp_ns << " {\nnamespace {\n\nconstexpr const " << kTl << "TypeInfo* kAll[] = {\n";
  for (const auto* c : all) out << "    &" << m_.struct_qual(*c) << "::tl_info,\n";
  out << "};\nconstexpr const " << kTl << "TypeInfo* kFunctions[] = {\n";
  for (const auto* c : all) {
    if (c->is_function) out << "    &" << m_.struct_qual(*c) << "::tl_info,\n";
  }
  out << "};\n\n[[gnu::used]] const bool kRegistered = (" << kTl << "register_types(kAll), true);\n\n}  // namespace\n\n"
      << "namespace detail {\nextern const int registry_anchor;\nconst int registry_anchor = 0;\n}  // namespace detail\n\n"
      << "void tl_read(" << kTl << "Reader& r, AnyFunction& h) { " << kTl << "read_boxed(r, h, kFunctions, \"function\"); }\n\n"
      << "}  // namespace " << m_.cpp_ns << "\n";
  return out.str();
}

Files Emitter::run() {
  Files files;
  files[include_dir() + "/holders.hpp"] = holders_header();
  std::map<std::string, std::vector<const Combinator*>> by_ns;
  for (const auto& c : m_.schema->combinators()) by_ns[std::string(c.ns())].push_back(&c);
  by_ns[""];  // root.hpp always exists
  for (const auto& ns : m_.tl_namespaces) by_ns[ns];
  for (const auto& [ns, items] : by_ns) files[include_dir() + "/" + header_name(ns) + ".hpp"] = namespace_header(ns, items);
  files["telepp/" + m_.name + ".hpp"] = umbrella_header();
  auto shards = shard_sources();
  for (std::size_t k = 0; k < shards.size(); ++k) files[m_.name + "_shard_" + std::to_string(k) + ".cpp"] = shards[k];
  files[m_.name + "_registry.cpp"] = registry_source();
  return files;
}

}  // namespace

Files emit_module(const Module& module, const Options& options) { return Emitter(module, options).run(); }

}  // namespace tlgen
