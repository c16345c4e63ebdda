#pragma once
// The sending side of a live clone (VMware-FT-style VMotion over a byte
// stream), as steps the source's own run loop interleaves with execution:
//
//   CloneSender sender(machine, policy, on_progress);  // dirty tracking on
//   for (;;) {
//     SenderChunk c = sender.next();     // hello, a batch of pages, a round end
//     stream.write_all(c.bytes);
//     if (c.pause_now) break;
//     run the machine a little, drain its outputs;
//   }
//   drain outputs;                        // the source stays stopped from here
//   stream.write_all(sender.finish());    // last dirty pages, state, digest
//   sender.accept(verdict from the receiver);   // throws on a refusal
//   sender.resumed();                     // the source may run again
//
// Round 0 copies every page (all-zero pages as runs of a few bytes); each
// later round copies the pages written during the one before. Pre-copy ends
// when a round leaves at most `final_round_pages` dirty pages, when a
// re-copy round did not shrink the dirty set, or after `max_rounds`
// re-copies. Tracking started before the first page was read, so a page
// written after it was sent is always sent again, at the latest by finish().
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "clone/clone_message.h"
#include "clone/clone_progress.h"
#include "clone/untouched_pages.h"
#include "machine/platform/machine.h"

namespace ftvm::clone {

struct ClonePolicy {
  std::uint64_t final_round_pages = 64;
  unsigned max_rounds = 16;
  std::size_t pages_per_message = 256;  // data pages in one message (~1 MiB)
};

struct SenderChunk {
  std::vector<std::uint8_t> bytes;
  bool pause_now = false;  // pre-copy is over: stop the source, call finish()
};

class CloneSender {
 public:
  // Starts dirty tracking on `source`; the destructor stops it, so a clone
  // that fails part-way does not leave the source paying for it.
  CloneSender(machine::Machine& source, ClonePolicy policy = {}, ProgressCallback on_progress = {});
  ~CloneSender();
  CloneSender(const CloneSender&) = delete;
  CloneSender& operator=(const CloneSender&) = delete;

  SenderChunk next();
  // With the source stopped and its outputs drained: the final pages, the
  // machine state and its digest. Stops dirty tracking.
  std::vector<std::uint8_t> finish();
  // The source may run again (after finish()'s bytes are on their way; it
  // need not wait for the verdict): ends the pause in progress().
  void resumed();
  // Checks the receiver's verdict: throws CloneError when it refused the
  // clone or verified another state than ours. Ends the clone in progress().
  void accept(const Verdict& verdict);

  const CloneProgress& progress() const { return progress_; }

 private:
  using Clock = std::chrono::steady_clock;

  // Encodes pages queue_[queue_pos_...] up to the batch limit.
  void append_batch(std::vector<std::uint8_t>& out, std::uint32_t round);
  // The round's queue is sent: a round end, then the next round or the pause.
  void end_round(std::vector<std::uint8_t>& out, bool& pause_now);
  void report() const;

  machine::Machine& source_;
  ClonePolicy policy_;
  ProgressCallback on_progress_;
  CloneProgress progress_;
  Clock::time_point started_;
  std::optional<Clock::time_point> paused_at_;
  bool hello_sent_ = false;
  bool finished_ = false;
  std::uint32_t round_ = 0;
  std::vector<std::uint64_t> queue_;  // this round's pages, ascending
  std::size_t queue_pos_ = 0;
  std::vector<std::uint64_t> final_;  // dirty pages left for finish()
  std::uint64_t expected_hash_ = 0;
  UntouchedPages untouched_;
};

}  // namespace ftvm::clone
