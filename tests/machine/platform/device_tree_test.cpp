#include "machine/platform/device_tree.h"

extern "C" {
#include <libfdt.h>
}

#include <gtest/gtest.h>

#include <string>

namespace ftvm::machine {
namespace {

MachineConfig sample_config() {
  MachineConfig c;
  c.ram_size = 256ull << 20;
  c.cmdline = "console=ttyS0 root=/dev/vda rw";
  c.virtio.push_back({VirtioKind::kBlock, 1 << 20, false, {}});
  c.virtio.push_back({VirtioKind::kNet, 0, false, {}});
  return c;
}

std::string string_prop(const void* fdt, const char* path, const char* name) {
  int node = fdt_path_offset(fdt, path);
  if (node < 0) return "<no node " + std::string(path) + ">";
  int len = 0;
  const void* p = fdt_getprop(fdt, node, name, &len);
  return p ? std::string(static_cast<const char*>(p)) : "<no property>";
}

std::uint32_t u32_prop(const void* fdt, const char* path, const char* name, int index = 0) {
  int node = fdt_path_offset(fdt, path);
  if (node < 0) return 0xdeadbeef;
  int len = 0;
  const auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt, node, name, &len));
  if (!p || len < 4 * (index + 1)) return 0xdeadbeef;
  return fdt32_to_cpu(p[index]);
}

TEST(DeviceTree, PassesFullCheck) {
  auto dtb = build_device_tree(sample_config(), {});
  EXPECT_EQ(fdt_check_full(dtb.data(), dtb.size()), 0);
  EXPECT_EQ(fdt_totalsize(dtb.data()), dtb.size());
}

TEST(DeviceTree, HasCpuMemoryAndChosen) {
  MachineConfig c = sample_config();
  auto dtb = build_device_tree(c, {});
  const void* fdt = dtb.data();
  EXPECT_EQ(string_prop(fdt, "/cpus/cpu@0", "riscv,isa"), "rv64imafdc_zicsr_zifencei_zicntr");
  EXPECT_EQ(string_prop(fdt, "/cpus/cpu@0", "mmu-type"), "riscv,sv39");
  EXPECT_EQ(string_prop(fdt, "/cpus/cpu@0/interrupt-controller", "compatible"), "riscv,cpu-intc");
  EXPECT_EQ(u32_prop(fdt, "/cpus", "timebase-frequency"), c.timebase_hz);
  EXPECT_EQ(string_prop(fdt, "/memory@80000000", "device_type"), "memory");
  EXPECT_EQ(u32_prop(fdt, "/memory@80000000", "reg", 1), 0x80000000u);
  EXPECT_EQ(u32_prop(fdt, "/memory@80000000", "reg", 3), 256u << 20);
  EXPECT_EQ(string_prop(fdt, "/chosen", "bootargs"), c.cmdline);
  EXPECT_EQ(string_prop(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000");
}

TEST(DeviceTree, HasPlatformDevicesWiredToThePlic) {
  auto dtb = build_device_tree(sample_config(), {});
  const void* fdt = dtb.data();
  EXPECT_GE(fdt_node_offset_by_compatible(fdt, -1, "riscv,clint0"), 0);
  int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
  ASSERT_GE(plic, 0);
  std::uint32_t plic_phandle = fdt_get_phandle(fdt, plic);
  EXPECT_NE(plic_phandle, 0u);
  EXPECT_EQ(u32_prop(fdt, "/soc/plic@c000000", "riscv,ndev"), 31u);
  EXPECT_EQ(string_prop(fdt, "/soc/serial@10000000", "compatible"), "ns16550a");
  EXPECT_EQ(u32_prop(fdt, "/soc/serial@10000000", "interrupts"), 10u);
  EXPECT_EQ(u32_prop(fdt, "/soc/serial@10000000", "interrupt-parent"), plic_phandle);
  EXPECT_EQ(string_prop(fdt, "/soc/test@100000", "compatible"), "sifive,test1");
  EXPECT_EQ(string_prop(fdt, "/poweroff", "compatible"), "syscon-poweroff");
  EXPECT_EQ(u32_prop(fdt, "/poweroff", "value"), 0x5555u);
  EXPECT_EQ(string_prop(fdt, "/reboot", "compatible"), "syscon-reboot");
  EXPECT_EQ(u32_prop(fdt, "/reboot", "value"), 0x7777u);
  int test = fdt_path_offset(fdt, "/soc/test@100000");
  EXPECT_EQ(u32_prop(fdt, "/poweroff", "regmap"), fdt_get_phandle(fdt, test));
}

TEST(DeviceTree, OneVirtioNodePerConfiguredDevice) {
  auto dtb = build_device_tree(sample_config(), {});
  const void* fdt = dtb.data();
  EXPECT_EQ(string_prop(fdt, "/soc/virtio_mmio@10001000", "compatible"), "virtio,mmio");
  EXPECT_EQ(u32_prop(fdt, "/soc/virtio_mmio@10001000", "interrupts"), 1u);
  EXPECT_EQ(u32_prop(fdt, "/soc/virtio_mmio@10002000", "interrupts"), 2u);
  EXPECT_LT(fdt_path_offset(fdt, "/soc/virtio_mmio@10003000"), 0);
}

TEST(DeviceTree, InitrdRangeInChosen) {
  auto dtb = build_device_tree(sample_config(), {0x8f000000, 0x8f123456});
  const void* fdt = dtb.data();
  int chosen = fdt_path_offset(fdt, "/chosen");
  ASSERT_GE(chosen, 0);
  int len = 0;
  const auto* start = static_cast<const fdt64_t*>(fdt_getprop(fdt, chosen, "linux,initrd-start", &len));
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(fdt64_ld(start), 0x8f000000u);
  const auto* end = static_cast<const fdt64_t*>(fdt_getprop(fdt, chosen, "linux,initrd-end", &len));
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(fdt64_ld(end), 0x8f123456u);
}

TEST(DeviceTree, NoInitrdPropertiesWithoutInitrd) {
  auto dtb = build_device_tree(sample_config(), {});
  int chosen = fdt_path_offset(dtb.data(), "/chosen");
  EXPECT_EQ(fdt_getprop(dtb.data(), chosen, "linux,initrd-start", nullptr), nullptr);
}

TEST(DeviceTree, LongCommandLineFits) {
  MachineConfig c = sample_config();
  c.cmdline.assign(100000, 'x');
  auto dtb = build_device_tree(c, {});
  EXPECT_EQ(fdt_check_full(dtb.data(), dtb.size()), 0);
  EXPECT_EQ(string_prop(dtb.data(), "/chosen", "bootargs").size(), 100000u);
}

}  // namespace
}  // namespace ftvm::machine
