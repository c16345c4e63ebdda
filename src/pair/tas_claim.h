#pragma once
// Asks the test-and-set service on behalf of an FtNode. The owner we claim
// with is the node's role plus a host id ("backup@host:pid"), the same on
// every retry, so a retry after a lost answer gets the same verdict, and the
// service's record says which machine went live.
#include <memory>
#include <string>

#include "ft/event.h"
#include "ft/ready.h"
#include "tas/client.h"

namespace ftvm::pair {

class TasClaim {
 public:
  TasClaim(std::unique_ptr<tas::TestAndSet> service, std::string host_id);

  // One request, one answer (blocks at most the client's timeout).
  ft::TasResult ask(const ft::TasRequest& request);
  // Why the last answer was kUnreachable, or who won/lost.
  const std::string& last_detail() const { return last_detail_; }

 private:
  std::unique_ptr<tas::TestAndSet> service_;
  std::string host_id_;
  std::string last_detail_;
};

// hostname:pid, stable for the life of the process.
std::string default_host_id();

}  // namespace ftvm::pair
