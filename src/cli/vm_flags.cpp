#include "cli/vm_flags.h"

#include <cstdlib>

#include "machine/core/error.h"

namespace ftvm::cli {

void add_vm_flags(CLI::App& cmd_ref, VmFlags& flags) {
  CLI::App* cmd = &cmd_ref;
  VmFlags* f = &flags;
  cmd->add_option("--config", f->config, "vm.toml with [machine], [[disk]], [[net]], [rng]");
  cmd->add_option("--mem", f->mem, "RAM size, e.g. 512M (default 512M)");
  cmd->add_option("--firmware", f->firmware, std::string("M-mode firmware (default ") + host::kDefaultFirmware + ")");
  cmd->add_option("--kernel", f->kernel, "Kernel Image (raw)");
  cmd->add_option("--initrd", f->initrd, "Initial ramdisk");
  cmd->add_option("--append", f->append, "Kernel command line");
  cmd->add_option("--disk", f->disks, "PATH or nbd://HOST:PORT/EXPORT or nbd+unix:///EXPORT?socket=S, ',ro' for read-only (repeatable)");
  cmd->add_option("--net", f->nets, "switch:SOCKET or tap:IFNAME, ',mac=52:54:00:..' optional (repeatable)");
  cmd->add_flag("--rng", f->rng, "Give the guest a virtio-rng fed from the host");
  cmd->add_option("--engine", f->engine, "Execution engine: jit (default) or interp (the reference interpreter)");
}

host::VmConfig merged_config(const VmFlags& f) {
  host::VmConfig cfg = f.config.empty() ? host::VmConfig{} : host::load_vm_config(f.config);
  if (f.mem) {
    auto bytes = host::parse_size(*f.mem);
    if (!bytes) throw Error("--mem '" + *f.mem + "': expected a size like 512M");
    cfg.mem_bytes = *bytes;
  }
  if (f.firmware) cfg.firmware = *f.firmware;
  if (f.kernel) cfg.kernel = *f.kernel;
  if (f.initrd) cfg.initrd = *f.initrd;
  if (f.append) cfg.append = *f.append;
  // A list given on the command line replaces the file's list.
  if (!f.disks.empty()) {
    cfg.disks.clear();
    for (const auto& d : f.disks) cfg.disks.push_back(host::parse_disk_flag(d));
  }
  if (!f.nets.empty()) {
    cfg.nets.clear();
    for (const auto& n : f.nets) cfg.nets.push_back(host::parse_net_flag(n));
  }
  if (f.rng) cfg.rng = true;
  cfg.engine = parse_engine(f.engine);
  return cfg;
}

machine::ExecutionEngine parse_engine(const std::optional<std::string>& flag) {
  const char* env = std::getenv("FTVM_ENGINE");
  std::string name = flag ? *flag : (env != nullptr ? std::string(env) : std::string("jit"));
  if (name == "jit" || name.empty()) return machine::ExecutionEngine::kTranslator;
  if (name == "interp") return machine::ExecutionEngine::kInterpreter;
  throw Error("--engine '" + name + "': expected jit or interp");
}

}  // namespace ftvm::cli
