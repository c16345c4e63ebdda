#pragma once
// The host side of a live VM: its disk and NIC backends, wired to a
// dispatcher (outputs) and run-loop input sources (completions, frames).
// The primary opens them at start; a backup opens them only when it goes
// live, since a backup must not touch the disk or the network.
#include <memory>
#include <vector>

#include "disk/disk_backend.h"
#include "host/host_output_dispatcher.h"
#include "host/input_source.h"
#include "host/machine_config_builder.h"
#include "host/vm_config.h"
#include "net/net_backend.h"

namespace ftvm::pair {

class LiveBackends {
 public:
  // Opens every disk and NIC the config names; throws ftvm::Error.
  explicit LiveBackends(const host::VmConfig& config);

  std::vector<host::OpenedDisk> opened_disks() const;
  // Routes each device slot's outputs to its backend and adds one input
  // source per backend to `sources` (owned here).
  void attach(host::HostOutputDispatcher& outputs, std::vector<host::InputSource*>& sources);
  std::vector<std::unique_ptr<net::NetBackend>>& nics() { return nics_; }

 private:
  std::vector<std::unique_ptr<disk::DiskBackend>> disks_;
  std::vector<std::unique_ptr<net::NetBackend>> nics_;
  std::vector<std::unique_ptr<host::InputSource>> sources_;
};

}  // namespace ftvm::pair
