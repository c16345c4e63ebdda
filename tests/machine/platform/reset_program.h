#pragma once
// A bare-metal guest that reboots itself once, for the warm-reset tests.
// Nothing in RAM survives a reset, so it tells its boots apart by the one
// thing that does: guest time. It records what it sees in RAM at the
// addresses below (offsets from the RAM base) and on the console.
//
//   every boot:  print 'A' + (boot marker at kMarker; 0 on a fresh RAM),
//                set the marker, note the boot time (mtime) and the guest's
//                minstret; then read mtime in a loop, storing it and a count
//                (so the state depends on every Time input), until mtime
//                reaches kFirstDeadline (boot before it) or kSecondDeadline
//                (boot after it);
//   first boot:  scribble on a far page, then reset through the finisher;
//   second boot: power off cleanly.
#include <cstdint>
#include <vector>

#include "machine/core/machine_config.h"
#include "rv_asm.h"

namespace ftvm::machine::reset_program {

// The guest's variables live on their own page: stores to the page the code
// is on would make the decode cache drop it every time (self-modifying code).
inline constexpr std::uint64_t kData = 0x1000;
inline constexpr std::uint64_t kMarker = kData + 0x00;
inline constexpr std::uint64_t kBootTime = kData + 0x08;
inline constexpr std::uint64_t kBootMinstret = kData + 0x10;
inline constexpr std::uint64_t kLastTime = kData + 0x18;
inline constexpr std::uint64_t kLoops = kData + 0x20;
inline constexpr std::uint64_t kFarPage = kData + 0x10'0000;  // past 1 MiB: no boot image there
inline constexpr std::uint32_t kFirstDeadlinePages = 4;   // mtime 0x4000
inline constexpr std::uint32_t kSecondDeadlinePages = 8;  // mtime 0x8000

namespace detail {
using namespace rv;
inline constexpr std::uint32_t a2 = 12, a3 = 13;
inline std::uint32_t branch(std::uint32_t f3, std::uint32_t rs1, std::uint32_t rs2, std::int32_t offset) {
  return beq(rs1, rs2, offset) | (f3 << 12);
}
inline std::uint32_t bltu(std::uint32_t rs1, std::uint32_t rs2, std::int32_t off) { return branch(6, rs1, rs2, off); }
inline std::uint32_t add(std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
  return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33;
}
}  // namespace detail

inline std::vector<std::uint32_t> words() {
  using namespace rv;
  using namespace detail;
  auto off = [](std::uint64_t o) { return static_cast<std::int32_t>(o - kData); };
  return {
      /*  0 */ auipc(t2, 0), lui(t0, kData >> 12), add(t2, t2, t0),  // t2 = the data page
      /* 12 */ lui(t0, 0x10000),                                      // UART
      /* 16 */ ld(t1, t2, off(kMarker)),
      /* 20 */ addi(t1, t1, 'A'), sb(t1, t0, 0),
      /* 28 */ addi(t1, zero, 1), sd(t1, t2, off(kMarker)),
      /* 36 */ lui(a0, 0x200c), ld(a1, a0, -8),  // a1 = mtime at boot
      /* 44 */ sd(a1, t2, off(kBootTime)),
      /* 48 */ csrrs(t1, 0xb02, zero), sd(t1, t2, off(kBootMinstret)),
      // deadline a2: the first one for a boot before it, else the second
      /* 56 */ lui(a2, kFirstDeadlinePages), bltu(a1, a2, 8), lui(a2, kSecondDeadlinePages),
      // loop: store mtime and a count until mtime reaches the deadline
      /* 68 */ ld(t1, a0, -8), sd(t1, t2, off(kLastTime)), addi(a3, a3, 1), sd(a3, t2, off(kLoops)),
      /* 84 */ bltu(t1, a2, -16),
      // first boot (booted before the first deadline): scribble far away, reset
      /* 88 */ lui(a2, kFirstDeadlinePages), bltu(a1, a2, 24),
      /* 96 */ lui(t0, 0x100), lui(t1, 0x5), addi(t1, t1, 0x555), sw(t1, t0, 0), jal(zero, 0),
      /* 116 */ lui(t1, (kFarPage - kData) >> 12), add(t1, t1, t2), sd(t2, t1, 0),
      /* 128 */ lui(t0, 0x100), lui(t1, 0x7), addi(t1, t1, 0x777), sw(t1, t0, 0), jal(zero, 0),
  };
}

inline MachineConfig config() {
  MachineConfig c;
  c.ram_size = 8ull << 20;
  c.firmware = rv::program(words());
  return c;
}

}  // namespace ftvm::machine::reset_program
