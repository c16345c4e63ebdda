#pragma once
// A machine's state split into section hashes, so that a replay that
// diverges can say *what* differs (the hart, a device, which part of RAM)
// and not only that something does. A checkpoint log entry carries the
// combined hash plus these words.
#include <cstdint>
#include <string>
#include <vector>

#include "machine/platform/machine.h"

namespace ftvm::replay {

struct StateDigest {
  static constexpr std::size_t kRamRegions = 8;

  std::uint64_t pc = 0;
  std::uint64_t hart = 0;     // registers, CSRs, privilege, reservation
  std::uint64_t devices = 0;  // clock, PLIC, CLINT, UART, finisher, virtio
  std::uint64_t ram[kRamRegions] = {};

  // One hash of all sections: the checkpoint's state hash.
  std::uint64_t combined() const;
  // The checkpoint's extra words, and back (false when the count is wrong).
  std::vector<std::uint64_t> words() const;
  static bool from_words(const std::vector<std::uint64_t>& words, StateDigest& out);

  // Human-readable list of differences, e.g.
  // "pc 0x80201234 != 0x80201238; hart registers/CSRs; RAM 0x84000000-0x87ffffff".
  std::string diff(const StateDigest& replayed, std::uint64_t ram_base, std::uint64_t ram_size) const;
  bool operator==(const StateDigest&) const = default;
};

StateDigest digest(machine::Machine& m);

// Hash of everything that defines a machine before it runs (RAM size, clock
// rates, image bytes, command line, devices): a log recorded for another
// configuration is refused at open.
std::uint64_t config_hash(const machine::MachineConfig& config);

}  // namespace ftvm::replay
