#pragma once
// The forwarding logic of the virtual switch, free of sockets so it can be
// tested alone. A frame's source MAC is learned on its input port; a frame
// to a learned unicast MAC goes to that port only, everything else (group
// addresses, unknown MACs) is flooded to every other port.
//
// Failover: a backup VM connects its own port with the *same* MAC as the
// primary but stays silent until it takes over. A MAC already learned on a
// live port moves to a new port only when the new port sends a location
// announcement (RARP / gratuitous ARP) -- so a stray frame from a backup
// cannot steal the primary's traffic -- or when its old port disconnects.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "net/ethernet_frame.h"
#include "net/mac_address.h"

namespace ftvm::net {

using PortId = std::uint32_t;

class LearningSwitch {
 public:
  void add_port(PortId port);
  // Forgets the port and every MAC learned on it.
  void remove_port(PortId port);

  // Learns from the frame, then returns the ports it goes out on (in
  // ascending order; empty for a runt frame or one for its own port).
  std::vector<PortId> route(PortId in, FrameView frame);

  std::optional<PortId> port_of(const MacAddress& mac) const;
  const std::set<PortId>& ports() const { return ports_; }

 private:
  void learn(PortId in, FrameView frame);
  std::vector<PortId> flood(PortId in) const;

  std::set<PortId> ports_;
  std::map<MacAddress, PortId> table_;
};

}  // namespace ftvm::net
