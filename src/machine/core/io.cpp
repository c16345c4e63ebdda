#include "machine/core/io.h"

namespace ftvm::machine {

std::string_view to_string(InputKind k) {
  switch (k) {
    case InputKind::kTime: return "time";
    case InputKind::kDeviceData: return "device-data";
    case InputKind::kCompletion: return "completion";
    case InputKind::kIrq: return "irq";
  }
  return "unknown";
}

std::string_view to_string(OutputKind k) {
  switch (k) {
    case OutputKind::kNetFrame: return "net-frame";
    case OutputKind::kConsole: return "console";
    case OutputKind::kDiskRead: return "disk-read";
    case OutputKind::kDiskWrite: return "disk-write";
    case OutputKind::kDiskFlush: return "disk-flush";
    case OutputKind::kDiskDiscard: return "disk-discard";
    case OutputKind::kEntropyRequest: return "entropy-request";
    case OutputKind::kPowerOff: return "power-off";
    case OutputKind::kReset: return "reset";
  }
  return "unknown";
}

}  // namespace ftvm::machine
