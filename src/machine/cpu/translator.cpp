// Block translation to x86-64 with Xbyak (see translator.h for the contract).
//
// Register use inside a block (all callee-saved, so handler calls keep them):
//   rbp  the Engine          r12  the run's instret limit
//   r13  the block's virtual start pc (code is position independent in the
//        guest address space: one physical page may be mapped at several
//        virtual addresses)
//   r14  Engine::code_epoch at entry
// rax, rcx, rdx are scratch.
#include "machine/cpu/translator.h"

#include <xbyak/xbyak.h>

#include <cstddef>
#include <vector>

#include "machine/cpu/engine.h"
#include "machine/cpu/op_kind.h"

namespace ftvm::machine::cpu {

namespace {

constexpr std::size_t kArenaBytes = 64u << 20;
// A block is at most this many instructions, so that its code has a bound.
constexpr unsigned kMaxBlockOps = 96;
// Worst-case code per instruction (a load or store with its miss call-out)
// plus the prologue and epilogue, with margin.
constexpr std::size_t kMaxBlockBytes = kMaxBlockOps * 192 + 512;

static_assert(sizeof(TlbEntry) == 16 && offsetof(TlbEntry, tag) == 0 && offsetof(TlbEntry, addend) == 8,
              "the inline TLB probe assumes this layout");
static_assert(sizeof(std::atomic<bool>) == 1 && sizeof(bool) == 1, "the chain stub reads these flags as bytes");
static_assert(sizeof(FetchTlbEntry) == 16 && offsetof(FetchTlbEntry, page) == 8, "the chain stub probes the fetch TLB");
static_assert(kTlbSets == 256, "the inline TLB probe masks the set index with 0xff");

std::size_t offset_in_page(const DecodedPage& page, const void* member) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(member) - reinterpret_cast<std::uintptr_t>(&page));
}

// Byte offset of an Engine member from the Engine itself.
std::size_t offset_in(const Engine& e, const void* member) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(member) - reinterpret_cast<std::uintptr_t>(&e));
}

unsigned access_size(OpKind k) {
  switch (k) {
    case OpKind::kLb: case OpKind::kLbu: case OpKind::kSb: return 1;
    case OpKind::kLh: case OpKind::kLhu: case OpKind::kSh: return 2;
    case OpKind::kLw: case OpKind::kLwu: case OpKind::kSw: return 4;
    default: return 8;
  }
}

bool is_load(OpKind k) { return k >= OpKind::kLb && k <= OpKind::kLwu; }
bool is_store(OpKind k) { return k >= OpKind::kSb && k <= OpKind::kSd; }
bool is_branch(OpKind k) { return k >= OpKind::kBeq && k <= OpKind::kBgeu; }
bool is_alu(OpKind k) { return k >= OpKind::kAdd && k <= OpKind::kMulw; }

struct Step {
  const Op* op;
  OpInfo info;
  std::int64_t offset;  // from the block start, in bytes
};

}  // namespace

class Translator::Emitter : public Xbyak::CodeGenerator {
 public:
  Emitter(Engine& e, std::uint8_t* buffer, std::size_t size)
      : Xbyak::CodeGenerator(size, buffer),
        x_(offset_in(e, e.x)),
        pc_(offset_in(e, &e.pc)),
        instret_(offset_in(e, &e.instret)),
        limit_(offset_in(e, &e.native_limit)),
        epoch_(offset_in(e, &e.code_epoch)),
        load_tlb_(offset_in(e, &e.load_tlb)),
        store_tlb_(offset_in(e, &e.store_tlb)),
        fetch_tlb_(offset_in(e, &e.fetch_tlb)),
        cur_page_(offset_in(e, &e.cur_page)),
        event_(offset_in(e, &e.event)),
        irq_check_(offset_in(e, &e.irq_check)),
        stop_(offset_in(e, &e.stop_requested_)) {}

  // Bytes from a block's entry to its budget check, where chained blocks
  // enter (the same for every block of one engine).
  std::size_t prologue_bytes() const { return prologue_bytes_; }

  void emit_block(const std::vector<Step>& steps, std::int64_t end_offset) {
    prologue(steps.size());
    unsigned pending = 0;  // instructions retired since instret was last written
    for (const Step& s : steps) {
      const OpKind k = s.info.kind;
      if (k == OpKind::kNop) {
        ++pending;
      } else if (is_alu(k) || k == OpKind::kLui || k == OpKind::kAuipc) {
        alu(s);
        ++pending;
      } else if (is_load(k) || is_store(k)) {
        memory(s, pending);
      } else if (is_branch(k)) {
        branch(s, pending);
      } else if (k == OpKind::kJal || k == OpKind::kJalr) {
        jump(s, pending);
        return epilogue();  // jumps end a block
      } else {
        call_handler(s, pending);
      }
    }
    sync(pending);
    set_pc(end_offset);
    jmp(chain_, T_NEAR);
    epilogue();
  }

 private:
  Xbyak::Address xreg(unsigned r) { return qword[rbp + (x_ + 8 * r)]; }
  Xbyak::Address xreg32(unsigned r) { return dword[rbp + (x_ + 8 * r)]; }

  void prologue(std::size_t ops) {
    push(rbp);
    push(rbx);
    push(r12);
    push(r13);
    push(r14);
    push(r15);
    sub(rsp, 8);  // 16-byte alignment for handler calls
    mov(rbp, rdi);
    mov(r12, qword[rbp + limit_]);
    mov(r13, qword[rbp + pc_]);
    mov(r14, qword[rbp + epoch_]);
    prologue_bytes_ = getSize();
    L(head_);
    mov(rax, qword[rbp + instret_]);
    add(rax, static_cast<std::uint32_t>(ops));
    cmp(rax, r12);
    ja(short_, T_NEAR);
  }

  void epilogue() {
    chain_stub();
    L(short_);
    mov(qword[rbp + pc_], r13);
    mov(eax, kBudgetShort);
    jmp(ret_, T_NEAR);
    L(exit_);
    mov(eax, kBlockDone);
    L(ret_);
    add(rsp, 8);
    pop(r15);
    pop(r14);
    pop(r13);
    pop(r12);
    pop(rbx);
    pop(rbp);
    ret();
  }

  void sync(unsigned& pending) {
    if (pending != 0) add(qword[rbp + instret_], pending);
    pending = 0;
  }
  void set_pc(std::int64_t offset) {
    lea(rax, ptr[r13 + static_cast<std::size_t>(offset)]);
    mov(qword[rbp + pc_], rax);
  }
  // Continues at `offset` from the block start: loops when that is the start
  // itself (instret already written), otherwise leaves with pc set.
  void go_to(std::int64_t offset) {
    if (offset == 0) {
      jmp(head_, T_NEAR);
    } else {
      set_pc(offset);
      jmp(chain_, T_NEAR);
    }
  }

  // Runs the op's interpreter handler exactly as the interpreter's loop would.
  void call_handler(const Step& s, unsigned& pending) {
    sync(pending);
    set_pc(s.offset);
    mov(rdi, rbp);
    mov(rsi, reinterpret_cast<std::uint64_t>(s.op));
    mov(rax, reinterpret_cast<std::uint64_t>(s.op->fn));
    call(rax);
    add(qword[rbp + instret_], 1);
    mov(rcx, reinterpret_cast<std::uint64_t>(s.op + (s.op->len >> 1)));
    cmp(rax, rcx);
    jne(exit_, T_NEAR);
    cmp(r14, qword[rbp + epoch_]);
    jne(exit_, T_NEAR);
  }

  void alu(const Step& s) {
    const Op& op = *s.op;
    const bool imm = s.info.immediate;
    const auto value = static_cast<std::uint32_t>(op.imm);
    switch (s.info.kind) {
      case OpKind::kLui:
        mov(xreg(op.rd), static_cast<std::uint64_t>(static_cast<std::int64_t>(op.imm)));
        return;
      case OpKind::kAuipc:
        pc_plus(s.offset + op.imm);
        mov(xreg(op.rd), rax);
        return;
      default: break;
    }
    mov(rax, xreg(op.rs1));
    switch (s.info.kind) {
      case OpKind::kAdd: imm ? add(rax, value) : add(rax, xreg(op.rs2)); break;
      case OpKind::kSub: sub(rax, xreg(op.rs2)); break;
      case OpKind::kXor: imm ? xor_(rax, value) : xor_(rax, xreg(op.rs2)); break;
      case OpKind::kOr: imm ? or_(rax, value) : or_(rax, xreg(op.rs2)); break;
      case OpKind::kAnd: imm ? and_(rax, value) : and_(rax, xreg(op.rs2)); break;
      case OpKind::kSll: shift(imm, op, [this](auto n) { shl(rax, n); }); break;
      case OpKind::kSrl: shift(imm, op, [this](auto n) { shr(rax, n); }); break;
      case OpKind::kSra: shift(imm, op, [this](auto n) { sar(rax, n); }); break;
      case OpKind::kSlt: compare_set(imm, op, false); break;
      case OpKind::kSltu: compare_set(imm, op, true); break;
      case OpKind::kMul: imul(rax, xreg(op.rs2)); break;
      case OpKind::kAddw:
        imm ? add(eax, value) : add(eax, xreg32(op.rs2));
        movsxd(rax, eax);
        break;
      case OpKind::kSubw:
        sub(eax, xreg32(op.rs2));
        movsxd(rax, eax);
        break;
      case OpKind::kMulw:
        imul(eax, xreg32(op.rs2));
        movsxd(rax, eax);
        break;
      // 32-bit x86 shifts mask the count to 5 bits, as RV64's *W shifts do.
      case OpKind::kSllw: shift(imm, op, [this](auto n) { shl(eax, n); }); movsxd(rax, eax); break;
      case OpKind::kSrlw: shift(imm, op, [this](auto n) { shr(eax, n); }); movsxd(rax, eax); break;
      case OpKind::kSraw: shift(imm, op, [this](auto n) { sar(eax, n); }); movsxd(rax, eax); break;
      default: break;
    }
    mov(xreg(op.rd), rax);
  }

  // rax = block start + offset.
  void pc_plus(std::int64_t offset) {
    if (Xbyak::inner::IsInInt32(static_cast<std::uint64_t>(offset))) {
      lea(rax, ptr[r13 + static_cast<std::size_t>(offset)]);
    } else {
      mov(rax, static_cast<std::uint64_t>(offset));
      add(rax, r13);
    }
  }

  // 64-bit x86 shifts mask the count to 6 bits, as RV64's shifts do; the
  // decoder already masked immediate counts.
  template <typename Shift>
  void shift(bool imm, const Op& op, Shift do_shift) {
    if (imm) {
      do_shift(static_cast<int>(op.imm));
    } else {
      mov(rcx, xreg(op.rs2));
      do_shift(cl);
    }
  }

  void compare_set(bool imm, const Op& op, bool is_unsigned) {
    imm ? cmp(rax, static_cast<std::uint32_t>(op.imm)) : cmp(rax, xreg(op.rs2));
    is_unsigned ? setb(al) : setl(al);
    movzx(eax, al);
  }

  // rax = guest address -> rdx = its page number, rcx = the entry of the
  // TLB at engine field `tlb_field` that would map it (256 sets of 16 bytes:
  // tag, then the host addend or page).
  void tlb_entry(std::size_t tlb_field) {
    mov(rdx, rax);
    shr(rdx, 12);
    mov(ecx, edx);
    and_(ecx, 0xff);
    shl(ecx, 4);
    add(rcx, qword[rbp + tlb_field]);
  }

  // rax = guest address; on a TLB hit rax = host address, else jumps to miss.
  void probe_tlb(const Op& op, std::size_t tlb_field, unsigned size, Xbyak::Label& miss) {
    mov(rax, xreg(op.rs1));
    if (op.imm != 0) add(rax, static_cast<std::uint32_t>(op.imm));
    tlb_entry(tlb_field);
    cmp(rdx, qword[rcx]);
    jne(miss, T_NEAR);
    mov(edx, eax);
    and_(edx, 0xfff);
    cmp(edx, static_cast<std::uint32_t>(4096 - size));
    ja(miss, T_NEAR);
    add(rax, qword[rcx + 8]);
  }

  void memory(const Step& s, unsigned& pending) {
    const Op& op = *s.op;
    const OpKind k = s.info.kind;
    const unsigned size = access_size(k);
    Xbyak::Label miss, done;
    if (is_load(k)) {
      probe_tlb(op, load_tlb_, size, miss);
      switch (k) {
        case OpKind::kLb: movsx(rax, byte[rax]); break;
        case OpKind::kLh: movsx(rax, word[rax]); break;
        case OpKind::kLw: movsxd(rax, dword[rax]); break;
        case OpKind::kLbu: movzx(eax, byte[rax]); break;
        case OpKind::kLhu: movzx(eax, word[rax]); break;
        case OpKind::kLwu: mov(eax, dword[rax]); break;
        default: mov(rax, qword[rax]); break;
      }
      mov(xreg(op.rd), rax);
    } else {
      probe_tlb(op, store_tlb_, size, miss);
      mov(rdx, xreg(op.rs2));
      switch (size) {
        case 1: mov(byte[rax], dl); break;
        case 2: mov(word[rax], dx); break;
        case 4: mov(dword[rax], edx); break;
        default: mov(qword[rax], rdx); break;
      }
    }
    jmp(done, T_NEAR);
    L(miss);
    unsigned before = pending;
    call_handler(s, before);
    jmp(exit_, T_NEAR);  // the slow path may have changed what follows
    L(done);
    ++pending;
  }

  void branch(const Step& s, unsigned& pending) {
    const Op& op = *s.op;
    Xbyak::Label not_taken;
    mov(rax, xreg(op.rs1));
    cmp(rax, xreg(op.rs2));
    switch (s.info.kind) {
      case OpKind::kBeq: jne(not_taken, T_NEAR); break;
      case OpKind::kBne: je(not_taken, T_NEAR); break;
      case OpKind::kBlt: jge(not_taken, T_NEAR); break;
      case OpKind::kBge: jl(not_taken, T_NEAR); break;
      case OpKind::kBltu: jae(not_taken, T_NEAR); break;
      default: jb(not_taken, T_NEAR); break;  // bgeu
    }
    unsigned taken = pending + 1;
    sync(taken);
    go_to(s.offset + op.imm);
    L(not_taken);
    ++pending;
  }

  void jump(const Step& s, unsigned& pending) {
    const Op& op = *s.op;
    if (s.info.kind == OpKind::kJal) {
      pc_plus(s.offset + op.len);
      mov(xreg(op.rd), rax);
      ++pending;
      sync(pending);
      go_to(s.offset + op.imm);
      return;
    }
    mov(rcx, xreg(op.rs1));  // before the link write: rd may equal rs1
    add(rcx, static_cast<std::uint32_t>(op.imm));
    and_(rcx, -2);
    mov(qword[rbp + pc_], rcx);
    pc_plus(s.offset + op.len);
    mov(xreg(op.rd), rax);
    ++pending;
    sync(pending);
    jmp(chain_, T_NEAR);
  }

  // With pc and instret written back: goes straight on into the translated
  // block at pc when the outer loop would have nothing else to do (no
  // event, interrupt re-check or stop request) and pc hits the fetch TLB of
  // the current context in a page with a block already translated at pc.
  // Otherwise leaves. Mirrors Engine::run + lookup_fetch's hit path.
  void chain_stub() {
    L(chain_);
    cmp(byte[rbp + event_], 0);
    jne(exit_, T_NEAR);
    cmp(byte[rbp + irq_check_], 0);
    jne(exit_, T_NEAR);
    cmp(byte[rbp + stop_], 0);
    jne(exit_, T_NEAR);
    mov(rax, qword[rbp + pc_]);
    test(al, 1);
    jnz(exit_, T_NEAR);
    tlb_entry(fetch_tlb_);
    cmp(rdx, qword[rcx]);
    jne(exit_, T_NEAR);
    mov(rcx, qword[rcx + 8]);  // the DecodedPage
    mov(rdx, qword[rcx + native_entries_]);
    test(rdx, rdx);
    jz(exit_, T_NEAR);
    and_(eax, 0xfff);
    mov(rdx, qword[rdx + rax * 4]);  // entry of slot (pc & 0xfff) / 2
    test(rdx, rdx);
    jz(exit_, T_NEAR);
    mov(qword[rbp + cur_page_], rcx);
    mov(r13, qword[rbp + pc_]);
    add(rdx, static_cast<std::uint32_t>(prologue_bytes_));
    jmp(rdx);
  }

 public:
  std::size_t native_entries_ = 0;  // offset of DecodedPage::native_entries

 private:
  const std::size_t x_, pc_, instret_, limit_, epoch_, load_tlb_, store_tlb_, fetch_tlb_, cur_page_, event_,
      irq_check_, stop_;
  std::size_t prologue_bytes_ = 0;
  Xbyak::Label head_, short_, exit_, ret_, chain_;
};

Translator::Translator(Engine& engine) : engine_(engine), arena_(kArenaBytes) {}
Translator::~Translator() = default;

bool Translator::nearly_full() const { return arena_.free_bytes() < kMaxBlockBytes; }

NativeCode Translator::translate(DecodedPage& page, unsigned slot) {
  std::vector<Step> steps;
  std::int64_t offset = 0;
  while (slot < kSlotsPerPage && steps.size() < kMaxBlockOps) {
    if (!engine_.decode_slot(page, slot)) break;  // straddles the page end
    const Op* op = &page.ops[slot];
    OpInfo info = describe_op(op->fn);
    steps.push_back({op, info, offset});
    offset += op->len;
    slot += op->len >> 1;
    if (info.kind == OpKind::kJal || info.kind == OpKind::kJalr) break;
  }
  if (steps.empty() || arena_.free_bytes() < kMaxBlockBytes) return nullptr;
  try {
    Emitter emitter(engine_, arena_.free_begin(), kMaxBlockBytes);
    emitter.native_entries_ = offset_in_page(page, &page.native_entries);
    emitter.emit_block(steps, offset);
    if (prologue_bytes_ == 0) prologue_bytes_ = emitter.prologue_bytes();
    if (emitter.prologue_bytes() != prologue_bytes_) return nullptr;  // cannot happen: same encoding
    emitter.ready();
    auto code = reinterpret_cast<NativeCode>(const_cast<std::uint8_t*>(emitter.getCode()));
    arena_.commit(emitter.getSize());
    return code;
  } catch (const Xbyak::Error&) {
    return nullptr;  // never expected (size is bounded); the interpreter runs it
  }
}

}  // namespace ftvm::machine::cpu
