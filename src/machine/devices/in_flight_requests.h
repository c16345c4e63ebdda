#pragma once
// Device requests waiting for the host (disk I/O, entropy), keyed by tag.
// Tags come from a per-device counter, so they are deterministic; the counter
// survives a device reset, which lets a late completion for a request the
// driver abandoned be told apart from a tag that was never issued.
#include <cstdint>
#include <map>
#include <optional>

#include "machine/core/io.h"
#include "machine/core/snapshot_codec.h"
#include "machine/core/state_hasher.h"
#include "machine/devices/virtqueue.h"

namespace ftvm::machine {

struct InFlightRequest {
  unsigned queue = 0;
  VirtqChain chain;
  Output output;  // exactly what was emitted, for re-issue
};

class InFlightRequests {
 public:
  // Stamps `out` with a fresh tag, records the request and returns the tag.
  std::uint64_t add(unsigned queue, VirtqChain chain, Output& out);
  // Removes and returns the request with this tag. nullopt for a tag issued
  // earlier but no longer in flight (dropped by a reset). Throws ftvm::Error
  // (naming `device`) for a tag that was never issued: a corrupt log or host bug.
  std::optional<InFlightRequest> take(std::uint64_t tag, std::string_view device);
  // Looks at a request without removing it (nullptr when not in flight).
  const InFlightRequest* find(std::uint64_t tag) const;
  void clear() { requests_.clear(); }
  std::size_t size() const { return requests_.size(); }
  // Emits every request's Output again, in tag order.
  void reissue(OutputSink& sink) const;
  void hash(StateHasher& h) const;
  // Snapshot, tag counter included. restore() checks that tags are below the
  // counter and queues below `num_queues`.
  void save(SnapshotWriter& w) const;
  void restore(SnapshotReader& r, const GuestRam& ram, unsigned num_queues);

 private:
  std::uint64_t next_tag_ = 1;
  std::map<std::uint64_t, InFlightRequest> requests_;  // ordered: deterministic iteration
};

}  // namespace ftvm::machine
