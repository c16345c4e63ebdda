#pragma once
// The backup of a pair: receives the primary's log over the channel,
// replays it on its own machine with devices muted, acknowledges what it
// received and reports what it executed. It opens no disk and sends nothing
// to the network while it is a backup. When the primary is lost and it wins
// test-and-set, it finishes replaying what it received and goes live: opens
// the real backends, re-issues the device requests that were in flight,
// announces the VM's MAC on each NIC and continues as `ftvm run` would --
// protecting itself again when given spare agents (LiveLoop). With
// --from-clone it gets the machine as a verified live clone of the running
// primary instead of building it from the log header at instret 0.
#include "host/stop_signals.h"
#include "host/vm_config.h"
#include "pair/pair_options.h"

namespace ftvm::pair {

class BackupReplica;

class BackupVm {
 public:
  BackupVm(const host::VmConfig& config, const PairOptions& options);
  BackupVm(const BackupVm&) = delete;
  BackupVm& operator=(const BackupVm&) = delete;

  // Returns the process exit status.
  int run();

 private:
  int go_live(BackupReplica& replica);

  host::VmConfig config_;
  PairOptions options_;
  host::StopSignals signals_;
};

}  // namespace ftvm::pair
