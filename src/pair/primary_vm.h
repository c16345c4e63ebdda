#pragma once
// The primary of a pair: runs the guest live with the same backends and run
// loop as `ftvm run`, but every input is recorded and streamed to the backup
// over the logging channel, and every output waits behind the output gate
// until the backup has acknowledged the log it depends on. After losing the
// backup it asks test-and-set: won, it goes on alone; lost, it halts. It may
// also start alone (no backup yet) and be protected later (LiveLoop).
#include <memory>

#include "host/stop_signals.h"
#include "host/vm_config.h"
#include "machine/platform/machine.h"
#include "pair/live_backends.h"
#include "pair/pair_options.h"

namespace ftvm::pair {

class PrimaryVm {
 public:
  // Opens the backends and builds the machine; throws ftvm::Error.
  PrimaryVm(const host::VmConfig& config, const PairOptions& options);
  ~PrimaryVm();
  PrimaryVm(const PrimaryVm&) = delete;
  PrimaryVm& operator=(const PrimaryVm&) = delete;

  // Connects to the backup (unless alone) and runs until the guest powers off, the VM is
  // stopped or this side halts. Returns the process exit status.
  int run();

 private:
  PairOptions options_;
  host::StopSignals signals_;  // before any backend thread starts
  LiveBackends backends_;
  std::unique_ptr<machine::Machine> machine_;
};

}  // namespace ftvm::pair
