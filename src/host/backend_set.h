#pragma once
// The host backends of one VM's virtio disks and NICs, opened from its
// VmConfig, and their wiring into a live run: each device slot's outputs go
// to its backend, and each backend's completions or received frames come
// back as a run-loop input source. `ftvm run` (LiveVm) and both members of a
// pair (pair::LiveBackends) use this one wiring, so a slot can never mean a
// different backend in one than in the other.
#include <memory>
#include <vector>

#include "disk/disk_backend.h"
#include "host/host_output_dispatcher.h"
#include "host/input_source.h"
#include "host/machine_config_builder.h"
#include "host/vm_config.h"
#include "net/net_backend.h"

namespace ftvm::host {

class BackendSet {
 public:
  // Opens every disk and NIC the config names, in its order; throws
  // ftvm::Error with one clear line when one cannot be opened.
  explicit BackendSet(const VmConfig& config);

  // What build_machine_config needs to size the disks, in config order.
  std::vector<OpenedDisk> opened_disks() const;
  // Routes each device slot's outputs to its backend and adds one input
  // source per backend to `sources`. The sources are owned here: they live
  // as long as this set, and attaching again adds another set of them.
  void attach(HostOutputDispatcher& outputs, std::vector<InputSource*>& sources);
  std::vector<std::unique_ptr<net::NetBackend>>& nics() { return nics_; }

 private:
  std::vector<std::unique_ptr<disk::DiskBackend>> disks_;
  std::vector<std::unique_ptr<net::NetBackend>> nics_;
  std::vector<std::unique_ptr<InputSource>> sources_;
};

}  // namespace ftvm::host
