#pragma once
// The logging channel between the two nodes, in one of two models:
//
// kStream models what the real channel is, one TCP connection: within it,
// messages arrive intact and in order after a variable delay, now and then a
// long one (a latency spike holds up everything behind it). A partition, in
// one direction or both, stalls delivery in that direction (TCP keeps
// retransmitting) until it heals; a cut kills the
// connection for good (everything in flight is lost, later sends vanish) and
// the endpoints may or may not be told (a process crash resets the socket, a
// host crash or cable pull does not).
//
// kDatagram is deliberately more hostile than TCP, to show the protocol does
// not depend on TCP's guarantees: each message may be dropped, duplicated,
// corrupted (one byte flipped) or delayed by a random amount, sometimes a very
// long one (so messages overtake each other and stale ones turn up late), and
// a partition drops everything sent in the directions it covers.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "ft/sim/rng.h"

namespace ftvm::ft::sim {

enum class ChannelModel { kStream, kDatagram };

struct NetworkFaults {
  std::uint32_t min_delay = 1;  // ticks, >= 1
  std::uint32_t max_delay = 3;
  std::uint32_t drop_permille = 0;     // datagram only
  std::uint32_t dup_permille = 0;      // datagram only
  std::uint32_t corrupt_permille = 0;  // datagram only
  std::uint32_t spike_permille = 0;    // a message takes up to spike_max_delay
  std::uint32_t spike_max_delay = 30;
};

struct Packet {
  std::uint64_t deliver_at = 0;
  std::uint64_t order = 0;  // send order, breaks ties deterministically
  int to = 0;
  std::vector<std::uint8_t> bytes;
  bool corrupted = false;
};

class SimNetwork {
 public:
  SimNetwork(ChannelModel model, NetworkFaults faults, Rng& rng) : model_(model), faults_(faults), rng_(rng) {}

  void send(int to, std::vector<std::uint8_t> bytes, std::uint64_t now);
  // Removes and returns the packets due by `now`, in delivery order.
  std::vector<Packet> take_due(std::uint64_t now);
  // Blocks what is sent towards node `to` (0 or 1) until `until`.
  void partition_until(int to, std::uint64_t until) { blocked_until_[to] = until; }
  // Kills the connection (stream model); in the datagram model there is no
  // connection and this only drops what is in flight.
  void cut();
  bool connection_alive() const { return alive_; }
  ChannelModel model() const { return model_; }

 private:
  std::uint64_t draw_delay();
  void enqueue(int to, std::vector<std::uint8_t> bytes, std::uint64_t at, bool corrupted);

  ChannelModel model_;
  NetworkFaults faults_;
  Rng& rng_;
  // Keyed by (delivery tick, send order): iteration is delivery order.
  std::map<std::pair<std::uint64_t, std::uint64_t>, Packet> in_flight_;
  std::uint64_t next_order_ = 0;
  std::uint64_t blocked_until_[2] = {0, 0};  // per receiving node
  std::uint64_t last_delivery_[2] = {0, 0};  // stream: per-direction FIFO
  bool alive_ = true;
};

}  // namespace ftvm::ft::sim
