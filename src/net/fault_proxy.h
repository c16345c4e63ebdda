#pragma once
// A TCP proxy that injects network faults on command, so tests of the FT
// logging channel can cut or stall the channel while both VMs stay up, with
// no root and no network namespaces.
//
//   client --> [listen] FaultProxy --> target
//                  ^
//   tests / `ftvm proxy` control socket: one command per text line
//
// Commands (over the control socket, or the methods of the same name):
//   cut     reset every current connection (both ends see ECONNRESET) and
//           reset each new one as soon as it arrives
//   heal    accept and forward new connections again
//   freeze  stop moving bytes: connections stay open, bytes wait in the
//           proxy and the kernel's socket buffers, new arrivals wait in the
//           listen backlog
//   thaw    move them again, in the order they were sent
//   status  one line of state and counters
// Every command is answered with one line: "ok ..." or "error ...".
//
// The proxy runs its own thread from construction to destruction; every
// method may be called from any thread and returns once the proxy has acted.
#include <cstdint>
#include <memory>
#include <string>

namespace ftvm::net {

// An IPv4 address and port. Parsed from "a.b.c.d:port" or "localhost:port".
struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;

  std::string to_string() const;
};

// Throws ftvm::Error naming `text` when it is not host:port with an IPv4
// address (or localhost) and a port in 0..65535.
Endpoint parse_endpoint(const std::string& text);

struct FaultProxyConfig {
  Endpoint listen;   // port 0: the kernel picks one (see listen_port())
  Endpoint target;   // where connections are forwarded
  Endpoint control;  // port 0: the kernel picks one (see control_port())
};

struct FaultProxyStatus {
  bool cut = false;
  bool frozen = false;
  std::uint64_t open_connections = 0;
  std::uint64_t accepted = 0;  // connections forwarded since start
  std::uint64_t refused = 0;   // connections reset on arrival while cut
  std::uint64_t dropped = 0;   // connections reset by `cut`
  std::uint64_t bytes_to_target = 0;
  std::uint64_t bytes_to_client = 0;
};

class FaultProxy {
 public:
  // Binds both sockets and starts forwarding; throws ftvm::Error (with the
  // address) when an address is malformed or cannot be bound.
  explicit FaultProxy(const FaultProxyConfig& config);
  // Stops the thread and closes every socket.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t listen_port() const;
  std::uint16_t control_port() const;

  void cut();
  void heal();
  void freeze();
  void thaw();
  FaultProxyStatus status();
  // Runs one control line ("cut", "status", ...) and returns the answer
  // line without its newline, exactly as the control socket would.
  std::string command(const std::string& line);

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

// The status as the control socket prints it: "ok cut=0 frozen=1 open=2 ...".
std::string format_status(const FaultProxyStatus& status);

}  // namespace ftvm::net
