#include "pair/live_backends.h"

#include "disk/open_disk.h"
#include "host/backend_sources.h"
#include "machine/core/machine_config.h"
#include "net/open_net.h"

namespace ftvm::pair {

LiveBackends::LiveBackends(const host::VmConfig& config) {
  for (const auto& d : config.disks) disks_.push_back(disk::open_disk(d.source, d.read_only));
  for (const auto& n : config.nets) nics_.push_back(net::open_net(n.kind, n.where));
}

std::vector<host::OpenedDisk> LiveBackends::opened_disks() const {
  std::vector<host::OpenedDisk> out;
  for (const auto& d : disks_) out.push_back({d->capacity(), d->read_only()});
  return out;
}

// Slots follow build_machine_config: disks first, then NICs.
void LiveBackends::attach(host::HostOutputDispatcher& outputs, std::vector<host::InputSource*>& sources) {
  std::size_t slot_index = 0;
  for (auto& d : disks_) {
    std::uint32_t slot = machine::virtio_slot(slot_index++);
    outputs.attach_disk(slot, *d);
    sources_.push_back(std::make_unique<host::DiskInputSource>(slot, *d));
  }
  for (auto& n : nics_) {
    std::uint32_t slot = machine::virtio_slot(slot_index++);
    outputs.attach_nic(slot, *n);
    sources_.push_back(std::make_unique<host::NetInputSource>(slot, *n));
  }
  for (auto& s : sources_) sources.push_back(s.get());
}

}  // namespace ftvm::pair
