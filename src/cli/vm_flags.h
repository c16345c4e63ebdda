#pragma once
// The VM-describing flags shared by `ftvm run`, `ftvm replay` and `ftvm vm`:
// a vm.toml and/or flags, flags winning.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "host/vm_config.h"

namespace ftvm::cli {

struct VmFlags {
  std::string config;
  std::optional<std::string> mem, firmware, kernel, initrd, append;
  std::vector<std::string> disks, nets;
  bool rng = false;
  std::optional<std::string> engine;
};

// "jit" or "interp" (the FTVM_ENGINE environment variable when no flag is
// given, so a whole test suite can be run on either engine).
machine::ExecutionEngine parse_engine(const std::optional<std::string>& flag);

void add_vm_flags(CLI::App& cmd, VmFlags& f);
host::VmConfig merged_config(const VmFlags& f);

}  // namespace ftvm::cli
