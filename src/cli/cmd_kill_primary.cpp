// `ftvm kill-primary [PATH...] [--name VM]`: pulls the plug on the process
// that currently runs the guest (state primary, primary-failover or live),
// found through the status files as `ftvm status` finds them, with SIGKILL:
// no chance to say goodbye, as in a host crash. The pid is checked against
// the process start time in the file first, so a stale file never gets an
// unrelated process killed. Exit status 0 when the signal was sent.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "machine/core/error.h"
#include "pair/status_file.h"
#include "pair/status_process.h"
#include "pair/status_report.h"

namespace ftvm::cli {

namespace {

struct KillPrimaryFlags {
  std::vector<std::string> paths;
  std::string vm_name;
  bool dry_run = false;
};

// A live backup of the same VM: who should take over.
bool has_backup(const std::vector<pair::FoundStatus>& found, const pair::VmStatus& primary) {
  for (const auto& f : found) {
    if (f.status && f.alive && f.status->pid != primary.pid && f.status->vm_name == primary.vm_name &&
        f.status->state == "backup")
      return true;
  }
  return false;
}

int kill_primary(KillPrimaryFlags f) {
  if (f.paths.empty()) {
    std::string dir = pair::default_run_dir();
    if (!std::filesystem::exists(dir)) throw Error("no status files: " + dir + " does not exist");
    f.paths.push_back(dir);
  }
  auto found = pair::find_statuses(f.paths, pair::is_same_process);
  const pair::VmStatus& s = *pair::choose_primary(found, f.vm_name).status;
  auto pid = static_cast<pid_t>(s.pid);
  std::printf("ftvm kill-primary: %s pid %d (VM %s/%lu, started as %s, state %s, instret %lu)\n",
              f.dry_run ? "would send SIGKILL to" : "sending SIGKILL to", pid, s.vm_name.c_str(),
              static_cast<unsigned long>(s.generation), s.role.c_str(), s.state.c_str(),
              static_cast<unsigned long>(s.instret));
  if (f.dry_run) return 0;
  // Checked again right before the signal: the process may have ended since.
  if (!pair::is_same_process(pid, s.process_start)) throw Error("pid " + std::to_string(pid) + " is gone already");
  if (::kill(pid, SIGKILL) != 0)
    throw Error("kill(" + std::to_string(pid) + ", SIGKILL): " + std::strerror(errno));
  if (has_backup(found, s)) {
    std::printf("ftvm kill-primary: done; its backup should win test-and-set and go live within the failure "
                "timeout (watch `ftvm status`)\n");
  } else {
    std::printf("ftvm kill-primary: done; no live backup of %s was found, so nothing takes over\n",
                s.vm_name.c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void add_kill_primary_command(CLI::App& app) {
  auto f = std::make_shared<KillPrimaryFlags>();
  CLI::App* cmd = app.add_subcommand("kill-primary",
                                     "SIGKILL the ftvm vm process that runs the guest, found from status files");
  cmd->add_option("paths", f->paths, "Status directories or files (default: as for `ftvm status`)");
  cmd->add_option("--name", f->vm_name, "Only the pair of this VM name");
  cmd->add_flag("--dry-run", f->dry_run, "Say which process it would kill, and do nothing");
  cmd->callback([f] { throw CLI::RuntimeError(kill_primary(*f)); });
}

}  // namespace ftvm::cli
