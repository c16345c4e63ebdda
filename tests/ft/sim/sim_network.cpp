#include "ft/sim/sim_network.h"

#include <algorithm>
#include <utility>

namespace ftvm::ft::sim {

void SimNetwork::send(int to, std::vector<std::uint8_t> bytes, std::uint64_t now) {
  const std::uint64_t delay = draw_delay();
  if (model_ == ChannelModel::kStream) {
    if (!alive_) return;
    // TCP: a stalled (partitioned) connection delivers once it heals, and
    // never out of order.
    std::uint64_t at = std::max(now + delay, blocked_until_[to]);
    at = std::max(at, last_delivery_[to]);
    last_delivery_[to] = at;
    return enqueue(to, std::move(bytes), at, false);
  }
  if (now < blocked_until_[to] || rng_.chance(faults_.drop_permille)) return;
  if (rng_.chance(faults_.dup_permille)) {
    enqueue(to, bytes, now + rng_.between(faults_.min_delay, faults_.max_delay * 3), false);
  }
  bool corrupted = false;
  if (!bytes.empty() && rng_.chance(faults_.corrupt_permille)) {
    const std::size_t at = rng_.below(bytes.size());
    bytes[at] ^= static_cast<std::uint8_t>(rng_.between(1, 255));
    corrupted = true;
  }
  enqueue(to, std::move(bytes), now + delay, corrupted);
}

std::uint64_t SimNetwork::draw_delay() {
  if (rng_.chance(faults_.spike_permille)) return rng_.between(faults_.max_delay, faults_.spike_max_delay);
  return rng_.between(faults_.min_delay, faults_.max_delay);
}

void SimNetwork::enqueue(int to, std::vector<std::uint8_t> bytes, std::uint64_t at, bool corrupted) {
  const std::uint64_t order = next_order_++;
  in_flight_.emplace(std::make_pair(at, order), Packet{at, order, to, std::move(bytes), corrupted});
}

std::vector<Packet> SimNetwork::take_due(std::uint64_t now) {
  std::vector<Packet> due;
  while (!in_flight_.empty() && in_flight_.begin()->first.first <= now) {
    due.push_back(std::move(in_flight_.begin()->second));
    in_flight_.erase(in_flight_.begin());
  }
  return due;
}

void SimNetwork::cut() {
  in_flight_.clear();
  if (model_ == ChannelModel::kStream) alive_ = false;
}

}  // namespace ftvm::ft::sim
