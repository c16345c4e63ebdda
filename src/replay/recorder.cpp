#include "replay/recorder.h"

#include "replay/state_digest.h"

namespace ftvm::replay {

Recorder::Recorder(machine::Machine& m, EntrySink& sink, std::uint64_t checkpoint_interval)
    : m_(m), sink_(sink), interval_(checkpoint_interval), next_checkpoint_(m.instret() + checkpoint_interval) {}

void Recorder::input(const machine::Input& in) {
  sink_.append(entry_from_input(m_.instret(), in));
  ++entries_;
}

void Recorder::after_slice() {
  if (interval_ == 0 || m_.instret() < next_checkpoint_) return;
  checkpoint();
  next_checkpoint_ = m_.instret() + interval_;
}

void Recorder::checkpoint() {
  StateDigest d = digest(m_);
  sink_.append(LogEntry::checkpoint(m_.instret(), d.combined(), d.words()));
  ++entries_;
  ++checkpoints_;
}

void Recorder::finish() { checkpoint(); }

}  // namespace ftvm::replay
