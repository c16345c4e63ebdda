#include "net/frame_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "disk/unique_fd.h"
#include "net/port_forward.h"
#include "machine/core/error.h"

namespace ftvm::net {
namespace {

TEST(FrameDecoder, ReassemblesFramesSplitAnywhere) {
  std::vector<std::uint8_t> stream;
  Frame a(60, 0xA1), b(1514, 0xB2);
  append_framed(stream, a);
  append_framed(stream, b);
  FrameDecoder dec;
  std::vector<Frame> got;
  for (std::size_t i = 0; i < stream.size(); i += 7) {  // odd-sized pieces
    ASSERT_TRUE(dec.feed(stream.data() + i, std::min<std::size_t>(7, stream.size() - i)));
    while (auto f = dec.next()) got.push_back(*f);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], b);
}

TEST(FrameDecoder, RejectsZeroAndOversizedLengths) {
  for (std::uint32_t bad : {0u, static_cast<std::uint32_t>(kMaxFrameSize + 1)}) {
    std::uint8_t hdr[4] = {static_cast<std::uint8_t>(bad >> 24), static_cast<std::uint8_t>(bad >> 16),
                           static_cast<std::uint8_t>(bad >> 8), static_cast<std::uint8_t>(bad)};
    FrameDecoder dec;
    dec.feed(hdr, 4);
    EXPECT_FALSE(dec.next());
    EXPECT_TRUE(dec.broken());
    EXPECT_FALSE(dec.feed(hdr, 4));
  }
}

TEST(FramedConnection, CarriesFramesOverASocketPairAndBoundsItsBuffer) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  disk::UniqueFd left(sv[0]), right(sv[1]);
  FramedConnection tx(left.get(), 4096), rx(right.get());
  EXPECT_TRUE(tx.queue(Frame(1000, 1)));
  EXPECT_TRUE(tx.queue(Frame(1000, 2)));
  EXPECT_FALSE(tx.queue(Frame(3000, 3)));  // over the 4 KiB limit: dropped
  EXPECT_EQ(tx.dropped(), 1u);
  ASSERT_TRUE(tx.flush());
  EXPECT_FALSE(tx.wants_write());
  std::vector<Frame> got;
  ASSERT_TRUE(rx.receive(got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], Frame(1000, 2));
  left.reset();
  EXPECT_FALSE(rx.receive(got));  // EOF
}

TEST(PortForward, ParsesHostAndGuestEndpoints) {
  PortForward f = PortForward::parse("tcp:127.0.0.1:6379-10.0.2.15:6380");
  EXPECT_FALSE(f.udp);
  EXPECT_EQ(f.host_port, 6379);
  EXPECT_EQ(f.guest_port, 6380);
  EXPECT_EQ(f.to_string(), "tcp:127.0.0.1:6379-10.0.2.15:6380");
  PortForward u = PortForward::parse("udp::53-10.0.2.15:53");
  EXPECT_TRUE(u.udp);
  EXPECT_EQ(u.to_string(), "udp:0.0.0.0:53-10.0.2.15:53");
}

TEST(PortForward, RejectsMalformedSpecsNamingThem) {
  for (const char* bad : {"sctp:1.2.3.4:1-10.0.2.15:1", "tcp:127.0.0.1:6379", "tcp:127.0.0.1:0-10.0.2.15:1",
                          "tcp:127.0.0.1:70000-10.0.2.15:1", "tcp:1.2.3:5-10.0.2.15:1", "tcp:127.0.0.1:x-10.0.2.15:1",
                          "tcp:127.0.0.1:5-:6", "tcp:127.0.0.1:5-10.0.2.15"}) {
    try {
      PortForward::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ftvm::net
