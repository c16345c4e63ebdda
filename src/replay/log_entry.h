#pragma once
// One log entry: an instruction count plus a typed payload. The first four
// payload types mirror machine::Input one to one; checkpoints carry the
// machine's state hash so a replayer can prove it has not diverged, and the
// end marker says a recording was closed on purpose rather than cut off.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "machine/core/instret.h"
#include "machine/core/io.h"

namespace ftvm::replay {

// Wire tags (three bits in the encoding). Never renumber: they are part of
// the format; a new type takes a new number and a new format version.
enum class EntryKind : std::uint8_t {
  kTime = 1,
  kDeviceData = 2,
  kCompletion = 3,
  kIrq = 4,
  kCheckpoint = 5,
  kEnd = 6,
};

// Bounds every reader enforces, so a hostile length never allocates much.
inline constexpr std::size_t kMaxEntryDataBytes = std::size_t{1} << 20;  // 1 MiB per entry
inline constexpr std::size_t kMaxCheckpointExtraWords = 16;

// A flat record rather than a std::variant: it mirrors machine::Input, and
// GCC 12 warns falsely about moving variants that hold vectors, which would
// break every -Werror build that stores entries. Each kind uses only the
// fields listed below; the others must stay zero/empty (the encoder refuses
// an entry that sets them, so decode(encode(e)) == e always holds). The
// named constructors build well-formed entries.
struct LogEntry {
  machine::Instret instret = 0;
  EntryKind kind = EntryKind::kTime;
  // kDeviceData, kCompletion: device slot. kIrq: PLIC source number.
  std::uint32_t device = 0;
  // kTime: mtime. kCompletion: request tag. kCheckpoint: state hash.
  std::uint64_t value = 0;
  // kCompletion: 0 ok / device error code. kIrq: line level.
  std::uint32_t status = 0;
  // kDeviceData, kCompletion: data (at most kMaxEntryDataBytes).
  std::vector<std::uint8_t> bytes;
  // kCheckpoint: optional extra words such as pc (at most kMaxCheckpointExtraWords).
  std::vector<std::uint64_t> words;

  static LogEntry time(machine::Instret instret, std::uint64_t mtime);
  static LogEntry device_data(machine::Instret instret, std::uint32_t device, std::vector<std::uint8_t> bytes);
  static LogEntry completion(machine::Instret instret, std::uint32_t device, std::uint64_t tag, std::uint32_t status,
                             std::vector<std::uint8_t> bytes);
  static LogEntry irq(machine::Instret instret, std::uint32_t source, std::uint32_t level);
  static LogEntry checkpoint(machine::Instret instret, std::uint64_t state_hash,
                             std::vector<std::uint64_t> extra = {});
  static LogEntry end(machine::Instret instret);

  bool operator==(const LogEntry&) const = default;
};

// An entry with its position in the log (0 for the first entry). The FT
// channel acknowledges by sequence number.
struct SequencedEntry {
  std::uint64_t sequence = 0;
  LogEntry entry;
  bool operator==(const SequencedEntry&) const = default;
};

std::string_view to_string(EntryKind kind);

// The fields of an Input that its kind does not use are not logged (see
// io.h), so input_from_entry(entry_from_input(n, in)) equals `in` with those
// fields zeroed.
LogEntry entry_from_input(machine::Instret instret, const machine::Input& input);
// nullopt for checkpoints and the end marker, which are not guest inputs.
std::optional<machine::Input> input_from_entry(const LogEntry& entry);

}  // namespace ftvm::replay
