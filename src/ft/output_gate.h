#pragma once
// Outputs waiting for the Output Rule: each is held until the log entries it
// depends on are safe on the backup. Outputs leave strictly in the order the
// machine produced them, so a later output never overtakes an earlier one.
#include <cstdint>
#include <deque>
#include <vector>

#include "ft/log_entry.h"

namespace ftvm::ft {

class OutputGate {
 public:
  void hold(OutputId id, LogPosition position);
  // Removes and returns, in order, the leading outputs whose position is at
  // most `acked`.
  std::vector<OutputId> release_through(LogPosition acked);
  // Removes and returns every held output.
  std::vector<OutputId> take_all();

  std::size_t held() const { return held_.size(); }

 private:
  struct Held {
    OutputId id;
    LogPosition position;
  };
  std::deque<Held> held_;
};

}  // namespace ftvm::ft
