#include "clone/untouched_pages.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "machine/core/guest_ram.h"

namespace ftvm::clone {

namespace {

constexpr std::uint64_t kPresent = 1ull << 63;
constexpr std::uint64_t kSwapped = 1ull << 62;
constexpr std::uint64_t kEntriesPerRead = 4096;

}  // namespace

UntouchedPages::UntouchedPages() : pagemap_(::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) {}

void UntouchedPages::query(const std::uint8_t* base, std::uint64_t count, std::vector<std::uint8_t>& untouched) const {
  untouched.assign(count, 0);
  if (!pagemap_.valid()) return;
  const std::uint64_t first_vpage = reinterpret_cast<std::uintptr_t>(base) >> machine::kPageShift;
  std::vector<std::uint64_t> entries(kEntriesPerRead);
  for (std::uint64_t done = 0; done < count;) {
    const std::uint64_t n = std::min(kEntriesPerRead, count - done);
    const off_t offset = static_cast<off_t>((first_vpage + done) * sizeof(std::uint64_t));
    const ssize_t got = ::pread(pagemap_.get(), entries.data(), n * sizeof(std::uint64_t), offset);
    if (got != static_cast<ssize_t>(n * sizeof(std::uint64_t))) return;  // unknown: leave "may hold data"
    for (std::uint64_t i = 0; i < n; ++i) untouched[done + i] = (entries[i] & (kPresent | kSwapped)) == 0;
    done += n;
  }
}

void UntouchedPages::map_for_reading(const std::uint8_t* base, std::uint64_t count) {
#ifdef MADV_POPULATE_READ
  // The range is page aligned (guest RAM is one page-aligned mapping).
  ::madvise(const_cast<std::uint8_t*>(base), count << machine::kPageShift, MADV_POPULATE_READ);
#else
  (void)base;
  (void)count;
#endif
}

}  // namespace ftvm::clone
