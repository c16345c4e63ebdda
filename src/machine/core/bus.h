#pragma once
// The physical address space: RAM plus MMIO windows. The CPU goes straight to
// RAM on its fast path; everything else is routed here.
#include <cstdint>
#include <vector>

#include "machine/core/device.h"
#include "machine/core/guest_ram.h"

namespace ftvm::machine {

class Bus {
 public:
  explicit Bus(GuestRam& ram) : ram_(ram) {}

  GuestRam& ram() { return ram_; }
  const GuestRam& ram() const { return ram_; }

  // Windows must not overlap each other or RAM (checked; throws Error).
  void map(std::uint64_t base, std::uint64_t size, Device& dev);

  struct Window {
    std::uint64_t base;
    std::uint64_t size;
    Device* device;
  };
  // The window holding [addr, addr+len), or nullptr.
  const Window* find(std::uint64_t addr, unsigned len) const;
  const std::vector<Window>& windows() const { return windows_; }

  // MMIO access; false when no device claims the address (access fault).
  bool mmio_read(std::uint64_t addr, unsigned size, std::uint64_t& value);
  bool mmio_write(std::uint64_t addr, unsigned size, std::uint64_t value);

 private:
  GuestRam& ram_;
  std::vector<Window> windows_;
};

}  // namespace ftvm::machine
