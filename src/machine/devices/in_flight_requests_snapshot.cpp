// Snapshot of the requests a device has handed to the host and not yet seen
// finish. Their Outputs travel whole, so a new primary can re-issue them.
#include "machine/devices/in_flight_requests.h"

#include <string>

namespace ftvm::machine {

namespace {

constexpr std::uint64_t kMaxRequests = 1u << 16;
constexpr std::uint64_t kMaxOutputBytes = 1ull << 32;
constexpr std::uint64_t kMinRequestBytes = 8 + 4 + 2 + 8;

void save_output(SnapshotWriter& w, const Output& o) {
  w.u8(static_cast<std::uint8_t>(o.kind));
  w.u32(o.device);
  w.u64(o.instret);
  w.u64(o.tag);
  w.u64(o.offset);
  w.u64(o.length);
  w.blob(o.bytes);
}

Output restore_output(SnapshotReader& r) {
  Output o;
  std::uint8_t kind = r.u8();
  if (kind < static_cast<std::uint8_t>(OutputKind::kNetFrame) || kind > static_cast<std::uint8_t>(OutputKind::kReset))
    r.fail("output of unknown kind " + std::to_string(kind));
  o.kind = static_cast<OutputKind>(kind);
  o.device = r.u32();
  o.instret = r.u64();
  o.tag = r.u64();
  o.offset = r.u64();
  o.length = r.u64();
  o.bytes = r.blob(kMaxOutputBytes);
  return o;
}

}  // namespace

void InFlightRequests::save(SnapshotWriter& w) const {
  w.u64(next_tag_);
  w.u64(requests_.size());
  for (const auto& [tag, req] : requests_) {
    w.u64(tag);
    w.u32(req.queue);
    req.chain.save(w);
    save_output(w, req.output);
  }
}

void InFlightRequests::restore(SnapshotReader& r, const GuestRam& ram, unsigned num_queues) {
  std::uint64_t next_tag = r.u64();
  if (next_tag == 0) r.fail("request tag counter is zero");
  std::uint64_t n = r.count(kMaxRequests, kMinRequestBytes);
  std::map<std::uint64_t, InFlightRequest> requests;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t tag = r.u64();
    if (tag == 0 || tag >= next_tag) r.fail("request tag " + std::to_string(tag) + " was never issued");
    InFlightRequest req;
    req.queue = r.u32();
    if (req.queue >= num_queues) r.fail("request on queue " + std::to_string(req.queue) + ", which does not exist");
    req.chain.restore(r, ram);
    req.output = restore_output(r);
    if (req.output.tag != tag) r.fail("request tag " + std::to_string(tag) + " disagrees with its output");
    if (!requests.emplace(tag, std::move(req)).second) r.fail("request tag " + std::to_string(tag) + " appears twice");
  }
  next_tag_ = next_tag;
  requests_ = std::move(requests);
}

}  // namespace ftvm::machine
