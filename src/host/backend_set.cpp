#include "host/backend_set.h"

#include "disk/open_disk.h"
#include "host/backend_sources.h"
#include "machine/core/machine_config.h"
#include "net/open_net.h"

namespace ftvm::host {

BackendSet::BackendSet(const VmConfig& config) {
  for (const auto& d : config.disks) disks_.push_back(disk::open_disk(d.source, d.read_only));
  for (const auto& n : config.nets) nics_.push_back(net::open_net(n.kind, n.where));
}

std::vector<OpenedDisk> BackendSet::opened_disks() const {
  std::vector<OpenedDisk> out;
  for (const auto& d : disks_) out.push_back({d->capacity(), d->read_only()});
  return out;
}

// Slots follow build_machine_config: the disks first, then the NICs.
void BackendSet::attach(HostOutputDispatcher& outputs, std::vector<InputSource*>& sources) {
  const std::size_t first_new = sources_.size();
  std::size_t slot_index = 0;
  for (auto& d : disks_) {
    const std::uint32_t slot = machine::virtio_slot(slot_index++);
    outputs.attach_disk(slot, *d);
    sources_.push_back(std::make_unique<DiskInputSource>(slot, *d));
  }
  for (auto& n : nics_) {
    const std::uint32_t slot = machine::virtio_slot(slot_index++);
    outputs.attach_nic(slot, *n);
    sources_.push_back(std::make_unique<NetInputSource>(slot, *n));
  }
  for (std::size_t i = first_new; i < sources_.size(); ++i) sources.push_back(sources_[i].get());
}

}  // namespace ftvm::host
