#include "pair/primary_vm.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "ft/node_state.h"
#include "machine/core/error.h"
#include "host/console_input.h"
#include "host/entropy_source.h"
#include "host/event_waiter.h"
#include "host/guest_timebase.h"
#include "host/host_output_dispatcher.h"
#include "host/live_runner.h"
#include "host/machine_config_builder.h"
#include "host/monotonic_clock.h"
#include "host/runnable_machine.h"
#include "pair/exit_codes.h"
#include "pair/machine_description.h"
#include "pair/pair_setup.h"
#include "pair/primary_parts.h"
#include "replay/state_digest.h"

namespace ftvm::pair {

PrimaryVm::PrimaryVm(const host::VmConfig& config, const PairOptions& options)
    : options_(options), backends_(config) {
  machine_ = std::make_unique<machine::Machine>(host::build_machine_config(config, backends_.opened_disks()));
}

PrimaryVm::~PrimaryVm() = default;

int PrimaryVm::run() {
  LogChannel channel = open_channel(options_);
  spdlog::info("ft: primary of {}/{} connected to its backup at {}", options_.pair.vm_name,
               options_.pair.generation, channel.peer_name());

  replay::LogHeader header{replay::config_hash(machine_->config()), describe_machine(backends_.opened_disks())};
  PrimaryLog log(*machine_, header, options_.checkpoint_interval);
  ft::FtNode node(ft_config_from(options_), options_.pair, ft::InitialRole::kPrimary);
  TasClaim tas(make_tas_client(options_), options_.host_id.empty() ? default_host_id() : options_.host_id);

  host::EntropySource entropy;
  host::HostOutputDispatcher dispatcher(STDOUT_FILENO, entropy);
  OutputGatePort gate(dispatcher, log);
  PairDriver driver(node, std::move(channel), tas, gate);
  gate.connect(driver);
  log.publish(driver);  // the header goes first
  if (!driver.await_first_ack(options_.connect_timeout))
    throw Error("the backup never acknowledged the log header: " +
                (driver.channel().closed() ? driver.channel().close_reason() : std::string("no answer in time")));

  host::MachineAdapter machine(*machine_);
  RecordingInputPort inputs(*machine_, log);
  host::ConsoleInput console(STDIN_FILENO);
  PrimaryPump pump(*machine_, log, driver, gate, signals_, options_.max_lag_instructions, options_.status);
  std::vector<host::InputSource*> sources{&signals_, &console, &entropy};
  backends_.attach(dispatcher, sources);
  sources.push_back(&pump);

  host::SteadyClock clock;
  host::GuestTimebase timebase(clock, machine_->config().timebase_hz);
  host::PollWaiter waiter;
  host::LiveRunner runner(machine, inputs, gate, timebase, waiter, std::move(sources));
  host::RunResult result = runner.run();

  if (gate.halted()) {
    std::fflush(stdout);
    std::fprintf(stderr, "ftvm vm: primary halted: %s\n", gate.halt_reason().c_str());
    return kExitHalted;
  }
  if (result.end == host::RunEnd::kPowerOff) log.finish();
  // Whatever the guest said last still needs the backup's ack to leave.
  pump.drain_outputs();
  std::fflush(stdout);
  if (gate.halted()) {
    std::fprintf(stderr, "ftvm vm: primary halted: %s\n", gate.halt_reason().c_str());
    return kExitHalted;
  }
  switch (result.end) {
    case host::RunEnd::kPowerOff:
      std::fprintf(stderr, "ftvm vm: primary: the guest powered off at instret %llu, state hash %016llx\n",
                   static_cast<unsigned long long>(machine_->instret()),
                   static_cast<unsigned long long>(machine_->state_hash()));
      return result.exit_code;
    case host::RunEnd::kReset: std::fprintf(stderr, "ftvm vm: the guest asked for a reset; stopping\n"); return kExitReset;
    case host::RunEnd::kStopped:
      std::fprintf(stderr, "ftvm vm: stopped\n");
      return signals_.signal_number() != 0 ? 128 + signals_.signal_number() : result.exit_code;
  }
  return 1;
}

}  // namespace ftvm::pair
