#pragma once
// The test-and-set service: an atomic map from key to the claimant that set
// it first. Requests and answers travel with a delay. The service can be down
// for a while, or cut off from one node; then requests get "unreachable". An
// answer can also be lost after the service applied the request (the node
// hears "unreachable" although it won), which is why a retry by the same
// claimant must answer "won" again.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ft/event.h"
#include "ft/ready.h"
#include "ft/sim/rng.h"

namespace ftvm::ft::sim {

struct TasFaults {
  std::uint32_t answer_loss_permille = 0;
};

struct TasDelivery {
  int node = 0;
  TasResult result = TasResult::kUnreachable;
};

class SimTas {
 public:
  SimTas(TasFaults faults, Rng& rng) : faults_(faults), rng_(rng) {}

  void request(int node, TasRequest request, std::uint64_t now);
  // Applies requests that reached the service by `now` and returns the
  // answers due by `now`, in order.
  std::vector<TasDelivery> take_due(std::uint64_t now);

  void outage_until(std::uint64_t until) { down_until_ = until; }
  void isolate_until(int node, std::uint64_t until) { isolated_until_[node] = until; }
  std::optional<std::string> holder(const std::string& key) const;

 private:
  struct InFlight {
    std::uint64_t at;
    std::uint64_t order;
    int node;
    bool is_request;
    TasRequest request;
    TasResult result;
  };
  TasResult apply(int node, const TasRequest& request, std::uint64_t now);
  void schedule(InFlight item);

  TasFaults faults_;
  Rng& rng_;
  std::map<std::string, std::string> table_;
  std::vector<InFlight> in_flight_;
  std::uint64_t next_order_ = 0;
  std::uint64_t down_until_ = 0;
  std::uint64_t isolated_until_[2] = {0, 0};
};

}  // namespace ftvm::ft::sim
