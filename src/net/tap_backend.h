#pragma once
// A VM's NIC on a host TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI), for
// users who bridge VMs onto a real network. Each read/write on the fd is one
// frame. A reader thread queues received frames; send() writes directly
// (non-blocking; a frame the kernel will not take now is dropped).
#include <atomic>
#include <string>
#include <thread>

#include "disk/event_fd.h"
#include "disk/notifying_queue.h"
#include "net/net_backend.h"
#include "net/unix_socket.h"

namespace ftvm::net {

class TapBackend final : public NetBackend {
 public:
  // Throws ftvm::Error naming the interface when it cannot be attached
  // (no permission, no such device, name too long).
  explicit TapBackend(const std::string& ifname);
  ~TapBackend() override;
  TapBackend(const TapBackend&) = delete;
  TapBackend& operator=(const TapBackend&) = delete;

  std::string describe() const override { return "tap " + ifname_; }
  void send(FrameView frame) override;
  std::vector<Frame> take_frames() override { return received_.take_all(); }
  int wake_fd() const override { return received_.wake_fd(); }

 private:
  void read_loop();

  std::string ifname_;
  UniqueFd fd_;
  disk::NotifyingQueue<Frame> received_;
  disk::EventFd stop_;
  std::thread reader_;  // last
};

}  // namespace ftvm::net
