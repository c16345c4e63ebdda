#pragma once
// Just enough Ethernet parsing for a learning switch: the two addresses, the
// EtherType, and whether a frame is a location announcement.
#include <cstdint>
#include <span>

#include "net/mac_address.h"

namespace ftvm::net {

inline constexpr std::size_t kEthernetHeaderSize = 14;
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeArp = 0x0806;
inline constexpr std::uint16_t kEtherTypeRarp = 0x8035;
// Largest frame carried anywhere on the virtual network (jumbo-safe).
inline constexpr std::size_t kMaxFrameSize = 65536;

using FrameView = std::span<const std::uint8_t>;

inline bool is_ethernet_frame(FrameView f) { return f.size() >= kEthernetHeaderSize && f.size() <= kMaxFrameSize; }
inline MacAddress destination_mac(FrameView f) { return MacAddress::from(f.subspan(0, 6)); }
inline MacAddress source_mac(FrameView f) { return MacAddress::from(f.subspan(6, 6)); }
inline std::uint16_t ether_type(FrameView f) { return static_cast<std::uint16_t>(f[12] << 8 | f[13]); }

// A frame by which a host says "this MAC is here now": a RARP frame (what
// VMware sends for a VM after it moves) or a gratuitous ARP (sender IP ==
// target IP). A switch may move a known MAC to a new port on one of these.
bool is_location_announcement(FrameView f);

}  // namespace ftvm::net
