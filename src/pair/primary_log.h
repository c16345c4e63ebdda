#pragma once
// The primary's side of the log: a Recorder writing into a LogEncoder, whose
// bytes are cut into FT log entries (one per flush, so an entry holds whole
// replay frames; the first holds the log header) and appended to the node.
// It also remembers the guest instruction count at which each FT entry was
// cut, which turns "the backup executed entries 1..P" into an execution lag
// in instructions.
#include <cstdint>
#include <deque>
#include <utility>

#include "ft/log_entry.h"
#include "machine/platform/machine.h"
#include "pair/pair_driver.h"
#include "replay/log_encoder.h"
#include "replay/recorder.h"

namespace ftvm::pair {

class PrimaryLog final : public replay::EntrySink {
 public:
  PrimaryLog(machine::Machine& m, const replay::LogHeader& header, std::uint64_t checkpoint_interval);

  // replay::EntrySink
  void append(const replay::LogEntry& entry) override;

  // Logs an input at the machine's count; call before applying it.
  void input(const machine::Input& in);
  // A checkpoint when one is due (after each run slice).
  void after_slice();
  // The final checkpoint and the end marker (the guest powered off).
  void finish();
  // Closes what was logged so far into one FT entry and appends it.
  void publish(PairDriver& driver);
  // Logging ends (this side is live alone now).
  void stop() { active_ = false; }
  bool active() const { return active_; }

  // Guest instructions the backup's replay is behind, given how far it has
  // executed.
  std::uint64_t lag_instructions(ft::LogPosition backup_executed);
  std::uint64_t bytes_logged() const { return bytes_logged_; }

 private:
  machine::Machine& m_;
  replay::LogEncoder encoder_;
  replay::Recorder recorder_;
  bool active_ = true;
  ft::LogPosition next_seq_ = 1;
  std::uint64_t bytes_logged_ = 0;
  // (FT entry, instret when it was cut) for entries the backup has not
  // executed yet, and the count reached by the ones it has -- at first where
  // the log starts: a backup cloned at instret N is not N instructions
  // behind before it has executed anything.
  std::deque<std::pair<ft::LogPosition, machine::Instret>> cut_at_;
  machine::Instret executed_instret_ = 0;
};

}  // namespace ftvm::pair
