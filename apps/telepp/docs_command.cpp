// `telepp docs --out DIR [--descriptions FILE]`: the per-method reference pages.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "telepp/docs/docs.hpp"
#include "telepp/schemas/schemas.hpp"

namespace telepp::cli {

void add_docs_command(CLI::App& app) {
  static std::string out_dir, descriptions;
  auto* cmd = app.add_subcommand("docs", "Write Markdown reference pages for every method, constructor and type");
  cmd->add_option("--out", out_dir, "output directory")->required();
  cmd->add_option("--descriptions", descriptions,
                  "@mtcute/core api-schema.json with prose descriptions (tools/update-schema --descriptions-out)")
      ->check(CLI::ExistingFile);
  cmd->callback([] {
    docs::Input input;
    input.schema = schemas::api();
    input.meta_json = schemas::api_meta_json();
    std::string text;
    if (!descriptions.empty()) {
      std::ifstream in(descriptions, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
      input.descriptions_json = text;
    }
    auto summary = docs::generate(input, out_dir);
    if (!summary) throw CLI::RuntimeError("telepp: docs: " + summary.error().detail, 1);
    std::cout << "docs: " << summary->methods << " methods, " << summary->constructors << " constructors, "
              << summary->types << " types, " << summary->index_pages << " index pages in " << out_dir << " ("
              << summary->files_written << " files written)\n";
  });
}

}  // namespace telepp::cli
