#include "net/slirp_gateway.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <climits>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::net {

struct SlirpGateway::Timer {
  void (*callback)(void*) = nullptr;
  void* callback_opaque = nullptr;
  std::int64_t expire_ms = -1;  // -1: not armed
};

namespace {

in_addr ipv4(const char* dotted) {
  in_addr a{};
  ::inet_pton(AF_INET, dotted, &a);
  return a;
}

int to_poll_events(int slirp_events) {
  int e = 0;
  if (slirp_events & SLIRP_POLL_IN) e |= POLLIN;
  if (slirp_events & SLIRP_POLL_OUT) e |= POLLOUT;
  if (slirp_events & SLIRP_POLL_PRI) e |= POLLPRI;
  if (slirp_events & SLIRP_POLL_ERR) e |= POLLERR;
  if (slirp_events & SLIRP_POLL_HUP) e |= POLLHUP;
  return e;
}

int to_slirp_events(int poll_events) {
  int e = 0;
  if (poll_events & POLLIN) e |= SLIRP_POLL_IN;
  if (poll_events & POLLOUT) e |= SLIRP_POLL_OUT;
  if (poll_events & POLLPRI) e |= SLIRP_POLL_PRI;
  if (poll_events & POLLERR) e |= SLIRP_POLL_ERR;
  if (poll_events & POLLHUP) e |= SLIRP_POLL_HUP;
  return e;
}

}  // namespace

std::int64_t SlirpGateway::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SlirpGateway::SlirpGateway(const GatewayConfig& config, FrameOut to_network) : to_network_(std::move(to_network)) {
  SlirpConfig cfg{};
  cfg.version = 4;
  cfg.restricted = config.restricted ? 1 : 0;
  cfg.in_enabled = true;
  cfg.vnetwork = ipv4("10.0.2.0");
  cfg.vnetmask = ipv4("255.255.255.0");
  cfg.vhost = ipv4("10.0.2.2");
  cfg.in6_enabled = false;
  cfg.vdhcp_start = ipv4("10.0.2.15");
  cfg.vnameserver = ipv4("10.0.2.3");
  cfg.if_mtu = 1500;
  cfg.if_mru = 1500;

  // Static storage: slirp keeps the pointer for its whole life.
  static const SlirpCb callbacks = [] {
    SlirpCb cb{};
    cb.send_packet = &SlirpGateway::send_packet_cb;
    cb.guest_error = &SlirpGateway::guest_error_cb;
    cb.clock_get_ns = &SlirpGateway::clock_get_ns_cb;
    cb.timer_new = &SlirpGateway::timer_new_cb;
    cb.timer_free = &SlirpGateway::timer_free_cb;
    cb.timer_mod = &SlirpGateway::timer_mod_cb;
    cb.register_poll_fd = &SlirpGateway::register_poll_fd_cb;
    cb.unregister_poll_fd = &SlirpGateway::unregister_poll_fd_cb;
    cb.notify = &SlirpGateway::notify_cb;
    return cb;
  }();
  slirp_ = slirp_new(&cfg, &callbacks, this);
  if (!slirp_) throw Error("slirp: cannot create the gateway");
  for (const auto& f : config.forwards) {
    if (slirp_add_hostfwd(slirp_, f.udp ? 1 : 0, f.host_addr, f.host_port, f.guest_addr, f.guest_port) != 0) {
      slirp_cleanup(slirp_);
      throw Error("cannot forward " + f.to_string() + ": host port " + std::to_string(f.host_port) +
                  " is in use or not bindable");
    }
  }
  widen_listen_backlogs();
}

// libslirp listens on forwarded host ports with a backlog of 1. A client that
// opens many connections at once (redis-benchmark's 50) overflows the host
// kernel's accept queue; each overflowing handshake then completes only when
// TCP retransmits, with exponential backoff -- seconds to minutes later, or
// never ("connection reset"). Linux lets listen() be called again on a
// listening socket to change its backlog, so every listening socket slirp
// has at this point (the forwards, nothing else exists yet) gets a full one.
void SlirpGateway::widen_listen_backlogs() {
  std::vector<pollfd> fds;
  int unused_timeout = -1;
  add_pollfds(fds, unused_timeout);
  for (const pollfd& p : fds) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(p.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    if (::listen(p.fd, SOMAXCONN) != 0)
      spdlog::warn("slirp: cannot widen the accept queue of a forwarded port: {}", std::strerror(errno));
  }
}

SlirpGateway::~SlirpGateway() { slirp_cleanup(slirp_); }

void SlirpGateway::input(FrameView frame) {
  slirp_input(slirp_, frame.data(), static_cast<int>(frame.size()));
}

void SlirpGateway::add_pollfds(std::vector<pollfd>& fds, int& timeout_ms) {
  std::uint32_t timeout = timeout_ms < 0 ? UINT32_MAX : static_cast<std::uint32_t>(timeout_ms);
  poll_fds_ = &fds;
  slirp_pollfds_fill(slirp_, &timeout, &SlirpGateway::add_poll_cb, this);
  poll_fds_ = nullptr;
  std::int64_t now_ms = now_ns() / 1'000'000;
  for (const auto& t : timers_) {
    if (t->expire_ms < 0) continue;
    std::int64_t wait = std::max<std::int64_t>(0, t->expire_ms - now_ms);
    timeout = static_cast<std::uint32_t>(std::min<std::int64_t>(timeout, wait));
  }
  timeout_ms = timeout == UINT32_MAX ? -1 : static_cast<int>(std::min<std::uint32_t>(timeout, INT_MAX));
}

void SlirpGateway::handle_pollfds(std::vector<pollfd>& fds, bool poll_failed) {
  poll_fds_ = &fds;
  slirp_pollfds_poll(slirp_, poll_failed ? 1 : 0, &SlirpGateway::get_revents_cb, this);
  poll_fds_ = nullptr;
}

// Fires every expired timer. A callback may re-arm, create or free timers,
// so the search restarts after each one.
void SlirpGateway::run_due_timers() {
  for (;;) {
    std::int64_t now_ms = now_ns() / 1'000'000;
    auto due = std::find_if(timers_.begin(), timers_.end(),
                            [now_ms](const auto& t) { return t->expire_ms >= 0 && t->expire_ms <= now_ms; });
    if (due == timers_.end()) return;
    (*due)->expire_ms = -1;
    (*due)->callback((*due)->callback_opaque);
  }
}

bool SlirpGateway::take_kick() { return std::exchange(kick_, false); }

ssize_t SlirpGateway::send_packet_cb(const void* buf, size_t len, void* opaque) {
  auto* self = static_cast<SlirpGateway*>(opaque);
  self->to_network_(FrameView(static_cast<const std::uint8_t*>(buf), len));
  return static_cast<ssize_t>(len);
}

void SlirpGateway::guest_error_cb(const char* msg, void*) { spdlog::warn("slirp: guest error: {}", msg); }

std::int64_t SlirpGateway::clock_get_ns_cb(void*) { return now_ns(); }

void* SlirpGateway::timer_new_cb(void (*cb)(void*), void* cb_opaque, void* opaque) {
  auto* self = static_cast<SlirpGateway*>(opaque);
  auto t = std::make_unique<Timer>();
  t->callback = cb;
  t->callback_opaque = cb_opaque;
  Timer* raw = t.get();
  self->timers_.push_back(std::move(t));
  return raw;
}

void SlirpGateway::timer_free_cb(void* timer, void* opaque) {
  auto* self = static_cast<SlirpGateway*>(opaque);
  std::erase_if(self->timers_, [timer](const auto& t) { return t.get() == timer; });
}

void SlirpGateway::timer_mod_cb(void* timer, std::int64_t expire_ms, void*) {
  static_cast<Timer*>(timer)->expire_ms = expire_ms;
}

void SlirpGateway::register_poll_fd_cb(int, void*) {}
void SlirpGateway::unregister_poll_fd_cb(int, void*) {}

void SlirpGateway::notify_cb(void* opaque) { static_cast<SlirpGateway*>(opaque)->kick_ = true; }

int SlirpGateway::add_poll_cb(int fd, int events, void* opaque) {
  auto& fds = *static_cast<SlirpGateway*>(opaque)->poll_fds_;
  fds.push_back(pollfd{fd, static_cast<short>(to_poll_events(events)), 0});
  return static_cast<int>(fds.size() - 1);
}

int SlirpGateway::get_revents_cb(int idx, void* opaque) {
  auto& fds = *static_cast<SlirpGateway*>(opaque)->poll_fds_;
  if (idx < 0 || static_cast<std::size_t>(idx) >= fds.size()) return 0;
  return to_slirp_events(fds[static_cast<std::size_t>(idx)].revents);
}

}  // namespace ftvm::net
