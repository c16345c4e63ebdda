// CSR reads and writes: access rules (privilege from the number, read-only
// space, FS, counter enables, TVM) and each register's WARL behaviour.
#include "machine/cpu/engine.h"

namespace ftvm::machine {

using namespace cpu;

namespace {

using u64 = std::uint64_t;

bool in(unsigned num, unsigned lo, unsigned hi) { return num >= lo && num <= hi; }

// One pmpcfg byte: bits 5-6 are reserved, W without R is reserved (W is
// dropped), and a locked entry ignores writes.
std::uint8_t pmpcfg_byte(std::uint8_t old, std::uint8_t wanted) {
  if (old & 0x80) return old;
  wanted &= 0x9f;
  if ((wanted & 3) == 2) wanted &= static_cast<std::uint8_t>(~2);
  return wanted;
}

constexpr u64 kPmpaddrMask = (1ull << 54) - 1;  // 56-bit physical addresses, 4-byte grain
constexpr u64 kSatpModeShift = 60;
constexpr u64 kSatpWritable = (0xffffull << 44) | ((1ull << 44) - 1);  // ASID and PPN
constexpr u64 kEnvcfgWritable = 1;                                     // FIOM only
constexpr u64 kCountinhibitWritable = ~2ull & 0xffffffffull;           // TM is read-only zero
constexpr unsigned kCycleBit = 0, kInstretBit = 2;

}  // namespace

u64 Hart::Engine::csr_peek(unsigned num) const {
  const CsrState& c = csr;
  u64 status = c.mstatus | (((c.mstatus & mstatus::kFs) == mstatus::kFsDirty) ? mstatus::kSd : 0);
  switch (num) {
    case csrn::kFflags: return c.fflags;
    case csrn::kFrm: return c.frm;
    case csrn::kFcsr: return (static_cast<u64>(c.frm) << 5) | c.fflags;
    case csrn::kCycle:
    case csrn::kMcycle: return guest_counter(c.mcycle_offset, c.mcycle_frozen, kCycleBit);
    case csrn::kInstret:
    case csrn::kMinstret: return guest_counter(c.minstret_offset, c.minstret_frozen, kInstretBit);
    case csrn::kTime: return clock.mtime(instret);
    case csrn::kSstatus: return status & mstatus::kSstatusView;
    case csrn::kSie: return c.mie & c.mideleg;
    case csrn::kStvec: return c.stvec;
    case csrn::kScounteren: return c.scounteren;
    case csrn::kSenvcfg: return c.senvcfg;
    case csrn::kSscratch: return c.sscratch;
    case csrn::kSepc: return c.sepc;
    case csrn::kScause: return c.scause;
    case csrn::kStval: return c.stval;
    case csrn::kSip: return c.mip() & c.mideleg;
    case csrn::kSatp: return c.satp;
    case csrn::kMstatus: return status;
    case csrn::kMisa: return kMisa;
    case csrn::kMedeleg: return c.medeleg;
    case csrn::kMideleg: return c.mideleg;
    case csrn::kMie: return c.mie;
    case csrn::kMtvec: return c.mtvec;
    case csrn::kMcounteren: return c.mcounteren;
    case csrn::kMenvcfg: return c.menvcfg;
    case csrn::kMcountinhibit: return c.mcountinhibit;
    case csrn::kMscratch: return c.mscratch;
    case csrn::kMepc: return c.mepc;
    case csrn::kMcause: return c.mcause;
    case csrn::kMtval: return c.mtval;
    case csrn::kMip: return c.mip();
    case csrn::kPmpcfg0: return c.pmpcfg[0];
    case csrn::kPmpcfg2: return c.pmpcfg[1];
    default: break;
  }
  if (in(num, csrn::kPmpaddr0, csrn::kPmpaddr15)) return c.pmpaddr[num - csrn::kPmpaddr0];
  return 0;  // ID registers, hpm counters and events, unknown numbers
}

// True for every CSR this hart implements.
static bool csr_exists(unsigned num) {
  switch (num) {
    case csrn::kFflags: case csrn::kFrm: case csrn::kFcsr: case csrn::kCycle: case csrn::kTime:
    case csrn::kInstret: case csrn::kSstatus: case csrn::kSie: case csrn::kStvec: case csrn::kScounteren:
    case csrn::kSenvcfg: case csrn::kSscratch: case csrn::kSepc: case csrn::kScause: case csrn::kStval:
    case csrn::kSip: case csrn::kSatp: case csrn::kMvendorid: case csrn::kMarchid: case csrn::kMimpid:
    case csrn::kMhartid: case csrn::kMconfigptr: case csrn::kMstatus: case csrn::kMisa: case csrn::kMedeleg:
    case csrn::kMideleg: case csrn::kMie: case csrn::kMtvec: case csrn::kMcounteren: case csrn::kMenvcfg:
    case csrn::kMcountinhibit: case csrn::kMscratch: case csrn::kMepc: case csrn::kMcause: case csrn::kMtval:
    case csrn::kMip: case csrn::kPmpcfg0: case csrn::kPmpcfg2: case csrn::kMcycle: case csrn::kMinstret:
      return true;
    default:
      return in(num, csrn::kPmpaddr0, csrn::kPmpaddr15) || in(num, csrn::kHpmcounter3, csrn::kHpmcounter31) ||
             in(num, csrn::kMhpmcounter3, csrn::kMhpmcounter31) || in(num, csrn::kMhpmevent3, csrn::kMhpmevent31);
  }
}

bool Hart::Engine::csr_read(unsigned num, u64& value) const {
  if (!csr_exists(num) || priv < ((num >> 8) & 3)) return false;
  if (num <= csrn::kFcsr && !fp_enabled()) return false;
  if (in(num, csrn::kCycle, csrn::kHpmcounter31)) {
    unsigned bit = num - csrn::kCycle;
    if (priv < kPrivM && !((csr.mcounteren >> bit) & 1)) return false;
    if (priv == kPrivU && !((csr.scounteren >> bit) & 1)) return false;
  }
  if (num == csrn::kSatp && priv == kPrivS && (csr.mstatus & mstatus::kTvm)) return false;
  value = csr_peek(num);
  return true;
}

bool Hart::Engine::csr_write(unsigned num, u64 v) {
  u64 ignored = 0;
  if ((num >> 10) == 3 || !csr_read(num, ignored)) return false;  // read-only space, or not accessible
  CsrState& c = csr;
  switch (num) {
    case csrn::kFflags:
      c.fflags = v & 0x1f;
      mark_fp_dirty();
      return true;
    case csrn::kFrm:
      c.frm = v & 7;
      mark_fp_dirty();
      return true;
    case csrn::kFcsr:
      c.fflags = v & 0x1f;
      c.frm = (v >> 5) & 7;
      mark_fp_dirty();
      return true;
    case csrn::kSstatus:
      v = (c.mstatus & ~mstatus::kSstatusWritable) | (v & mstatus::kSstatusWritable);
      [[fallthrough]];
    case csrn::kMstatus: {
      u64 next = (c.mstatus & ~mstatus::kWritable) | (v & mstatus::kWritable);
      if (((next >> mstatus::kMppShift) & 3) == 2) next = (next & ~mstatus::kMpp) | (c.mstatus & mstatus::kMpp);
      if ((next ^ c.mstatus) & mstatus::kMxr) tlb.flush_all();
      c.mstatus = next;
      update_contexts();
      return true;
    }
    case csrn::kSie: c.mie = (c.mie & ~c.mideleg) | (v & c.mideleg & kMieWritable); return true;
    case csrn::kStvec: c.stvec = v & ~2ull; return true;
    case csrn::kScounteren: c.scounteren = v & 0xffffffff; return true;
    case csrn::kSenvcfg: c.senvcfg = v & kEnvcfgWritable; return true;
    case csrn::kSscratch: c.sscratch = v; return true;
    case csrn::kSepc: c.sepc = v & ~1ull; return true;
    case csrn::kScause: c.scause = v; return true;
    case csrn::kStval: c.stval = v; return true;
    case csrn::kSip: {  // only SSIP, and only when delegated
      u64 mask = c.mideleg & (1ull << 1);
      c.mip_software = (c.mip_software & ~mask) | (v & mask);
      return true;
    }
    case csrn::kSatp: {
      u64 mode = v >> kSatpModeShift;
      if (mode != 0 && mode != 8 && mode != 9) return true;  // unsupported mode: the write is ignored
      c.satp = (mode << kSatpModeShift) | (v & kSatpWritable);
      tlb.flush_all();
      update_contexts();
      return true;
    }
    case csrn::kMedeleg: c.medeleg = v & kMedelegWritable; return true;
    case csrn::kMideleg: c.mideleg = v & kMidelegWritable; return true;
    case csrn::kMie: c.mie = v & kMieWritable; return true;
    case csrn::kMtvec: c.mtvec = v & ~2ull; return true;
    case csrn::kMcounteren: c.mcounteren = v & 0xffffffff; return true;
    case csrn::kMenvcfg: c.menvcfg = v & kEnvcfgWritable; return true;
    case csrn::kMcountinhibit: {
      u64 next = v & kCountinhibitWritable;
      // Freeze or resume the guest counters at their current values.
      u64 cycle = guest_counter(c.mcycle_offset, c.mcycle_frozen, kCycleBit);
      u64 inst = guest_counter(c.minstret_offset, c.minstret_frozen, kInstretBit);
      c.mcountinhibit = next;
      c.mcycle_frozen = cycle;
      c.minstret_frozen = inst;
      c.mcycle_offset = cycle - instret;
      c.minstret_offset = inst - instret;
      return true;
    }
    case csrn::kMscratch: c.mscratch = v; return true;
    case csrn::kMepc: c.mepc = v & ~1ull; return true;
    case csrn::kMcause: c.mcause = v; return true;
    case csrn::kMtval: c.mtval = v; return true;
    case csrn::kMip:
      c.mip_software = (c.mip_software & ~kMipSoftwareWritable) | (v & kMipSoftwareWritable);
      return true;
    case csrn::kMcycle:
      // The writing instruction's own retirement is not added to the value.
      c.mcycle_frozen = v;
      c.mcycle_offset = v - (instret + 1);
      return true;
    case csrn::kMinstret:
      c.minstret_frozen = v;
      c.minstret_offset = v - (instret + 1);
      return true;
    case csrn::kPmpcfg0:
    case csrn::kPmpcfg2: {
      u64& reg = c.pmpcfg[num == csrn::kPmpcfg0 ? 0 : 1];
      u64 next = 0;
      for (unsigned i = 0; i < 8; ++i) {
        auto old = static_cast<std::uint8_t>(reg >> (8 * i));
        auto wanted = static_cast<std::uint8_t>(v >> (8 * i));
        next |= static_cast<u64>(pmpcfg_byte(old, wanted)) << (8 * i);
      }
      reg = next;
      return true;
    }
    default: break;
  }
  if (in(num, csrn::kPmpaddr0, csrn::kPmpaddr15)) {
    unsigned i = num - csrn::kPmpaddr0;
    auto cfg = [&](unsigned k) { return static_cast<std::uint8_t>(c.pmpcfg[k / 8] >> (8 * (k % 8))); };
    bool locked = cfg(i) & 0x80;
    // A locked TOR entry above also locks this address (its lower bound).
    if (i + 1 < 16 && (cfg(i + 1) & 0x80) && ((cfg(i + 1) >> 3) & 3) == 1) locked = true;
    if (!locked) c.pmpaddr[i] = v & kPmpaddrMask;
    return true;
  }
  return true;  // hpm counters and events: writable, read as zero
}

}  // namespace ftvm::machine
