// ftvm: one binary, one subcommand per role.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "machine/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"ftvm - a fault-tolerant RISC-V virtual machine (primary/backup with deterministic replay)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ftvm 0.1");
  ftvm::cli::add_baremetal_command(app);
  ftvm::cli::add_run_command(app);
  ftvm::cli::add_switch_command(app);
  ftvm::cli::add_tas_command(app);
  ftvm::cli::add_proxy_command(app);
  ftvm::cli::add_replay_command(app);
  ftvm::cli::add_vm_command(app);
  ftvm::cli::add_status_command(app);
  ftvm::cli::add_kill_primary_command(app);
  ftvm::cli::add_host_command(app);
  ftvm::cli::add_clone_command(app);
  ftvm::cli::add_protect_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand's own exit status
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ftvm::Error& e) {
    std::fprintf(stderr, "ftvm: %s\n", e.what());
    return 2;
  }
  return 0;
}
