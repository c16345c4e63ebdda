// `ftvm baremetal PROGRAM.elf`: runs a bare-metal guest program on the
// machine with no kernel and no host devices, prints its console output, and
// exits with the guest's exit code (the test finisher's). Used by the
// bare-metal test suite and handy for trying instruction sequences.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/vm_flags.h"
#include "machine/core/error.h"
#include "machine/platform/machine.h"

namespace ftvm::cli {

namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct BareMetalOptions {
  std::string program;
  std::uint64_t max_instructions = 2'000'000'000;
  std::uint64_t mem_mib = 128;
  bool print_instret = false;
  std::uint64_t virtio_blk_bytes = 0;  // 0: no block device
  std::optional<std::string> engine;
};

int run_bare_metal(const BareMetalOptions& opt) {
  machine::MachineConfig config;
  config.ram_size = opt.mem_mib << 20;
  config.firmware = read_file(opt.program);
  config.engine = parse_engine(opt.engine);
  if (opt.virtio_blk_bytes) {
    // A block device with no backend: requests that reach the host never
    // complete, which is what a test of the device's own checks wants.
    machine::VirtioConfig blk;
    blk.kind = machine::VirtioKind::kBlock;
    blk.capacity_bytes = opt.virtio_blk_bytes;
    config.virtio.push_back(blk);
  }
  machine::Machine m(config);
  for (;;) {
    machine::StopReason why = m.run_until(opt.max_instructions);
    for (const auto& out : m.take_outputs())
      if (out.kind == machine::OutputKind::kConsole) std::fwrite(out.bytes.data(), 1, out.bytes.size(), stdout);
    switch (why) {
      case machine::StopReason::kPowerOff:
        std::fflush(stdout);
        if (opt.print_instret) std::fprintf(stderr, "instret %llu\n", static_cast<unsigned long long>(m.instret()));
        return m.exit_code();
      case machine::StopReason::kIdle:
        // Nothing outside can wake it: there are no host inputs here.
        std::fprintf(stderr, "ftvm baremetal: the guest makes no progress at instret %llu (WFI with nothing to wake it, or a trap loop)\n",
                     static_cast<unsigned long long>(m.instret()));
        return 4;
      case machine::StopReason::kLimit:
        std::fprintf(stderr, "ftvm baremetal: no power-off within %llu instructions\n",
                     static_cast<unsigned long long>(opt.max_instructions));
        return 5;
      case machine::StopReason::kOutput:
        break;
    }
  }
}

}  // namespace

void add_baremetal_command(CLI::App& app) {
  auto opt = std::make_shared<BareMetalOptions>();
  CLI::App* cmd = app.add_subcommand("baremetal", "Run a bare-metal RISC-V program (ELF or raw) in M-mode; exit status = guest's");
  cmd->add_option("program", opt->program, "Program image (ELF64 RISC-V or raw binary loaded at 0x80000000)")->required();
  cmd->add_option("--max-instructions", opt->max_instructions, "Give up after this many instructions")->capture_default_str();
  cmd->add_option("--mem", opt->mem_mib, "RAM in MiB")->capture_default_str();
  cmd->add_option("--virtio-blk", opt->virtio_blk_bytes, "Add a virtio block device of this many bytes (no backend)");
  cmd->add_option("--engine", opt->engine, "Execution engine: jit (default) or interp (the reference interpreter)");
  cmd->add_flag("--instret", opt->print_instret, "Print the retired-instruction count on stderr at power-off");
  cmd->callback([opt] { throw CLI::RuntimeError(run_bare_metal(*opt)); });
}

}  // namespace ftvm::cli
