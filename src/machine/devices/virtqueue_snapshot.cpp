// Virtqueue and descriptor-chain snapshots. The queue's indices are device
// state the driver cannot read back, so they must travel with the machine.
#include "machine/devices/virtqueue.h"

namespace ftvm::machine {

namespace {
// No chain is longer than the largest queue (longer ones are rejected as loops).
constexpr std::uint64_t kMaxSegments = Virtqueue::kMaxSize;
constexpr std::uint64_t kSegmentBytes = 8 + 4 + 1;
}  // namespace

void VirtqChain::save(SnapshotWriter& w) const {
  w.u16(head);
  w.u64(segments.size());
  for (const VirtqSegment& s : segments) {
    w.u64(s.addr);
    w.u32(s.len);
    w.boolean(s.writable);
  }
}

void VirtqChain::restore(SnapshotReader& r, const GuestRam& ram) {
  head = r.u16();
  std::uint64_t n = r.count(kMaxSegments, kSegmentBytes);
  segments.clear();
  for (std::uint64_t i = 0; i < n; ++i) {
    VirtqSegment s;
    s.addr = r.u64();
    s.len = r.u32();
    s.writable = r.boolean();
    s.in_ram = ram.contains(s.addr, s.len);
    segments.push_back(s);
  }
}

void Virtqueue::save(SnapshotWriter& w) const {
  w.u32(size);
  w.boolean(ready);
  w.u64(desc_addr);
  w.u64(avail_addr);
  w.u64(used_addr);
  w.u16(last_avail_);
  w.u16(used_idx_);
}

void Virtqueue::restore(SnapshotReader& r) {
  // Any values are safe: the rings are validated against RAM at every use.
  size = r.u32();
  ready = r.boolean();
  desc_addr = r.u64();
  avail_addr = r.u64();
  used_addr = r.u64();
  last_avail_ = r.u16();
  used_idx_ = r.u16();
}

}  // namespace ftvm::machine
