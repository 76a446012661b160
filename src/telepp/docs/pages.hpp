#pragma once
/// \file The Markdown of every reference page, built in memory from the schema, the metadata and
/// the optional descriptions. Internal to `telepp_docs`; docs.cpp decides where pages go.
///
/// Pages live one folder below the output root (`methods/`, `constructors/`, `types/`), so links
/// between them are `../<section>/<name>.md`.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "telepp/docs/examples.hpp"
#include "telepp/docs/metadata.hpp"
#include "telepp/tl/schema.hpp"

namespace telepp::docs {

/// The three sections of the reference, each a folder with one page per name and an `index.md`.
enum class Section { methods, constructors, types };

/// The folder of a section: `methods`, `constructors`, `types`.
std::string_view folder(Section s);

/// Renders pages. Holds references to its inputs, which must outlive it. Deterministic: the same
/// inputs give byte-identical pages.
class Pages {
 public:
  /// `descriptions` may be null: pages then have empty descriptions.
  Pages(const tl::Schema& schema, const Metadata& meta, const Descriptions* descriptions);

  std::string method_page(const tl::Combinator& fn) const;
  std::string constructor_page(const tl::Combinator& ctor) const;
  std::string type_page(std::string_view type) const;
  /// `<section>/index.md`: every page of the section, grouped by TL namespace.
  std::string section_index(Section section) const;
  /// `index.md`: the three sections.
  std::string root_index() const;

 private:
  std::string front_matter(std::string_view title, std::string_view description, std::string_view parent,
                           std::string_view extra = {}) const;
  std::string type_ref(const tl::Type& t) const;
  std::string params_table(const tl::Combinator& c) const;
  std::string errors_section(const tl::Combinator& fn) const;
  std::string examples_section(const Example& example) const;
  std::string description_md(std::string_view html) const;
  /// First sentence of a combinator's (or, with `type`, a type's) description as plain text.
  std::string summary(std::string_view name, bool type = false) const;
  /// `- [name](link)<note>: summary`
  std::string index_entry(std::string_view name, std::string_view link, bool type, std::string_view note = {}) const;

  const tl::Schema& schema_;
  const Metadata& meta_;
  const Descriptions* descriptions_;
  ExampleBuilder examples_;
  /// Per boxed type, the functions returning it (directly or as the element of a vector).
  std::map<std::string, std::vector<const tl::Combinator*>, std::less<>> returned_by_;
};

}  // namespace telepp::docs
