#pragma once
// The clone protocol's messages (docs in clone_sender.h). The sender sends
// Hello, then Pages and RoundEnd messages round by round, then Final; the
// receiver answers with one Verdict. Encoding is pure (no I/O); every
// decoder check names what is wrong.
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "machine/core/guest_ram.h"
#include "machine/core/instret.h"

namespace ftvm::clone {

inline constexpr std::uint32_t kCloneProtocolVersion = 1;
// The Final pages travel in Pages messages marked with this round.
inline constexpr std::uint32_t kFinalRound = 0xffff'ffff;
inline constexpr std::size_t kMaxVerdictText = 1024;

struct Hello {
  std::uint32_t version = kCloneProtocolVersion;
  std::uint64_t config_hash = 0;  // replay::config_hash of the source's config
  std::uint64_t ram_size = 0;
  std::uint64_t page_size = machine::kPageSize;
  machine::Instret start_instret = 0;  // informational: where pre-copy began
  bool operator==(const Hello&) const = default;
};

// A run of pages that are all zero, or one page of data.
struct ZeroRun {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  bool operator==(const ZeroRun&) const = default;
};
struct DataPage {
  std::uint64_t index = 0;
  std::vector<std::uint8_t> bytes;  // exactly kPageSize
  bool operator==(const DataPage&) const = default;
};
using PageEntry = std::variant<ZeroRun, DataPage>;

struct Pages {
  std::uint32_t round = 0;  // 0 = the full copy, k = k-th re-copy, kFinalRound
  std::vector<PageEntry> entries;
  bool operator==(const Pages&) const = default;
};

struct RoundEnd {
  std::uint32_t round = 0;
  std::uint64_t pages = 0;  // pages (zero or not) the round carried
  bool operator==(const RoundEnd&) const = default;
};

struct Final {
  machine::Instret instret = 0;
  std::uint64_t state_hash = 0;           // replay::StateDigest::combined() at instret
  std::vector<std::uint64_t> digest;      // replay::StateDigest::words()
  std::vector<std::uint8_t> state;        // Machine::save_state
  bool operator==(const Final&) const = default;
};

struct Verdict {
  bool ok = false;
  machine::Instret instret = 0;
  std::uint64_t state_hash = 0;  // the verified digest's combined hash
  std::string message;  // why not, when !ok (at most kMaxVerdictText bytes)
  bool operator==(const Verdict&) const = default;
};

using CloneMessage = std::variant<Hello, Pages, RoundEnd, Final, Verdict>;

// One framed message.
std::vector<std::uint8_t> encode_message(const CloneMessage& message);
// Appends a framed Pages message whose data pages are read straight from
// `ram_pages` (page index -> pointer to kPageSize bytes), without copies.
struct PageRef {
  std::uint64_t first = 0;
  std::uint64_t count = 0;            // > 1 only for zero runs
  const std::uint8_t* data = nullptr;  // nullptr: a zero run
};
void append_pages_message(std::vector<std::uint8_t>& out, std::uint32_t round, std::span<const PageRef> pages);

// Decodes a frame's payload. Throws CloneError naming the problem (unknown
// type, short or long payload, a page of the wrong size, text too long).
CloneMessage decode_message(std::uint8_t type, std::span<const std::uint8_t> payload);

std::string message_name(const CloneMessage& message);

}  // namespace ftvm::clone
