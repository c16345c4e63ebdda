#pragma once
// Disk completions and received frames, turned into Inputs for their
// device slot.
#include <cstdint>

#include "disk/disk_backend.h"
#include "host/input_source.h"
#include "net/net_backend.h"

namespace ftvm::host {

class DiskInputSource final : public InputSource {
 public:
  DiskInputSource(std::uint32_t slot, disk::DiskBackend& disk) : slot_(slot), disk_(disk) {}
  int wake_fd() const override { return disk_.wake_fd(); }
  void collect(std::vector<machine::Input>& out) override;

 private:
  std::uint32_t slot_;
  disk::DiskBackend& disk_;
};

class NetInputSource final : public InputSource {
 public:
  NetInputSource(std::uint32_t slot, net::NetBackend& nic) : slot_(slot), nic_(nic) {}
  int wake_fd() const override { return nic_.wake_fd(); }
  void collect(std::vector<machine::Input>& out) override;

 private:
  std::uint32_t slot_;
  net::NetBackend& nic_;
};

}  // namespace ftvm::host
