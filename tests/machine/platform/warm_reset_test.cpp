// A guest reboot is a warm reset inside the machine: fresh RAM with the boot
// images reloaded, hart and devices at power-on state, instret and guest time
// going on; deterministic like everything else.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "machine/core/error.h"
#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"
#include "reset_program.h"
#include "virtio_driver.h"

namespace ftvm::machine {
namespace {

namespace rp = reset_program;
using test::post_rng_buffer;

std::uint64_t ram_u64(Machine& m, std::uint64_t offset) {
  std::uint64_t v = 0;
  EXPECT_TRUE(m.impl().ram().read(layout::kRamBase + offset, &v, sizeof v));
  return v;
}

struct GuestRun {
  std::string console;
  std::vector<Output> outputs;
  StopReason last = StopReason::kLimit;
};

// Runs in slices of `slice` instructions until power-off (or `limit`),
// applying a Time input of `time_step` more ticks after every slice.
GuestRun run_to_power_off(Machine& m, Instret slice, std::uint64_t time_step, Instret limit = 50'000'000) {
  GuestRun r;
  std::uint64_t host_time = 0;
  while (m.instret() < limit) {
    r.last = m.run_until(std::min(limit, m.instret() + slice));
    for (auto& o : m.take_outputs()) {
      if (o.kind == OutputKind::kConsole) r.console.append(o.bytes.begin(), o.bytes.end());
      r.outputs.push_back(std::move(o));
    }
    if (r.last == StopReason::kPowerOff) break;
    if (time_step) m.apply({InputKind::kTime, 0, host_time += time_step, 0, {}});
  }
  return r;
}

const Output* find_output(const GuestRun& r, OutputKind kind) {
  for (const auto& o : r.outputs)
    if (o.kind == kind) return &o;
  return nullptr;
}

TEST(WarmReset, GuestRebootBootsAFreshMachineWhileInstretAndTimeGoOn) {
  Machine m(rp::config());
  GuestRun r = run_to_power_off(m, 100'000, 0);
  ASSERT_EQ(r.last, StopReason::kPowerOff) << r.console;
  EXPECT_EQ(m.exit_code(), 0);
  EXPECT_EQ(m.resets(), 1u);
  // Both boots found the marker clear: RAM did not survive the reset.
  EXPECT_EQ(r.console, "AA");
  // The far page the first boot wrote is zero again.
  EXPECT_EQ(ram_u64(m, rp::kFarPage), 0u);
  // The reset happened at the count of the guest's request, and the second
  // boot came after it on the same count.
  const Output* reset = find_output(r, OutputKind::kReset);
  ASSERT_NE(reset, nullptr);
  EXPECT_GT(reset->instret, 1'000'000u);
  ASSERT_EQ(r.outputs.back().kind, OutputKind::kPowerOff);
  EXPECT_GT(r.outputs.back().instret, reset->instret);
  // Guest time did not restart: the second boot began after the first deadline...
  EXPECT_GE(ram_u64(m, rp::kBootTime), std::uint64_t{rp::kFirstDeadlinePages} << 12);
  // ...while the guest's own instruction counter did (power-on CSRs).
  EXPECT_LT(ram_u64(m, rp::kBootMinstret), 16u);
  // With no Time inputs, mtime is instret / instret_per_tick from 0.
  EXPECT_GE(m.instret(), (std::uint64_t{rp::kSecondDeadlinePages} << 12) * m.config().instret_per_tick);
}

TEST(WarmReset, ResetHappensAtTheRequestWhateverTheSlicing) {
  Machine a(rp::config());
  Machine b(rp::config());
  GuestRun ra = run_to_power_off(a, 1'000'000, 0);
  GuestRun rb = run_to_power_off(b, 777, 0);
  const Output* reset_a = find_output(ra, OutputKind::kReset);
  const Output* reset_b = find_output(rb, OutputKind::kReset);
  ASSERT_NE(reset_a, nullptr);
  ASSERT_NE(reset_b, nullptr);
  EXPECT_EQ(reset_a->instret, reset_b->instret);
  EXPECT_EQ(a.instret(), b.instret());
  EXPECT_EQ(a.state_hash(), b.state_hash());
}

// The reset stops the run with its Output at once: the machine is already
// rebooted (pc at the firmware entry, boot registers set) when the host looks.
TEST(WarmReset, RunStopsWithTheResetOutputAndTheHartAtTheEntry) {
  Machine m(rp::config());
  StopReason why = StopReason::kLimit;
  std::vector<Output> outs;
  while (outs.empty() || outs.back().kind != OutputKind::kReset) {
    why = m.run_until(m.instret() + 1'000'000);
    ASSERT_NE(why, StopReason::kPowerOff);
    ASSERT_NE(why, StopReason::kIdle);
    for (auto& o : m.take_outputs()) outs.push_back(std::move(o));
  }
  EXPECT_EQ(why, StopReason::kOutput);
  // The Output is stamped at the finisher store; the reset follows its retirement.
  EXPECT_EQ(m.instret(), outs.back().instret + 1);
  Hart& hart = m.impl().hart();
  EXPECT_EQ(hart.pc(), layout::kRamBase);
  EXPECT_EQ(hart.privilege(), 3u);
  EXPECT_EQ(hart.xreg(11), m.impl().boot_layout().dtb_addr);
  EXPECT_EQ(m.impl().clint().mtimecmp(), UINT64_MAX);
  // Boot images are back in place: the first word is the program's first.
  std::uint32_t first = 0;
  ASSERT_TRUE(m.impl().ram().read(layout::kRamBase, &first, sizeof first));
  EXPECT_EQ(first, rp::words()[0]);
  EXPECT_EQ(ram_u64(m, rp::kMarker), 0u);
}

std::uint64_t hash_with_time_step(std::uint64_t step) {
  Machine m(rp::config());
  GuestRun r = run_to_power_off(m, 50'000, step);
  EXPECT_EQ(r.last, StopReason::kPowerOff);
  EXPECT_EQ(m.resets(), 1u);
  return m.state_hash();
}

TEST(WarmReset, SameInputsGiveTheSameHashAcrossTheReset) {
  // 50'000 instructions are 500 ticks: larger steps make host time lead.
  EXPECT_EQ(hash_with_time_step(2000), hash_with_time_step(2000));
  EXPECT_NE(hash_with_time_step(2000), hash_with_time_step(2001));
}

MachineConfig idle_with_rng() {
  MachineConfig c;
  c.ram_size = 8ull << 20;
  c.firmware = rv::program({rv::wfi(), rv::jal(rv::zero, -4)});
  c.virtio.push_back({VirtioKind::kRng, 0, false, {}});
  return c;
}

void request_reset(Machine& m) {
  ASSERT_TRUE(m.impl().bus().mmio_write(layout::kTestFinisher, 4, TestFinisher::kReset));
  m.run_until(m.instret());  // carried out on the next run, even one of no instructions
}

TEST(WarmReset, CompletionForARequestInFlightAtTheResetIsDropped) {
  Machine m(idle_with_rng());
  const std::uint64_t buffer = layout::kRamBase + 0x20000;
  post_rng_buffer(m, buffer);
  auto before = m.take_outputs();
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(before[0].kind, OutputKind::kEntropyRequest);
  EXPECT_EQ(m.requests_in_flight(), 1u);
  request_reset(m);
  EXPECT_EQ(m.requests_in_flight(), 0u);
  EXPECT_EQ(m.resets(), 1u);
  auto at_reset = m.take_outputs();
  ASSERT_EQ(at_reset.size(), 1u);
  EXPECT_EQ(at_reset[0].kind, OutputKind::kReset);
  // Nothing is left to re-issue, and the device is back at power-on state.
  m.reissue_in_flight();
  EXPECT_TRUE(m.take_outputs().empty());
  EXPECT_EQ(m.impl().virtio(0).status(), 0u);
  // The host finishes the old request late: applied without effect.
  const std::uint64_t hash = m.state_hash();
  EXPECT_NO_THROW(m.apply({InputKind::kCompletion, virtio_slot(0), before[0].tag, 0, std::vector<std::uint8_t>(16, 7)}));
  EXPECT_EQ(m.state_hash(), hash);
  EXPECT_EQ(m.impl().plic().pending_bits(), 0u);
  // A tag never issued is still an error.
  EXPECT_THROW(m.apply({InputKind::kCompletion, virtio_slot(0), before[0].tag + 1, 0, {}}), Error);
  // The next boot's request gets a new tag, so it cannot be confused with the old one.
  post_rng_buffer(m, buffer);
  auto after = m.take_outputs();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GT(after[0].tag, before[0].tag);
  m.apply({InputKind::kCompletion, virtio_slot(0), after[0].tag, 0, std::vector<std::uint8_t>(16, 9)});
  std::uint8_t got[16] = {};
  ASSERT_TRUE(m.impl().ram().read(buffer, got, sizeof got));
  EXPECT_EQ(got[0], 9);
  EXPECT_EQ(got[15], 9);
}

TEST(WarmReset, DevicesReturnToPowerOnState) {
  Machine m(idle_with_rng());
  Bus& bus = m.impl().bus();
  // Program the PLIC, the CLINT and the UART, and leave a key unread.
  ASSERT_TRUE(bus.mmio_write(layout::kPlic + 4 * layout::kUartIrq, 4, 5));
  ASSERT_TRUE(bus.mmio_write(layout::kPlic + Plic::kEnableBase, 4, 1u << layout::kUartIrq));
  ASSERT_TRUE(bus.mmio_write(layout::kClint + Clint::kMtimecmp, 8, 1234));
  ASSERT_TRUE(bus.mmio_write(layout::kClint + Clint::kMsip, 4, 1));
  ASSERT_TRUE(bus.mmio_write(layout::kUart + Uart16550::kIer, 1, Uart16550::kIerRda));
  m.apply({InputKind::kDeviceData, kConsoleSlot, 0, 0, {'k'}});
  EXPECT_NE(m.impl().plic().pending_bits(), 0u);
  request_reset(m);
  EXPECT_EQ(m.impl().uart().rx_queued(), 0u);
  EXPECT_EQ(m.impl().plic().pending_bits(), 0u);
  std::uint64_t v = 1;
  ASSERT_TRUE(bus.mmio_read(layout::kPlic + 4 * layout::kUartIrq, 4, v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(bus.mmio_read(layout::kPlic + Plic::kEnableBase, 4, v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(m.impl().clint().mtimecmp(), UINT64_MAX);
  EXPECT_FALSE(m.impl().clint().msip());
  EXPECT_EQ(m.impl().hart().csr(0x344) & (kMipMsip | kMipMtip | kMipMeip | kMipSeip), 0u);  // mip
  ASSERT_TRUE(bus.mmio_read(layout::kUart + Uart16550::kIer, 1, v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(m.impl().finisher().state(), TestFinisher::State::kRunning);
}

// Two machines with the same history, one of them reset through the
// finisher, the other built fresh at the same count by construction: after
// the reset, their guest-visible state differs only in what time it is.
TEST(WarmReset, ResetMachineMatchesAFreshOneExceptForTheClock) {
  Machine used(rp::config());
  used.run_until(500'000);
  ASSERT_TRUE(used.impl().bus().mmio_write(layout::kTestFinisher, 4, TestFinisher::kReset));
  used.run_until(used.instret());
  Machine fresh(rp::config());
  GuestRam& a = used.impl().ram();
  GuestRam& b = fresh.impl().ram();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);
  EXPECT_EQ(used.impl().hart().pc(), fresh.impl().hart().pc());
  for (unsigned i = 0; i < 32; ++i) EXPECT_EQ(used.impl().hart().xreg(i), fresh.impl().hart().xreg(i)) << "x" << i;
  EXPECT_EQ(used.impl().hart().csr(0xb02), fresh.impl().hart().csr(0xb02));  // minstret restarts
  EXPECT_GT(used.mtime(), fresh.mtime());
}

}  // namespace
}  // namespace ftvm::machine
