#include "net/switch_client_backend.h"

#include <poll.h>
#include <spdlog/spdlog.h>

namespace ftvm::net {

namespace {
// Frames waiting for the I/O thread beyond this are dropped: the vCPU must
// not build an unbounded backlog when the switch is slow.
constexpr std::size_t kMaxPendingBytes = 4u << 20;
}  // namespace

SwitchClientBackend::SwitchClientBackend(const std::string& socket_path)
    : path_(socket_path), fd_(connect_unix(socket_path)) {
  tune_frame_socket(fd_.get());
  io_thread_ = std::thread([this] { io_loop(); });
}

SwitchClientBackend::~SwitchClientBackend() {
  stopping_ = true;
  io_wake_.signal();
  io_thread_.join();
}

void SwitchClientBackend::send(FrameView frame) {
  if (!link_up_.load() || !is_ethernet_frame(frame)) return;
  {
    std::lock_guard lock(out_mutex_);
    if (outgoing_bytes_ + frame.size() > kMaxPendingBytes) {
      ++dropped_;
      spdlog::debug("net: {} frames waiting for the switch; frame dropped", outgoing_.size());
      return;
    }
    outgoing_.emplace_back(frame.begin(), frame.end());
    outgoing_bytes_ += frame.size();
  }
  io_wake_.signal();
}

bool SwitchClientBackend::move_outgoing(FramedConnection& link) {
  std::vector<Frame> batch;
  {
    std::lock_guard lock(out_mutex_);
    batch.swap(outgoing_);
    outgoing_bytes_ = 0;
  }
  for (const auto& f : batch) link.queue(f);
  return link.flush();
}

void SwitchClientBackend::io_loop() {
  FramedConnection link(fd_.get());
  while (!stopping_.load()) {
    pollfd fds[2] = {{fd_.get(), static_cast<short>(POLLIN | (link.wants_write() ? POLLOUT : 0)), 0},
                     {io_wake_.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    bool ok = true;
    if (fds[1].revents & POLLIN) {
      io_wake_.clear();
      if (stopping_.load()) break;
      ok = move_outgoing(link);
    }
    if (ok && (fds[0].revents & POLLOUT)) ok = link.flush();
    if (ok && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      std::vector<Frame> frames;
      ok = link.receive(frames);
      for (auto& f : frames) received_.push(std::move(f));
    }
    if (!ok) {
      link_up_ = false;
      spdlog::error("net: lost the connection to the switch at {}; the link is down", path_);
      return;
    }
  }
}

}  // namespace ftvm::net
