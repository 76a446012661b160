#pragma once
// Writes the generated files of one module into memory (path → content).

#include <map>
#include <string>

#include "names.hpp"

namespace tlgen {

using Files = std::map<std::string, std::string>;

struct Options {
  int shards = 4;
};

/// All files of `module`, paths relative to the output root (e.g. `telepp/api/messages.hpp`).
Files emit_module(const Module& module, const Options& options);

}  // namespace tlgen
