#pragma once
// The live OutputPort: console bytes to a host fd (stdout), disk requests to
// the slot's disk backend, frames to the slot's NIC, entropy requests to the
// entropy source. Power-off and reset are the run loop's business (it sees
// them as stop reasons) and are ignored here. An output for a slot with no
// backend is dropped with a warning, once per slot.
#include <cstdint>
#include <map>
#include <set>

#include "disk/disk_backend.h"
#include "host/entropy_source.h"
#include "host/output_port.h"
#include "net/net_backend.h"

namespace ftvm::host {

class HostOutputDispatcher final : public OutputPort {
 public:
  HostOutputDispatcher(int console_fd, EntropySource& entropy) : console_fd_(console_fd), entropy_(entropy) {}

  void attach_disk(std::uint32_t slot, disk::DiskBackend& disk) { disks_[slot] = &disk; }
  void attach_nic(std::uint32_t slot, net::NetBackend& nic) { nics_[slot] = &nic; }

  void deliver(const machine::Output& out) override;

 private:
  void write_console(const std::vector<std::uint8_t>& bytes);
  void to_disk(const machine::Output& out);
  void unrouted(const machine::Output& out);

  int console_fd_;
  EntropySource& entropy_;
  std::map<std::uint32_t, disk::DiskBackend*> disks_;
  std::map<std::uint32_t, net::NetBackend*> nics_;
  std::set<std::uint32_t> warned_slots_;
};

}  // namespace ftvm::host
