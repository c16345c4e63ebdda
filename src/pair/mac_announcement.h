#pragma once
// The frame a VM's new host sends after a takeover so that switches move the
// VM's MAC to the new port at once instead of when the guest next speaks: a
// RARP "request reverse" from the MAC to broadcast (what VMware and QEMU send
// after a migration). Switches learn from its source address.
#include <vector>
#include <cstdint>

#include "net/mac_address.h"

namespace ftvm::pair {

std::vector<std::uint8_t> mac_announcement(const net::MacAddress& mac);

}  // namespace ftvm::pair
