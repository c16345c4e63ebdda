// A stand-in for the `ftvm` binary that registers only `vm`, so the pair's
// process tests run the real command line before it is wired into main.cpp.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "machine/core/error.h"

namespace ftvm::cli {
void add_vm_command(CLI::App& app);
}

int main(int argc, char** argv) {
  CLI::App app{"ftvm (pair test build)"};
  app.require_subcommand(1);
  ftvm::cli::add_vm_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ftvm::Error& e) {
    std::fprintf(stderr, "ftvm: %s\n", e.what());
    return 2;
  }
  return 0;
}
