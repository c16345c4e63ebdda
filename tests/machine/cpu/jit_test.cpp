// The JIT engine against the interpreter (the reference): random straight-line
// and looping programs run on both, sliced at awkward limits, must leave
// identical state after every slice; plus the cases where translated code
// must notice what the interpreter notices (code written mid-block, TLB
// misses, MMIO, traps).
#include <cstdint>
#include <vector>

#include "hart_fixture.h"
#include "machine/cpu/csr_defs.h"

namespace ftvm::machine::test_asm {
namespace {

// Deterministic generator for the test programs (fixed seeds).
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  std::uint32_t next(std::uint32_t bound) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state_ >> 33) % bound;
  }

 private:
  std::uint64_t state_;
};

constexpr std::uint64_t kData = kRamBase + 0x10000;  // s0 points here

// A hart with its own RAM and a recording device, on a given engine.
struct Rig {
  explicit Rig(EngineKind kind) {
    bus.map(kDeviceBase, 0x1000, device);
    hart.set_engine(kind);
    hart.reset(kRamBase);
  }
  std::uint64_t digest() const {
    StateHasher h;
    hart.hash_state(h);
    h.bytes(ram.data() + (kData - kRamBase) - 4096, 3 * 4096);  // what the programs store to
    return h.digest();
  }
  GuestRam ram{kRamBase, kRamSize};
  Bus bus{ram};
  VirtualClock clock{100};
  Hart hart{bus, clock};
  RecordingDevice device;
};

// Registers the random code may write (never s0, s1: data pointer, counter).
constexpr unsigned kScratchRegs[] = {a0, a1, a2, a3, a4, a5, t0, t1, t2, t3};

unsigned pick_reg(Lcg& rng) { return kScratchRegs[rng.next(std::size(kScratchRegs))]; }

// One random instruction that never leaves the straight line: ALU ops of every
// translated kind and some that are called out, loads/stores around s0
// (aligned, misaligned, crossing into the next page), reads of instret.
std::uint32_t random_insn(Lcg& rng) {
  unsigned rd = pick_reg(rng), r1 = pick_reg(rng), r2 = pick_reg(rng);
  int imm = static_cast<int>(rng.next(4096)) - 2048;
  int off = static_cast<int>(rng.next(64)) * 8 - 256 + (rng.next(8) == 0 ? 3 : 0);
  switch (rng.next(30)) {
    case 0: return add(rd, r1, r2);
    case 1: return sub(rd, r1, r2);
    case 2: return sll(rd, r1, r2);
    case 3: return slt(rd, r1, r2);
    case 4: return sltu(rd, r1, r2);
    case 5: return sra(rd, r1, r2);
    case 6: return mul(rd, r1, r2);
    case 7: return mulh(rd, r1, r2);
    case 8: return divu(rd, r1, r2);
    case 9: return addw(rd, r1, r2);
    case 10: return subw(rd, r1, r2);
    case 11: return sraw(rd, r1, r2);
    case 12: return mulw(rd, r1, r2);
    case 13: return addi(rd, r1, imm);
    case 14: return xori(rd, r1, imm);
    case 15: return ori(rd, r1, imm);
    case 16: return andi(rd, r1, imm);
    case 17: return slti(rd, r1, imm);
    case 18: return sltiu(rd, r1, imm);
    case 19: return slli(rd, r1, imm & 63);
    case 20: return srai(rd, r1, imm & 63);
    case 21: return addiw(rd, r1, imm);
    case 22: return slliw(rd, r1, imm & 31);
    case 23: return lui(rd, imm << 12);
    case 24: return auipc(rd, imm << 12);
    case 25: return ld(rd, s0, off);
    case 26: return (rng.next(2) != 0 ? lw(rd, s0, off) : lbu(rd, s0, off));
    case 27: return (rng.next(2) != 0 ? sd(r2, s0, off) : sh(r2, s0, off));
    case 28: return csrr(rd, cpu::csrn::kMinstret);
    default: return addi(zero, r1, imm);  // a nop with operands
  }
}

// s1 iterations of a random body with forward branches over random
// instructions, then a call through jalr to a random leaf, then loop.
Program random_program(std::uint64_t seed) {
  Lcg rng(seed);
  Program p;
  p.li(s0, kData);
  p << addi(s1, zero, 40);
  std::size_t loop_start = p.size();
  for (int i = 0; i < 60; ++i) {
    if (rng.next(6) == 0) {
      unsigned skip = 1 + rng.next(3);
      static constexpr u32 (*kBranches[])(unsigned, unsigned, int) = {beq, bne, blt, bgeu};
      p << kBranches[rng.next(4)](pick_reg(rng), pick_reg(rng), static_cast<int>(4 * (skip + 1)));
      for (unsigned k = 0; k < skip; ++k) p << random_insn(rng);
    } else {
      p << random_insn(rng);
    }
  }
  p << addi(s1, s1, -1);
  p << bne(s1, zero, -static_cast<int>(p.size() - loop_start));
  p << kWfi;
  return p;
}

void expect_same_in_slices(const Program& p, const std::vector<Instret>& slices) {
  Rig interp(EngineKind::kInterpreter), jit(EngineKind::kJit);
  ASSERT_EQ(jit.hart.engine(), EngineKind::kJit);
  for (Rig* r : {&interp, &jit}) ASSERT_TRUE(r->ram.write(kRamBase, p.bytes().data(), p.size()));
  Instret limit = 0;
  for (std::size_t i = 0; i < 400; ++i) {
    limit += slices[i % slices.size()];
    HartStop a = interp.hart.run(limit);
    HartStop b = jit.hart.run(limit);
    ASSERT_EQ(a, b) << "slice " << i;
    ASSERT_EQ(interp.hart.instret(), jit.hart.instret()) << "slice " << i;
    ASSERT_EQ(interp.hart.pc(), jit.hart.pc()) << "slice " << i;
    ASSERT_EQ(interp.digest(), jit.digest()) << "slice " << i;
    if (a == HartStop::kWfi) return;
  }
}

TEST(JitTest, RandomProgramsMatchTheInterpreterInEverySlice) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    expect_same_in_slices(random_program(seed), {1, 3, 17, 64, 2, 101, 9});
  }
}

TEST(JitTest, RandomProgramsMatchTheInterpreterInLongRuns) {
  for (std::uint64_t seed = 100; seed <= 105; ++seed) {
    SCOPED_TRACE(seed);
    expect_same_in_slices(random_program(seed), {5000});
  }
}

// A loop that crosses a page boundary with a 4-byte instruction straddling
// it (never translated: interpreted alone) and blocks chained across pages.
TEST(JitTest, LoopAcrossAPageBoundaryMatchesTheInterpreter) {
  Program p;
  p << jal(zero, 0xfe0);
  while (p.size() < 0xfe0) p << addi(zero, zero, 0);
  p << addi(s1, zero, 25);
  p.c(0x0001);  // c.nop: the following 4-byte instructions sit at 2 mod 4
  const std::size_t loop = p.size();
  for (int i = 0; i < 12; ++i) p << addi(a0, a0, i + 1) << xori(a1, a0, i);
  p << addi(s1, s1, -1) << bne(s1, zero, -static_cast<int>(p.size() - loop)) << kWfi;
  ASSERT_LT(loop, 0x1000u);
  ASSERT_GT(p.size(), 0x1000u);
  expect_same_in_slices(p, {1, 7, 13, 50, 3});
  expect_same_in_slices(p, {100000});
}

TEST(JitTest, SelectingTheEngineIsReported) {
  Rig r(EngineKind::kJit);
  EXPECT_EQ(r.hart.engine(), EngineKind::kJit);
  r.hart.set_engine(EngineKind::kInterpreter);
  EXPECT_EQ(r.hart.engine(), EngineKind::kInterpreter);
}

// The loop's own body is rewritten by an AMO (which the interpreter follows
// at once, without fence.i): the translated block must drop its stale copy
// right after the AMO, exactly where the interpreter switches.
TEST(JitTest, CodeWrittenInsideTheRunningBlockTakesEffectAtOnce) {
  const std::uint32_t replacement = addi(a2, a2, 100);
  // li is always 10 instructions: the loop starts at 84 and the doubleword
  // the AMO rewrites ("addi a2,a2,1; addi a1,a1,-1") at 88, 8-aligned.
  constexpr std::uint64_t kTarget = kRamBase + 88;
  Program p;
  p.li(s0, kTarget);
  p.li(t0, (static_cast<std::uint64_t>(addi(a1, a1, -1)) << 32) | replacement);
  p << addi(a1, zero, 3);
  ASSERT_EQ(p.size(), 84u);
  p << amoswap_d(zero, s0, t0) << addi(a2, a2, 1) << addi(a1, a1, -1) << bne(a1, zero, -12) << kWfi;
  for (EngineKind kind : {EngineKind::kInterpreter, EngineKind::kJit}) {
    Rig r(kind);
    ASSERT_TRUE(r.ram.write(kRamBase, p.bytes().data(), p.size()));
    EXPECT_EQ(r.hart.run(1000), HartStop::kWfi);
    EXPECT_EQ(r.hart.xreg(a2), 300u) << "every iteration runs the rewritten instruction";
  }
}

// Code replaced from outside (DMA-like GuestRam::write) between two runs of a
// translated loop: the next run executes the new code.
TEST(JitTest, CodeWrittenBetweenRunsIsRetranslated) {
  Rig r(EngineKind::kJit);
  Program p;
  p << addi(a0, a0, 1) << jal(zero, -4);
  ASSERT_TRUE(r.ram.write(kRamBase, p.bytes().data(), p.size()));
  r.hart.run(1000);
  EXPECT_EQ(r.hart.xreg(a0), 500u);
  std::uint32_t by_ten = addi(a0, a0, 10);
  ASSERT_TRUE(r.ram.write(kRamBase, &by_ten, 4));
  r.hart.run(2000);
  EXPECT_EQ(r.hart.xreg(a0), 500u + 500u * 10);
}

// An MMIO store in the middle of a translated block ends run() with kEvent
// right after it retires, like the interpreter.
TEST(JitTest, MmioStoreInsideABlockEndsTheRun) {
  Rig r(EngineKind::kJit);
  Program p;
  p.li(s0, kDeviceBase);
  p << addi(a0, zero, 7) << sw(a0, s0, 8) << addi(a1, zero, 1) << kWfi;
  ASSERT_TRUE(r.ram.write(kRamBase, p.bytes().data(), p.size()));
  EXPECT_EQ(r.hart.run(1000), HartStop::kEvent);
  EXPECT_EQ(r.hart.instret(), 12u);  // li (10), addi, sw
  ASSERT_EQ(r.device.writes.size(), 1u);
  EXPECT_EQ(r.device.writes[0].value, 7u);
  EXPECT_EQ(r.hart.xreg(a1), 0u);
}

// A load that faults inside a block traps with the faulting instruction not
// retired and everything before it retired.
TEST(JitTest, FaultingLoadInsideABlockTrapsPrecisely) {
  Rig r(EngineKind::kJit);
  Program p;
  p.li(t0, kRamBase + 0x100);
  p << csrw(cpu::csrn::kMtvec, t0) << addi(a0, zero, 1) << addi(a1, zero, 2);
  const std::uint64_t load_at = kRamBase + p.size();
  p << ld(a2, zero, 0) << addi(a3, zero, 3);
  Program handler;
  handler << kWfi;
  ASSERT_TRUE(r.ram.write(kRamBase, p.bytes().data(), p.size()));
  ASSERT_TRUE(r.ram.write(kRamBase + 0x100, handler.bytes().data(), handler.size()));
  EXPECT_EQ(r.hart.run(1000), HartStop::kWfi);
  EXPECT_EQ(r.hart.instret(), 14u);  // li, csrw, 2 x addi, the handler's wfi; not the load
  EXPECT_EQ(r.hart.csr(cpu::csrn::kMepc), load_at);
  EXPECT_EQ(r.hart.csr(cpu::csrn::kMcause), cpu::cause::kLoadAccess);
  EXPECT_EQ(r.hart.xreg(a1), 2u);
  EXPECT_EQ(r.hart.xreg(a3), 0u);
}

}  // namespace
}  // namespace ftvm::machine::test_asm
