// `ftvm run`: boots a VM live on this host from vm.toml and/or flags (flags
// win), with the console on stdin/stdout. Exit status: the guest's power-off
// code; 2 for a bad config or a missing image; 128+N after signal N.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "host/live_vm.h"
#include "host/vm_config.h"
#include "machine/core/error.h"

namespace ftvm::cli {

namespace {

struct RunFlags {
  std::string config;
  std::optional<std::string> mem, firmware, kernel, initrd, append;
  std::vector<std::string> disks, nets;
  bool rng = false;
};

host::VmConfig merged_config(const RunFlags& f) {
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
  return cfg;
}

int run_vm(const RunFlags& flags) {
  host::LiveVm vm(merged_config(flags));
  host::RunResult r = vm.run();
  std::fflush(stdout);
  switch (r.end) {
    case host::RunEnd::kPowerOff: return r.exit_code;
    case host::RunEnd::kReset: std::fprintf(stderr, "\nftvm run: the guest asked for a reset; stopping\n"); return 3;
    case host::RunEnd::kStopped: std::fprintf(stderr, "\nftvm run: stopped\n"); return r.exit_code;
  }
  return 1;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Boot a VM live on this host (console on stdin/stdout; Ctrl-A x quits)");
  cmd->add_option("--config", f->config, "vm.toml with [machine], [[disk]], [[net]], [rng]");
  cmd->add_option("--mem", f->mem, "RAM size, e.g. 512M (default 512M)");
  cmd->add_option("--firmware", f->firmware, std::string("M-mode firmware (default ") + host::kDefaultFirmware + ")");
  cmd->add_option("--kernel", f->kernel, "Kernel Image (raw)");
  cmd->add_option("--initrd", f->initrd, "Initial ramdisk");
  cmd->add_option("--append", f->append, "Kernel command line");
  cmd->add_option("--disk", f->disks, "PATH or nbd://HOST:PORT/EXPORT or nbd+unix:///EXPORT?socket=S, ',ro' for read-only (repeatable)");
  cmd->add_option("--net", f->nets, "switch:SOCKET or tap:IFNAME, ',mac=52:54:00:..' optional (repeatable)");
  cmd->add_flag("--rng", f->rng, "Give the guest a virtio-rng fed from the host");
  cmd->callback([f] { throw CLI::RuntimeError(run_vm(*f)); });
}

}  // namespace ftvm::cli
