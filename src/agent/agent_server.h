#pragma once
// `ftvm host serve`: the host agent on a TCP socket. Each connection sends
// request lines and gets one reply line per request; several connections
// are served at once from one thread (poll). A line above 64 KiB gets an
// error reply and the connection is closed.
#include <functional>
#include <vector>

#include "agent/host_agent.h"
#include "clone/tcp.h"

namespace ftvm::agent {

class AgentServer {
 public:
  AgentServer(clone::TcpListener listener, HostAgent& agent);

  // Serves until `stop_requested()` is true; it is checked whenever
  // `wake_fd` (if >= 0) becomes readable, and at least every 200 ms.
  void run(const std::function<bool()>& stop_requested, int wake_fd = -1);

 private:
  struct Connection {
    disk::UniqueFd fd;
    std::string buffer;
  };
  // Reads what the connection has; false when it is to be closed.
  bool serve(Connection& c);

  clone::TcpListener listener_;
  HostAgent& agent_;
  std::vector<Connection> connections_;
};

}  // namespace ftvm::agent
