#include "net/learning_switch.h"

#include <gtest/gtest.h>

#include "net/ethernet_frame.h"
#include "test_frames.h"

namespace ftvm::net {
namespace {

using namespace ftvm::testing;
using Ports = std::vector<PortId>;

class LearningSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (PortId p : {1, 2, 3}) sw.add_port(p);
  }
  LearningSwitch sw;
};

TEST(MacAddress, ParsesAndFormats) {
  auto m = MacAddress::parse("52:54:00:AB:cd:0f");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->to_string(), "52:54:00:ab:cd:0f");
  EXPECT_TRUE(MacAddress::parse("52-54-00-ab-cd-0f"));
  EXPECT_FALSE(MacAddress::parse("52:54:00:ab:cd"));
  EXPECT_FALSE(MacAddress::parse("52:54:00:ab:cd:0g"));
  EXPECT_FALSE(MacAddress::parse("52:54:00:ab:cd:0f:"));
  EXPECT_TRUE(kBroadcast.is_broadcast());
  EXPECT_TRUE(kBroadcast.is_group());
  EXPECT_FALSE(mac(1).is_group());
}

TEST(EthernetFrame, RecognisesLocationAnnouncements) {
  EXPECT_TRUE(is_location_announcement(rarp_announcement(mac(1))));
  EXPECT_TRUE(is_location_announcement(gratuitous_arp(mac(1), {10, 0, 2, 15})));
  EXPECT_FALSE(is_location_announcement(arp_request(mac(1), {10, 0, 2, 15}, {10, 0, 2, 2})));
  EXPECT_FALSE(is_location_announcement(plain_frame(kBroadcast, mac(1))));
  Bytes runt = rarp_announcement(mac(1));
  runt.resize(10);
  EXPECT_FALSE(is_location_announcement(runt));
}

TEST_F(LearningSwitchTest, FloodsUnknownAndBroadcastThenForwardsLearned) {
  EXPECT_EQ(sw.route(1, plain_frame(mac(2), mac(1))), (Ports{2, 3}));  // mac 2 unknown
  EXPECT_EQ(sw.port_of(mac(1)), 1u);
  EXPECT_EQ(sw.route(2, plain_frame(mac(1), mac(2))), (Ports{1}));  // mac 1 learned on port 1
  EXPECT_EQ(sw.route(1, plain_frame(mac(2), mac(1))), (Ports{2}));  // now both known
  EXPECT_EQ(sw.route(3, plain_frame(kBroadcast, mac(3))), (Ports{1, 2}));
  EXPECT_EQ(sw.route(1, plain_frame(mac(1), mac(1))), Ports{});  // to itself: dropped
}

TEST_F(LearningSwitchTest, DropsRuntsAndFramesFromUnknownPorts) {
  Bytes runt(13, 0);
  EXPECT_EQ(sw.route(1, runt), Ports{});
  EXPECT_EQ(sw.route(9, plain_frame(kBroadcast, mac(9))), Ports{});
  EXPECT_FALSE(sw.port_of(mac(9)));
}

TEST_F(LearningSwitchTest, GroupSourceAddressesAreNeverLearned) {
  sw.route(1, plain_frame(mac(2), kBroadcast));
  EXPECT_FALSE(sw.port_of(kBroadcast));
}

TEST_F(LearningSwitchTest, KnownMacMovesOnlyOnAnAnnouncement) {
  sw.route(1, plain_frame(kBroadcast, mac(7)));  // primary on port 1
  ASSERT_EQ(sw.port_of(mac(7)), 1u);
  // The backup (port 3) leaks an ordinary frame with the same MAC: no move.
  sw.route(3, plain_frame(mac(2), mac(7)));
  EXPECT_EQ(sw.port_of(mac(7)), 1u);
  EXPECT_EQ(sw.route(2, plain_frame(mac(7), mac(2))), (Ports{1}));
  // Failover: the backup announces itself with RARP; traffic follows it.
  sw.route(3, rarp_announcement(mac(7)));
  EXPECT_EQ(sw.port_of(mac(7)), 3u);
  EXPECT_EQ(sw.route(2, plain_frame(mac(7), mac(2))), (Ports{3}));
  // A gratuitous ARP moves it as well.
  sw.route(1, gratuitous_arp(mac(7), {10, 0, 2, 15}));
  EXPECT_EQ(sw.port_of(mac(7)), 1u);
}

TEST_F(LearningSwitchTest, RemovingAPortForgetsItsMacs) {
  sw.route(1, plain_frame(kBroadcast, mac(7)));
  sw.remove_port(1);
  EXPECT_FALSE(sw.port_of(mac(7)));
  EXPECT_EQ(sw.route(2, plain_frame(mac(7), mac(2))), (Ports{3}));  // unknown: flooded to the rest
  sw.route(3, plain_frame(mac(2), mac(7)));                          // re-learned anywhere
  EXPECT_EQ(sw.port_of(mac(7)), 3u);
}

}  // namespace
}  // namespace ftvm::net
