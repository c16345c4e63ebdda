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
};

void add_vm_flags(CLI::App& cmd, VmFlags& f);
host::VmConfig merged_config(const VmFlags& f);

}  // namespace ftvm::cli
