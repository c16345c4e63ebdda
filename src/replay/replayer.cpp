#include "replay/replayer.h"

#include "machine/platform/machine_impl.h"
#include "replay/state_digest.h"

namespace ftvm::replay {

namespace {
std::string at(const SequencedEntry& e) {
  return "entry #" + std::to_string(e.sequence) + " (" + std::string(to_string(e.entry.kind)) + ") at instret " +
         std::to_string(e.entry.instret);
}
}  // namespace

Replayer::Replayer(machine::Machine& m, OutputHandler on_output) : m_(m), on_output_(std::move(on_output)) {}

void Replayer::drain() {
  for (const auto& out : m_.take_outputs()) on_output_(out);
}

// The machine may stop early for its own reasons (outputs waiting); those
// are not divergences. Stopping early because it idles or powers off is:
// the recording machine got an input at this count, so it was running here.
void Replayer::run_to(const SequencedEntry& e) {
  const machine::Instret target = e.entry.instret;
  if (m_.instret() > target)
    throw Divergence(m_.instret(), e.sequence, at(e) + ": machine is already at instret " + std::to_string(m_.instret()));
  while (m_.instret() < target) {
    machine::StopReason why = m_.run_until(target);
    drain();
    if (m_.instret() >= target) break;
    if (why == machine::StopReason::kIdle)
      throw Divergence(m_.instret(), e.sequence,
                       at(e) + ": the replayed guest is idle at instret " + std::to_string(m_.instret()) +
                           " and can never get there");
    if (why == machine::StopReason::kPowerOff) {
      throw Divergence(m_.instret(), e.sequence,
                       at(e) + ": the replayed guest stopped (power-off/reset) at instret " +
                           std::to_string(m_.instret()));
    }
  }
}

void Replayer::check(const SequencedEntry& e) {
  StateDigest mine = digest(m_);
  if (mine.combined() == e.entry.value) {
    ++checkpoints_matched_;
    return;
  }
  StateDigest recorded;
  std::string detail = StateDigest::from_words(e.entry.words, recorded)
                           ? recorded.diff(mine, m_.impl().ram().base(), m_.impl().ram().size())
                           : "the checkpoint carries no section hashes";
  throw Divergence(m_.instret(), e.sequence, "state differs at " + at(e) + ": " + detail);
}

void Replayer::step(const SequencedEntry& e) {
  if (ended_) throw Error("log continues after its end marker at " + at(e));
  run_to(e);
  switch (e.entry.kind) {
    case EntryKind::kCheckpoint:
      check(e);
      return;
    case EntryKind::kEnd:
      ended_ = true;
      return;
    default:
      break;
  }
  auto input = input_from_entry(e.entry);
  if (!input) throw Error("cannot apply " + at(e));
  m_.apply(*input);
  ++entries_applied_;
  // Inputs may produce outputs at once (e.g. a completion that powers off).
  drain();
}

}  // namespace ftvm::replay
