// `ftvm status [PATH...]`: one line per `ftvm vm` process, read from the
// status files the processes keep (--status-file). Each PATH is a directory
// (its *.json files) or a file; with none, the default run directory:
// $FTVM_RUN_DIR, else $XDG_RUNTIME_DIR/ftvm, else /run/ftvm. A file whose
// process is gone is shown as STALE. Exit status 0 when at least one file
// was found, 1 when none.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "pair/status_file.h"
#include "pair/status_process.h"
#include "pair/status_report.h"

namespace ftvm::cli {

namespace {

struct StatusFlags {
  std::vector<std::string> paths;
  bool summary = false;
};

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int show_status(StatusFlags f) {
  if (f.paths.empty()) {
    // The default directory may not exist yet: no VM has written there.
    std::string dir = pair::default_run_dir();
    if (!std::filesystem::exists(dir)) {
      std::fprintf(stderr, "ftvm status: no status files (%s does not exist)\n", dir.c_str());
      return 1;
    }
    f.paths.push_back(dir);
  }
  auto found = pair::find_statuses(f.paths, pair::is_same_process);
  if (found.empty()) {
    std::string where;
    for (const auto& p : f.paths) where += (where.empty() ? "" : ", ") + p;
    std::fprintf(stderr, "ftvm status: no status files in %s (start `ftvm vm` with --status-file)\n", where.c_str());
    return 1;
  }
  if (f.summary) {
    std::printf("%s\n", pair::format_status_summary(found).c_str());
  } else {
    std::int64_t now = unix_ms_now();
    for (const auto& entry : found) std::printf("%s\n", pair::format_status_entry(entry, now).c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app) {
  auto f = std::make_shared<StatusFlags>();
  CLI::App* cmd = app.add_subcommand(
      "status", "Show each ftvm vm process from its status file (default dir: $FTVM_RUN_DIR, "
                "$XDG_RUNTIME_DIR/ftvm or /run/ftvm)");
  cmd->add_option("paths", f->paths, "Status directories or files");
  cmd->add_flag("--summary", f->summary, "Every process on one short line");
  cmd->callback([f] { throw CLI::RuntimeError(show_status(*f)); });
}

}  // namespace ftvm::cli
