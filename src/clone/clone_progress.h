#pragma once
// What a clone has done so far, for progress lines and reports. The sender
// and the receiver each keep one (the receiver's pause and total are its own
// view: from its first byte and from the final round's start).
#include <chrono>
#include <cstdint>
#include <functional>

#include "machine/core/instret.h"

namespace ftvm::clone {

struct CloneProgress {
  unsigned rounds = 0;              // re-copy rounds finished after the full copy
  std::uint64_t pages = 0;          // pages carried, zero pages included, every round
  std::uint64_t data_pages = 0;     // of which sent as 4 KiB of data
  std::uint64_t zero_pages = 0;     // of which sent as a zero run
  std::uint64_t final_pages = 0;    // carried while the source was paused
  std::uint64_t bytes = 0;          // stream bytes, frames included
  std::uint64_t state_bytes = 0;    // the save_state blob
  machine::Instret instret = 0;     // where the clone continues from (once known)
  std::uint64_t state_hash = 0;     // the state it continues from (once known)
  // Sender: from the pause decision until the final bytes are sent (the
  // source may run on from there). Receiver: from the final round's first
  // message until the clone is verified.
  std::chrono::nanoseconds pause{0};
  std::chrono::nanoseconds total{0};  // start until the clone is verified
  // Receiver: of the pause, restoring the state blob and the digest of the
  // restored machine (all of RAM) that verifies it.
  std::chrono::nanoseconds restore{0};
  std::chrono::nanoseconds digest{0};
  bool done = false;
};

using ProgressCallback = std::function<void(const CloneProgress&)>;

}  // namespace ftvm::clone
