#pragma once
// The JIT engine's block translator: turns a straight-line run of decoded ops
// (from a start slot up to a jump, the end of the page or a length cap) into
// x86-64 code.
//
// Contract with the dispatch loop (engine.cpp), chosen so that the guest
// cannot tell it from the interpreter:
//  - A block is entered only at an instruction boundary, with pc at its first
//    instruction. It first checks that all of its instructions fit below the
//    run's limit; if not it returns kBudgetShort without doing anything and the
//    interpreter, which stops exactly at the limit, runs the block instead.
//  - Guest registers stay in Engine::x; pc and instret are written back
//    exactly (pc of the next instruction, one count per retired instruction)
//    at every exit and before every call into a handler.
//  - Integer ALU ops, branches, jumps and TLB-hit loads/stores are native.
//    Everything else, and every TLB miss, calls the interpreter's handler for
//    that op; the block goes on only if the handler returned the next op in
//    sequence (what the interpreter's loop would run next) and no code page
//    was written meanwhile (Engine::code_epoch), otherwise it returns.
//  - A branch back to the block's own start re-checks the budget and loops
//    without leaving native code (the interpreter's inner loop does not look
//    at anything else between instructions either).
//  - Other exits chain into the block already translated at the new pc when
//    the dispatch loop would do nothing else first: no event, no interrupt
//    re-check, no stop request, a fetch-TLB hit (same check as
//    Engine::lookup_fetch). The chained block checks its own budget.
#include <cstdint>
#include <memory>

#include "machine/cpu/code_arena.h"
#include "machine/cpu/decode_cache.h"

namespace ftvm::machine::cpu {

// What a block returns.
inline constexpr std::uint32_t kBlockDone = 0;
inline constexpr std::uint32_t kBudgetShort = 1;  // nothing done: interpret instead

class Translator {
 public:
  explicit Translator(Engine& engine);
  ~Translator();
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // False when the host gave no executable memory: do not use.
  bool usable() const { return arena_.valid(); }
  // Whether the arena must be emptied (with every translation) before the
  // next translate() can be sure to fit.
  bool nearly_full() const;
  void clear() { arena_.clear(); }

  // Translates the block starting at `slot` of `page` (decoding its slots as
  // needed); nullptr when not even the first instruction can be translated
  // (a 4-byte instruction straddling the page end).
  NativeCode translate(DecodedPage& page, unsigned slot);

 private:
  class Emitter;
  Engine& engine_;
  CodeArena arena_;
  std::size_t prologue_bytes_ = 0;  // see Emitter::prologue_bytes
};

}  // namespace ftvm::machine::cpu
