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
#include "cli/vm_flags.h"
#include "host/live_vm.h"
#include "host/vm_config.h"
#include "machine/core/error.h"

namespace ftvm::cli {

namespace {

struct RunFlags {
  VmFlags vm;
  host::RecordOptions record;
};

int run_vm(const RunFlags& flags) {
  host::LiveVm vm(merged_config(flags.vm), flags.record);
  host::RunResult r = vm.run();
  std::fflush(stdout);
  switch (r.end) {
    case host::RunEnd::kPowerOff: return r.exit_code;
    case host::RunEnd::kStopped: std::fprintf(stderr, "\nftvm run: stopped\n"); return r.exit_code;
  }
  return 1;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Boot a VM live on this host (console on stdin/stdout; Ctrl-A x quits)");
  add_vm_flags(*cmd, f->vm);
  cmd->add_option("--record", f->record.path, "Log every nondeterministic input to this file (replay with `ftvm replay`)");
  cmd->add_option("--checkpoint-interval", f->record.checkpoint_interval,
                  "Instructions between state-hash checkpoints in the recording")->capture_default_str();
  cmd->callback([f] { throw CLI::RuntimeError(run_vm(*f)); });
}

}  // namespace ftvm::cli
