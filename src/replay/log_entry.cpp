#include "replay/log_entry.h"

#include <string>

#include "machine/core/error.h"

namespace ftvm::replay {
LogEntry LogEntry::time(machine::Instret instret, std::uint64_t mtime) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kTime;
  e.value = mtime;
  return e;
}

LogEntry LogEntry::device_data(machine::Instret instret, std::uint32_t device, std::vector<std::uint8_t> bytes) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kDeviceData;
  e.device = device;
  e.bytes = std::move(bytes);
  return e;
}

LogEntry LogEntry::completion(machine::Instret instret, std::uint32_t device, std::uint64_t tag,
                              std::uint32_t status, std::vector<std::uint8_t> bytes) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kCompletion;
  e.device = device;
  e.value = tag;
  e.status = status;
  e.bytes = std::move(bytes);
  return e;
}

LogEntry LogEntry::irq(machine::Instret instret, std::uint32_t source, std::uint32_t level) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kIrq;
  e.device = source;
  e.status = level;
  return e;
}

LogEntry LogEntry::checkpoint(machine::Instret instret, std::uint64_t state_hash, std::vector<std::uint64_t> extra) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kCheckpoint;
  e.value = state_hash;
  e.words = std::move(extra);
  return e;
}

LogEntry LogEntry::end(machine::Instret instret) {
  LogEntry e;
  e.instret = instret;
  e.kind = EntryKind::kEnd;
  return e;
}

std::string_view to_string(EntryKind kind) {
  switch (kind) {
    case EntryKind::kTime: return "time";
    case EntryKind::kDeviceData: return "device-data";
    case EntryKind::kCompletion: return "completion";
    case EntryKind::kIrq: return "irq";
    case EntryKind::kCheckpoint: return "checkpoint";
    case EntryKind::kEnd: return "end";
  }
  return "unknown";
}

LogEntry entry_from_input(machine::Instret instret, const machine::Input& input) {
  using machine::InputKind;
  switch (input.kind) {
    case InputKind::kTime: return LogEntry::time(instret, input.value);
    case InputKind::kDeviceData: return LogEntry::device_data(instret, input.device, input.bytes);
    case InputKind::kCompletion:
      return LogEntry::completion(instret, input.device, input.value, input.status, input.bytes);
    case InputKind::kIrq: return LogEntry::irq(instret, input.device, input.status);
  }
  throw Error("cannot log an input of unknown kind " + std::to_string(static_cast<unsigned>(input.kind)));
}

std::optional<machine::Input> input_from_entry(const LogEntry& entry) {
  using machine::Input;
  using machine::InputKind;
  switch (entry.kind) {
    case EntryKind::kTime: return Input{InputKind::kTime, 0, entry.value, 0, {}};
    case EntryKind::kDeviceData: return Input{InputKind::kDeviceData, entry.device, 0, 0, entry.bytes};
    case EntryKind::kCompletion:
      return Input{InputKind::kCompletion, entry.device, entry.value, entry.status, entry.bytes};
    case EntryKind::kIrq: return Input{InputKind::kIrq, entry.device, 0, entry.status, {}};
    case EntryKind::kCheckpoint:
    case EntryKind::kEnd: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ftvm::replay
