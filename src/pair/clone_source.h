#pragma once
// The clone's sending side inside the live run loop of a VM running alone.
// Between slices (collect) it accepts the new backup's clone connection
// without waiting, then writes one CloneSender step per slice, so the guest
// keeps running while its RAM is copied. When pre-copy is over it asks the
// loop to stop (stop_requested), with the machine between slices and its
// outputs delivered; send_final() then sends the final pages and state, and
// the guest may run again at once: it does not wait for the backup's
// verdict, which take_verdict() reads later, while the guest runs paired
// with its outputs held (until the backup verified the clone and acked the
// log they depend on). Any failure before the pause stops the loop too and
// is kept in failure(): the VM just goes on alone.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "clone/byte_stream.h"
#include "clone/clone_sender.h"
#include "clone/tcp.h"
#include "disk/unique_fd.h"
#include "host/input_source.h"
#include "machine/platform/machine.h"

namespace ftvm::pair {

class CloneSource final : public host::InputSource {
 public:
  // `listener`: where the backup connects; `preamble`: bytes sent first;
  // `limit`: how long the backup may take to connect, and each later wait.
  CloneSource(machine::Machine& m, clone::TcpListener listener, std::vector<std::uint8_t> preamble,
              clone::ClonePolicy policy, std::chrono::milliseconds limit);

  // Readable while the clone is under way, so an idle guest's loop keeps
  // turning and the copy never waits for a guest timer.
  int wake_fd() const override { return busy_.get(); }
  void collect(std::vector<machine::Input>& out) override;
  bool stop_requested() const override { return paused_ || failure_.has_value(); }

  bool paused() const { return paused_; }
  // When pre-copy ended and the guest stopped (valid once paused()).
  std::chrono::steady_clock::time_point paused_at() const { return paused_at_; }
  const std::optional<std::string>& failure() const { return failure_; }
  // With the loop stopped at the pause: the final pages, the state and its
  // digest. The guest may resume when this returns. Throws ftvm::Error.
  clone::CloneProgress send_final();
  // The socket the backup's verdict arrives on (valid after send_final).
  int verdict_fd() const { return stream_ ? stream_->fd() : -1; }
  // After send_final (on one thread at a time; PairDriver::defer_start
  // calls it): false while no verdict is there yet;
  // true once the backup's verdict arrived and names our state. Throws
  // ftvm::Error (CloneError) when the backup refused the clone or hung up.
  bool take_verdict();
  bool verified() const { return verified_; }
  const clone::CloneProgress& progress() const { return sender_->progress(); }

 private:
  void step();

  machine::Machine& m_;
  clone::TcpListener listener_;
  std::vector<std::uint8_t> preamble_;
  clone::ClonePolicy policy_;
  std::chrono::milliseconds limit_;
  std::chrono::steady_clock::time_point connect_deadline_;
  disk::UniqueFd busy_;
  std::unique_ptr<clone::FdStream> stream_;
  std::unique_ptr<clone::CloneSender> sender_;
  bool paused_ = false;
  bool final_sent_ = false;
  // Set by whichever thread reads the verdict (PairDriver's keeper may),
  // read by the run loop.
  std::atomic<bool> verified_{false};
  std::chrono::steady_clock::time_point paused_at_{};
  std::optional<std::string> failure_;
};

}  // namespace ftvm::pair
