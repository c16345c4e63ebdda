// PLIC snapshot. Values are checked against what the registers can hold, so a
// restored PLIC is one the guest could have produced itself.
#include "machine/devices/plic.h"

#include <string>

namespace ftvm::machine {

namespace {
constexpr std::uint32_t kNoSourceZero = ~1u;
}

void Plic::save_state(SnapshotWriter& w) const {
  w.section("PLIC");
  for (std::uint32_t p : priority_) w.u32(p);
  w.u32(level_);
  w.u32(pending_);
  w.u32(claimed_);
  for (std::uint32_t e : enable_) w.u32(e);
  for (std::uint32_t t : threshold_) w.u32(t);
}

void Plic::restore_state(SnapshotReader& r) {
  r.section("PLIC");
  auto priority_value = [&r] {
    std::uint32_t v = r.u32();
    if (v > kMaxPriority) r.fail("PLIC priority " + std::to_string(v) + " above " + std::to_string(kMaxPriority));
    return v;
  };
  auto source_bits = [&r] {
    std::uint32_t v = r.u32();
    if (v & ~kNoSourceZero) r.fail("PLIC bit set for source 0, which does not exist");
    return v;
  };
  decltype(priority_) priority{};
  for (auto& p : priority) p = priority_value();
  if (priority[0] != 0) r.fail("PLIC priority set for source 0, which does not exist");
  std::uint32_t level = source_bits(), pending = source_bits(), claimed = source_bits();
  decltype(enable_) enable{};
  for (auto& e : enable) e = source_bits();
  decltype(threshold_) threshold{};
  for (auto& t : threshold) t = priority_value();
  // Everything checked: only now does the device change.
  priority_ = priority;
  level_ = level;
  pending_ = pending;
  claimed_ = claimed;
  enable_ = enable;
  threshold_ = threshold;
}

}  // namespace ftvm::machine
