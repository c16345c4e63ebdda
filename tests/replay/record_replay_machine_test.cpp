// Record a bare-metal guest that reads time, takes timer interrupts and
// reads console bytes; replay the log on a fresh machine; every checkpoint
// must match. A log with one time value changed must be caught at the next
// checkpoint.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "machine/platform/machine.h"
#include "replay/log_reader.h"
#include "replay/log_writer.h"
#include "memory_sink.h"
#include "scripted_host.h"
#include "replay/recorder.h"
#include "replay/replayer.h"
#include "replay/state_digest.h"

using namespace ftvm;

namespace {

std::vector<std::uint8_t> program(const std::string& name) {
  const char* build = std::getenv("FTVM_BUILD_DIR");
  std::filesystem::path p = std::filesystem::path(build ? build : "build") / "tests/baremetal" / (name + ".elf");
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << "missing " << p;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

machine::MachineConfig config_for(const std::string& prog) {
  machine::MachineConfig c;
  c.ram_size = 64ull << 20;
  c.firmware = program(prog);
  return c;
}

using replay::testing::MemorySink;

struct Recording {
  std::vector<replay::LogEntry> entries;
  std::string console;
  std::uint64_t final_hash = 0;
  std::uint64_t checkpoints = 0;
};

// Drives the machine like a live host would, but with a scripted (seeded)
// host: time samples that jump ahead irregularly, console keys now and then.
Recording record(const machine::MachineConfig& config, std::uint32_t seed) {
  machine::Machine m(config);
  MemorySink sink;
  replay::Recorder rec(m, sink, 250'000);
  Recording r;
  replay::testing::ScriptedHost host(m, rec, seed);
  for (int slice = 0; slice < 100000; ++slice) {
    machine::StopReason why = m.run_until(m.instret() + 20'000 + host.next() % 5'000);
    for (auto& o : m.take_outputs())
      if (o.kind == machine::OutputKind::kConsole) r.console.append(o.bytes.begin(), o.bytes.end());
    if (why == machine::StopReason::kPowerOff) break;
    rec.after_slice();
    host.advance_time(150, 400);
    host.maybe_key(7);
  }
  rec.finish();
  sink.append(replay::LogEntry::end(m.instret()));
  r.entries = std::move(sink.entries);
  r.final_hash = m.state_hash();
  r.checkpoints = rec.checkpoints();
  return r;
}

struct Replay {
  std::string console;
  std::uint64_t final_hash = 0;
  std::uint64_t checkpoints = 0;
};

Replay replay_entries(const machine::MachineConfig& config, const std::vector<replay::LogEntry>& entries) {
  machine::Machine m(config);
  Replay r;
  replay::Replayer player(m, [&r](const machine::Output& o) {
    if (o.kind == machine::OutputKind::kConsole) r.console.append(o.bytes.begin(), o.bytes.end());
  });
  std::uint64_t seq = 0;
  for (const auto& e : entries) player.step({seq++, e});
  EXPECT_TRUE(player.ended());
  r.final_hash = m.state_hash();
  r.checkpoints = player.checkpoints_matched();
  return r;
}

}  // namespace

TEST(RecordReplay, BareMetalRunReplaysWithEveryCheckpointEqual) {
  auto config = config_for("inputs");
  Recording rec = record(config, 1);
  ASSERT_GE(rec.checkpoints, 10u);
  ASSERT_NE(rec.console.find("PASS"), std::string::npos) << rec.console;
  Replay rep = replay_entries(config, rec.entries);
  EXPECT_EQ(rep.checkpoints, rec.checkpoints);
  EXPECT_EQ(rep.final_hash, rec.final_hash);
  EXPECT_EQ(rep.console, rec.console);
}

TEST(RecordReplay, DifferentInputsGiveADifferentRun) {
  auto config = config_for("inputs");
  EXPECT_NE(record(config, 1).final_hash, record(config, 2).final_hash);
}

TEST(RecordReplay, ChangedTimeValueIsCaughtAtTheNextCheckpoint) {
  auto config = config_for("inputs");
  Recording rec = record(config, 3);
  // Change a time entry in the middle, then find the checkpoint after it.
  std::size_t victim = 0;
  for (std::size_t i = rec.entries.size() / 2; i < rec.entries.size(); ++i)
    if (rec.entries[i].kind == replay::EntryKind::kTime) {
      victim = i;
      break;
    }
  ASSERT_NE(victim, 0u);
  rec.entries[victim].value += 5000;
  machine::Instret expected_at = 0;
  for (std::size_t i = victim; i < rec.entries.size(); ++i)
    if (rec.entries[i].kind == replay::EntryKind::kCheckpoint) {
      expected_at = rec.entries[i].instret;
      break;
    }
  ASSERT_NE(expected_at, 0u);
  try {
    replay_entries(config, rec.entries);
    FAIL() << "deviation not detected";
  } catch (const replay::Divergence& d) {
    EXPECT_EQ(d.instret(), expected_at);
    EXPECT_NE(std::string(d.what()).find("state differs"), std::string::npos) << d.what();
  }
}

TEST(RecordReplay, RoundTripThroughALogFile) {
  auto config = config_for("inputs");
  Recording rec = record(config, 4);
  auto path = std::filesystem::temp_directory_path() / ("ftvm-rr-" + std::to_string(::getpid()) + ".ftlog");
  {
    replay::LogWriter w(path.string(), replay::LogHeader{replay::config_hash(config), "test"});
    for (const auto& e : rec.entries)
      if (e.kind != replay::EntryKind::kEnd) w.append(e);
    w.finish(rec.entries.back().instret);
  }
  replay::LogReader reader(path.string(), replay::DecoderOptions{replay::config_hash(config)});
  machine::Machine m(config);
  replay::Replayer player(m, [](const machine::Output&) {});
  while (auto e = reader.next()) player.step(*e);
  EXPECT_TRUE(player.ended());
  EXPECT_EQ(m.state_hash(), rec.final_hash);
  std::filesystem::remove(path);

  // The same log refused for another configuration.
  auto other = config;
  other.ram_size = 32ull << 20;
  EXPECT_NE(replay::config_hash(other), replay::config_hash(config));
}
