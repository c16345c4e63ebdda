#include "machine/devices/plic.h"

namespace ftvm::machine {

namespace {
// Source 0 does not exist; its bits are always clear.
constexpr std::uint32_t kValidSources = ~1u;

HartLine line_of(unsigned context) {
  return context == 0 ? HartLine::kMachineExternal : HartLine::kSupervisorExternal;
}
}  // namespace

std::uint64_t Plic::mmio_read(std::uint64_t offset, unsigned size) {
  // The PLIC is a 32-bit device; wider reads see two registers, narrower
  // reads the addressed bytes of one.
  if (size == 8) return read32(offset) | (static_cast<std::uint64_t>(read32(offset + 4)) << 32);
  std::uint64_t word = read32(offset & ~3ull);
  std::uint64_t shift = 8 * (offset & 3);
  return (word >> shift) & (size >= 4 ? 0xffffffffull : (1ull << (8 * size)) - 1);
}

void Plic::mmio_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
  if (size == 8) {
    write32(offset, static_cast<std::uint32_t>(value));
    write32(offset + 4, static_cast<std::uint32_t>(value >> 32));
    return;
  }
  // Sub-word writes are not used by any driver; aligned 32-bit is the contract.
  if (size == 4 && (offset & 3) == 0) write32(offset, static_cast<std::uint32_t>(value));
}

std::uint32_t Plic::read32(std::uint64_t offset) {
  if (offset < kPendingBase) {
    std::uint64_t id = offset / 4;
    return id < kSources ? priority_[id] : 0;
  }
  if (offset == kPendingBase) return pending_;
  if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * kContexts) {
    std::uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    return (offset - kEnableBase) % kEnableStride == 0 ? enable_[ctx] : 0;
  }
  if (offset >= kContextBase && offset < kContextBase + kContextStride * kContexts) {
    auto ctx = static_cast<unsigned>((offset - kContextBase) / kContextStride);
    std::uint64_t reg = (offset - kContextBase) % kContextStride;
    if (reg == 0) return threshold_[ctx];
    if (reg == 4) return claim(ctx);
  }
  return 0;
}

void Plic::write32(std::uint64_t offset, std::uint32_t value) {
  if (offset < kPendingBase) {
    std::uint64_t id = offset / 4;
    if (id > 0 && id < kSources) priority_[id] = value & kMaxPriority;
  } else if (offset >= kEnableBase && offset < kEnableBase + kEnableStride * kContexts) {
    std::uint64_t ctx = (offset - kEnableBase) / kEnableStride;
    if ((offset - kEnableBase) % kEnableStride == 0) enable_[ctx] = value & kValidSources;
  } else if (offset >= kContextBase && offset < kContextBase + kContextStride * kContexts) {
    auto ctx = static_cast<unsigned>((offset - kContextBase) / kContextStride);
    std::uint64_t reg = (offset - kContextBase) % kContextStride;
    if (reg == 0) threshold_[ctx] = value & kMaxPriority;
    if (reg == 4) complete(ctx, value);
  }
  // The pending register is read-only.
  update_lines();
}

void Plic::set_irq(unsigned source, bool level) {
  if (source == 0 || source >= kSources) return;
  std::uint32_t bit = 1u << source;
  if (level) {
    level_ |= bit;
    if (!(claimed_ & bit)) pending_ |= bit;
  } else {
    level_ &= ~bit;
    pending_ &= ~bit;
  }
  update_lines();
}

unsigned Plic::best_pending(unsigned context) const {
  unsigned best = 0;
  std::uint32_t best_priority = threshold_[context];
  std::uint32_t candidates = pending_ & enable_[context];
  for (unsigned id = 1; id < kSources; ++id) {
    // Strictly greater: ties go to the lowest id, and priority must exceed the threshold.
    if ((candidates >> id & 1) && priority_[id] > best_priority) {
      best = id;
      best_priority = priority_[id];
    }
  }
  return best;
}

unsigned Plic::claim(unsigned context) {
  unsigned id = best_pending(context);
  if (id != 0) {
    pending_ &= ~(1u << id);
    claimed_ |= 1u << id;
    update_lines();
  }
  return id;
}

void Plic::complete(unsigned context, unsigned id) {
  if (id == 0 || id >= kSources) return;
  std::uint32_t bit = 1u << id;
  // The spec ignores completions for sources not enabled for this context.
  if (!(enable_[context] & bit)) return;
  claimed_ &= ~bit;
  if (level_ & bit) pending_ |= bit;
}

void Plic::update_lines() {
  for (unsigned ctx = 0; ctx < kContexts; ++ctx) hart_.set_line(line_of(ctx), best_pending(ctx) != 0);
}

void Plic::hash_state(StateHasher& h) const {
  h.label("plic");
  h.value(priority_);
  h.value(level_);
  h.value(pending_);
  h.value(claimed_);
  h.value(enable_);
  h.value(threshold_);
}

}  // namespace ftvm::machine
