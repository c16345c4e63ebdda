#pragma once
// One registration function per `ftvm` subcommand, each in its own file.
#include <CLI/CLI.hpp>

namespace ftvm::cli {

void add_baremetal_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_switch_command(CLI::App& app);
void add_tas_command(CLI::App& app);
void add_proxy_command(CLI::App& app);
void add_replay_command(CLI::App& app);
void add_vm_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_kill_primary_command(CLI::App& app);
void add_host_command(CLI::App& app);
void add_clone_command(CLI::App& app);
void add_protect_command(CLI::App& app);

}  // namespace ftvm::cli
