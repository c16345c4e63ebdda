#pragma once
// The SiFive CLINT (ACLINT MSWI + MTIMER layout) for one hart:
//   0x0000 msip (32-bit, bit 0), 0x4000 mtimecmp (64-bit), 0xbff8 mtime (64-bit).
// mtime is the VirtualClock at the current instret; mtimecmp arms the timer.
// The MTIP line is a pure function of (clock, instret, mtimecmp); the machine
// calls update_timer_line() whenever any of them may have changed.
#include <cstdint>

#include "machine/core/device.h"
#include "machine/core/snapshot_codec.h"
#include "machine/core/virtual_clock.h"
#include "machine/devices/hart_port.h"

namespace ftvm::machine {

class Clint : public Device {
 public:
  static constexpr std::uint64_t kMsip = 0x0000;
  static constexpr std::uint64_t kMtimecmp = 0x4000;
  static constexpr std::uint64_t kMtime = 0xbff8;

  Clint(VirtualClock& clock, HartPort& hart) : clock_(clock), hart_(hart) {}

  std::string_view name() const override { return "clint"; }
  std::uint64_t mmio_read(std::uint64_t offset, unsigned size) override;
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override;
  void hash_state(StateHasher& h) const override;
  // Snapshot (live clone): everything hash_state() covers (the clock is the machine's).
  void save_state(SnapshotWriter& w) const;
  void restore_state(SnapshotReader& r);

  // Power-on state (machine warm reset): no software interrupt, no timer
  // armed. The clock is the machine's and keeps running through a reset.
  void power_on_reset();

  // Recomputes MTIP from the clock at the hart's current count.
  void update_timer_line();
  // The armed compare value (UINT64_MAX at reset: no timer).
  std::uint64_t mtimecmp() const { return mtimecmp_; }
  bool msip() const { return msip_; }

 private:
  VirtualClock& clock_;
  HartPort& hart_;
  bool msip_ = false;
  std::uint64_t mtimecmp_ = UINT64_MAX;
};

}  // namespace ftvm::machine
