#include "machine/core/bus.h"

#include <algorithm>
#include <string>

#include "machine/core/error.h"

namespace ftvm::machine {

namespace {
bool overlaps(std::uint64_t a, std::uint64_t alen, std::uint64_t b, std::uint64_t blen) {
  return a < b + blen && b < a + alen;
}
}  // namespace

void Bus::map(std::uint64_t base, std::uint64_t size, Device& dev) {
  if (size == 0 || base + size < base) throw Error("bad MMIO window for " + std::string(dev.name()));
  if (overlaps(base, size, ram_.base(), ram_.size()))
    throw Error("MMIO window of " + std::string(dev.name()) + " overlaps RAM");
  for (const auto& w : windows_)
    if (overlaps(base, size, w.base, w.size))
      throw Error("MMIO window of " + std::string(dev.name()) + " overlaps " + std::string(w.device->name()));
  windows_.push_back({base, size, &dev});
  std::sort(windows_.begin(), windows_.end(), [](const Window& a, const Window& b) { return a.base < b.base; });
}

const Bus::Window* Bus::find(std::uint64_t addr, unsigned len) const {
  for (const auto& w : windows_)
    if (addr >= w.base && addr - w.base < w.size && len <= w.size - (addr - w.base)) return &w;
  return nullptr;
}

bool Bus::mmio_read(std::uint64_t addr, unsigned size, std::uint64_t& value) {
  const Window* w = find(addr, size);
  if (!w) return false;
  value = w->device->mmio_read(addr - w->base, size);
  return true;
}

bool Bus::mmio_write(std::uint64_t addr, unsigned size, std::uint64_t value) {
  const Window* w = find(addr, size);
  if (!w) return false;
  w->device->mmio_write(addr - w->base, size, value);
  return true;
}

}  // namespace ftvm::machine
