#pragma once
// Which pages of a private anonymous mapping (guest RAM) were never touched,
// asked of the kernel (/proc/self/pagemap) instead of read: reading an
// untouched page costs a page fault, and most of a large guest's RAM is
// untouched. A page neither present nor swapped out reads as zero, so this
// only ever saves work; when pagemap cannot be read, no page is reported
// untouched and callers read every page as before.
#include <cstdint>
#include <vector>

#include "disk/unique_fd.h"

namespace ftvm::clone {

class UntouchedPages {
 public:
  UntouchedPages();
  // untouched[i] = 1 when page i of the `count` 4 KiB pages at `base` was
  // never touched (is zero); 0 when it may hold data.
  void query(const std::uint8_t* base, std::uint64_t count, std::vector<std::uint8_t>& untouched) const;
  // Maps the shared zero page under never-touched pages in one call, so a
  // later full read of RAM (the state digest, taken while the source is
  // paused) does not pay a page fault per page. Contents do not change; on
  // kernels without MADV_POPULATE_READ this does nothing.
  static void map_for_reading(const std::uint8_t* base, std::uint64_t count);

 private:
  disk::UniqueFd pagemap_;
};

}  // namespace ftvm::clone
