#include "machine/core/guest_ram.h"

#include <sys/mman.h>

#include <cstring>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

GuestRam::GuestRam(std::uint64_t base, std::uint64_t size) : base_(base), size_(size) {
  if (size == 0 || (size & (kPageSize - 1)) != 0)
    throw Error("guest RAM size must be a non-zero multiple of 4 KiB");
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw Error("cannot reserve " + std::to_string(size >> 20) + " MiB of guest RAM");
  mem_ = static_cast<std::uint8_t*>(p);
  code_.assign(page_count(), 0);
  dirty_.assign(page_count(), 0);
}

GuestRam::~GuestRam() {
  if (mem_) munmap(mem_, size_);
}

bool GuestRam::read(std::uint64_t gpa, void* dst, std::size_t len) const {
  if (!contains(gpa, len)) return false;
  std::memcpy(dst, mem_ + (gpa - base_), len);
  return true;
}

bool GuestRam::write(std::uint64_t gpa, const void* src, std::size_t len) {
  if (!contains(gpa, len)) return false;
  std::memcpy(mem_ + (gpa - base_), src, len);
  if (len) note_write(gpa, len);
  return true;
}

void GuestRam::clear_all_code_pages() { std::fill(code_.begin(), code_.end(), 0); }

void GuestRam::code_page_written(std::uint64_t page_index) {
  if (code_write_hook_) code_write_hook_(page_index);
  code_[page_index] = 0;
}

void GuestRam::set_dirty_tracking(bool on) {
  track_dirty_ = on;
  if (on) std::fill(dirty_.begin(), dirty_.end(), 0);
}

std::vector<std::uint64_t> GuestRam::take_dirty_pages() {
  std::vector<std::uint64_t> pages;
  for (std::uint64_t p = 0; p < dirty_.size(); ++p)
    if (dirty_[p]) {
      pages.push_back(p);
      dirty_[p] = 0;
    }
  return pages;
}

}  // namespace ftvm::machine
