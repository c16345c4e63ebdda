#pragma once
// The replaying side: runs a machine to each log entry's count exactly and
// applies the entry there. Checkpoints are compared with the machine's own
// digest; the first difference stops the replay with a Divergence naming
// the count, the entry and what differs. Outputs the replayed guest
// produces go to `on_output` (a backup drops them; go-live may inspect them).
#include <cstdint>
#include <functional>

#include "machine/core/error.h"
#include "machine/platform/machine.h"
#include "replay/log_entry.h"

namespace ftvm::replay {

class Divergence : public Error {
 public:
  Divergence(machine::Instret instret, std::uint64_t sequence, const std::string& what)
      : Error(what), instret_(instret), sequence_(sequence) {}
  machine::Instret instret() const { return instret_; }
  std::uint64_t sequence() const { return sequence_; }

 private:
  machine::Instret instret_;
  std::uint64_t sequence_;
};

class Replayer {
 public:
  using OutputHandler = std::function<void(const machine::Output&)>;
  Replayer(machine::Machine& m, OutputHandler on_output);

  // Executes up to the entry's count and applies it (or checks it).
  // Throws Divergence when the machine cannot reach the count or a
  // checkpoint differs; ftvm::Error when the entry does not fit the machine.
  void step(const SequencedEntry& e);

  bool ended() const { return ended_; }
  bool powered_off() const { return powered_off_; }
  std::uint64_t checkpoints_matched() const { return checkpoints_matched_; }
  std::uint64_t entries_applied() const { return entries_applied_; }

 private:
  void run_to(const SequencedEntry& e);
  void check(const SequencedEntry& e);
  void drain();

  machine::Machine& m_;
  OutputHandler on_output_;
  bool ended_ = false;
  bool powered_off_ = false;
  std::uint64_t checkpoints_matched_ = 0;
  std::uint64_t entries_applied_ = 0;
};

}  // namespace ftvm::replay
