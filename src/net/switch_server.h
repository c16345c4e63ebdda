#pragma once
// `ftvm switch`: a learning Ethernet switch whose ports are Unix stream
// connections (one per VM NIC, frames length-prefixed, see frame_stream.h)
// plus, optionally, the slirp gateway on port 0. One thread, one poll loop.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/frame_stream.h"
#include "net/learning_switch.h"
#include "net/slirp_gateway.h"
#include "net/unix_socket.h"

namespace ftvm::net {

struct SwitchOptions {
  std::string socket_path;
  bool gateway = true;
  GatewayConfig gateway_config;
  // Log every frame forwarded (tcpdump-like, see frame_summary.h): for
  // chasing stalls, far too verbose for normal use.
  bool trace_frames = false;
};

// What the switch has moved and lost since it started. A frame flooded to
// three ports counts three times in frames_out.
struct SwitchCounters {
  std::uint64_t frames_in = 0;       // from VM ports and the gateway
  std::uint64_t frames_out = 0;      // queued to VM ports or handed to the gateway
  std::uint64_t dropped_full = 0;    // a VM port's send buffer was full
  std::uint64_t dropped_unrouted = 0;  // runt frames, or nowhere to go
};

class SwitchServer {
 public:
  static constexpr PortId kGatewayPort = 0;

  // Binds the socket and starts the gateway; throws ftvm::Error on failure.
  explicit SwitchServer(const SwitchOptions& options);
  ~SwitchServer();  // removes the socket file
  SwitchServer(const SwitchServer&) = delete;
  SwitchServer& operator=(const SwitchServer&) = delete;

  // Serves until stop_fd becomes readable (a signalfd, an eventfd).
  void run(int stop_fd);

  // Read-only views, for tests and status lines.
  const LearningSwitch& table() const { return switch_; }
  std::size_t connected_ports() const { return clients_.size(); }
  const SwitchCounters& counters() const { return counters_; }

 private:
  struct Client {
    UniqueFd fd;
    FramedConnection link;
    explicit Client(UniqueFd f) : fd(std::move(f)), link(fd.get()) {}
  };

  void accept_clients();
  void service_client(PortId port, short revents);
  void disconnect(PortId port);
  void forward(PortId from, FrameView frame);
  void flush_clients();
  void trace(PortId from, const std::vector<PortId>& to, FrameView frame) const;

  std::string socket_path_;
  UniqueFd listener_;
  LearningSwitch switch_;
  std::map<PortId, std::unique_ptr<Client>> clients_;
  PortId next_port_ = 1;
  std::unique_ptr<SlirpGateway> gateway_;
  bool trace_frames_ = false;
  SwitchCounters counters_;
};

}  // namespace ftvm::net
