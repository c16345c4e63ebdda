#pragma once
// Plain TCP for the clone stream and the host agent: connect with retries,
// and a listener on HOST:PORT (port 0 picks a free one).
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "disk/unique_fd.h"

namespace ftvm::clone {

// "host:port" -> (host, port); "[v6]:port" works too. Throws ftvm::Error.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& address);

// Connects, retrying refused connections until `limit` has passed. Throws
// ftvm::Error naming the address when it never connects.
disk::UniqueFd connect_tcp(const std::string& address, std::chrono::milliseconds limit);

class TcpListener {
 public:
  explicit TcpListener(const std::string& address);
  std::uint16_t port() const { return port_; }
  int fd() const { return socket_.get(); }
  // One connection, or an invalid fd when none came within `limit`.
  disk::UniqueFd accept(std::chrono::milliseconds limit);

 private:
  disk::UniqueFd socket_;
  std::uint16_t port_ = 0;
};

}  // namespace ftvm::clone
