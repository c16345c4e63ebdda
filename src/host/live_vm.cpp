#include "host/live_vm.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "host/console_input.h"
#include "host/entropy_source.h"
#include "host/host_output_dispatcher.h"
#include "host/machine_config_builder.h"
#include "host/monotonic_clock.h"
#include "host/raw_terminal.h"
#include "host/recording_input_port.h"
#include "machine/core/error.h"
#include "machine/platform/machine.h"
#include "replay/log_writer.h"
#include "replay/log_writer_sink.h"
#include "replay/state_digest.h"

namespace ftvm::host {

namespace {

// Says so when the guest reboots; the machine has already done it (a warm
// reset inside), so there is nothing else to do here.
class RebootReporter final : public OutputPort {
 public:
  RebootReporter(OutputPort& inner, const machine::Machine& m) : inner_(inner), machine_(m) {}
  void deliver(const machine::Output& out) override {
    if (out.kind == machine::OutputKind::kReset)
      spdlog::info("guest reset at instret {}: rebooting (reboot {}) on the same disks and network", out.instret,
                   machine_.resets());
    inner_.deliver(out);
  }

 private:
  OutputPort& inner_;
  const machine::Machine& machine_;
};

}  // namespace

LiveVm::LiveVm(const VmConfig& config, RecordOptions record)
    : backends_(config),
      machine_(std::make_unique<machine::Machine>(build_machine_config(config, backends_.opened_disks()))),
      record_(std::move(record)) {}

LiveVm::~LiveVm() = default;

std::uint64_t LiveVm::reboots() const { return machine_->resets(); }

RunResult LiveVm::run() {
  MachineAdapter machine(*machine_);
  MachineInputPort machine_inputs(machine);
  // Recording wraps the one input door; the log header names the machine
  // configuration so a replay against another one is refused.
  std::unique_ptr<replay::LogWriter> log;
  std::unique_ptr<replay::LogWriterSink> sink;
  std::unique_ptr<replay::Recorder> recorder;
  std::unique_ptr<RecordingInputPort> recording;
  if (!record_.path.empty()) {
    replay::WriterOptions wopt;
    wopt.encoder.compress = record_.compress;
    log = std::make_unique<replay::LogWriter>(
        record_.path, replay::LogHeader{replay::config_hash(machine_->config()), "ftvm 0.1 run --record"}, wopt);
    sink = std::make_unique<replay::LogWriterSink>(*log);
    recorder = std::make_unique<replay::Recorder>(*machine_, *sink, record_.checkpoint_interval);
    recording = std::make_unique<RecordingInputPort>(machine_inputs, *recorder);
  }
  InputPort& inputs = recording ? static_cast<InputPort&>(*recording) : machine_inputs;
  EntropySource entropy;
  HostOutputDispatcher outputs(STDOUT_FILENO, entropy);
  ConsoleInput console(STDIN_FILENO);
  std::vector<InputSource*> sources{&signals_, &console, &entropy};
  backends_.attach(outputs, sources);

  // The guest's clock carries on from where the machine's is: it may have
  // run before (a replay going live), and its time must neither stand still
  // until the host catches up nor jump back.
  SteadyClock clock;
  GuestTimebase timebase(clock, machine_->config().timebase_hz, machine_->mtime());
  PollWaiter waiter;
  RawTerminal terminal(STDIN_FILENO);
  if (terminal.active()) spdlog::info("console attached; Ctrl-A x quits");
  RebootReporter reported_outputs(outputs, *machine_);
  LiveRunner runner(machine, inputs, reported_outputs, timebase, waiter, std::move(sources));
  RunResult result = runner.run();
  if (machine_->resets() > 0) spdlog::info("the guest rebooted {} times during this run", machine_->resets());
  if (recorder) {
    recorder->finish();
    log->finish(machine_->instret());
    spdlog::info("recorded {} entries ({} checkpoints) to {}", recorder->entries(), recorder->checkpoints(),
                 record_.path);
  }
  if (result.end == RunEnd::kStopped && signals_.signal_number() != 0)
    result.exit_code = 128 + signals_.signal_number();
  return result;
}

}  // namespace ftvm::host
