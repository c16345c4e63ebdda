#pragma once
// The receiving side of a live clone: builds a machine from its own config
// and the stream a CloneSender produces, then verifies it.
//
//   CloneReceiver receiver(config);
//   while (!receiver.feed(bytes from the stream)) {}
//   stream.write_all(encode_message(receiver.verdict()));
//   std::unique_ptr<Machine> m = receiver.take_machine();
//
// Every check names what is wrong in a CloneError: a stream of another
// protocol version, a source of another configuration (RAM size, images,
// devices), messages out of order, a page outside RAM, a page that never
// arrived, a state blob the machine refuses, or a restored state whose
// digest differs from the source's. Pages are written only through
// Machine::write_page, which is bounds-checked, after our own index checks.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "clone/clone_frame.h"
#include "clone/clone_message.h"
#include "clone/clone_progress.h"
#include "clone/untouched_pages.h"
#include "machine/core/machine_config.h"
#include "machine/platform/machine.h"

namespace ftvm::clone {

class CloneReceiver {
 public:
  explicit CloneReceiver(machine::MachineConfig config, ProgressCallback on_progress = {});

  // Takes stream bytes in any split. True once the clone is complete and
  // verified; bytes after that are an error. Throws CloneError.
  bool feed(std::span<const std::uint8_t> bytes);
  bool done() const { return done_; }
  // The answer for the sender (ok, at the clone's instret and state hash).
  Verdict verdict() const;
  // The cloned machine, once done(); nullptr before.
  std::unique_ptr<machine::Machine> take_machine();
  const CloneProgress& progress() const { return progress_; }

 private:
  using Clock = std::chrono::steady_clock;

  void handle(const CloneMessage& message);
  void on_hello(const Hello& hello);
  void on_pages(const Pages& pages);
  void on_round_end(const RoundEnd& end);
  void on_final(const Final& fin);
  void apply(const ZeroRun& run);
  void apply(const DataPage& page);
  void mark_seen(std::uint64_t first, std::uint64_t count);
  void expect_round(std::uint32_t round, const char* what) const;
  void report() const;

  machine::MachineConfig config_;
  ProgressCallback on_progress_;
  CloneProgress progress_;
  CloneFrameReader frames_;
  UntouchedPages untouched_;
  std::unique_ptr<machine::Machine> machine_;
  std::vector<std::uint8_t> seen_;      // page arrived at least once
  std::uint64_t unseen_ = 0;
  std::uint32_t round_ = 0;             // the round pages may belong to now
  std::uint64_t round_pages_ = 0;       // pages carried so far in it
  bool final_round_ = false;
  bool done_ = false;
  std::uint64_t verified_hash_ = 0;
  std::optional<Clock::time_point> started_, final_started_;
};

}  // namespace ftvm::clone
