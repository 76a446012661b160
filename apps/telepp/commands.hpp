#pragma once
// The `telepp` subcommands; each file registers one on the CLI11 app.

#include <CLI/CLI.hpp>

namespace telepp::cli {

void add_tl_command(CLI::App& app);
void add_docs_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_serve_command(CLI::App& app);

}  // namespace telepp::cli
