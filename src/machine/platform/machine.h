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
#include <span>
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
  // A guest reset is no reason to stop: the machine carries it out itself
  // (see resets()) and the run goes on.
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
  // Device requests (disk I/O, entropy) waiting for the host's completion.
  std::size_t requests_in_flight() const;

  // Full-state hash: hart registers and CSRs, RAM, every device, the clock.
  std::uint64_t state_hash() const;
  // Current guest time, and the mtime at which the hart's timer next fires
  // (UINT64_MAX when none is armed): an idle host sleeps until then.
  std::uint64_t mtime() const;
  std::uint64_t next_timer_deadline() const;
  int exit_code() const;  // after kPowerOff: 0 clean, else the guest's code
  // Guest reboots (SiFive test finisher "reset") carried out so far. A reboot
  // is a warm reset inside the machine, at the count of the guest's request:
  // RAM is cleared and the boot images are loaded again, the hart and every
  // device return to power-on state, and instret and guest time keep
  // counting -- so a recording or an FT pair simply continues across it. The
  // run that performs it stops with kOutput and an Output{kReset}; the host
  // need not do anything. Device requests in flight at the reset are dropped;
  // a completion the host delivers for one later is applied and ignored.
  std::uint64_t resets() const;
  const MachineConfig& config() const;

  // ---- Snapshots and live clone (snapshot.cpp) ----
  // Everything but RAM as one versioned, checksummed blob: hart, clock and
  // every device, in-flight requests included. Pending Outputs are not state
  // the guest can see: drain take_outputs() first, or the machines' hashes differ.
  std::vector<std::uint8_t> save_state() const;
  // Loads a blob from save_state() of a machine built from the same config
  // (RAM size, clock and devices; the images need not be present). A blob
  // of another config or version, or a corrupt or truncated one, is an
  // ftvm::Error and changes nothing. RAM travels separately (write_page).
  // Outputs still pending here from before the restore are discarded.
  void restore_state(std::span<const std::uint8_t> blob);
  // Dirty-page tracking for iterative pre-copy: every RAM page written from
  // now on (CPU stores on any path, page-table A/D updates, device DMA) is
  // recorded. take_dirty_pages() returns the page indices in ascending order
  // and clears the set; call it between run slices.
  void start_dirty_tracking();
  std::vector<std::uint64_t> take_dirty_pages();
  void stop_dirty_tracking();
  bool dirty_tracking() const;
  // RAM as pages: index 0 is the page at RAM base. `out` / `bytes` must be
  // exactly one page (kPageSize); a bad index or size is an ftvm::Error.
  std::uint64_t page_count() const;
  void read_page(std::uint64_t index, std::span<std::uint8_t> out) const;
  void write_page(std::uint64_t index, std::span<const std::uint8_t> bytes);

  // Access for the host layers (debug, live clone, tests).
  class Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ftvm::machine
