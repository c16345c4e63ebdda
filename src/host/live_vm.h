#pragma once
// A whole live VM on this host: stop signals, disk and NIC backends, the
// machine, the console, the dispatcher and the run loop, wired together
// from a VmConfig. `ftvm run` is a thin wrapper around this.
#include <memory>
#include <string>

#include "host/backend_set.h"
#include "host/live_runner.h"
#include "host/stop_signals.h"
#include "host/vm_config.h"

namespace ftvm::host {

// Optional recording of every input (ftvm run --record).
struct RecordOptions {
  std::string path;                            // empty: no recording
  std::uint64_t checkpoint_interval = 200'000'000;  // instructions between state checkpoints
  bool compress = true;                        // zstd frames
};

class LiveVm {
 public:
  // Opens every backend and builds the machine; throws ftvm::Error with one
  // clear line when anything is missing or unreachable.
  explicit LiveVm(const VmConfig& config, RecordOptions record = {});

  // The machine, e.g. to replay a log into it before run() goes live.
  machine::Machine& machine() { return *machine_; }
  ~LiveVm();
  LiveVm(const LiveVm&) = delete;
  LiveVm& operator=(const LiveVm&) = delete;

  // Runs attached to stdin/stdout until power-off or a stop signal. A guest
  // reset (`reboot`) is the machine's own business (a warm reset inside it,
  // instret and guest time going on), so one run -- and one recording --
  // spans any number of reboots. The guest's clock carries on from where
  // the machine's is (it may have run before: a replay going live).
  RunResult run();
  std::uint64_t reboots() const;

 private:
  StopSignals signals_;  // first: blocks the signals before any thread starts
  BackendSet backends_;
  std::unique_ptr<machine::Machine> machine_;
  RecordOptions record_;
};

}  // namespace ftvm::host
