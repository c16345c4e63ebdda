// The run loop and the fetch side of the engine: fetch TLB, decode cache
// management and code-page coherence.
#include "machine/cpu/engine.h"

namespace ftvm::machine {

using namespace cpu;

namespace {

// Bounds host memory spent on decoded code (32 KiB per page); when exceeded
// the whole cache is dropped, which is never guest-visible.
constexpr std::size_t kMaxDecodedPages = 4096;
// See the counting rules in engine.h.
constexpr unsigned kMaxTrapStreak = 1000;
// The translator passes every suite the interpreter passes and runs the
// integer workloads 4-10x faster (docs/BENCHMARKS.md); Hart::set_engine
// selects the interpreter, the reference.
constexpr EngineKind kDefaultEngine = EngineKind::kJit;

std::uint16_t read_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

// Handler of a slot not decoded yet: decode, store, execute.
const Op* op_decode(Engine& e, const Op* op) {
  DecodedPage& page = *e.cur_page;
  auto slot = static_cast<unsigned>(op - page.ops);
  // A 4-byte instruction in the last slot straddles two pages: fetched and
  // decoded each time, never cached, so the next page needs no tracking.
  if (!e.decode_slot(page, slot)) return e.execute_cross_page(read_u16(page.host + slot * 2));
  const Op* target = &page.ops[slot];
  return target->fn(e, target);
}

// Sentinel past the last slot: execution ran off the end of the page.
const Op* op_page_end(Engine& e, const Op*) {
  --e.instret;  // not an instruction
  return nullptr;
}

}  // namespace

Hart::Engine::Engine(Bus& b, const VirtualClock& c)
    : bus(b), ram(b.ram()), clock(c), decode_cache(b.ram(), op_decode, op_page_end) {
  ram.set_code_write_hook([this](std::uint64_t page_index) { on_code_write(page_index); });
  set_engine(kDefaultEngine);
  reset(0);
}

Hart::Engine::~Engine() {
  ram.set_code_write_hook(nullptr);
  ram.clear_all_code_pages();
}

void Hart::Engine::reset(std::uint64_t new_pc) {
  for (auto& r : x) r = 0;
  for (auto& r : f) r = 0;
  pc = new_pc;
  priv = kPrivM;
  std::uint64_t lines = csr.mip_lines;  // device lines keep their level
  csr = CsrState{};
  csr.mip_lines = lines;
  // Guest counters restart at zero; the host count does not.
  csr.mcycle_offset = csr.minstret_offset = 0 - instret;
  reservation_valid = false;
  reservation_addr = 0;
  wfi = false;
  irq_check = true;
  flush_caches();
}

void Hart::Engine::flush_caches() {
  tlb.flush_all();
  drop_decoded_code();
  update_contexts();
}

void Hart::Engine::drop_decoded_code() {
  tlb.flush_fetch();
  decode_cache.clear();
  ram.clear_all_code_pages();
  cur_page = nullptr;
  ++code_epoch;
  if (translator) translator->clear();  // no page refers to its blocks any more
}

bool Hart::Engine::decode_slot(DecodedPage& page, unsigned slot) {
  Op& target = page.ops[slot];
  if (target.fn != op_decode) return true;
  ensure_code_page(page);
  const std::uint8_t* bytes = page.host + slot * 2;
  std::uint16_t low = read_u16(bytes);
  if ((low & 3) != 3) {
    // Compressed: expanded to its 32-bit twin; illegal ones keep their 16 bits.
    std::uint32_t expanded = expand_compressed(low);
    target = decode(expanded != 0 ? expanded : low, 2);
    return true;
  }
  if (slot == kSlotsPerPage - 1) return false;
  target = decode(low | (static_cast<std::uint32_t>(read_u16(bytes + 2)) << 16), 4);
  return true;
}

void Hart::Engine::on_code_write(std::uint64_t page_index) {
  decode_cache.invalidate(page_index);
  ++code_epoch;
}

void Hart::Engine::set_engine(EngineKind kind) {
  if (kind == EngineKind::kInterpreter) {
    translator.reset();
  } else if (!translator) {
    translator = std::make_unique<Translator>(*this);
    if (!translator->usable()) translator.reset();  // no executable memory: interpret
  }
  drop_decoded_code();  // no page keeps blocks of an arena that is gone
}

const Op* Hart::Engine::run_native(const Op* op, Instret limit) {
  if (translator->nearly_full()) {
    drop_decoded_code();  // empties the arena too; `op` is gone with its page
    return nullptr;
  }
  DecodedPage& page = *cur_page;
  auto slot = static_cast<unsigned>(op - page.ops);
  if (!page.native) {
    page.native = std::make_unique<NativeSlots>();
    page.native_entries = page.native->data();
  }
  NativeCode& code = (*page.native)[slot];
  if (code == nullptr) code = translator->translate(page, slot);
  if (code == nullptr) {
    // Not translatable (straddles the page end): one instruction, interpreted.
    op->fn(*this, op);
    ++instret;
    return nullptr;
  }
  native_limit = limit;
  if (code(this) == kBudgetShort) {
    // The limit falls inside the block at pc (this one or one chained to):
    // the interpreter stops exactly there.
    return instret < limit ? lookup_fetch() : nullptr;
  }
  return nullptr;
}

void Hart::Engine::ensure_code_page(DecodedPage& page) {
  if (ram.is_code_page(page.page_index)) return;
  ram.mark_code_page(page.page_index);
  tlb.drop_stores_to(page.host);
}

void Hart::Engine::set_interrupt_line(std::uint64_t mip_bit, bool level) {
  if (level)
    csr.mip_lines |= mip_bit;
  else
    csr.mip_lines &= ~mip_bit;
  irq_check = true;
}

HartStop Hart::Engine::run(Instret limit) {
  irq_check = true;
  Instret progress_mark = instret;
  trap_streak = 0;
  for (;;) {
    if (instret != progress_mark) {
      progress_mark = instret;
      trap_streak = 0;
    } else if (trap_streak >= kMaxTrapStreak) {
      return HartStop::kEvent;
    }
    if (event || stop_requested_.load(std::memory_order_relaxed)) {
      event = false;
      stop_requested_.store(false, std::memory_order_relaxed);
      return HartStop::kEvent;
    }
    if (instret >= limit) return HartStop::kLimit;
    if (wfi) {
      if ((csr.mip() & csr.mie) == 0) return HartStop::kWfi;
      wfi = false;
      irq_check = true;
    }
    if (irq_check) {
      irq_check = false;
      if (take_pending_interrupt()) continue;
    }
    const Op* op = lookup_fetch();
    if (op != nullptr && translator) op = run_native(op, limit);
    while (op != nullptr) {
      const Op* following = op->fn(*this, op);
      ++instret;
      if (instret >= limit) break;
      op = following;
    }
  }
}

const Op* Hart::Engine::lookup_fetch() {
  if (pc & 1) {
    take_trap(cause::kFetchMisaligned, pc, false);
    return nullptr;
  }
  FetchTlbEntry& e = fetch_tlb[tlb_set(pc)];
  if (e.tag == (pc >> 12)) {
    cur_page = e.page;
    return &e.page->ops[(pc & 0xfff) >> 1];
  }
  std::uint64_t pa = 0;
  bool superpage = false;
  int fault = translate(pc, Access::kFetch, pa, superpage);
  if (fault >= 0) {
    take_trap(static_cast<std::uint64_t>(fault), pc, false);
    return nullptr;
  }
  if (!ram.contains(pa, 2)) {
    take_trap(cause::kFetchAccess, pc, false);
    return nullptr;
  }
  if (decode_cache.live_pages() >= kMaxDecodedPages) drop_decoded_code();
  DecodedPage* page = decode_cache.get((pa - ram.base()) >> kPageShift);
  tlb.holds_superpage |= superpage;
  tlb.fill_fetch(e, pc >> 12, page);
  cur_page = page;
  return &page->ops[(pc & 0xfff) >> 1];
}

const Op* Hart::Engine::execute_cross_page(std::uint16_t low_half) {
  std::uint64_t va = pc + 2;
  std::uint64_t pa = 0;
  bool superpage = false;
  int fault = translate(va, Access::kFetch, pa, superpage);
  if (fault >= 0) return raise(static_cast<std::uint64_t>(fault), va);
  std::uint16_t high = 0;
  if (!ram.read(pa, &high, 2)) return raise(cause::kFetchAccess, va);
  Op op = decode(low_half | (static_cast<std::uint32_t>(high) << 16), 4);
  op.fn(*this, &op);  // its next-op result points into a temporary: ignored
  return nullptr;
}

std::uint64_t Hart::Engine::current_insn_bits() {
  std::uint64_t bits = 0;
  for (unsigned half = 0; half < 2; ++half) {
    std::uint64_t pa = 0;
    bool superpage = false;
    std::uint16_t h = 0;
    if (translate(pc + 2 * half, Access::kFetch, pa, superpage) >= 0 || !ram.read(pa, &h, 2)) return 0;
    bits |= static_cast<std::uint64_t>(h) << (16 * half);
    if (half == 0 && (h & 3) != 3) break;
  }
  return bits;
}

void Hart::Engine::hash_state(StateHasher& h) const {
  h.label("hart");
  h.bytes(x, 32 * sizeof(std::uint64_t));  // not the x0 sink
  h.bytes(f, sizeof f);
  h.value(pc);
  h.value(priv);
  h.value(instret);
  h.value(reservation_valid);
  h.value(reservation_addr);
  h.value(wfi);
  csr.hash(h);
}

}  // namespace ftvm::machine
