#include <gtest/gtest.h>

#include "machine/core/error.h"
#include "net/ethernet_frame.h"
#include "pair/mac_announcement.h"
#include "pair/machine_description.h"

using namespace ftvm;

TEST(MachineDescription, RoundTripsDiskSizesAndModes) {
  std::vector<host::OpenedDisk> disks{{1ull << 30, false}, {512, true}};
  auto back = pair::parse_machine_description(pair::describe_machine(disks));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].capacity, 1ull << 30);
  EXPECT_FALSE(back[0].read_only);
  EXPECT_EQ(back[1].capacity, 512u);
  EXPECT_TRUE(back[1].read_only);
  EXPECT_TRUE(pair::parse_machine_description(pair::describe_machine({})).empty());
}

TEST(MachineDescription, RejectsForeignOrDamagedText) {
  for (const char* bad : {"", "ftvm 0.1 on host x", "ftvm-pair/1 disks=12", "ftvm-pair/1 disks=12:rx",
                          "ftvm-pair/1 disks=x:rw", "ftvm-pair/1 disks=1:rw,", "ftvm-pair/2 disks="}) {
    EXPECT_THROW(pair::parse_machine_description(bad), Error) << bad;
  }
}

TEST(MacAnnouncement, IsARarpFromTheMacThatSwitchesLearnFrom) {
  auto mac = *net::MacAddress::parse("52:54:00:12:34:56");
  auto frame = pair::mac_announcement(mac);
  EXPECT_TRUE(net::is_ethernet_frame(frame));
  EXPECT_TRUE(net::is_location_announcement(frame));
  EXPECT_EQ(net::source_mac(frame), mac);
  EXPECT_TRUE(net::destination_mac(frame).is_broadcast());
}
