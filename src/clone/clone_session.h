#pragma once
// Whole clones over a ByteStream, for tools and tests (`ftvm clone send/recv`)
// and as the reference for a run loop that drives CloneSender itself.
#include <functional>
#include <memory>

#include "clone/byte_stream.h"
#include "clone/clone_progress.h"
#include "clone/clone_sender.h"
#include "machine/core/machine_config.h"
#include "machine/platform/machine.h"

namespace ftvm::clone {

// Runs the source for a while between steps (as its live host would: apply
// inputs, run, and drain its outputs before returning).
using RunSlice = std::function<void(machine::Machine&)>;

// Clones `source` to the receiver at the other end of `stream`: pre-copy
// with `run_slice` between steps, then a pause for the final pages and the
// state, then the receiver's verdict. Throws CloneError / ftvm::Error; the
// source is left as it was (dirty tracking off) either way.
CloneProgress send_clone(machine::Machine& source, ByteStream& stream, const RunSlice& run_slice,
                         const ClonePolicy& policy = {}, ProgressCallback on_progress = {});

// Reads the receiver's one verdict message (the sender's last read).
// Throws CloneError when the stream ends or says something else first.
Verdict read_verdict(ByteStream& stream);

// Builds a machine from `config` and the clone arriving on `stream`, and
// answers the sender. On any failure the sender is told why (best effort)
// and the error is thrown here too.
std::unique_ptr<machine::Machine> receive_clone(const machine::MachineConfig& config, ByteStream& stream,
                                                ProgressCallback on_progress = {});

}  // namespace ftvm::clone
