#pragma once
// The whole deterministic computer: one hart, RAM, the virt platform devices.
// Its state after run_until(N) is a function of its config and the Inputs
// applied so far with their counts -- nothing else. It knows nothing about
// recording, replay or fault tolerance; the host drives it:
//
//   while (...) {
//     auto r = m.run_until(limit);     // stops exactly at limit, or earlier
//     for (auto& o : m.take_outputs()) ...   // send / hold / drop
//     m.apply(input);                  // host events, at m.instret()
//   }
#include <cstdint>
#include <memory>
#include <vector>

#include "machine/core/instret.h"
#include "machine/core/io.h"
#include "machine/core/machine_config.h"

namespace ftvm::machine {

enum class StopReason {
  kLimit,     // instret reached the requested limit
  kIdle,      // no progress without an Input: WFI with nothing pending, or a guest
              // that keeps trapping without retiring an instruction
  kOutput,    // outputs are waiting in take_outputs()
  kPowerOff,  // the guest powered off (exit_code() tells how)
  kReset,     // the guest asked for a reset
};

class Machine {
 public:
  // Throws ftvm::Error with one clear line on a bad config or image.
  explicit Machine(const MachineConfig& config);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  StopReason run_until(Instret limit);
  Instret instret() const;
  // Applies a host input at the current count.
  void apply(const Input& in);
  std::vector<Output> take_outputs();
  // Emits again, as new Outputs, every device request still waiting for the
  // host (disk I/O, entropy). A backup going live calls this: the old
  // primary's host may never have carried them out.
  void reissue_in_flight();

  // Full-state hash: hart registers and CSRs, RAM, every device, the clock.
  std::uint64_t state_hash() const;
  // Current guest time, and the mtime at which the hart's timer next fires
  // (UINT64_MAX when none is armed): an idle host sleeps until then.
  std::uint64_t mtime() const;
  std::uint64_t next_timer_deadline() const;
  int exit_code() const;  // after kPowerOff: 0 clean, else the guest's code
  const MachineConfig& config() const;

  // Access for the host layers (debug, live clone, tests).
  class Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftvm::machine
