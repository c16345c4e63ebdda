#pragma once
// The input boundary. Everything that enters the guest from outside is an
// Input applied at an instruction count; everything the guest sends out is an
// Output. The machine never reads host state any other way, so it is a
// deterministic function of (initial state, stamped inputs).
#include <cstdint>
#include <string_view>
#include <vector>

#include "machine/core/instret.h"

namespace ftvm::machine {

enum class InputKind : std::uint8_t {
  // A sample of the host clock in mtime ticks; the virtual clock moves
  // forward to it (never backward). value = mtime.
  kTime = 1,
  // Bytes a device receives from outside: a network frame, console keys.
  // device = slot, bytes = payload.
  kDeviceData = 2,
  // A device request finished on the host: disk read/write/flush, entropy.
  // device = slot, value = request tag, status = 0 ok / device error code,
  // bytes = data read (disk read, entropy).
  kCompletion = 3,
  // An external interrupt line changed level (for devices whose logic lives
  // on the host). device = PLIC source number, status = level.
  kIrq = 4,
};

struct Input {
  InputKind kind = InputKind::kTime;
  std::uint32_t device = 0;
  std::uint64_t value = 0;
  std::uint32_t status = 0;
  std::vector<std::uint8_t> bytes;
};

enum class OutputKind : std::uint8_t {
  kNetFrame = 1,     // bytes = Ethernet frame
  kConsole = 2,      // bytes = console characters
  kDiskRead = 3,     // tag, offset, length
  kDiskWrite = 4,    // tag, offset, bytes
  kDiskFlush = 5,    // tag
  kDiskDiscard = 6,  // tag, offset, length (also write-zeroes)
  kEntropyRequest = 7,  // tag, length
  kPowerOff = 8,     // value in offset: exit code (0 = clean poweroff)
  kReset = 9,
};

// Produced deterministically by the guest; the host decides what to do with it
// (send it, hold it behind the output gate, or drop it on a backup).
struct Output {
  OutputKind kind = OutputKind::kConsole;
  std::uint32_t device = 0;  // device slot
  Instret instret = 0;       // count at which the guest produced it
  std::uint64_t tag = 0;     // request tag, echoed by the completion Input
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::vector<std::uint8_t> bytes;
};

// Devices append outputs here; the host drains it after each run slice.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void emit(Output out) = 0;
};

std::string_view to_string(InputKind k);
std::string_view to_string(OutputKind k);

}  // namespace ftvm::machine
