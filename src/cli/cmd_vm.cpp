// `ftvm vm --role primary|backup`: one member of a fault-tolerant pair. The
// primary runs the VM live and streams its input log to the backup; the
// backup replays it in lockstep and takes over (after winning test-and-set)
// when the primary is gone. A primary may start `--alone`; with `--spare`
// agents, any side running alone gets itself a new backup by live clone; with
// a control socket (--control, or by default next to --status-file when
// --config is given), `ftvm protect` can ask it for one on demand. Exit status: the guest's power-off code; 2 bad
// setup; 6 halted (lost test-and-set); 7 the backup's replay diverged;
// 128+N after signal N.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/vm_flags.h"
#include "host/vm_config.h"
#include "machine/core/error.h"
#include "pair/backup_vm.h"
#include "pair/control_path.h"
#include "pair/pair_options.h"
#include "pair/primary_vm.h"

namespace ftvm::cli {

namespace {

struct PairFlags {
  std::string role;
  VmFlags vm;
  pair::PairOptions pair;
  std::string tas_etcd;
  std::string spares;
  std::int64_t heartbeat_ms = 50;
  std::int64_t timeout_ms = 1000;
  std::int64_t connect_timeout_ms = 30000;
  bool quiet = false;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

int run_pair_member(PairFlags f) {
  if (f.role != "primary" && f.role != "backup") throw Error("--role must be primary or backup");
  f.pair.role = f.role == "primary" ? ft::InitialRole::kPrimary : ft::InitialRole::kBackup;
  f.pair.tas_etcd = split_commas(f.tas_etcd);
  f.pair.heartbeat = std::chrono::milliseconds(f.heartbeat_ms);
  f.pair.timeout = std::chrono::milliseconds(f.timeout_ms);
  f.pair.connect_timeout = std::chrono::milliseconds(f.connect_timeout_ms);
  f.pair.status = !f.quiet;
  f.pair.spares = split_commas(f.spares);
  if (!f.vm.config.empty()) f.pair.config_path = std::filesystem::absolute(f.vm.config).string();
  // Without a vm.toml no agent could start the backup, so no default socket.
  if (f.pair.control_path.empty() && !f.pair.status_file.empty() && !f.pair.config_path.empty())
    f.pair.control_path = pair::default_control_path(f.pair.status_file);
  pair::validate_options(f.pair);
  // stdout is the guest's console; our own messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("ftvm-vm"));
  host::VmConfig cfg = merged_config(f.vm);
  if (f.pair.role == ft::InitialRole::kPrimary) {
    pair::PrimaryVm vm(cfg, f.pair);
    return vm.run();
  }
  pair::BackupVm vm(cfg, f.pair);
  return vm.run();
}

}  // namespace

void add_vm_command(CLI::App& app) {
  auto f = std::make_shared<PairFlags>();
  CLI::App* cmd = app.add_subcommand("vm", "Run one member of a fault-tolerant pair (primary or backup)");
  cmd->add_option("--role", f->role, "primary or backup")->required();
  // The same VM flags as `ftvm run`; both sides must describe the same VM.
  add_vm_flags(*cmd, f->vm);
  cmd->add_option("--name", f->pair.pair.vm_name, "VM name (part of the TAS key)")->capture_default_str();
  cmd->add_option("--generation", f->pair.pair.generation, "Pair generation (part of the TAS key)")
      ->capture_default_str();
  cmd->add_option("--peer", f->pair.peer, "Connect the logging channel to HOST:PORT");
  cmd->add_option("--listen", f->pair.listen, "Wait for the peer's logging channel on HOST:PORT (port 0 = any)");
  cmd->add_flag("--alone", f->pair.alone, "Primary: start live without a backup (protect it with --spare)");
  cmd->add_option("--spare", f->spares,
                  "Host agents HOST:PORT,... to get a new backup from whenever this side runs alone "
                  "(needs --config: the backup starts from the same vm.toml)");
  cmd->add_option("--advertise", f->pair.advertise, "Host name new backups reach this side on")
      ->capture_default_str();
  cmd->add_option("--from-clone", f->pair.from_clone,
                  "Backup: receive the running machine as a live clone from the primary at HOST:PORT");
  cmd->add_option("--tas", f->pair.tas, "Built-in test-and-set server HOST:PORT");
  cmd->add_option("--tas-etcd", f->tas_etcd, "etcd members HOST:PORT,HOST:PORT,... for test-and-set");
  cmd->add_option("--host-id", f->pair.host_id, "Our name in the TAS record (default hostname:pid)");
  cmd->add_option("--heartbeat-ms", f->heartbeat_ms, "Heartbeat period")->capture_default_str();
  cmd->add_option("--timeout-ms", f->timeout_ms, "Silence after which the peer counts as failed")
      ->capture_default_str();
  cmd->add_option("--connect-timeout-ms", f->connect_timeout_ms, "How long to wait for the peer at start")
      ->capture_default_str();
  cmd->add_option("--max-lag", f->pair.max_lag_instructions,
                  "Instructions the backup's replay may trail before the primary slows down")
      ->capture_default_str();
  cmd->add_option("--checkpoint-interval", f->pair.checkpoint_interval,
                  "Instructions between lockstep checkpoints in the log (0 = none)")
      ->capture_default_str();
  cmd->add_flag("--quiet", f->quiet, "No once-a-second status line on stderr");
  cmd->add_option("--status-file", f->pair.status_file, "Keep a JSON status file here for `ftvm status`");
  cmd->add_option("--control", f->pair.control_path,
                  "Unix socket for `ftvm protect` requests while running alone (needs --config; default: "
                  "the status file's name with the extension .control, when --status-file is given)");
  cmd->callback([f] { throw CLI::RuntimeError(run_pair_member(*f)); });
}

}  // namespace ftvm::cli
