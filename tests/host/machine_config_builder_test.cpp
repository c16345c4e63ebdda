#include "host/machine_config_builder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../disk/temp_dir.h"
#include "host/image_file.h"
#include "machine/core/error.h"

namespace ftvm::host {
namespace {

using testing::TempDir;

std::string write_file(const TempDir& dir, const std::string& name, const std::string& content) {
  std::ofstream(dir.file(name), std::ios::binary) << content;
  return dir.file(name);
}

TEST(ImageFile, ReadsBytesAndNamesMissingOrEmptyFiles) {
  TempDir dir;
  auto bytes = read_image_file(write_file(dir, "fw.bin", "ABC"), "firmware");
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{'A', 'B', 'C'}));
  for (const std::string& bad : {dir.file("missing.bin"), write_file(dir, "empty.bin", ""), dir.path().string()}) {
    try {
      read_image_file(bad, "kernel");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("kernel"), std::string::npos) << msg;
      EXPECT_NE(msg.find(bad), std::string::npos) << msg;
    }
  }
}

TEST(MachineConfigBuilder, LaysOutDisksThenNicsThenRng) {
  TempDir dir;
  VmConfig cfg;
  cfg.mem_bytes = 256ull << 20;
  cfg.firmware = write_file(dir, "fw.bin", "firmware");
  cfg.kernel = write_file(dir, "Image", "kernel");
  cfg.append = "console=ttyS0";
  cfg.disks = {{"a.img", false}, {"b.img", true}};
  cfg.nets = {{net::NetBackendKind::kSwitch, "/s", std::nullopt},
              {net::NetBackendKind::kTap, "tap0", net::MacAddress::parse("52:54:00:00:00:42")}};
  cfg.rng = true;
  auto mc = build_machine_config(cfg, {{1000 * 512 + 100, false}, {4096, true}});
  EXPECT_EQ(mc.ram_size, 256ull << 20);
  EXPECT_EQ(mc.firmware.size(), 8u);
  EXPECT_EQ(mc.kernel.size(), 6u);
  EXPECT_TRUE(mc.initrd.empty());
  EXPECT_EQ(mc.cmdline, "console=ttyS0");
  ASSERT_EQ(mc.virtio.size(), 5u);
  EXPECT_EQ(mc.virtio[0].kind, machine::VirtioKind::kBlock);
  EXPECT_EQ(mc.virtio[0].capacity_bytes, 1000u * 512);  // partial sector dropped
  EXPECT_TRUE(mc.virtio[1].read_only);
  EXPECT_EQ(mc.virtio[2].kind, machine::VirtioKind::kNet);
  EXPECT_EQ(mc.virtio[2].mac[5], default_mac(0).bytes[5]);
  EXPECT_EQ(mc.virtio[3].mac[5], 0x42);
  EXPECT_EQ(mc.virtio[4].kind, machine::VirtioKind::kRng);
}

TEST(MachineConfigBuilder, RejectsBadSetups) {
  TempDir dir;
  VmConfig cfg;
  cfg.firmware = write_file(dir, "fw.bin", "firmware");
  cfg.kernel = dir.file("no-kernel");
  EXPECT_THROW(build_machine_config(cfg, {}), Error);  // missing kernel
  cfg.kernel.clear();
  cfg.mem_bytes = 1 << 20;
  EXPECT_THROW(build_machine_config(cfg, {}), Error);  // too little RAM
  cfg.mem_bytes = 512ull << 20;
  cfg.disks = {{"tiny.img", false}};
  EXPECT_THROW(build_machine_config(cfg, {{100, false}}), Error);  // under one sector
  cfg.disks.assign(9, DiskSpec{"d.img", false});
  EXPECT_THROW(build_machine_config(cfg, std::vector<OpenedDisk>(9, {4096, false})), Error);  // too many
}

}  // namespace
}  // namespace ftvm::host
