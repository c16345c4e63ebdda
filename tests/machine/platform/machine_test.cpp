// The whole machine running tiny raw RV64 programs.
#include "machine/platform/machine.h"

#include <gtest/gtest.h>

#include "machine/core/error.h"
#include "machine/platform/machine_impl.h"
#include "virtio_driver.h"
#include "rv_asm.h"

namespace ftvm::machine {
namespace {

using namespace rv;

MachineConfig config_for(std::vector<std::uint32_t> words) {
  MachineConfig c;
  c.ram_size = 8ull << 20;
  c.firmware = program(words);
  return c;
}

// Writes "hi" to the UART, then 0x5555 to the test finisher.
std::vector<std::uint32_t> hello_program() {
  return {
      lui(t0, 0x10000),  // UART
      addi(t1, zero, 'h'), sb(t1, t0, 0), addi(t1, zero, 'i'), sb(t1, t0, 0),
      lui(t0, 0x100),  // test finisher
      lui(t1, 0x5),    addi(t1, t1, 0x555), sw(t1, t0, 0),
      jal(zero, 0),
  };
}

// Runs until power-off (or a limit), collecting console output.
StopReason run_collecting(Machine& m, Instret limit, std::string& console, std::vector<Output>& all) {
  for (;;) {
    StopReason why = m.run_until(limit);
    for (auto& o : m.take_outputs()) {
      if (o.kind == OutputKind::kConsole) console.append(o.bytes.begin(), o.bytes.end());
      all.push_back(std::move(o));
    }
    if (why != StopReason::kOutput) return why;
  }
}

TEST(Machine, HelloAndPowerOff) {
  Machine m(config_for(hello_program()));
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 1000, console, outs), StopReason::kPowerOff);
  EXPECT_EQ(console, "hi");
  EXPECT_EQ(m.exit_code(), 0);
  ASSERT_FALSE(outs.empty());
  EXPECT_EQ(outs.back().kind, OutputKind::kPowerOff);
  EXPECT_LE(m.instret(), 10u);
  // Both characters travel in one console Output, stamped no earlier than the 'i' store.
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].kind, OutputKind::kConsole);
  EXPECT_GE(outs[0].instret, 4u);
  EXPECT_LE(outs[0].instret, outs[1].instret);
  // A powered-off machine stays off.
  EXPECT_EQ(m.run_until(2000), StopReason::kPowerOff);
}

TEST(Machine, LongConsoleOutputStopsTheRunInBatches) {
  // Prints 'x' forever.
  Machine m(config_for({lui(t0, 0x10000), addi(t1, zero, 'x'), sb(t1, t0, 0), jal(zero, -4)}));
  EXPECT_EQ(m.run_until(100'000), StopReason::kOutput);
  auto outs = m.take_outputs();
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0].bytes.size(), Machine::Impl::kConsoleBatchBytes);
  EXPECT_EQ(outs[0].bytes, std::vector<std::uint8_t>(Machine::Impl::kConsoleBatchBytes, 'x'));
  // Whatever is pending when the limit comes is handed over too.
  EXPECT_EQ(m.run_until(m.instret() + 11), StopReason::kLimit);
  EXPECT_FALSE(m.take_outputs().empty());
}

TEST(Machine, FailureCodeReachesExitCode) {
  Machine m(config_for({lui(t0, 0x100), lui(t1, 0x2a3), addi(t1, t1, 0x333), sw(t1, t0, 0), jal(zero, 0)}));
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 1000, console, outs), StopReason::kPowerOff);
  EXPECT_EQ(m.exit_code(), 0x2a);
}

TEST(Machine, RunStopsExactlyAtTheLimit) {
  Machine m(config_for({addi(a0, a0, 1), jal(zero, -4)}));
  EXPECT_EQ(m.run_until(12345), StopReason::kLimit);
  EXPECT_EQ(m.instret(), 12345u);
}

TEST(Machine, BootRegistersFollowTheFwDynamicConvention) {
  Machine m(config_for({jal(zero, 0)}));
  const auto& boot = m.impl().boot_layout();
  Hart& hart = m.impl().hart();
  EXPECT_EQ(hart.pc(), layout::kRamBase);
  EXPECT_EQ(hart.xreg(10), 0u);
  EXPECT_EQ(hart.xreg(11), boot.dtb_addr);
  EXPECT_EQ(hart.xreg(12), boot.fw_info_addr);
}

// Arms mtimecmp = 100, enables the machine timer interrupt and waits in WFI;
// the handler powers off.
std::vector<std::uint32_t> timer_program(bool use_wfi) {
  return {
      lui(t0, 0x2004),  // mtimecmp
      addi(t1, zero, 100), sd(t1, t0, 0),
      auipc(t2, 0), addi(t2, t2, 36),  // handler at +48
      csrrw(zero, 0x305, t2),          // mtvec
      addi(t1, zero, 0x80), csrrs(zero, 0x304, t1),  // mie.MTIE
      addi(t1, zero, 8), csrrs(zero, 0x300, t1),     // mstatus.MIE
      use_wfi ? wfi() : addi(a0, a0, 1), jal(zero, -4),
      lui(t0, 0x100), lui(t1, 0x5), addi(t1, t1, 0x555), sw(t1, t0, 0), jal(zero, 0),
  };
}

TEST(Machine, WfiIdlesUntilATimeInputWakesTheTimer) {
  Machine m(config_for(timer_program(true)));
  EXPECT_EQ(m.run_until(1'000'000), StopReason::kIdle);
  EXPECT_EQ(m.next_timer_deadline(), 100u);
  Instret idle_at = m.instret();
  EXPECT_EQ(m.run_until(1'000'000), StopReason::kIdle);  // still nothing to do
  EXPECT_EQ(m.instret(), idle_at);
  m.apply({InputKind::kTime, 0, 100, 0, {}});
  EXPECT_EQ(m.mtime(), 100u);
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 1'000'000, console, outs), StopReason::kPowerOff);
  EXPECT_LT(m.instret(), idle_at + 20);
}

TEST(Machine, TimerInterruptFiresAtTheCountItIsDue) {
  MachineConfig c = config_for(timer_program(false));
  Machine m(c);
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 1'000'000, console, outs), StopReason::kPowerOff);
  // mtime reaches 100 at instret 100 * instret_per_tick; the handler is 4 instructions.
  Instret due = 100 * c.instret_per_tick;
  ASSERT_FALSE(outs.empty());
  EXPECT_GE(outs.back().instret, due);
  EXPECT_LE(outs.back().instret, due + 5);
}

TEST(Machine, BadInputsAreClearErrors) {
  Machine m(config_for({jal(zero, 0)}));
  Input bad_slot{InputKind::kDeviceData, 7, 0, 0, {1}};
  EXPECT_THROW(m.apply(bad_slot), Error);
  Input bad_irq{InputKind::kIrq, 99, 0, 1, {}};
  EXPECT_THROW(m.apply(bad_irq), Error);
  Input console{InputKind::kDeviceData, kConsoleSlot, 0, 0, {'x'}};
  EXPECT_NO_THROW(m.apply(console));
}

TEST(Machine, InputsReachTheirDevices) {
  MachineConfig c = config_for({jal(zero, 0)});
  c.virtio.push_back({VirtioKind::kRng, 0, false, {}});
  Machine m(c);
  // Slot 1 is the rng: a completion it never asked for names the device.
  Input stray{InputKind::kCompletion, virtio_slot(0), 5, 0, {}};
  try {
    m.apply(stray);
    ADD_FAILURE() << "no error for a stray completion";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("virtio-rng"), std::string::npos);
  }
  // An external interrupt line goes to the PLIC.
  m.apply({InputKind::kIrq, 20, 0, 1, {}});
  EXPECT_EQ(m.impl().plic().pending_bits(), 1u << 20);
  m.apply({InputKind::kIrq, 20, 0, 0, {}});
  EXPECT_EQ(m.impl().plic().pending_bits(), 0u);
  // The virtio window is mapped where the device tree says.
  EXPECT_EQ(m.impl().bus().find(layout::kVirtioBase, 4)->device, &m.impl().virtio(0));
}

TEST(Machine, ReissueRepeatsRequestsStillInFlight) {
  MachineConfig c = config_for({jal(zero, 0)});
  c.virtio.push_back({VirtioKind::kRng, 0, false, {}});
  Machine m(c);
  test::post_rng_buffer(m, layout::kRamBase + 0x20000);
  auto first = m.take_outputs();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, OutputKind::kEntropyRequest);
  m.reissue_in_flight();
  auto again = m.take_outputs();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].tag, first[0].tag);
  EXPECT_EQ(again[0].length, 16u);
  m.apply({InputKind::kCompletion, virtio_slot(0), first[0].tag, 0, std::vector<std::uint8_t>(16, 7)});
  m.reissue_in_flight();
  EXPECT_TRUE(m.take_outputs().empty());
}

TEST(Machine, BadConfigsAreClearErrors) {
  MachineConfig c = config_for({jal(zero, 0)});
  c.ram_size = 12345;
  EXPECT_THROW(Machine{c}, Error);
  c = config_for({jal(zero, 0)});
  c.virtio.resize(9);
  EXPECT_THROW(Machine{c}, Error);
  c = config_for({jal(zero, 0)});
  c.kernel = std::vector<std::uint8_t>(100, 0);
  EXPECT_THROW(Machine{c}, Error);
  c = config_for({jal(zero, 0)});
  c.virtio.push_back({VirtioKind::kNet, 0, false, {}});  // all-zero MAC
  EXPECT_THROW(Machine{c}, Error);
  c.virtio.back().mac[0] = 0x01;  // multicast
  c.virtio.back().mac[5] = 0x01;
  EXPECT_THROW(Machine{c}, Error);
  c.virtio.back().mac[0] = 0x52;
  EXPECT_NO_THROW(Machine{c});
}

// Reads mtime in a loop and stores it (and a counter) to RAM, so the guest's
// memory records what time it saw.
std::vector<std::uint32_t> clock_reader_program() {
  return {
      lui(t0, 0x200c), auipc(t2, 0),
      ld(t1, t0, -8), sd(t1, t2, 0x100), addi(a0, a0, 1), sd(a0, t2, 0x108),
      jal(zero, -16),
  };
}

std::uint64_t run_with_time_input_at(Instret when) {
  Machine m(config_for(clock_reader_program()));
  EXPECT_EQ(m.run_until(when), StopReason::kLimit);
  m.apply({InputKind::kTime, 0, 5000, 0, {}});
  EXPECT_EQ(m.run_until(4000), StopReason::kLimit);
  return m.state_hash();
}

TEST(Machine, SameInputsGiveTheSameHash) {
  EXPECT_EQ(run_with_time_input_at(1000), run_with_time_input_at(1000));
}

TEST(Machine, InputAtAnotherCountGivesAnotherHash) {
  EXPECT_NE(run_with_time_input_at(1000), run_with_time_input_at(1001));
}

TEST(Machine, RunSlicingDoesNotChangeTheResult) {
  Machine a(config_for(clock_reader_program()));
  Machine b(config_for(clock_reader_program()));
  EXPECT_EQ(a.run_until(3000), StopReason::kLimit);
  for (Instret step = 7; b.instret() < 3000;) b.run_until(std::min<Instret>(3000, b.instret() + step));
  EXPECT_EQ(a.state_hash(), b.state_hash());
}

TEST(Machine, UartInterruptThroughThePlicWakesTheHart) {
  Machine m(config_for({
      lui(t0, 0x10000), addi(t1, zero, 1), sb(t1, t0, 1),  // UART IER: rx data available
      lui(t0, 0xc000), sw(t1, t0, 40),                     // PLIC priority[10] = 1
      lui(t0, 0xc002), addi(t1, zero, 1 << 10), sw(t1, t0, 0),  // enable source 10 for context 0
      auipc(t2, 0), addi(t2, t2, 40), csrrw(zero, 0x305, t2),    // mtvec = handler (+72)
      lui(t1, 1), addi(t1, t1, -2048), csrrs(zero, 0x304, t1),   // mie.MEIE
      addi(t1, zero, 8), csrrs(zero, 0x300, t1),                 // mstatus.MIE
      wfi(), jal(zero, -4),
      // handler: claim, echo the byte, complete, power off
      lui(t0, 0xc200), lw(a1, t0, 4), lui(t2, 0x10000), lbu(a0, t2, 0), sb(a0, t2, 0), sw(a1, t0, 4),
      lui(t0, 0x100), lui(t1, 0x5), addi(t1, t1, 0x555), sw(t1, t0, 0), jal(zero, 0),
  }));
  EXPECT_EQ(m.run_until(100'000), StopReason::kIdle);
  m.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {'Q'}});
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 100'000, console, outs), StopReason::kPowerOff);
  EXPECT_EQ(console, "Q");
  EXPECT_EQ(m.impl().hart().xreg(a1), layout::kUartIrq);  // the claim named the UART
  EXPECT_EQ(m.impl().plic().pending_bits(), 0u);
}

TEST(Machine, ConsoleInputReachesTheGuest) {
  // Polls LSR until data is ready, then echoes the byte and powers off.
  Machine m(config_for({
      lui(t0, 0x10000),
      i_type(0x03, 4, t1, t0, 5),  // lbu t1, 5(t0): LSR
      i_type(0x13, 7, t1, t1, 1),  // andi t1, t1, 1
      beq(t1, zero, -8),           // back to the lbu
      i_type(0x03, 4, t1, t0, 0),  // lbu t1, 0(t0): RBR
      sb(t1, t0, 0),
      lui(t0, 0x100), lui(t1, 0x5), addi(t1, t1, 0x555), sw(t1, t0, 0), jal(zero, 0),
  }));
  EXPECT_EQ(m.run_until(500), StopReason::kLimit);
  m.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {'Z'}});
  std::string console;
  std::vector<Output> outs;
  EXPECT_EQ(run_collecting(m, 10'000, console, outs), StopReason::kPowerOff);
  EXPECT_EQ(console, "Z");
}

}  // namespace
}  // namespace ftvm::machine

namespace ftvm::machine {
namespace {

// mtvec = 0 (nothing there), then an illegal instruction: every fetch faults
// and traps back to the same fault. The machine must give control back (as
// idle: only an input could change anything) instead of spinning forever.
TEST(Machine, TrapLoopThatRetiresNothingReportsIdle) {
  using namespace rv;
  Machine m(config_for({csrrw(zero, 0x305, zero), 0x00000000u /* illegal: traps to mtvec = 0 */}));
  EXPECT_EQ(m.run_until(1'000'000), StopReason::kIdle);
  EXPECT_LT(m.instret(), 10u);
}

}  // namespace
}  // namespace ftvm::machine
