#pragma once
// The PLIC (riscv,plic0) for one hart with two contexts, as OpenSBI and Linux
// drive it: context 0 is the hart's M-mode (MEIP), context 1 its S-mode (SEIP).
// Sources are level-triggered: a source whose line is high becomes pending
// unless it is claimed (in service); completing it re-pends it while the line
// stays high. Register map (offsets in the window):
//   0x000000 + 4*id        priority of source id (0 = never interrupts)
//   0x001000               pending bits
//   0x002000 + 0x80*ctx    enable bits of a context
//   0x200000 + 0x1000*ctx  threshold; +4 claim (read) / complete (write)
#include <array>
#include <cstdint>

#include "machine/core/device.h"
#include "machine/core/snapshot_codec.h"
#include "machine/devices/hart_port.h"

namespace ftvm::machine {

class Plic : public Device, public IrqSink {
 public:
  static constexpr unsigned kSources = 32;  // ids 1..31; id 0 means "none"
  static constexpr unsigned kContexts = 2;
  static constexpr unsigned kMaxPriority = 7;
  static constexpr std::uint64_t kPendingBase = 0x1000;
  static constexpr std::uint64_t kEnableBase = 0x2000;
  static constexpr std::uint64_t kEnableStride = 0x80;
  static constexpr std::uint64_t kContextBase = 0x200000;
  static constexpr std::uint64_t kContextStride = 0x1000;

  explicit Plic(HartPort& hart) : hart_(hart) {}

  std::string_view name() const override { return "plic"; }
  std::uint64_t mmio_read(std::uint64_t offset, unsigned size) override;
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override;
  void hash_state(StateHasher& h) const override;
  // Snapshot (live clone): everything hash_state() covers.
  void save_state(SnapshotWriter& w) const;
  void restore_state(SnapshotReader& r);

  // Power-on state (machine warm reset): every register cleared. Line levels
  // are the devices' to drive, so they stay; a line still high re-pends.
  void power_on_reset();

  // A device's interrupt line; ids outside 1..31 are ignored.
  void set_irq(unsigned source, bool level) override;

  // The id a claim by `context` would return now (0 when none), without claiming.
  unsigned best_pending(unsigned context) const;
  std::uint32_t pending_bits() const { return pending_; }

 private:
  std::uint32_t read32(std::uint64_t offset);
  void write32(std::uint64_t offset, std::uint32_t value);
  unsigned claim(unsigned context);
  void complete(unsigned context, unsigned id);
  void update_lines();

  HartPort& hart_;
  std::array<std::uint32_t, kSources> priority_{};
  std::uint32_t level_ = 0;    // current line level per source
  std::uint32_t pending_ = 0;  // gateway latched, waiting for a claim
  std::uint32_t claimed_ = 0;  // in service: claimed, not yet completed
  std::array<std::uint32_t, kContexts> enable_{};
  std::array<std::uint32_t, kContexts> threshold_{};
};

}  // namespace ftvm::machine
