#pragma once
// Which fault-tolerant pair a node belongs to. A pair is one VM name plus a
// generation that grows each time a new backup is started; the test-and-set
// key is derived from both, so a stale node from an older generation can never
// race the current pair for the right to go live.
#include <cstdint>
#include <string>

namespace ftvm::ft {

struct PairId {
  std::string vm_name;
  std::uint64_t generation = 0;

  bool operator==(const PairId&) const = default;
};

// Longest VM name the wire format carries.
inline constexpr std::size_t kMaxVmNameBytes = 255;

// Throws ftvm::Error when the name is empty or too long.
void validate_pair_id(const PairId& pair);

// "name/generation": the key both members of the pair race for. The
// generation is last and purely numeric, so no two pairs share a key.
std::string tas_key(const PairId& pair);

}  // namespace ftvm::ft
