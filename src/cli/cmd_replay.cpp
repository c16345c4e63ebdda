// `ftvm replay LOG`: runs the machine a recording was made on (same config
// flags as `ftvm run`) with every input taken from the log at its count and
// every device muted: nothing is sent, nothing written, no host time read.
// Each checkpoint is compared; the first difference ends the replay with the
// count, the entry and what differs. With --then-live the replay continues
// with real devices once the log is consumed -- what a backup does at failover.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/vm_flags.h"
#include "disk/open_disk.h"
#include "host/live_vm.h"
#include "host/machine_config_builder.h"
#include "machine/platform/machine.h"
#include "replay/entry_codec.h"
#include "replay/log_error.h"
#include "replay/log_reader.h"
#include "replay/replayer.h"
#include "replay/state_digest.h"

namespace ftvm::cli {

namespace {

struct ReplayFlags {
  VmFlags vm;
  std::string log;
  bool then_live = false;
  bool quiet = false;
  bool timeline = false;
};

// --timeline: one line per second of guest time replayed -- the guest time
// (from the log's Time entries), the count, the replay's wall time and the
// log's bytes so far before compression -- so that a benchmark can cut a
// recording into phases (boot, idle, workload) and tell each one's log rate
// and replay speed.
class Timeline {
 public:
  Timeline(bool on, std::uint64_t timebase_hz) : on_(on), hz_(timebase_hz ? timebase_hz : 1) {}
  void note(const replay::LogEntry& e, double wall_s) {
    if (!on_) return;
    scratch_.clear();
    replay::encode_entry(e, context_, scratch_);
    raw_bytes_ += scratch_.size();
    if (e.kind != replay::EntryKind::kTime || e.value < next_mtime_) return;
    next_mtime_ = (e.value / hz_ + 1) * hz_;
    print(e.value, e.instret, wall_s);
  }
  void finish(std::uint64_t mtime, machine::Instret instret, double wall_s) {
    if (on_) print(mtime, instret, wall_s);
  }

 private:
  void print(std::uint64_t mtime, machine::Instret instret, double wall_s) const {
    std::fprintf(stderr, "timeline guest_s=%.3f instret=%llu wall_s=%.3f raw_bytes=%llu\n",
                 static_cast<double>(mtime) / static_cast<double>(hz_), static_cast<unsigned long long>(instret),
                 wall_s, static_cast<unsigned long long>(raw_bytes_));
  }

  bool on_;
  std::uint64_t hz_;
  replay::DeltaContext context_;
  std::vector<std::uint8_t> scratch_;
  std::uint64_t raw_bytes_ = 0;
  std::uint64_t next_mtime_ = 0;
};

// The disks' sizes are part of the machine; read them without writing.
std::unique_ptr<machine::Machine> muted_machine(const host::VmConfig& cfg) {
  std::vector<host::OpenedDisk> opened;
  for (const auto& d : cfg.disks) {
    auto backend = disk::open_disk(d.source, /*read_only=*/true);
    opened.push_back({backend->capacity(), d.read_only});
  }
  return std::make_unique<machine::Machine>(host::build_machine_config(cfg, opened));
}

int replay_log(const ReplayFlags& f) {
  host::VmConfig cfg = merged_config(f.vm);
  std::unique_ptr<host::LiveVm> live;
  std::unique_ptr<machine::Machine> own;
  if (f.then_live) live = std::make_unique<host::LiveVm>(cfg);
  else own = muted_machine(cfg);
  machine::Machine& m = live ? live->machine() : *own;

  replay::LogReader reader(f.log, replay::DecoderOptions{replay::config_hash(m.config())});
  replay::Replayer player(m, [&f](const machine::Output& o) {
    if (o.kind == machine::OutputKind::kConsole && !f.quiet) std::fwrite(o.bytes.data(), 1, o.bytes.size(), stdout);
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto wall_s = [&t0] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  Timeline timeline(f.timeline, m.config().timebase_hz);
  try {
    while (auto e = reader.next()) {
      player.step(*e);
      if (f.timeline) timeline.note(e->entry, wall_s());
    }
    timeline.finish(m.mtime(), m.instret(), wall_s());
  } catch (const replay::Divergence& d) {
    std::fflush(stdout);
    std::fprintf(stderr, "\nftvm replay: DIVERGED at instret %llu, %s\n", static_cast<unsigned long long>(d.instret()),
                 d.what());
    return 1;
  }
  std::fflush(stdout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "\nftvm replay: %llu inputs applied, %llu checkpoints equal, %llu guest reboots, instret %llu, %.2f s "
               "(%.0f MIPS)%s\n",
               static_cast<unsigned long long>(player.entries_applied()),
               static_cast<unsigned long long>(player.checkpoints_matched()),
               static_cast<unsigned long long>(m.resets()), static_cast<unsigned long long>(m.instret()), secs,
               secs > 0 ? m.instret() / secs / 1e6 : 0.0,
               player.ended() ? "" : "; the log has no end marker (the recording was cut off)");
  if (!live) return 0;

  // Go live: the log is consumed; requests that were in flight when it ends
  // are issued again to the real backends (they are idempotent).
  spdlog::info("going live at instret {}; re-issuing {} device requests in flight", m.instret(),
               m.requests_in_flight());
  m.reissue_in_flight();
  host::RunResult r = live->run();
  return r.end == host::RunEnd::kPowerOff ? r.exit_code : (r.exit_code ? r.exit_code : 1);
}

}  // namespace

void add_replay_command(CLI::App& app) {
  auto f = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand("replay", "Replay a recording (ftvm run --record) with devices muted and check it");
  cmd->add_option("log", f->log, "The recording")->required();
  add_vm_flags(*cmd, f->vm);
  cmd->add_flag("--then-live", f->then_live, "After the log, continue live with real devices (as a backup at failover)");
  cmd->add_flag("--quiet", f->quiet, "Do not print the replayed console output");
  cmd->add_flag("--timeline", f->timeline,
                "Print guest time, count, wall time and log bytes once per guest second (for benchmarks)");
  cmd->callback([f] { throw CLI::RuntimeError(replay_log(*f)); });
}

}  // namespace ftvm::cli
