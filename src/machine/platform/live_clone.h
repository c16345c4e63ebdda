#pragma once
// In-process live clone: the machine side of VMware-FT-style VMotion, with
// the network taken out. The source keeps running while its RAM is copied;
// pages it writes meanwhile are sent again in rounds until few are left (or a
// round limit is hit), then the source pauses, the last dirty pages and the
// state blob go across, and the target continues from exactly the source's
// instruction count. The networked version sends the same three things
// (pages, dirty pages, save_state blob) over a socket.
#include <cstdint>
#include <functional>

#include "machine/core/instret.h"
#include "machine/platform/machine.h"

namespace ftvm::machine {

struct CloneOptions {
  // Pre-copy stops once a round leaves at most this many dirty pages...
  std::uint64_t final_round_pages = 64;
  // ...or after this many re-copy rounds, whatever is left then.
  unsigned max_rounds = 16;
};

struct CloneReport {
  unsigned rounds = 0;              // re-copy rounds after the full copy
  std::uint64_t pages_sent = 0;     // full copy, rounds and final pages
  std::uint64_t final_pages = 0;    // sent while the source was paused
  std::uint64_t state_bytes = 0;    // size of the save_state blob
  Instret instret = 0;              // where the target continues from
};

// Clones `source` into `target` (built from the same config). `run_slice`
// runs the source for a while between copy rounds, as the live host would:
// it applies inputs, runs, and must drain the source's outputs before it
// returns. The source is left running, with dirty tracking off.
// Throws ftvm::Error when the machines do not match.
CloneReport clone_machine(Machine& source, Machine& target, const std::function<void(Machine&)>& run_slice,
                          const CloneOptions& options = {});

}  // namespace ftvm::machine
