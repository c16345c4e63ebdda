#include "ft/output_gate.h"

namespace ftvm::ft {

void OutputGate::hold(OutputId id, LogPosition position) { held_.push_back(Held{id, position}); }

std::vector<OutputId> OutputGate::release_through(LogPosition acked) {
  std::vector<OutputId> out;
  while (!held_.empty() && held_.front().position <= acked) {
    out.push_back(held_.front().id);
    held_.pop_front();
  }
  return out;
}

std::vector<OutputId> OutputGate::take_all() {
  std::vector<OutputId> out;
  out.reserve(held_.size());
  for (const Held& h : held_) out.push_back(h.id);
  held_.clear();
  return out;
}

}  // namespace ftvm::ft
