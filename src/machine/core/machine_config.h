#pragma once
// Everything that defines a machine before it runs. The host reads files and
// fills this in; the machine itself never opens a file.
#include <cstdint>
#include <string>
#include <vector>

namespace ftvm::machine {

// The "virt" memory map that OpenSBI and Linux know.
namespace layout {
inline constexpr std::uint64_t kTestFinisher = 0x0010'0000;  // SiFive test device: poweroff/reset
inline constexpr std::uint64_t kClint = 0x0200'0000;
inline constexpr std::uint64_t kClintSize = 0x1'0000;
inline constexpr std::uint64_t kPlic = 0x0c00'0000;
inline constexpr std::uint64_t kPlicSize = 0x60'0000;
inline constexpr std::uint64_t kUart = 0x1000'0000;
inline constexpr unsigned kUartIrq = 10;
inline constexpr std::uint64_t kVirtioBase = 0x1000'1000;   // slot i at base + i*0x1000
inline constexpr std::uint64_t kVirtioStride = 0x1000;
inline constexpr unsigned kVirtioIrqBase = 1;                // slot i uses PLIC source 1+i
inline constexpr unsigned kVirtioMaxSlots = 8;
inline constexpr std::uint64_t kRamBase = 0x8000'0000;
inline constexpr std::uint64_t kKernelOffset = 0x20'0000;    // kernel at RAM + 2 MiB
}  // namespace layout

enum class VirtioKind { kBlock, kNet, kRng };

struct VirtioConfig {
  VirtioKind kind = VirtioKind::kBlock;
  std::uint64_t capacity_bytes = 0;  // block: disk size (multiple of 512)
  bool read_only = false;            // block
  std::uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // net
};

// How the hart executes: the translator to x86-64 (the default where the
// host allows it) or the interpreter, the reference. Guest-visible behaviour
// is identical, so the choice is in neither config_hash nor state_hash: a log
// recorded on one engine replays on the other.
enum class ExecutionEngine : std::uint8_t { kTranslator, kInterpreter };

struct MachineConfig {
  std::uint64_t ram_size = 512ull << 20;
  // Virtual clock: timebase frequency advertised to the guest, and how many
  // retired instructions make one tick between host Time inputs.
  std::uint64_t timebase_hz = 10'000'000;
  std::uint64_t instret_per_tick = 100;
  // Images, as bytes. firmware: raw binary or ELF, loaded at RAM base, entered
  // in M-mode. kernel: raw Image at RAM + 2 MiB (optional). initrd: placed
  // near the top of RAM (optional).
  std::vector<std::uint8_t> firmware;
  std::vector<std::uint8_t> kernel;
  std::vector<std::uint8_t> initrd;
  std::string cmdline;
  // virtio-mmio devices, slot i at layout::kVirtioBase + i*kVirtioStride.
  std::vector<VirtioConfig> virtio;
  ExecutionEngine engine = ExecutionEngine::kTranslator;
};

// Device slots used in Input/Output::device: the console UART is slot 0,
// virtio device i is slot 1+i.
inline constexpr std::uint32_t kConsoleSlot = 0;
inline constexpr std::uint32_t virtio_slot(std::size_t i) { return static_cast<std::uint32_t>(1 + i); }

}  // namespace ftvm::machine
