#include "ft/sim/sim_tas.h"

#include <algorithm>

namespace ftvm::ft::sim {

void SimTas::request(int node, TasRequest request, std::uint64_t now) {
  schedule(InFlight{now + rng_.between(1, 2), 0, node, true, std::move(request), TasResult::kUnreachable});
}

void SimTas::schedule(InFlight item) {
  item.order = next_order_++;
  in_flight_.push_back(std::move(item));
}

TasResult SimTas::apply(int node, const TasRequest& request, std::uint64_t now) {
  if (now < down_until_ || now < isolated_until_[node]) return TasResult::kUnreachable;
  auto [it, inserted] = table_.try_emplace(request.key, request.claimant);
  const TasResult result = inserted || it->second == request.claimant ? TasResult::kWon : TasResult::kLost;
  // The service did its part; the answer may still not make it back.
  if (rng_.chance(faults_.answer_loss_permille)) return TasResult::kUnreachable;
  return result;
}

std::vector<TasDelivery> SimTas::take_due(std::uint64_t now) {
  std::vector<TasDelivery> answers;
  // Answers may be due the moment a request is applied, so repeat until
  // nothing due is left.
  for (bool progress = true; progress;) {
    progress = false;
    std::sort(in_flight_.begin(), in_flight_.end(), [](const InFlight& a, const InFlight& b) {
      return a.at != b.at ? a.at < b.at : a.order < b.order;
    });
    for (std::size_t i = 0; i < in_flight_.size(); ++i) {
      if (in_flight_[i].at > now) break;
      InFlight item = std::move(in_flight_[i]);
      in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
      if (item.is_request) {
        const TasResult result = apply(item.node, item.request, item.at);
        schedule(InFlight{item.at + rng_.between(0, 2), 0, item.node, false, {}, result});
      } else {
        answers.push_back(TasDelivery{item.node, item.result});
      }
      progress = true;
      break;
    }
  }
  return answers;
}

std::optional<std::string> SimTas::holder(const std::string& key) const {
  auto it = table_.find(key);
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ftvm::ft::sim
