#pragma once
// A split virtqueue (virtio 1.x) as the device sees it, plus the descriptor
// chains it hands out. All guest memory is reached through GuestRam's checked
// accessors: a ring or descriptor outside RAM can make a request fail or the
// queue unusable, never an out-of-range access.
#include <cstdint>
#include <vector>

#include "machine/core/guest_ram.h"
#include "machine/core/snapshot_codec.h"
#include "machine/core/state_hasher.h"

namespace ftvm::machine {

// One descriptor of a chain. `in_ram` is false when [addr, addr+len) is not
// wholly inside guest RAM (including when addr+len wraps around).
struct VirtqSegment {
  std::uint64_t addr = 0;
  std::uint32_t len = 0;
  bool writable = false;
  bool in_ram = false;
};

// A descriptor chain: the buffers of one request, readable ones first.
struct VirtqChain {
  std::uint16_t head = 0;
  std::vector<VirtqSegment> segments;

  bool all_in_ram() const;
  // The spec puts device-readable descriptors before device-writable ones.
  bool readable_before_writable() const;
  std::uint64_t readable_bytes() const;
  std::uint64_t writable_bytes() const;
  // Copies `len` bytes from logical offset `offset` of the readable part;
  // false when that range is not wholly readable and in RAM.
  bool gather(const GuestRam& ram, std::uint64_t offset, void* dst, std::uint64_t len) const;
  // Copies `len` bytes to logical offset `offset` of the writable part;
  // false when that range is not wholly writable and in RAM.
  bool scatter(GuestRam& ram, std::uint64_t offset, const void* src, std::uint64_t len) const;
  void hash(StateHasher& h) const;
  // Snapshot: in_ram is recomputed from `ram` on restore, never trusted.
  void save(SnapshotWriter& w) const;
  void restore(SnapshotReader& r, const GuestRam& ram);
};

class Virtqueue {
 public:
  static constexpr std::uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
  // Largest size the device accepts (what QueueNumMax reports).
  static constexpr std::uint32_t kMaxSize = 256;

  enum class Pop { kEmpty, kChain, kBroken };

  // Driver-written configuration (transport registers).
  std::uint32_t size = 0;
  bool ready = false;
  std::uint64_t desc_addr = 0;
  std::uint64_t avail_addr = 0;
  std::uint64_t used_addr = 0;

  // Takes the next available chain. kBroken means the queue itself is unusable
  // (rings outside RAM or misaligned, a bad size, an avail index that jumps
  // by more than the size, a head or next index out of range, a chain longer
  // than the queue, i.e. a loop, or an indirect descriptor we never offered):
  // the device must then ask for a reset.
  Pop pop(const GuestRam& ram, VirtqChain& chain);
  // Gives back the chain popped last, unused (e.g. a frame did not fit).
  void unpop() { --last_avail_; }
  // Returns a chain to the driver; false when the used ring is unusable.
  bool push_used(GuestRam& ram, std::uint16_t head, std::uint32_t len);

  void reset();
  void hash(StateHasher& h) const;
  void save(SnapshotWriter& w) const;
  void restore(SnapshotReader& r);

 private:
  bool rings_valid(const GuestRam& ram) const;
  bool read_chain(const GuestRam& ram, std::uint16_t head, VirtqChain& chain) const;

  std::uint16_t last_avail_ = 0;  // next avail ring entry the device will take
  std::uint16_t used_idx_ = 0;    // the used ring's idx as the device wrote it
};

}  // namespace ftvm::machine
