#include "telepp/docs/pages.hpp"

#include <algorithm>
#include <cstdio>

#include "telepp/docs/markup.hpp"

namespace telepp::docs {
namespace {

using tl::Combinator;
using tl::Type;
using tl::TypeKind;

std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", id);
  return buf;
}

std::string_view section_title(Section s) {
  switch (s) {
    case Section::methods: return "Methods";
    case Section::constructors: return "Constructors";
    case Section::types: return "Types";
  }
  return {};
}

std::string yes_no(const std::optional<bool>& v) {
  if (!v) return "UNKNOWN (not in api-meta.json)";
  return *v ? "YES" : "NO";
}

std::string_view namespace_of(std::string_view name) {
  auto dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
}

// Alphabetical for people (`getMessages` next to `GetMessages`), byte order to break ties.
bool name_less(std::string_view a, std::string_view b) {
  auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
  auto cmp = std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [&](char x, char y) { return lower(x) < lower(y); });
  auto rcmp = std::lexicographical_compare(b.begin(), b.end(), a.begin(), a.end(),
                                           [&](char x, char y) { return lower(x) < lower(y); });
  return cmp || (!rcmp && a < b);
}

// Names grouped by TL namespace: the top level first, then namespaces alphabetically.
std::map<std::string, std::vector<std::string>> by_namespace(std::vector<std::string> names) {
  std::sort(names.begin(), names.end(), name_less);
  std::map<std::string, std::vector<std::string>> out;
  for (auto& n : names) out[std::string(namespace_of(n))].push_back(std::move(n));
  return out;
}

std::string namespace_heading(const std::string& ns) { return ns.empty() ? "Top level" : ns; }

// The anchor GitHub and most renderers derive from a heading made of `[a-z0-9_.]` and spaces.
std::string anchor(const std::string& heading) {
  std::string out;
  for (char ch : heading) {
    if (ch == ' ') out += '-';
    else if (ch >= 'A' && ch <= 'Z') out += static_cast<char>(ch - 'A' + 'a');
    else if (ch != '.') out += ch;
  }
  return out;
}

std::string code_block(std::string_view lang, std::string_view body) {
  return "```" + std::string(lang) + "\n" + std::string(body) + "\n```\n";
}

}  // namespace

std::string_view folder(Section s) {
  switch (s) {
    case Section::methods: return "methods";
    case Section::constructors: return "constructors";
    case Section::types: return "types";
  }
  return {};
}

Pages::Pages(const tl::Schema& schema, const Metadata& meta, const Descriptions* descriptions)
    : schema_(schema), meta_(meta), descriptions_(descriptions), examples_(schema) {
  for (const auto* fn : schema.functions()) {
    const Type* t = &fn->result;
    while ((t->kind == TypeKind::vector || t->kind == TypeKind::bare_vector) && t->element) t = t->element.get();
    if (t->kind == TypeKind::boxed) returned_by_[t->name].push_back(fn);
  }
  for (auto& [_, fns] : returned_by_) {
    std::sort(fns.begin(), fns.end(), [](auto* a, auto* b) { return name_less(a->name, b->name); });
  }
}

// ---------------------------------------------------------------------------------------------
// Pieces

std::string Pages::front_matter(std::string_view title, std::string_view description, std::string_view parent,
                                std::string_view extra) const {
  std::string out = "---\ntitle: " + yaml_quote(title) + "\ndescription: " + yaml_quote(description) + "\n";
  if (!parent.empty()) out += "parent: " + std::string(parent) + "\n";
  out += extra;
  if (auto layer = schema_.layer() ? schema_.layer() : meta_.layer) out += "layer: " + std::to_string(*layer) + "\n";
  return out + "---\n";
}

std::string Pages::type_ref(const Type& t) const {
  switch (t.kind) {
    case TypeKind::boxed: return "[" + md_escape(t.name) + "](../types/" + t.name + ".md)";
    case TypeKind::bare: return "[" + md_escape(t.to_tl()) + "](../constructors/" + t.name + ".md)";
    case TypeKind::vector:
    case TypeKind::bare_vector: return "Array of " + type_ref(*t.element);
    case TypeKind::query: return "!" + md_escape(t.name);
    default: return md_escape(t.to_tl());  // int, long, …, Bool, true, X, Object
  }
}

std::string Pages::description_md(std::string_view html) const { return html_to_markdown(html, &schema_); }

std::string Pages::summary(std::string_view name, bool type) const {
  if (!descriptions_) return {};
  std::string_view html;
  if (type) {
    html = descriptions_->type(name);
  } else if (const auto* doc = descriptions_->find(name)) {
    html = doc->comment;
  }
  return first_sentence(html_to_text(html, &schema_));
}

std::string Pages::params_table(const Combinator& c) const {
  const CombinatorDoc* doc = descriptions_ ? descriptions_->find(c.name) : nullptr;
  std::string rows;
  for (const auto& p : c.params) {
    if (p.is_flags_word()) continue;  // computed from the optional fields when writing
    std::string description;
    if (doc) {
      if (auto it = doc->params.find(p.name); it != doc->params.end()) description = description_md(it->second);
    }
    rows += "| " + md_escape(p.name) + " | " + type_ref(p.type) + " | " + table_cell(description) + " | " +
            (p.is_conditional() ? "Optional" : "Yes") + " |\n";
  }
  if (rows.empty()) return {};
  return "| Name | Type | Description | Required |\n| --- | --- | --- | --- |\n" + rows;
}

std::string Pages::errors_section(const Combinator& fn) const {
  const MethodMeta* meta = meta_.find(fn.name);
  const CombinatorDoc* doc = descriptions_ ? descriptions_->find(fn.name) : nullptr;
  std::string out = "### Errors\n\n";
  if (!meta || meta->errors.empty()) return out + "No errors are documented for this method.\n";
  out += "| Code | Type | Description |\n| --- | --- | --- |\n";
  for (const auto& e : meta->errors) {
    std::string description = doc ? description_md(doc->error_comment(e.code, e.name)) : std::string();
    out += "| " + std::to_string(e.code) + " | " + md_escape(e.name) + " | " + table_cell(description) + " |\n";
  }
  return out;
}

std::string Pages::examples_section(const Example& example) const {
  return "### Example (C++)\n\n" + code_block("cpp", example.cpp) + "\n### Example (CLI / JSON)\n\n" +
         code_block("sh", example.json);
}

// ---------------------------------------------------------------------------------------------
// Pages

std::string Pages::method_page(const Combinator& fn) const {
  const CombinatorDoc* doc = descriptions_ ? descriptions_->find(fn.name) : nullptr;
  std::string tl_line = fn.to_tl() + ";";
  std::string lead = summary(fn.name);
  std::string out = front_matter(fn.name, lead.empty() ? tl_line : lead, "Methods");
  out += "# Method: " + md_escape(fn.name) + "\n\n[Back to methods index](index.md)\n\n";
  if (doc && !doc->comment.empty()) out += description_md(doc->comment) + "\n\n";
  out += code_block("tl", tl_line) + "\nID: `" + hex_id(fn.id) + "`\n\n### Parameters\n\n";
  std::string table = params_table(fn);
  out += table.empty() ? "This method takes no parameters.\n" : table;
  for (const auto& x : fn.type_params) {
    out += "\n`!" + x + "` is any method: it is sent inside this one, and its result becomes the result of this "
           "method (`" + x + "`).\n";
  }
  out += "\n## Return type: " + type_ref(fn.result) + "\n\n";
  const MethodMeta* meta = meta_.find(fn.name);
  out += "### Can users use this method: " + yes_no(meta ? meta->users : std::nullopt) + "\n\n";
  out += "### Can bots use this method: " + yes_no(meta ? meta->bots : std::nullopt) + "\n\n";
  out += errors_section(fn) + "\n";
  return out + examples_section(examples_.for_method(fn));
}

std::string Pages::constructor_page(const Combinator& ctor) const {
  const CombinatorDoc* doc = descriptions_ ? descriptions_->find(ctor.name) : nullptr;
  std::string tl_line = ctor.to_tl() + ";";
  std::string lead = summary(ctor.name);
  std::string out = front_matter(ctor.name, lead.empty() ? tl_line : lead, "Constructors");
  out += "# Constructor: " + md_escape(ctor.name) + "\n\n[Back to constructors index](index.md)\n\n";
  if (doc && !doc->comment.empty()) out += description_md(doc->comment) + "\n\n";
  out += code_block("tl", tl_line) + "\nID: `" + hex_id(ctor.id) + "`\n\n";
  out += "Of type " + type_ref(ctor.result) + ".\n\n### Attributes\n\n";
  std::string table = params_table(ctor);
  out += (table.empty() ? "This constructor has no attributes.\n" : table) + "\n";
  return out + examples_section(examples_.for_constructor(ctor));
}

std::string Pages::type_page(std::string_view type) const {
  std::string lead = summary(type, true);
  auto ctors = schema_.constructors_of(type);
  std::string out = front_matter(type, lead.empty() ? "The TL type " + std::string(type) : lead, "Types");
  out += "# Type: " + md_escape(type) + "\n\n[Back to types index](index.md)\n\n";
  if (descriptions_ && !descriptions_->type(type).empty()) out += description_md(descriptions_->type(type)) + "\n\n";
  out += "### Constructors\n\n";
  std::vector<const Combinator*> sorted(ctors.begin(), ctors.end());
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return name_less(a->name, b->name); });
  for (const auto* c : sorted) out += index_entry(c->name, "../constructors/" + c->name + ".md", false);
  out += "\n### Methods that return this type\n\n";
  auto it = returned_by_.find(type);
  if (it == returned_by_.end()) return out + "No method returns this type.\n";
  for (const auto* fn : it->second) {
    std::string note = fn->result.kind == TypeKind::boxed ? std::string() : " (returns " + type_ref(fn->result) + ")";
    out += index_entry(fn->name, "../methods/" + fn->name + ".md", false, note);
  }
  return out;
}

std::string Pages::index_entry(std::string_view name, std::string_view link, bool type, std::string_view note) const {
  std::string line = "- [" + md_escape(name) + "](" + std::string(link) + ")" + std::string(note);
  std::string lead = summary(name, type);
  if (!lead.empty()) line += ": " + md_escape(lead);
  return line + "\n";
}

std::string Pages::section_index(Section section) const {
  std::vector<std::string> names;
  if (section == Section::methods) {
    for (const auto* fn : schema_.functions()) names.push_back(fn->name);
  } else if (section == Section::constructors) {
    for (const auto* c : schema_.constructors()) names.push_back(c->name);
  } else {
    names = schema_.type_names();
  }
  const auto title = section_title(section);
  const auto count = std::to_string(names.size());
  auto groups = by_namespace(std::move(names));
  std::string lower_title(title);
  lower_title[0] = static_cast<char>(lower_title[0] - 'A' + 'a');
  std::string out = front_matter(title, "All " + count + " " + lower_title + " of the Telegram API, by namespace", "",
                                 "has_children: true\n");
  out += "# " + std::string(title) + "\n\n[Back to the reference index](../index.md)\n\n";
  out += count + " " + lower_title + ". Namespaces: ";
  bool first = true;
  for (const auto& [ns, _] : groups) {
    out += (first ? "" : " · ") + ("[" + namespace_heading(ns) + "](#" + anchor(namespace_heading(ns)) + ")");
    first = false;
  }
  out += "\n";
  for (const auto& [ns, entries] : groups) {
    out += "\n## " + namespace_heading(ns) + "\n\n";
    for (const auto& name : entries) out += index_entry(name, name + ".md", section == Section::types);
  }
  return out;
}

std::string Pages::root_index() const {
  auto layer = schema_.layer() ? schema_.layer() : meta_.layer;
  std::string layer_text = layer ? " (layer " + std::to_string(*layer) + ")" : "";
  std::string out = front_matter("API reference", "Every method, constructor and type of the Telegram API" + layer_text, "");
  out += "# API reference" + layer_text + "\n\n";
  out += "- [Methods](methods/index.md): " + std::to_string(schema_.functions().size()) +
         " methods: parameters, return type, who may call them, errors, examples\n";
  out += "- [Constructors](constructors/index.md): " + std::to_string(schema_.constructors().size()) +
         " constructors: their fields and type, examples\n";
  out += "- [Types](types/index.md): " + std::to_string(schema_.type_names().size()) +
         " types: their constructors and the methods that return them\n";
  out += "\nThe examples use `namespace api = telepp::api;` and a connected `client`. The JSON is the dynamic "
         "form `telepp tl encode` reads: `\"_\"` names the constructor or method, `bytes` are base64, "
         "`int128`/`int256` lowercase hex, flag words are computed and never written.\n";
  return out;
}

}  // namespace telepp::docs
