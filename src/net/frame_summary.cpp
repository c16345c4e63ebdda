#include "net/frame_summary.h"

#include <fmt/format.h>

namespace ftvm::net {

namespace {

constexpr std::uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17;

std::uint16_t be16(FrameView b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }
std::uint32_t be32(FrameView b, std::size_t at) { return std::uint32_t{be16(b, at)} << 16 | be16(b, at + 2); }

std::string ipv4_text(FrameView b, std::size_t at) {
  return fmt::format("{}.{}.{}.{}", b[at], b[at + 1], b[at + 2], b[at + 3]);
}

// "SFRPAU" order as tcpdump prints them; '.' alone means a bare ACK.
std::string tcp_flags(std::uint8_t f) {
  std::string s;
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x20) s += 'U';
  if (f & 0x10) s += '.';
  return s.empty() ? "none" : s;
}

std::string tcp_text(FrameView seg, const std::string& src, const std::string& dst, std::size_t payload_len) {
  if (seg.size() < 20) return fmt::format("tcp {} > {} truncated", src, dst);
  std::size_t header = std::size_t{static_cast<std::uint8_t>(seg[12] >> 4)} * 4;
  std::size_t data = payload_len >= header ? payload_len - header : 0;
  return fmt::format("tcp {}:{} > {}:{} [{}] seq {} ack {} win {} len {}", src, be16(seg, 0), dst, be16(seg, 2),
                     tcp_flags(seg[13]), be32(seg, 4), be32(seg, 8), be16(seg, 14), data);
}

std::string ipv4_text_frame(FrameView ip) {
  if (ip.size() < 20 || (ip[0] >> 4) != 4) return "ipv4 truncated";
  std::size_t header = std::size_t{static_cast<std::uint8_t>(ip[0] & 0x0f)} * 4;
  std::size_t total = be16(ip, 2);
  if (header < 20 || header > ip.size() || total < header) return "ipv4 malformed";
  std::size_t payload_len = std::min(total, ip.size()) - header;
  std::string src = ipv4_text(ip, 12), dst = ipv4_text(ip, 16);
  FrameView l4 = ip.subspan(header, payload_len);
  switch (ip[9]) {
    case kProtoTcp: return tcp_text(l4, src, dst, payload_len);
    case kProtoUdp:
      if (l4.size() < 8) return fmt::format("udp {} > {} truncated", src, dst);
      return fmt::format("udp {}:{} > {}:{} len {}", src, be16(l4, 0), dst, be16(l4, 2), payload_len - 8);
    case kProtoIcmp:
      if (l4.size() < 2) return fmt::format("icmp {} > {} truncated", src, dst);
      return fmt::format("icmp {} > {} type {} code {}", src, dst, l4[0], l4[1]);
    default: return fmt::format("ip proto {} {} > {} len {}", ip[9], src, dst, payload_len);
  }
}

std::string arp_text(FrameView arp) {
  if (arp.size() < 28) return "arp truncated";
  std::uint16_t op = be16(arp, 6);
  if (op == 1) return fmt::format("arp who-has {} tell {}", ipv4_text(arp, 24), ipv4_text(arp, 14));
  if (op == 2) return fmt::format("arp reply {} is-at {}", ipv4_text(arp, 14), MacAddress::from(arp.subspan(8, 6)).to_string());
  return fmt::format("arp op {}", op);
}

}  // namespace

std::string summarize_frame(FrameView frame) {
  if (!is_ethernet_frame(frame)) return fmt::format("runt frame of {} bytes", frame.size());
  std::string head = fmt::format("{} > {} {}B ", source_mac(frame).to_string(), destination_mac(frame).to_string(),
                                 frame.size());
  FrameView payload = frame.subspan(kEthernetHeaderSize);
  switch (ether_type(frame)) {
    case kEtherTypeIpv4: return head + ipv4_text_frame(payload);
    case kEtherTypeArp: return head + arp_text(payload);
    case kEtherTypeRarp: return head + "rarp";
    default: return head + fmt::format("ethertype {:#06x}", ether_type(frame));
  }
}

}  // namespace ftvm::net
