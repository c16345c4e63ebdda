// A recording spans a guest reboot: the machine resets itself, the log goes
// on, and a replay matches every checkpoint on both sides of the reset --
// including a late completion for a request the reset abandoned.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../machine/platform/reset_program.h"
#include "machine/platform/machine.h"
#include "machine/platform/machine_impl.h"
#include "memory_sink.h"
#include "scripted_host.h"
#include "replay/recorder.h"
#include "replay/replayer.h"

using namespace ftvm;
using machine::Input;
using machine::InputKind;
using machine::Output;
using machine::OutputKind;

namespace {

using replay::testing::MemorySink;

struct Recording {
  std::vector<replay::LogEntry> entries;
  std::string console;
  std::uint64_t final_hash = 0;
  machine::Instret reset_at = 0;
  std::uint64_t checkpoints_after_reset = 0;
};

// A scripted host: irregular slices, time samples that lead the guest's
// own clock, a console key now and then (seeded, so runs are repeatable).
Recording record_reset_program(std::uint32_t seed) {
  machine::Machine m(machine::reset_program::config());
  MemorySink sink;
  replay::Recorder rec(m, sink, 300'000);
  Recording r;
  replay::testing::ScriptedHost host(m, rec, seed);
  for (int slice = 0; slice < 10'000; ++slice) {
    machine::StopReason why = m.run_until(m.instret() + 40'000 + host.next() % 9'000);
    for (auto& o : m.take_outputs()) {
      if (o.kind == OutputKind::kConsole) r.console.append(o.bytes.begin(), o.bytes.end());
      if (o.kind == OutputKind::kReset) r.reset_at = o.instret;
    }
    if (why == machine::StopReason::kPowerOff) break;
    std::uint64_t before = rec.checkpoints();
    rec.after_slice();
    if (r.reset_at && rec.checkpoints() > before) ++r.checkpoints_after_reset;
    host.advance_time(500, 700);
    host.maybe_key(5);
  }
  EXPECT_EQ(m.resets(), 1u);
  rec.finish();
  sink.append(replay::LogEntry::end(m.instret()));
  r.entries = std::move(sink.entries);
  r.final_hash = m.state_hash();
  return r;
}

struct Replay {
  std::string console;
  std::uint64_t final_hash = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t resets = 0;
};

Replay replay_entries(const machine::MachineConfig& config, const std::vector<replay::LogEntry>& entries) {
  machine::Machine m(config);
  Replay r;
  replay::Replayer player(m, [&r](const Output& o) {
    if (o.kind == OutputKind::kConsole) r.console.append(o.bytes.begin(), o.bytes.end());
  });
  std::uint64_t seq = 0;
  for (const auto& e : entries) player.step({seq++, e});
  EXPECT_TRUE(player.ended());
  r.final_hash = m.state_hash();
  r.checkpoints = player.checkpoints_matched();
  r.resets = m.resets();
  return r;
}

std::uint64_t count_checkpoints(const std::vector<replay::LogEntry>& entries) {
  std::uint64_t n = 0;
  for (const auto& e : entries) n += e.kind == replay::EntryKind::kCheckpoint;
  return n;
}

}  // namespace

TEST(ReplayAcrossReset, EveryCheckpointMatchesOnBothSidesOfTheReboot) {
  Recording rec = record_reset_program(11);
  ASSERT_EQ(rec.console, "AA");
  ASSERT_NE(rec.reset_at, 0u);
  ASSERT_GE(rec.checkpoints_after_reset, 2u);
  Replay rep = replay_entries(machine::reset_program::config(), rec.entries);
  EXPECT_EQ(rep.checkpoints, count_checkpoints(rec.entries));
  EXPECT_EQ(rep.resets, 1u);
  EXPECT_EQ(rep.console, rec.console);
  EXPECT_EQ(rep.final_hash, rec.final_hash);
}

TEST(ReplayAcrossReset, ChangedTimeAfterTheResetIsCaught) {
  Recording rec = record_reset_program(12);
  ASSERT_NE(rec.reset_at, 0u);
  std::size_t victim = 0;
  for (std::size_t i = 0; i < rec.entries.size(); ++i)
    if (rec.entries[i].kind == replay::EntryKind::kTime && rec.entries[i].instret > rec.reset_at + 100'000) {
      victim = i;
      break;
    }
  ASSERT_NE(victim, 0u);
  rec.entries[victim].value += 50'000;
  EXPECT_THROW(replay_entries(machine::reset_program::config(), rec.entries), replay::Divergence);
}

// The recorder logs whatever the host applies, including the completion of
// a request the reset dropped; the replay applies it at the same count and
// ignores it the same way.
TEST(ReplayAcrossReset, LateCompletionOfAnAbandonedRequestReplays) {
  machine::MachineConfig config;
  config.ram_size = 8ull << 20;
  config.firmware = machine::rv::program({machine::rv::wfi(), machine::rv::jal(machine::rv::zero, -4)});
  config.virtio.push_back({machine::VirtioKind::kRng, 0, false, {}});
  // The guest's driver is played through the bus (posting one buffer, then
  // rebooting); the replaying side plays the same accesses before the log.
  auto play_guest = [](machine::Machine& m) {
    machine::Bus& bus = m.impl().bus();
    const std::uint64_t base = machine::layout::kVirtioBase, desc = machine::layout::kRamBase + 0x10000;
    auto w = [&](std::uint64_t reg, std::uint32_t v) { bus.mmio_write(base + reg, 4, v); };
    w(machine::VirtioMmio::kStatus, 3);
    w(machine::VirtioMmio::kDriverFeaturesSel, 1);
    w(machine::VirtioMmio::kDriverFeatures, 1);
    w(machine::VirtioMmio::kStatus, 0xb);
    w(machine::VirtioMmio::kQueueNum, 8);
    w(machine::VirtioMmio::kQueueDescLow, static_cast<std::uint32_t>(desc));
    w(machine::VirtioMmio::kQueueDriverLow, static_cast<std::uint32_t>(desc + 0x1000));
    w(machine::VirtioMmio::kQueueDeviceLow, static_cast<std::uint32_t>(desc + 0x2000));
    w(machine::VirtioMmio::kQueueReady, 1);
    w(machine::VirtioMmio::kStatus, 0xf);
    struct {
      std::uint64_t addr;
      std::uint32_t len;
      std::uint16_t flags, next;
    } d{machine::layout::kRamBase + 0x20000, 16, 2, 0};
    m.impl().ram().write(desc, &d, sizeof d);
    std::uint16_t avail[3] = {0, 1, 0};
    m.impl().ram().write(desc + 0x1000, avail, sizeof avail);
    w(machine::VirtioMmio::kQueueNotify, 0);
    bus.mmio_write(machine::layout::kTestFinisher, 4, machine::TestFinisher::kReset);
    m.run_until(m.instret());
  };
  machine::Machine live(config);
  MemorySink sink;
  replay::Recorder rec(live, sink, 0);
  play_guest(live);
  std::uint64_t tag = 0;
  for (const auto& o : live.take_outputs())
    if (o.kind == OutputKind::kEntropyRequest) tag = o.tag;
  ASSERT_NE(tag, 0u);
  Input late{InputKind::kCompletion, machine::virtio_slot(0), tag, 0, std::vector<std::uint8_t>(16, 0x5a)};
  rec.input(late);
  live.apply(late);
  rec.finish();
  sink.append(replay::LogEntry::end(live.instret()));

  machine::Machine again(config);
  play_guest(again);
  replay::Replayer player(again, [](const Output&) {});
  std::uint64_t seq = 0;
  for (const auto& e : sink.entries) player.step({seq++, e});
  EXPECT_TRUE(player.ended());
  EXPECT_EQ(player.checkpoints_matched(), 1u);
  EXPECT_EQ(again.state_hash(), live.state_hash());
}
