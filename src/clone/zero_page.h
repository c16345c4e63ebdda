#pragma once
// Whether a 4 KiB page is all zero, cheaply: most of a fresh guest's RAM is,
// and such pages travel as a few bytes of a zero run instead of 4 KiB.
#include <cstdint>
#include <cstring>

#include "machine/core/guest_ram.h"

namespace ftvm::clone {

inline bool is_zero_page(const std::uint8_t* page) {
  // The first word is zero and every byte equals the one 8 before it: then
  // every byte is zero. memcmp runs this at memory speed.
  std::uint64_t first = 0;
  std::memcpy(&first, page, sizeof first);
  return first == 0 && std::memcmp(page, page + 8, machine::kPageSize - 8) == 0;
}

}  // namespace ftvm::clone
