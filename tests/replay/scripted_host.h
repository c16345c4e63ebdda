#pragma once
// A scripted host for record/replay tests: a seeded pseudo-random sequence
// (so runs repeat exactly) decides slice lengths, how far host time jumps and
// when a console key arrives; every input goes to the recorder and to the
// machine alike, as a live host's would.
#include <cstdint>

#include "machine/core/io.h"
#include "machine/platform/machine.h"
#include "replay/recorder.h"

namespace ftvm::replay::testing {

class ScriptedHost {
 public:
  ScriptedHost(machine::Machine& m, Recorder& rec, std::uint32_t seed) : m_(m), rec_(rec), rng_(seed) {}

  std::uint32_t next() { return rng_ = rng_ * 1664525u + 1013904223u; }
  void apply(const machine::Input& in) {
    rec_.input(in);
    m_.apply(in);
  }
  // Host time moves on by min_step plus up to `spread` - 1.
  void advance_time(std::uint64_t min_step, std::uint32_t spread) {
    host_time_ += min_step + next() % spread;
    apply(machine::Input{machine::InputKind::kTime, 0, host_time_, 0, {}});
  }
  // A console key, one time in `one_in`.
  void maybe_key(std::uint32_t one_in) {
    if (next() % one_in == 0)
      apply(machine::Input{machine::InputKind::kDeviceData, machine::kConsoleSlot, 0, 0, {std::uint8_t(next())}});
  }

 private:
  machine::Machine& m_;
  Recorder& rec_;
  std::uint32_t rng_;
  std::uint64_t host_time_ = 0;
};

}  // namespace ftvm::replay::testing
