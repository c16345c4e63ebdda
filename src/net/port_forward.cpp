#include "net/port_forward.h"

#include <arpa/inet.h>

#include <charconv>

#include "machine/core/error.h"

namespace ftvm::net {

namespace {

std::uint16_t parse_port(const std::string& text, const std::string& spec) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    throw Error("port forward '" + spec + "': bad port '" + text + "'");
  return static_cast<std::uint16_t>(value);
}

// "addr:port" -> (addr, port); an empty addr means INADDR_ANY.
void parse_endpoint(const std::string& text, const std::string& spec, in_addr& addr, std::uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw Error("port forward '" + spec + "': expected ADDR:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  addr.s_addr = htonl(INADDR_ANY);
  if (!host.empty() && ::inet_pton(AF_INET, host.c_str(), &addr) != 1)
    throw Error("port forward '" + spec + "': bad IPv4 address '" + host + "'");
  port = parse_port(text.substr(colon + 1), spec);
}

}  // namespace

PortForward PortForward::parse(const std::string& spec) {
  PortForward f;
  std::string rest;
  if (spec.starts_with("tcp:")) {
    rest = spec.substr(4);
  } else if (spec.starts_with("udp:")) {
    f.udp = true;
    rest = spec.substr(4);
  } else {
    throw Error("port forward '" + spec + "': must start with tcp: or udp:");
  }
  auto dash = rest.find('-');
  if (dash == std::string::npos) throw Error("port forward '" + spec + "': expected HOST-GUEST, e.g. tcp:127.0.0.1:6379-10.0.2.15:6379");
  parse_endpoint(rest.substr(0, dash), spec, f.host_addr, f.host_port);
  parse_endpoint(rest.substr(dash + 1), spec, f.guest_addr, f.guest_port);
  if (f.guest_addr.s_addr == htonl(INADDR_ANY)) throw Error("port forward '" + spec + "': the guest address is required");
  return f;
}

std::string PortForward::to_string() const {
  char host[INET_ADDRSTRLEN] = {};
  char guest[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &host_addr, host, sizeof host);
  ::inet_ntop(AF_INET, &guest_addr, guest, sizeof guest);
  return std::string(udp ? "udp:" : "tcp:") + host + ":" + std::to_string(host_port) + "-" + guest + ":" +
         std::to_string(guest_port);
}

}  // namespace ftvm::net
