#pragma once
// A bare hart on a small bus: RAM at the virt base, one recording MMIO
// device, and helpers to place programs and run exact instruction counts.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "asm.h"
#include "machine/core/bus.h"
#include "machine/core/guest_ram.h"
#include "machine/core/virtual_clock.h"
#include "machine/cpu/csr_defs.h"
#include "machine/cpu/hart.h"

namespace ftvm::machine::test_asm {

// Remembers every MMIO write; reads return `read_value`.
class RecordingDevice : public Device {
 public:
  struct Write {
    std::uint64_t offset;
    unsigned size;
    std::uint64_t value;
  };
  std::string_view name() const override { return "recorder"; }
  std::uint64_t mmio_read(std::uint64_t, unsigned) override { return read_value; }
  void mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) override {
    writes.push_back({offset, size, value});
  }
  void hash_state(StateHasher&) const override {}
  std::vector<Write> writes;
  std::uint64_t read_value = 0;
};

inline constexpr std::uint64_t kRamBase = 0x8000'0000;
inline constexpr std::uint64_t kRamSize = 16ull << 20;
inline constexpr std::uint64_t kDeviceBase = 0x1000'0000;

// The engine every HartTest runs on: FTVM_TEST_ENGINE=jit or =interp (the
// default), so that the whole suite runs against each engine.
inline EngineKind engine_under_test() {
  const char* name = std::getenv("FTVM_TEST_ENGINE");
  return name != nullptr && std::string_view(name) == "jit" ? EngineKind::kJit : EngineKind::kInterpreter;
}

class HartTest : public ::testing::Test {
 protected:
  HartTest() {
    bus.map(kDeviceBase, 0x1000, device);
    hart.set_engine(engine_under_test());
    hart.reset(kRamBase);
  }

  // Copies a program to `at` (through GuestRam::write, like DMA).
  void load(const Program& p, std::uint64_t at = kRamBase) { ASSERT_TRUE(ram.write(at, p.bytes().data(), p.size())); }
  // Runs exactly n more instructions (or until the hart stops earlier).
  HartStop step(std::uint64_t n) { return hart.run(hart.instret() + n); }
  std::uint64_t x(unsigned i) const { return hart.xreg(i); }
  std::uint64_t read64(std::uint64_t gpa) const {
    std::uint64_t v = 0;
    EXPECT_TRUE(ram.read(gpa, &v, 8));
    return v;
  }
  void write64(std::uint64_t gpa, std::uint64_t v) { ASSERT_TRUE(ram.write(gpa, &v, 8)); }
  // Sets a CSR by running `li t6, value; csrw num, t6` from a scratch page
  // in the current mode, then restores pc and t6.
  void set_csr(unsigned num, std::uint64_t value) {
    Program p;
    p.li(t6, value);
    p << csrw(num, t6);
    std::uint64_t saved_pc = hart.pc(), saved_t6 = x(t6);
    load(p, kScratch);
    hart.set_pc(kScratch);
    step(11);
    ASSERT_EQ(hart.pc(), kScratch + p.size()) << "csr write trapped";
    hart.set_pc(saved_pc);
    hart.set_xreg(t6, saved_t6);
  }
  // An M-mode trap handler at kHandler that skips the trapping instruction
  // (4 bytes) and counts traps in s11.
  void install_skip_handler() {
    Program h;
    h << csrr(t5, cpu::csrn::kMepc) << addi(t5, t5, 4) << csrw(cpu::csrn::kMepc, t5) << addi(27, 27, 1) << kMret;
    load(h, kHandler);
    set_csr(cpu::csrn::kMtvec, kHandler);
  }
  // Leaves M mode for `priv` at `pc` through a real mret.
  void drop_to(unsigned priv, std::uint64_t pc) {
    std::uint64_t status = hart.csr(cpu::csrn::kMstatus) & ~cpu::mstatus::kMpp;
    set_csr(cpu::csrn::kMstatus, status | (static_cast<std::uint64_t>(priv) << cpu::mstatus::kMppShift));
    set_csr(cpu::csrn::kMepc, pc);
    Program p;
    p << kMret;
    load(p, kScratch + 0x100);
    hart.set_pc(kScratch + 0x100);
    step(1);
    ASSERT_EQ(hart.privilege(), priv);
    ASSERT_EQ(hart.pc(), pc);
  }
  static constexpr std::uint64_t kScratch = kRamBase + 0xf0000;
  static constexpr std::uint64_t kHandler = kRamBase + 0xe0000;

  std::uint64_t hash() const {
    StateHasher h;
    hart.hash_state(h);
    return h.digest();
  }

  GuestRam ram{kRamBase, kRamSize};
  Bus bus{ram};
  VirtualClock clock{100};
  Hart hart{bus, clock};
  RecordingDevice device;
};

}  // namespace ftvm::machine::test_asm
