#pragma once
// The switch's built-in gateway: libslirp, a user-mode TCP/IP stack that
// plays router 10.0.2.2, DHCP server and DNS address 10.0.2.3 on the virtual
// network 10.0.2.0/24, and forwards host ports into the guest. Restricted
// mode: the guest cannot open connections out; host programs reach guest
// services only through the configured forwards.
//
// It runs inside the switch's event loop (single thread): the loop asks for
// its pollfds and timeout, polls, hands the results back, and fires timers.
#include <poll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "net/ethernet_frame.h"
#include "net/port_forward.h"

struct Slirp;

namespace ftvm::net {

struct GatewayConfig {
  std::vector<PortForward> forwards;
  bool restricted = true;
};

class SlirpGateway {
 public:
  using FrameOut = std::function<void(FrameView)>;

  // Throws ftvm::Error when slirp cannot start or a forward cannot bind
  // (e.g. the host port is taken).
  SlirpGateway(const GatewayConfig& config, FrameOut to_network);
  ~SlirpGateway();
  SlirpGateway(const SlirpGateway&) = delete;
  SlirpGateway& operator=(const SlirpGateway&) = delete;

  // A frame from the virtual network addressed to (or flooded to) the gateway.
  void input(FrameView frame);

  // Event loop hooks. add_pollfds appends slirp's sockets and lowers
  // timeout_ms to what its timers need; handle_pollfds reads the results
  // from the same vector after poll().
  void add_pollfds(std::vector<pollfd>& fds, int& timeout_ms);
  void handle_pollfds(std::vector<pollfd>& fds, bool poll_failed);
  void run_due_timers();
  // True when slirp asked to be polled again soon (socket buffers freed).
  bool take_kick();

  static std::int64_t now_ns();

 private:
  struct Timer;
  void widen_listen_backlogs();
  static ssize_t send_packet_cb(const void* buf, size_t len, void* opaque);
  static void guest_error_cb(const char* msg, void* opaque);
  static std::int64_t clock_get_ns_cb(void* opaque);
  static void* timer_new_cb(void (*cb)(void*), void* cb_opaque, void* opaque);
  static void timer_free_cb(void* timer, void* opaque);
  static void timer_mod_cb(void* timer, std::int64_t expire_ms, void* opaque);
  static void register_poll_fd_cb(int fd, void* opaque);
  static void unregister_poll_fd_cb(int fd, void* opaque);
  static void notify_cb(void* opaque);
  static int add_poll_cb(int fd, int events, void* opaque);
  static int get_revents_cb(int idx, void* opaque);

  FrameOut to_network_;
  std::vector<std::unique_ptr<Timer>> timers_;
  std::vector<pollfd>* poll_fds_ = nullptr;  // only during add/handle_pollfds
  bool kick_ = false;
  Slirp* slirp_ = nullptr;
};

}  // namespace ftvm::net
