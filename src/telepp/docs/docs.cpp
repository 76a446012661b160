// generate(): read the JSON inputs, render every page in memory (pages.cpp), and write the ones
// whose content changed.
#include "telepp/docs/docs.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "telepp/docs/metadata.hpp"
#include "telepp/docs/pages.hpp"

namespace telepp::docs {
namespace {

namespace fs = std::filesystem;

// File-system failures: the `base` domain with the OS error number as the code.
Failure io_error(const std::string& what, const fs::path& path, const std::error_code& ec) {
  return fail(Error(ErrorDomain::base, ec.value(), "docs: cannot " + what + " " + path.string() + ": " + ec.message()));
}

// True when `path` is a file holding exactly `content`.
bool holds(const fs::path& path, std::string_view content) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size != content.size()) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string existing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return existing == content;
}

/// Writes pages under one root, skipping unchanged ones, and counts what it wrote.
class PageWriter {
 public:
  explicit PageWriter(fs::path root) : root_(std::move(root)) {}

  Status make_folders() {
    for (auto s : {Section::methods, Section::constructors, Section::types}) {
      std::error_code ec;
      auto dir = root_ / folder(s);
      fs::create_directories(dir, ec);
      if (ec) return io_error("create", dir, ec);
    }
    return {};
  }

  // Writes through a temporary file and a rename, so a reader never sees half a page.
  Status write(const fs::path& relative, std::string_view content) {
    auto path = root_ / relative;
    if (holds(path, content)) return {};
    auto tmp = path;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
      out.close();
      if (!out) return io_error("write", tmp, std::make_error_code(std::errc::io_error));
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      return io_error("replace", path, ec);
    }
    ++written_;
    return {};
  }

  int written() const { return written_; }

 private:
  fs::path root_;
  int written_ = 0;
};

fs::path page_path(Section s, const std::string& name) { return fs::path(folder(s)) / (name + ".md"); }

Status write_all(const Pages& pages, const tl::Schema& schema, PageWriter& out, Summary& summary) {
  for (const auto* fn : schema.functions()) {
    TELEPP_TRY(out.write(page_path(Section::methods, fn->name), pages.method_page(*fn)));
    ++summary.methods;
  }
  for (const auto* c : schema.constructors()) {
    TELEPP_TRY(out.write(page_path(Section::constructors, c->name), pages.constructor_page(*c)));
    ++summary.constructors;
  }
  for (const auto& type : schema.type_names()) {
    TELEPP_TRY(out.write(page_path(Section::types, type), pages.type_page(type)));
    ++summary.types;
  }
  for (auto s : {Section::methods, Section::constructors, Section::types}) {
    TELEPP_TRY(out.write(page_path(s, "index"), pages.section_index(s)));
    ++summary.index_pages;
  }
  TELEPP_TRY(out.write("index.md", pages.root_index()));
  ++summary.index_pages;
  return {};
}

}  // namespace

Result<Summary> generate(const Input& input, const std::string& out_dir) {
  if (!input.schema) return fail(Error(ErrorDomain::base, 0, "docs: no schema given"));
  if (out_dir.empty()) return fail(Error(ErrorDomain::base, 0, "docs: no output directory given"));
  auto meta = parse_metadata(input.meta_json);
  if (!meta) return Failure{meta.take_error()};
  std::optional<Descriptions> descriptions;
  if (input.descriptions_json) {
    auto parsed = parse_descriptions(*input.descriptions_json);
    if (!parsed) return Failure{parsed.take_error()};
    descriptions = std::move(*parsed);
  }

  PageWriter out{fs::path(out_dir)};
  TELEPP_TRY(out.make_folders());
  Pages pages(*input.schema, *meta, descriptions ? &*descriptions : nullptr);
  Summary summary;
  TELEPP_TRY(write_all(pages, *input.schema, out, summary));
  summary.files_written = out.written();
  return summary;
}

}  // namespace telepp::docs
