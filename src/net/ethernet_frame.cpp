#include "net/ethernet_frame.h"

#include <algorithm>

namespace ftvm::net {

bool is_location_announcement(FrameView f) {
  if (!is_ethernet_frame(f)) return false;
  std::uint16_t type = ether_type(f);
  if (type == kEtherTypeRarp) return true;
  if (type != kEtherTypeArp) return false;
  // ARP for IPv4 over Ethernet: 8-byte header, then sender MAC (6), sender
  // IP (4), target MAC (6), target IP (4).
  FrameView arp = f.subspan(kEthernetHeaderSize);
  if (arp.size() < 28) return false;
  FrameView sender_ip = arp.subspan(14, 4);
  FrameView target_ip = arp.subspan(24, 4);
  return std::equal(sender_ip.begin(), sender_ip.end(), target_ip.begin());
}

}  // namespace ftvm::net
