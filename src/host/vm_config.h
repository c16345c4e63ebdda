#pragma once
// What `ftvm run` boots, from vm.toml and/or command-line flags:
//
//   [machine]
//   mem = "512M"                # K/M/G suffix, or plain bytes
//   firmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
//   kernel = "vmlinux.bin"      # raw Image
//   initrd = "initrd.img"
//   append = "console=ttyS0 root=/dev/vda"
//   [[disk]]
//   path = "disk.img"           # or: nbd = "nbd://host:10809/export"
//   read_only = false
//   [[net]]
//   switch = "/run/ftvm/switch.sock"   # or: tap = "tap0"
//   mac = "52:54:00:12:34:56"
//   [rng]                        # present: the guest gets a virtio-rng
//
// Every unknown key or bad value is one Error naming the key.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/mac_address.h"
#include "net/open_net.h"
#include "machine/core/machine_config.h"

namespace ftvm::host {

inline constexpr const char* kDefaultFirmware = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

struct DiskSpec {
  std::string source;  // a file path or an nbd:// / nbd+unix:// URI
  bool read_only = false;
};

struct NetSpec {
  net::NetBackendKind kind = net::NetBackendKind::kSwitch;
  std::string where;  // switch socket path or tap interface name
  std::optional<net::MacAddress> mac;
};

struct VmConfig {
  std::uint64_t mem_bytes = 512ull << 20;
  std::string firmware = kDefaultFirmware;
  std::string kernel;
  std::string initrd;
  std::string append;
  std::vector<DiskSpec> disks;
  std::vector<NetSpec> nets;
  bool rng = false;
  machine::ExecutionEngine engine = machine::ExecutionEngine::kTranslator;
};

// "512M", "2G", "65536", "64K" -> bytes; nullopt when malformed or zero.
std::optional<std::uint64_t> parse_size(const std::string& text);

// Parses vm.toml text; `origin` names it in errors (usually the path).
VmConfig parse_vm_config(const std::string& text, const std::string& origin);
// Reads and parses a file; a missing file is an Error naming it.
VmConfig load_vm_config(const std::string& path);

// Command-line forms: --disk PATH|URI[,ro]  --net switch:PATH|tap:IF[,mac=MAC]
DiskSpec parse_disk_flag(const std::string& flag);
NetSpec parse_net_flag(const std::string& flag);

}  // namespace ftvm::host
