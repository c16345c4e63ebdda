#include "host/vm_config.h"

#include <gtest/gtest.h>

#include "machine/core/error.h"

namespace ftvm::host {
namespace {

// The error for `text`, or "" if it parsed.
std::string error_of(const std::string& text) {
  try {
    parse_vm_config(text, "vm.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(VmConfig, ParsesAFullFile) {
  VmConfig c = parse_vm_config(R"(
[machine]
mem = "1G"
firmware = "fw.bin"
kernel = "Image"
initrd = "initrd.img"
append = "console=ttyS0"
[[disk]]
path = "root.img"
[[disk]]
nbd = "nbd://10.0.0.1:10809/data"
read_only = true
[[net]]
switch = "/run/sw.sock"
mac = "52:54:00:aa:bb:cc"
[[net]]
tap = "tap0"
[rng]
)",
                               "vm.toml");
  EXPECT_EQ(c.mem_bytes, 1ull << 30);
  EXPECT_EQ(c.firmware, "fw.bin");
  EXPECT_EQ(c.kernel, "Image");
  EXPECT_EQ(c.initrd, "initrd.img");
  EXPECT_EQ(c.append, "console=ttyS0");
  ASSERT_EQ(c.disks.size(), 2u);
  EXPECT_EQ(c.disks[0].source, "root.img");
  EXPECT_FALSE(c.disks[0].read_only);
  EXPECT_EQ(c.disks[1].source, "nbd://10.0.0.1:10809/data");
  EXPECT_TRUE(c.disks[1].read_only);
  ASSERT_EQ(c.nets.size(), 2u);
  EXPECT_EQ(c.nets[0].kind, net::NetBackendKind::kSwitch);
  EXPECT_EQ(c.nets[0].where, "/run/sw.sock");
  ASSERT_TRUE(c.nets[0].mac);
  EXPECT_EQ(c.nets[0].mac->to_string(), "52:54:00:aa:bb:cc");
  EXPECT_EQ(c.nets[1].kind, net::NetBackendKind::kTap);
  EXPECT_FALSE(c.nets[1].mac);
  EXPECT_TRUE(c.rng);
}

TEST(VmConfig, DefaultsWhenEmpty) {
  VmConfig c = parse_vm_config("", "vm.toml");
  EXPECT_EQ(c.mem_bytes, 512ull << 20);
  EXPECT_EQ(c.firmware, kDefaultFirmware);
  EXPECT_TRUE(c.disks.empty());
  EXPECT_FALSE(c.rng);
  EXPECT_FALSE(parse_vm_config("[rng]\nenabled = false\n", "vm.toml").rng);
}

TEST(VmConfig, EveryBadKeyOrValueNamesIt) {
  struct Case {
    const char* text;
    const char* must_mention;
  };
  const Case cases[] = {
      {"[machine]\nmemory = \"1G\"\n", "machine.memory"},
      {"[machin]\n", "machin"},
      {"top = 1\n", "top"},
      {"[machine]\nmem = \"lots\"\n", "machine.mem"},
      {"[machine]\nmem = \"0M\"\n", "machine.mem"},
      {"[machine]\nmem = -5\n", "machine.mem"},
      {"[machine]\nkernel = 5\n", "machine.kernel"},
      {"[machine]\nappend = true\n", "machine.append"},
      {"machine = 3\n", "machine"},
      {"[[disk]]\nread_only = true\n", "disk[0]"},
      {"[[disk]]\npath = \"a\"\nnbd = \"nbd://x/y\"\n", "disk[0]"},
      {"[[disk]]\npath = \"a\"\n[[disk]]\npath = \"b\"\nreadonly = true\n", "disk[1].readonly"},
      {"[[disk]]\nnbd = \"http://x/y\"\n", "disk[0].nbd"},
      {"[[disk]]\npath = \"\"\n", "disk[0].path"},
      {"[[disk]]\npath = \"a\"\nread_only = \"yes\"\n", "disk[0].read_only"},
      {"[disk]\npath = \"a\"\n", "disk"},
      {"[[net]]\nmac = \"52:54:00:00:00:01\"\n", "net[0]"},
      {"[[net]]\nswitch = \"s\"\nmac = \"zz\"\n", "net[0].mac"},
      {"[[net]]\nswitch = \"s\"\nmac = \"ff:ff:ff:ff:ff:ff\"\n", "net[0].mac"},
      {"[[net]]\ntap = \"t\"\nvlan = 3\n", "net[0].vlan"},
      {"[rng]\nrate = 5\n", "rng.rate"},
      {"[rng]\nenabled = 1\n", "rng.enabled"},
      {"[machine\n", "vm.toml:1"},
  };
  for (const auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.must_mention), std::string::npos) << "config:\n" << c.text << "error: " << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  }
}

TEST(VmConfig, MissingConfigFileIsAnError) {
  try {
    load_vm_config("/nonexistent/vm.toml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/vm.toml"), std::string::npos);
  }
}

TEST(VmConfig, ParsesSizes) {
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_size("64K"), 64ull << 10);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("M"));
  EXPECT_FALSE(parse_size("12X"));
  EXPECT_FALSE(parse_size("0"));
  EXPECT_FALSE(parse_size("99999999999999999G"));
}

TEST(VmConfig, ParsesCommandLineDiskAndNetFlags) {
  DiskSpec d = parse_disk_flag("root.img,ro");
  EXPECT_EQ(d.source, "root.img");
  EXPECT_TRUE(d.read_only);
  EXPECT_FALSE(parse_disk_flag("nbd+unix:///x?socket=/s").read_only);
  EXPECT_THROW(parse_disk_flag(",ro"), Error);

  NetSpec n = parse_net_flag("switch:/tmp/s.sock,mac=52:54:00:00:00:09");
  EXPECT_EQ(n.kind, net::NetBackendKind::kSwitch);
  EXPECT_EQ(n.where, "/tmp/s.sock");
  ASSERT_TRUE(n.mac);
  EXPECT_EQ(n.mac->bytes[5], 9);
  EXPECT_EQ(parse_net_flag("tap:tap3").kind, net::NetBackendKind::kTap);
  EXPECT_THROW(parse_net_flag("bridge:br0"), Error);
  EXPECT_THROW(parse_net_flag("tap:"), Error);
  EXPECT_THROW(parse_net_flag("tap:t,mac=nope"), Error);
}

}  // namespace
}  // namespace ftvm::host
