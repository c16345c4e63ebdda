#pragma once
// The host side of a live pair member: its disk and NIC backends, wired to a
// dispatcher (outputs) and run-loop input sources (completions, frames).
// The primary opens them at start; a backup opens them only when it goes
// live, since a backup must not touch the disk or the network. The opening
// and the wiring are the host's BackendSet, the same as `ftvm run` uses.
#include "host/backend_set.h"

namespace ftvm::pair {

class LiveBackends final : public host::BackendSet {
 public:
  // Opens every disk and NIC the config names; throws ftvm::Error.
  using host::BackendSet::BackendSet;
};

}  // namespace ftvm::pair
