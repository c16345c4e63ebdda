#include "machine/devices/virtqueue.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ftvm::machine {

static_assert(std::endian::native == std::endian::little, "virtio rings are little-endian; so must the host be");

namespace {

struct Descriptor {
  std::uint64_t addr;
  std::uint32_t len;
  std::uint16_t flags;
  std::uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

constexpr std::uint64_t kRingHeader = 4;  // flags, idx
constexpr std::uint64_t kRingEvent = 2;   // used_event / avail_event
constexpr std::uint64_t kUsedElemSize = 8;

// Walks the segments of one direction, calling fn(segment, skip, take) for the
// parts overlapping [offset, offset+len). False when the range is not covered
// or touches a segment outside RAM.
template <typename Fn>
bool for_range(const std::vector<VirtqSegment>& segs, bool writable, std::uint64_t offset, std::uint64_t len, Fn fn) {
  std::uint64_t pos = 0;
  for (const auto& s : segs) {
    if (len == 0) break;
    if (s.writable != writable) continue;
    std::uint64_t end = pos + s.len;
    if (offset < end) {
      std::uint64_t skip = offset - pos;
      std::uint64_t take = std::min<std::uint64_t>(s.len - skip, len);
      if (!s.in_ram) return false;
      fn(s, skip, take);
      offset += take;
      len -= take;
    }
    pos = end;
  }
  return len == 0;
}

}  // namespace

bool VirtqChain::all_in_ram() const {
  return std::all_of(segments.begin(), segments.end(), [](const VirtqSegment& s) { return s.in_ram; });
}

bool VirtqChain::readable_before_writable() const {
  bool seen_writable = false;
  for (const auto& s : segments) {
    if (s.writable) seen_writable = true;
    else if (seen_writable) return false;
  }
  return true;
}

std::uint64_t VirtqChain::readable_bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : segments)
    if (!s.writable) n += s.len;
  return n;
}

std::uint64_t VirtqChain::writable_bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : segments)
    if (s.writable) n += s.len;
  return n;
}

bool VirtqChain::gather(const GuestRam& ram, std::uint64_t offset, void* dst, std::uint64_t len) const {
  if (offset > readable_bytes() || len > readable_bytes() - offset) return false;
  auto* out = static_cast<std::uint8_t*>(dst);
  return for_range(segments, false, offset, len, [&](const VirtqSegment& s, std::uint64_t skip, std::uint64_t take) {
    ram.read(s.addr + skip, out, take);
    out += take;
  });
}

bool VirtqChain::scatter(GuestRam& ram, std::uint64_t offset, const void* src, std::uint64_t len) const {
  if (offset > writable_bytes() || len > writable_bytes() - offset) return false;
  auto* in = static_cast<const std::uint8_t*>(src);
  return for_range(segments, true, offset, len, [&](const VirtqSegment& s, std::uint64_t skip, std::uint64_t take) {
    ram.write(s.addr + skip, in, take);
    in += take;
  });
}

void VirtqChain::hash(StateHasher& h) const {
  h.value(head);
  h.value(static_cast<std::uint64_t>(segments.size()));
  for (const auto& s : segments) {
    h.value(s.addr);
    h.value(s.len);
    h.value(static_cast<std::uint8_t>(s.writable | (s.in_ram << 1)));
  }
}

bool Virtqueue::rings_valid(const GuestRam& ram) const {
  // Split rings need a power-of-two size up to 32768 and natural alignment.
  if (size == 0 || size > kMaxSize || !std::has_single_bit(size)) return false;
  if ((desc_addr & 15) || (avail_addr & 1) || (used_addr & 3)) return false;
  return ram.contains(desc_addr, 16ull * size) && ram.contains(avail_addr, kRingHeader + 2ull * size + kRingEvent) &&
         ram.contains(used_addr, kRingHeader + kUsedElemSize * size + kRingEvent);
}

Virtqueue::Pop Virtqueue::pop(const GuestRam& ram, VirtqChain& chain) {
  if (!rings_valid(ram)) return Pop::kBroken;
  std::uint16_t avail_idx = 0;
  ram.read(avail_addr + 2, &avail_idx, 2);
  auto outstanding = static_cast<std::uint16_t>(avail_idx - last_avail_);
  if (outstanding == 0) return Pop::kEmpty;
  if (outstanding > size) return Pop::kBroken;
  std::uint16_t head = 0;
  ram.read(avail_addr + kRingHeader + 2ull * (last_avail_ % size), &head, 2);
  if (head >= size || !read_chain(ram, head, chain)) return Pop::kBroken;
  ++last_avail_;
  return Pop::kChain;
}

bool Virtqueue::read_chain(const GuestRam& ram, std::uint16_t head, VirtqChain& chain) const {
  chain.head = head;
  chain.segments.clear();
  std::uint16_t index = head;
  // A chain can hold at most `size` descriptors; more means it loops.
  for (std::uint32_t count = 0; count < size; ++count) {
    Descriptor d{};
    ram.read(desc_addr + 16ull * index, &d, sizeof d);
    if (d.flags & kDescIndirect) return false;
    chain.segments.push_back({d.addr, d.len, (d.flags & kDescWrite) != 0, ram.contains(d.addr, d.len)});
    if (!(d.flags & kDescNext)) return true;
    if (d.next >= size) return false;
    index = d.next;
  }
  return false;
}

bool Virtqueue::push_used(GuestRam& ram, std::uint16_t head, std::uint32_t len) {
  if (!rings_valid(ram)) return false;
  std::uint32_t elem[2] = {head, len};
  ram.write(used_addr + kRingHeader + kUsedElemSize * (used_idx_ % size), elem, sizeof elem);
  ++used_idx_;
  ram.write(used_addr + 2, &used_idx_, 2);
  return true;
}

void Virtqueue::reset() { *this = Virtqueue{}; }

void Virtqueue::hash(StateHasher& h) const {
  h.value(size);
  h.value(static_cast<std::uint8_t>(ready));
  h.value(desc_addr);
  h.value(avail_addr);
  h.value(used_addr);
  h.value(last_avail_);
  h.value(used_idx_);
}

}  // namespace ftvm::machine
