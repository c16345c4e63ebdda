#pragma once
// The SiFive test device ("sifive,test1", also a syscon for Linux's
// syscon-poweroff / syscon-reboot). A 32-bit write at offset 0:
//   0x5555              power off, exit code 0
//   0x3333 | code<<16   power off with a failure code (a code of 0 reads as 1)
//   0x7777              reset
// Other values are ignored. The request is emitted as an Output and the hart is
// stopped so the machine loop sees it at once.
#include <cstdint>

#include "machine/core/device.h"
#include "machine/core/io.h"
#include "machine/core/snapshot_codec.h"
#include "machine/devices/hart_port.h"

namespace ftvm::machine {

class TestFinisher : public Device {
 public:
  static constexpr std::uint64_t kWindowSize = 0x1000;
  static constexpr std::uint32_t kPass = 0x5555, kFail = 0x3333, kReset = 0x7777;
  enum class State : std::uint8_t { kRunning, kPowerOff, kReset };

  TestFinisher(OutputSink& out, HartPort& hart) : out_(out), hart_(hart) {}

  std::string_view name() const override { return "test-finisher"; }
  std::uint64_t mmio_read(std::uint64_t, unsigned) override { return 0; }
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override;
  void hash_state(StateHasher& h) const override;
  // Snapshot (live clone): everything hash_state() covers.
  void save_state(SnapshotWriter& w) const;
  void restore_state(SnapshotReader& r);

  // Back to kRunning (the machine has carried out the reset it asked for).
  void power_on_reset();

  State state() const { return state_; }
  int exit_code() const { return exit_code_; }

 private:
  OutputSink& out_;
  HartPort& hart_;
  State state_ = State::kRunning;
  int exit_code_ = 0;
};

}  // namespace ftvm::machine
