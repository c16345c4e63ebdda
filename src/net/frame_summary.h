#pragma once
// A one-line, tcpdump-like description of an Ethernet frame, for the
// switch's frame trace (`ftvm switch --trace-frames`): addresses, EtherType,
// and for IPv4 the protocol, ports, TCP flags, sequence/ack numbers, window
// and payload length. Never reads past the frame; a truncated header is
// reported as such.
#include <string>

#include "net/ethernet_frame.h"

namespace ftvm::net {

std::string summarize_frame(FrameView frame);

}  // namespace ftvm::net
