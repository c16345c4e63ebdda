#pragma once
// A host port forwarded into the guest network, written
// "tcp:127.0.0.1:6379-10.0.2.15:6379" (or udp:...). The host address may be
// empty ("tcp::8080-10.0.2.15:80") for all interfaces.
#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace ftvm::net {

struct PortForward {
  bool udp = false;
  in_addr host_addr{};
  std::uint16_t host_port = 0;
  in_addr guest_addr{};
  std::uint16_t guest_port = 0;

  std::string to_string() const;
  // Throws ftvm::Error naming the spec and what is wrong with it.
  static PortForward parse(const std::string& spec);
};

}  // namespace ftvm::net
