#pragma once
// A VM's NIC plugged into `ftvm switch`: one stream connection to the
// switch socket, serviced by an I/O thread that writes queued frames out and
// queues received ones. If the switch goes away, one line is logged and the
// link is down from then on (frames dropped), like an unplugged cable.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "disk/event_fd.h"
#include "disk/notifying_queue.h"
#include "net/net_backend.h"
#include "net/unix_socket.h"

namespace ftvm::net {

class SwitchClientBackend final : public NetBackend {
 public:
  // Throws ftvm::Error naming the path when the switch is not there.
  explicit SwitchClientBackend(const std::string& socket_path);
  ~SwitchClientBackend() override;
  SwitchClientBackend(const SwitchClientBackend&) = delete;
  SwitchClientBackend& operator=(const SwitchClientBackend&) = delete;

  std::string describe() const override { return "switch " + path_; }
  void send(FrameView frame) override;
  std::vector<Frame> take_frames() override { return received_.take_all(); }
  int wake_fd() const override { return received_.wake_fd(); }

  bool link_up() const { return link_up_.load(); }
  // Frames send() dropped because the I/O thread was too far behind.
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  void io_loop();
  bool move_outgoing(FramedConnection& link);

  std::string path_;
  UniqueFd fd_;
  disk::NotifyingQueue<Frame> received_;
  std::mutex out_mutex_;
  std::vector<Frame> outgoing_;
  std::size_t outgoing_bytes_ = 0;
  disk::EventFd io_wake_;  // new outgoing frames, or stop
  std::atomic<bool> stopping_{false};
  std::atomic<bool> link_up_{true};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread io_thread_;  // last
};

}  // namespace ftvm::net
