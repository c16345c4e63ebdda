#include "pair/tas_claim.h"

#include <unistd.h>

namespace ftvm::pair {

TasClaim::TasClaim(std::unique_ptr<tas::TestAndSet> service, std::string host_id)
    : service_(std::move(service)), host_id_(std::move(host_id)) {}

ft::TasResult TasClaim::ask(const ft::TasRequest& request) {
  tas::Answer a = service_->test_and_set(request.key, request.claimant + "@" + host_id_);
  switch (a.outcome) {
    case tas::Outcome::kWon: last_detail_ = "held by " + a.owner; return ft::TasResult::kWon;
    case tas::Outcome::kLost: last_detail_ = "held by " + a.owner; return ft::TasResult::kLost;
    case tas::Outcome::kUnreachable: break;
  }
  last_detail_ = a.detail;
  return ft::TasResult::kUnreachable;
}

std::string default_host_id() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) name[0] = '\0';
  return std::string(name[0] ? name : "host") + ":" + std::to_string(::getpid());
}

}  // namespace ftvm::pair
