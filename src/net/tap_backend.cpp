#include "net/tap_backend.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::net {

namespace {

UniqueFd open_tap(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) throw Error("tap interface name '" + ifname + "' is empty or too long");
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) throw Error(std::string("cannot open /dev/net/tun for tap ") + ifname + ": " + std::strerror(errno));
  ifreq req{};
  req.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(req.ifr_name, ifname.c_str(), ifname.size());
  if (::ioctl(fd.get(), TUNSETIFF, &req) != 0)
    throw Error("cannot attach tap interface " + ifname + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

TapBackend::TapBackend(const std::string& ifname) : ifname_(ifname), fd_(open_tap(ifname)) {
  reader_ = std::thread([this] { read_loop(); });
}

TapBackend::~TapBackend() {
  stop_.signal();
  reader_.join();
}

void TapBackend::send(FrameView frame) {
  if (!is_ethernet_frame(frame)) return;
  [[maybe_unused]] ssize_t n = ::write(fd_.get(), frame.data(), frame.size());
}

void TapBackend::read_loop() {
  std::vector<std::uint8_t> buf(kMaxFrameSize);
  for (;;) {
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents & POLLIN) return;
    if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      spdlog::error("net: tap {} failed; the link is down", ifname_);
      return;
    }
    for (;;) {
      ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
      if (n <= 0) break;  // EAGAIN: drained
      received_.push(Frame(buf.begin(), buf.begin() + n));
    }
  }
}

}  // namespace ftvm::net
