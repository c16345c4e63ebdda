#pragma once
// The recording side: every input the host applies to the machine is
// logged with the count at which it takes effect, and a checkpoint (the
// machine's state digest) is logged every `checkpoint_interval`
// instructions. The same Recorder feeds a file (ftvm run --record) and the
// FT logging channel; only the EntrySink differs.
#include <cstdint>

#include "machine/platform/machine.h"
#include "replay/log_entry.h"

namespace ftvm::replay {

class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual void append(const LogEntry& entry) = 0;
};

class Recorder {
 public:
  // checkpoint_interval 0 = no periodic checkpoints.
  Recorder(machine::Machine& m, EntrySink& sink, std::uint64_t checkpoint_interval);

  // Logs `in` at m.instret(). Call it *before* applying the input.
  void input(const machine::Input& in);
  // Call after each run slice: logs a checkpoint when one is due.
  void after_slice();
  // Logs a final checkpoint. The end marker is the sink's business
  // (LogWriter::finish writes it when the file is closed on purpose).
  void finish();

  std::uint64_t entries() const { return entries_; }
  std::uint64_t checkpoints() const { return checkpoints_; }

 private:
  void checkpoint();

  machine::Machine& m_;
  EntrySink& sink_;
  std::uint64_t interval_;
  machine::Instret next_checkpoint_;
  std::uint64_t entries_ = 0;
  std::uint64_t checkpoints_ = 0;
};

}  // namespace ftvm::replay
