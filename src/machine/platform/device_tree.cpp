#include "machine/platform/device_tree.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <initializer_list>
#include <string>

#include "machine/core/error.h"
#include "machine/devices/plic.h"
#include "machine/devices/uart16550.h"
#include "machine/devices/virtio_mmio.h"

namespace ftvm::machine {

namespace {

constexpr std::uint32_t kCpuIntcPhandle = 1;
constexpr std::uint32_t kPlicPhandle = 2;
constexpr std::uint32_t kTestPhandle = 3;
constexpr std::uint32_t kUartClockHz = 3'686'400;
// mip bit numbers for interrupts-extended.
constexpr std::uint32_t kIrqMSoft = 3, kIrqMTimer = 7, kIrqSExt = 9, kIrqMExt = 11;

// Sequential FDT writer that turns libfdt error codes into exceptions.
class FdtWriter {
 public:
  explicit FdtWriter(std::vector<std::uint8_t>& buf) : buf_(buf) {
    check(fdt_create(buf_.data(), static_cast<int>(buf_.size())), "create");
    check(fdt_finish_reservemap(buf_.data()), "reserve map");
  }
  void begin(const std::string& name) { check(fdt_begin_node(buf_.data(), name.c_str()), name.c_str()); }
  void end() { check(fdt_end_node(buf_.data()), "end node"); }
  void finish() { check(fdt_finish(buf_.data()), "finish"); }

  void prop_empty(const char* name) { check(fdt_property(buf_.data(), name, nullptr, 0), name); }
  void prop_string(const char* name, const std::string& v) { check(fdt_property_string(buf_.data(), name, v.c_str()), name); }
  // A string list: NUL-separated strings.
  void prop_strings(const char* name, std::initializer_list<const char*> list) {
    std::string joined;
    for (const char* s : list) {
      joined += s;
      joined.push_back('\0');
    }
    check(fdt_property(buf_.data(), name, joined.data(), static_cast<int>(joined.size())), name);
  }
  void prop_u32(const char* name, std::uint32_t v) { check(fdt_property_u32(buf_.data(), name, v), name); }
  void prop_u64(const char* name, std::uint64_t v) { check(fdt_property_u64(buf_.data(), name, v), name); }
  // A list of 32-bit cells.
  void prop_cells(const char* name, std::initializer_list<std::uint32_t> cells) {
    std::vector<fdt32_t> be;
    for (std::uint32_t c : cells) be.push_back(cpu_to_fdt32(c));
    check(fdt_property(buf_.data(), name, be.data(), static_cast<int>(be.size() * sizeof(fdt32_t))), name);
  }
  // A reg entry with 2 address cells and 2 size cells.
  void prop_reg(std::uint64_t base, std::uint64_t size) {
    prop_cells("reg", {hi(base), lo(base), hi(size), lo(size)});
  }

  static std::uint32_t hi(std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); }
  static std::uint32_t lo(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

 private:
  static void check(int rc, const char* what) {
    if (rc < 0) throw Error(std::string("device tree: ") + what + ": " + fdt_strerror(rc));
  }
  std::vector<std::uint8_t>& buf_;
};

std::string hex_name(const char* node, std::uint64_t addr) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s@%llx", node, static_cast<unsigned long long>(addr));
  return buf;
}

void write_cpus(FdtWriter& w, const MachineConfig& config) {
  w.begin("cpus");
  w.prop_u32("#address-cells", 1);
  w.prop_u32("#size-cells", 0);
  w.prop_u32("timebase-frequency", static_cast<std::uint32_t>(config.timebase_hz));
  w.begin("cpu@0");
  w.prop_string("device_type", "cpu");
  w.prop_u32("reg", 0);
  w.prop_string("status", "okay");
  w.prop_string("compatible", "riscv");
  w.prop_string("riscv,isa", "rv64imafdc_zicsr_zifencei_zicntr");
  w.prop_string("riscv,isa-base", "rv64i");
  w.prop_strings("riscv,isa-extensions", {"i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "zicntr"});
  w.prop_string("mmu-type", "riscv,sv39");
  w.begin("interrupt-controller");
  w.prop_u32("#interrupt-cells", 1);
  w.prop_u32("#address-cells", 0);
  w.prop_empty("interrupt-controller");
  w.prop_string("compatible", "riscv,cpu-intc");
  w.prop_u32("phandle", kCpuIntcPhandle);
  w.end();
  w.end();
  w.end();
}

void write_soc(FdtWriter& w, const MachineConfig& config) {
  w.begin("soc");
  w.prop_u32("#address-cells", 2);
  w.prop_u32("#size-cells", 2);
  w.prop_string("compatible", "simple-bus");
  w.prop_empty("ranges");

  w.begin(hex_name("clint", layout::kClint));
  w.prop_strings("compatible", {"sifive,clint0", "riscv,clint0"});
  w.prop_reg(layout::kClint, layout::kClintSize);
  w.prop_cells("interrupts-extended", {kCpuIntcPhandle, kIrqMSoft, kCpuIntcPhandle, kIrqMTimer});
  w.end();

  w.begin(hex_name("plic", layout::kPlic));
  w.prop_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  w.prop_reg(layout::kPlic, layout::kPlicSize);
  w.prop_u32("#interrupt-cells", 1);
  w.prop_u32("#address-cells", 0);
  w.prop_empty("interrupt-controller");
  w.prop_u32("riscv,ndev", Plic::kSources - 1);
  w.prop_cells("interrupts-extended", {kCpuIntcPhandle, kIrqMExt, kCpuIntcPhandle, kIrqSExt});
  w.prop_u32("phandle", kPlicPhandle);
  w.end();

  w.begin(hex_name("serial", layout::kUart));
  w.prop_string("compatible", "ns16550a");
  w.prop_reg(layout::kUart, Uart16550::kWindowSize);
  w.prop_u32("clock-frequency", kUartClockHz);
  w.prop_u32("interrupts", layout::kUartIrq);
  w.prop_u32("interrupt-parent", kPlicPhandle);
  w.end();

  w.begin(hex_name("test", layout::kTestFinisher));
  w.prop_strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  w.prop_reg(layout::kTestFinisher, 0x1000);
  w.prop_u32("phandle", kTestPhandle);
  w.end();

  for (std::size_t i = 0; i < config.virtio.size(); ++i) {
    std::uint64_t base = layout::kVirtioBase + i * layout::kVirtioStride;
    w.begin(hex_name("virtio_mmio", base));
    w.prop_string("compatible", "virtio,mmio");
    w.prop_reg(base, VirtioMmio::kWindowSize);
    w.prop_u32("interrupts", static_cast<std::uint32_t>(layout::kVirtioIrqBase + i));
    w.prop_u32("interrupt-parent", kPlicPhandle);
    w.end();
  }
  w.end();
}

void write_power_nodes(FdtWriter& w) {
  w.begin("poweroff");
  w.prop_string("compatible", "syscon-poweroff");
  w.prop_u32("regmap", kTestPhandle);
  w.prop_u32("offset", 0);
  w.prop_u32("value", 0x5555);
  w.end();
  w.begin("reboot");
  w.prop_string("compatible", "syscon-reboot");
  w.prop_u32("regmap", kTestPhandle);
  w.prop_u32("offset", 0);
  w.prop_u32("value", 0x7777);
  w.end();
}

void write_chosen(FdtWriter& w, const MachineConfig& config, const DeviceTreeExtras& extras) {
  w.begin("chosen");
  w.prop_string("bootargs", config.cmdline);
  w.prop_string("stdout-path", "/soc/" + hex_name("serial", layout::kUart));
  if (extras.initrd_end > extras.initrd_start) {
    w.prop_u64("linux,initrd-start", extras.initrd_start);
    w.prop_u64("linux,initrd-end", extras.initrd_end);
  }
  w.end();
}

void write_tree(FdtWriter& w, const MachineConfig& config, const DeviceTreeExtras& extras) {
  w.begin("");
  w.prop_u32("#address-cells", 2);
  w.prop_u32("#size-cells", 2);
  w.prop_strings("compatible", {"ftvm,virt", "riscv-virtio"});
  w.prop_string("model", "ftvm virt");
  write_chosen(w, config, extras);
  w.begin(hex_name("memory", layout::kRamBase));
  w.prop_string("device_type", "memory");
  w.prop_reg(layout::kRamBase, config.ram_size);
  w.end();
  write_cpus(w, config);
  write_soc(w, config);
  write_power_nodes(w);
  w.end();
  w.finish();
}

}  // namespace

std::vector<std::uint8_t> build_device_tree(const MachineConfig& config, const DeviceTreeExtras& extras) {
  if (config.timebase_hz == 0 || config.timebase_hz > UINT32_MAX)
    throw Error("timebase frequency must be between 1 Hz and 4294967295 Hz");
  // The fixed part of the tree needs a few KiB; the command line comes on top.
  std::vector<std::uint8_t> buf(16 * 1024 + config.cmdline.size(), 0);
  FdtWriter w(buf);
  write_tree(w, config, extras);
  buf.resize(fdt_totalsize(buf.data()));
  return buf;
}

}  // namespace ftvm::machine
