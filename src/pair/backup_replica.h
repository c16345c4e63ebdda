#pragma once
// The backup's machine while it is a backup: FT log entries arrive from the
// driver, their bytes go through a LogDecoder, and the decoded entries are
// replayed with devices muted (outputs dropped: the primary produced and
// released the same ones). The machine is built only once the log header has
// arrived, from our own vm.toml plus the disk sizes the primary put in the
// header, and must hash to the primary's config.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "host/machine_config_builder.h"
#include "host/vm_config.h"
#include "machine/platform/machine.h"
#include "pair/pair_driver.h"
#include "replay/log_decoder.h"
#include "replay/replayer.h"

namespace ftvm::pair {

class BackupReplica final : public ReadyHandler {
 public:
  explicit BackupReplica(const host::VmConfig& config);

  // Takes a machine that already holds the primary's state (a verified live
  // clone) instead of building one from the log header; the log then
  // starts at the clone's instret, and its header must still name a machine
  // with the same config hash.
  void adopt(std::unique_ptr<machine::Machine> machine, std::vector<host::OpenedDisk> disks);

  // ReadyHandler
  void deliver(const ft::LogEntry& entry) override;
  void go_live() override { live_ = true; }
  void halt(const std::string& reason) override { halt_reason_ = reason; }
  bool peer_finished() const override { return decoder_.ended(); }

  bool has_pending() const { return !pending_.empty(); }
  // Replays pending entries for about `budget`, telling the driver each FT
  // entry that has been executed in full.
  void execute(PairDriver& driver, std::chrono::milliseconds budget);

  // The machine, once the header has arrived (null before).
  machine::Machine* machine() { return machine_.get(); }
  const std::vector<host::OpenedDisk>& disks() const { return disks_; }
  bool live() const { return live_; }
  const std::optional<std::string>& halt_reason() const { return halt_reason_; }
  // A damaged or foreign log, or a divergence: the backup cannot go on.
  const std::optional<std::string>& fatal() const { return fatal_; }
  bool diverged() const { return diverged_; }
  bool ended() const { return replayer_ && replayer_->ended(); }
  std::uint64_t bytes_received() const { return bytes_received_; }
  std::uint64_t checkpoints_matched() const { return replayer_ ? replayer_->checkpoints_matched() : 0; }

 private:
  void build_machine(const replay::LogHeader& header);
  void check_header(const replay::LogHeader& header);
  void decode_available();
  void replay_one();

  struct Pending {
    std::optional<replay::SequencedEntry> entry;  // empty: a marker
    ft::LogPosition executed_through = 0;         // marker: FT entry finished
  };

  host::VmConfig config_;
  replay::LogDecoder decoder_;
  std::unique_ptr<machine::Machine> machine_;
  std::unique_ptr<replay::Replayer> replayer_;
  std::vector<host::OpenedDisk> disks_;
  std::deque<Pending> pending_;
  bool live_ = false;
  bool header_checked_ = false;
  bool diverged_ = false;
  std::optional<std::string> halt_reason_;
  std::optional<std::string> fatal_;
  std::uint64_t bytes_received_ = 0;
};

}  // namespace ftvm::pair
