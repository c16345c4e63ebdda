#pragma once
// A disk backend that knows how many of its requests are still out, so the
// host can let them finish before it rebuilds the machine on a guest reset.
// Without that, a completion issued for the old machine would reach the new
// one under a tag the new machine never issued (or, worse, one it reuses).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "disk/disk_backend.h"

namespace ftvm::host {

class DrainingDisk final : public disk::DiskBackend {
 public:
  explicit DrainingDisk(std::unique_ptr<disk::DiskBackend> inner) : inner_(std::move(inner)) {}

  std::uint64_t capacity() const override { return inner_->capacity(); }
  bool read_only() const override { return inner_->read_only(); }
  std::string describe() const override { return inner_->describe(); }
  void submit(disk::DiskRequest req) override;
  std::vector<disk::DiskCompletion> take_completions() override;
  int wake_fd() const override { return inner_->wake_fd(); }

  std::uint64_t outstanding() const { return outstanding_; }
  // Waits (up to `limit`) for every submitted request to complete and throws
  // the completions away. False when some were still out at the limit.
  bool drain(std::chrono::milliseconds limit);

 private:
  std::unique_ptr<disk::DiskBackend> inner_;
  std::uint64_t outstanding_ = 0;  // submitted, completion not yet taken
};

}  // namespace ftvm::host
