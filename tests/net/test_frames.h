#pragma once
// Hand-built Ethernet frames for the switch tests: ARP, RARP, IPv4 ICMP echo.
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <vector>

#include "net/ethernet_frame.h"
#include "net/mac_address.h"

namespace ftvm::testing {

using Bytes = std::vector<std::uint8_t>;
using Ip4 = std::array<std::uint8_t, 4>;

inline net::MacAddress mac(std::uint8_t last) { return net::MacAddress{{0x52, 0x54, 0x00, 0x00, 0x00, last}}; }
inline const net::MacAddress kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put(Bytes& b, const auto& arr) { b.insert(b.end(), arr.begin(), arr.end()); }

inline Bytes ethernet(const net::MacAddress& dst, const net::MacAddress& src, std::uint16_t type, const Bytes& payload) {
  Bytes f;
  put(f, dst.bytes);
  put(f, src.bytes);
  put16(f, type);
  put(f, payload);
  while (f.size() < 60) f.push_back(0);  // Ethernet minimum
  return f;
}

// ARP (op 1 request, 2 reply; RARP uses the same layout under 0x8035).
inline Bytes arp_payload(std::uint16_t op, const net::MacAddress& sha, Ip4 spa, const net::MacAddress& tha, Ip4 tpa) {
  Bytes p;
  put16(p, 1);       // Ethernet
  put16(p, 0x0800);  // IPv4
  p.push_back(6);
  p.push_back(4);
  put16(p, op);
  put(p, sha.bytes);
  put(p, spa);
  put(p, tha.bytes);
  put(p, tpa);
  return p;
}

inline Bytes arp_request(const net::MacAddress& from, Ip4 from_ip, Ip4 who_has) {
  return ethernet(kBroadcast, from, net::kEtherTypeArp, arp_payload(1, from, from_ip, net::MacAddress{}, who_has));
}
inline Bytes gratuitous_arp(const net::MacAddress& from, Ip4 ip) {
  return ethernet(kBroadcast, from, net::kEtherTypeArp, arp_payload(1, from, ip, net::MacAddress{}, ip));
}
inline Bytes rarp_announcement(const net::MacAddress& from) {
  return ethernet(kBroadcast, from, net::kEtherTypeRarp, arp_payload(3, from, {0, 0, 0, 0}, from, {0, 0, 0, 0}));
}
inline Bytes plain_frame(const net::MacAddress& dst, const net::MacAddress& src) {
  return ethernet(dst, src, 0x88b5, Bytes{1, 2, 3, 4});  // local experimental EtherType
}

inline std::uint16_t inet_checksum(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

inline Bytes icmp_echo(const net::MacAddress& dst, const net::MacAddress& src, Ip4 from, Ip4 to, std::uint16_t id,
                       std::uint16_t seq) {
  Bytes icmp{8, 0, 0, 0};
  put16(icmp, id);
  put16(icmp, seq);
  for (int i = 0; i < 16; ++i) icmp.push_back(static_cast<std::uint8_t>(i));
  std::uint16_t c = inet_checksum(icmp.data(), icmp.size());
  icmp[2] = static_cast<std::uint8_t>(c >> 8);
  icmp[3] = static_cast<std::uint8_t>(c);
  Bytes ip{0x45, 0};
  put16(ip, static_cast<std::uint16_t>(20 + icmp.size()));
  put16(ip, 1);
  put16(ip, 0x4000);  // don't fragment
  ip.push_back(64);
  ip.push_back(1);  // ICMP
  put16(ip, 0);
  put(ip, from);
  put(ip, to);
  std::uint16_t hc = inet_checksum(ip.data(), 20);
  ip[10] = static_cast<std::uint8_t>(hc >> 8);
  ip[11] = static_cast<std::uint8_t>(hc);
  put(ip, icmp);
  return ethernet(dst, src, net::kEtherTypeIpv4, ip);
}

}  // namespace ftvm::testing
