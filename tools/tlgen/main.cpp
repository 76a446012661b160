// tlgen: generates the typed C++ API of a TL schema into the build tree.
//
//   tlgen --schema schema/api.tl --module api --namespace telepp::api --out DIR [--shards N]
//
// Files are built in memory and written only when their content changed, so a rebuild after an
// unrelated edit recompiles nothing generated.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "emit.hpp"

namespace fs = std::filesystem;

namespace {

struct Args {
  std::string schema, module, cpp_ns, out;
  int shards = 4;
};

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::cerr << "tlgen: " << problem << "\n";
  std::cerr << "usage: tlgen --schema FILE.tl --module NAME --namespace CPP::NS --out DIR [--shards N]\n";
  std::exit(problem.empty() ? 0 : 2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("");
    if (i + 1 >= argc) usage("missing value after " + arg);
    std::string value = argv[++i];
    if (arg == "--schema") a.schema = value;
    else if (arg == "--module") a.module = value;
    else if (arg == "--namespace") a.cpp_ns = value;
    else if (arg == "--out") a.out = value;
    else if (arg == "--shards") a.shards = std::atoi(value.c_str());
    else usage("unknown option " + arg);
  }
  if (a.schema.empty() || a.module.empty() || a.cpp_ns.empty() || a.out.empty()) usage("missing a required option");
  if (a.shards < 1 || a.shards > 64) usage("--shards must be 1..64");
  return a;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "tlgen: cannot read " << path << "\n";
    std::exit(1);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Returns true when the file was (re)written.
bool write_if_changed(const fs::path& path, const std::string& content) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str() == content) return false;
  }
  fs::create_directories(path.parent_path());
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
      std::cerr << "tlgen: cannot write " << tmp << "\n";
      std::exit(1);
    }
  }
  fs::rename(tmp, path);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  std::string text = read_file(args.schema);
  auto schema = telepp::tl::Schema::parse(text);
  if (!schema) {
    std::cerr << "tlgen: " << args.schema << ": " << schema.error().detail << "\n";
    return 1;
  }
  tlgen::Module module;
  module.schema = &*schema;
  module.name = args.module;
  module.cpp_ns = args.cpp_ns;
  for (const auto& c : schema->combinators()) {
    if (!c.ns().empty()) module.tl_namespaces.insert(std::string(c.ns()));
  }
  tlgen::Options options;
  options.shards = args.shards;
  options.schema_text = text;
  tlgen::Files files;
  try {
    files = tlgen::emit_module(module, options);
  } catch (const std::exception& e) {
    std::cerr << "tlgen: " << e.what() << "\n";
    return 1;
  }
  int written = 0;
  for (const auto& [path, content] : files) written += write_if_changed(fs::path(args.out) / path, content);
  std::cout << "tlgen: " << args.module << ": " << files.size() << " files, " << written << " updated\n";
  return 0;
}
