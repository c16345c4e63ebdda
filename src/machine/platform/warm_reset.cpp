// The machine's warm reset: what a power cycle does to the computer, minus
// the clock. The guest's reboot request (SiFive test finisher) lands here.
// Instret keeps counting and guest time keeps running, so the inputs of the
// next boot are stamped on the same time line as those of the previous one:
// a recording or an FT pair continues across the reboot without knowing.
#include <cstdint>
#include <cstring>

#include "machine/platform/machine_impl.h"

namespace ftvm::machine {

namespace {

// Word-wise with no early exit: vectorises, and a page is 4 KiB.
bool page_is_zero(const std::uint8_t* page) {
  std::uint64_t any = 0;
  for (std::uint64_t off = 0; off < kPageSize; off += sizeof any) {
    std::uint64_t word;
    std::memcpy(&word, page + off, sizeof word);
    any |= word;
  }
  return any == 0;
}

// Zeroes every page that is not zero already. Pages the guest never touched
// are left alone, so the host does not back all of RAM with memory just to
// write zeros over zeros. Writes go through note_write: decoded code on the
// page is dropped and dirty tracking (live clone) sees the change.
void clear_ram(GuestRam& ram) {
  for (std::uint64_t page = 0; page < ram.page_count(); ++page) {
    const std::uint64_t gpa = ram.base() + (page << kPageShift);
    std::uint8_t* host = ram.host_ptr(gpa, kPageSize);
    if (page_is_zero(host)) continue;
    std::memset(host, 0, kPageSize);
    ram.note_write(gpa, kPageSize);
  }
}

}  // namespace

void Machine::Impl::warm_reset() {
  ++resets_;
  // Devices first: each drops its interrupt line and its requests (tags keep
  // counting, so late completions are recognised and ignored). The PLIC goes
  // last so it sees the lowered lines.
  for (auto& dev : virtio_) dev->power_on_reset();
  uart_.power_on_reset();
  finisher_.power_on_reset();
  clint_.power_on_reset();
  plic_.power_on_reset();
  clear_ram(ram_);
  // Reloads the images, then the hart: power-on registers at the firmware
  // entry, every decoded block and TLB entry dropped; its host count goes on.
  boot();
}

}  // namespace ftvm::machine
