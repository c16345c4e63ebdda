// The switch's frame trace lines: what a person chasing a stall reads.
#include "net/frame_summary.h"

#include <gtest/gtest.h>

#include "test_frames.h"

namespace ftvm::net {
namespace {

using namespace ftvm::testing;

constexpr Ip4 kGuestIp{10, 0, 2, 15};
constexpr Ip4 kGatewayIp{10, 0, 2, 2};

// An IPv4/TCP segment with no options and `data` payload bytes.
Bytes tcp_segment(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                  std::size_t data) {
  Bytes tcp;
  put16(tcp, sport);
  put16(tcp, dport);
  put16(tcp, static_cast<std::uint16_t>(seq >> 16));
  put16(tcp, static_cast<std::uint16_t>(seq));
  put16(tcp, static_cast<std::uint16_t>(ack >> 16));
  put16(tcp, static_cast<std::uint16_t>(ack));
  tcp.push_back(5 << 4);  // 20-byte header
  tcp.push_back(flags);
  put16(tcp, 65535);  // window
  put16(tcp, 0);      // checksum (not checked)
  put16(tcp, 0);      // urgent
  tcp.insert(tcp.end(), data, 'x');
  Bytes ip{0x45, 0};
  put16(ip, static_cast<std::uint16_t>(20 + tcp.size()));
  put16(ip, 1);
  put16(ip, 0);
  ip.push_back(64);
  ip.push_back(6);
  put16(ip, 0);
  put(ip, kGatewayIp);
  put(ip, kGuestIp);
  put(ip, tcp);
  return ethernet(mac(1), mac(2), kEtherTypeIpv4, ip);
}

TEST(FrameSummary, DescribesATcpSegment) {
  std::string s = summarize_frame(tcp_segment(45860, 6379, 1000, 2000, 0x18 /* PSH ACK */, 77));
  EXPECT_NE(s.find("tcp 10.0.2.2:45860 > 10.0.2.15:6379 [P.] seq 1000 ack 2000 win 65535 len 77"), std::string::npos)
      << s;
  EXPECT_NE(s.find("52:54:00:00:00:02 > 52:54:00:00:00:01"), std::string::npos) << s;
}

TEST(FrameSummary, NamesSynAndFinFlags) {
  EXPECT_NE(summarize_frame(tcp_segment(1, 2, 0, 0, 0x02, 0)).find("[S]"), std::string::npos);
  EXPECT_NE(summarize_frame(tcp_segment(1, 2, 0, 0, 0x12, 0)).find("[S.]"), std::string::npos);
  EXPECT_NE(summarize_frame(tcp_segment(1, 2, 0, 0, 0x11, 0)).find("[F.]"), std::string::npos);
  EXPECT_NE(summarize_frame(tcp_segment(1, 2, 0, 0, 0x04, 0)).find("[R]"), std::string::npos);
}

TEST(FrameSummary, DescribesArp) {
  std::string s = summarize_frame(arp_request(mac(1), kGuestIp, kGatewayIp));
  EXPECT_NE(s.find("arp who-has 10.0.2.2 tell 10.0.2.15"), std::string::npos) << s;
}

TEST(FrameSummary, TruncatedHeadersAreReportedNotOverread) {
  Bytes f = tcp_segment(1, 2, 3, 4, 0x10, 0);
  f.resize(kEthernetHeaderSize + 10);  // half an IPv4 header
  EXPECT_NE(summarize_frame(f).find("truncated"), std::string::npos);
  EXPECT_NE(summarize_frame(Bytes(5, 0)).find("runt"), std::string::npos);
  Bytes lying = tcp_segment(1, 2, 3, 4, 0x10, 0);
  lying[kEthernetHeaderSize] = 0x4f;  // IHL claims 60 bytes, the frame has fewer
  EXPECT_NE(summarize_frame(Bytes(lying.begin(), lying.begin() + 40)).find("malformed"), std::string::npos);
}

}  // namespace
}  // namespace ftvm::net
