#pragma once
// The CSR values of one hart: plain data, hashed field by field.
#include <array>
#include <cstdint>

#include "machine/core/state_hasher.h"
#include "machine/cpu/csr_defs.h"

namespace ftvm::machine::cpu {

struct CsrState {
  std::uint64_t mstatus = mstatus::kResetValue;  // SD is derived from FS when read
  std::uint64_t medeleg = 0, mideleg = 0, mie = 0;
  // mip is split: bits software wrote (SSIP, STIP, SEIP) and levels of the
  // lines devices drive (MEIP, SEIP, MTIP, MSIP). The effective mip ORs them.
  std::uint64_t mip_software = 0, mip_lines = 0;
  std::uint64_t mtvec = 0, mcounteren = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  std::uint64_t menvcfg = 0, mcountinhibit = 0;
  std::uint64_t stvec = 0, scounteren = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0, senvcfg = 0;
  std::uint64_t satp = 0;
  std::uint8_t fflags = 0, frm = 0;
  std::array<std::uint64_t, 2> pmpcfg{};  // pmpcfg0 (entries 0-7) and pmpcfg2 (8-15)
  std::array<std::uint64_t, 16> pmpaddr{};
  // Guest-visible mcycle/minstret = host instret + offset, or the frozen value
  // while mcountinhibit stops the counter.
  std::uint64_t mcycle_offset = 0, minstret_offset = 0;
  std::uint64_t mcycle_frozen = 0, minstret_frozen = 0;

  std::uint64_t mip() const { return mip_software | mip_lines; }

  void hash(StateHasher& h) const {
    h.label("csr");
    for (std::uint64_t v : {mstatus, medeleg, mideleg, mie, mip_software, mip_lines, mtvec, mcounteren, mscratch,
                            mepc, mcause, mtval, menvcfg, mcountinhibit, stvec, scounteren, sscratch, sepc, scause,
                            stval, senvcfg, satp, mcycle_offset, minstret_offset, mcycle_frozen, minstret_frozen})
      h.value(v);
    h.value(fflags);
    h.value(frm);
    for (std::uint64_t v : pmpcfg) h.value(v);
    for (std::uint64_t v : pmpaddr) h.value(v);
  }
};

}  // namespace ftvm::machine::cpu
