// ftvm: one binary, one subcommand per role.
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"ftvm - a fault-tolerant RISC-V virtual machine (primary/backup, deterministic replay)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ftvm 0.1");
  CLI11_PARSE(app, argc, argv);
  return 0;
}
