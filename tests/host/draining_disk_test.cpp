// DrainingDisk: the count of requests still out, and draining them before a
// reboot so no completion of the old machine reaches the new one.
#include "host/draining_disk.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "disk/event_fd.h"

namespace ftvm::host {
namespace {

using namespace std::chrono_literals;

// Completes requests only when the test says so, like a slow server.
class ManualDisk final : public disk::DiskBackend {
 public:
  std::uint64_t capacity() const override { return 1 << 20; }
  bool read_only() const override { return false; }
  std::string describe() const override { return "manual"; }
  void submit(disk::DiskRequest req) override {
    std::lock_guard lock(mutex_);
    submitted_.push_back(req.tag);
  }
  std::vector<disk::DiskCompletion> take_completions() override {
    wake_.clear();
    std::lock_guard lock(mutex_);
    return std::exchange(done_, {});
  }
  int wake_fd() const override { return wake_.fd(); }
  void complete_all() {
    std::lock_guard lock(mutex_);
    for (auto tag : submitted_) done_.push_back(disk::DiskCompletion{tag, disk::DiskStatus::kOk, {}});
    submitted_.clear();
    wake_.signal();
  }

 private:
  std::mutex mutex_;
  std::vector<std::uint64_t> submitted_;
  std::vector<disk::DiskCompletion> done_;
  disk::EventFd wake_;
};

disk::DiskRequest request(std::uint64_t tag) {
  disk::DiskRequest r;
  r.op = disk::DiskOp::kFlush;
  r.tag = tag;
  return r;
}

TEST(DrainingDisk, CountsRequestsUntilTheirCompletionsAreTaken) {
  auto inner = std::make_unique<ManualDisk>();
  ManualDisk& manual = *inner;
  DrainingDisk disk(std::move(inner));
  disk.submit(request(1));
  disk.submit(request(2));
  EXPECT_EQ(disk.outstanding(), 2u);
  manual.complete_all();
  EXPECT_EQ(disk.outstanding(), 2u);  // done on the host, not yet taken
  EXPECT_EQ(disk.take_completions().size(), 2u);
  EXPECT_EQ(disk.outstanding(), 0u);
}

TEST(DrainingDisk, DrainWaitsForLateCompletionsAndDiscardsThem) {
  auto inner = std::make_unique<ManualDisk>();
  ManualDisk& manual = *inner;
  DrainingDisk disk(std::move(inner));
  disk.submit(request(7));
  EXPECT_FALSE(disk.drain(50ms));  // nothing completes: gives up at the limit
  EXPECT_EQ(disk.outstanding(), 1u);
  std::thread completer([&] {
    std::this_thread::sleep_for(50ms);
    manual.complete_all();
  });
  EXPECT_TRUE(disk.drain(5s));
  completer.join();
  EXPECT_EQ(disk.outstanding(), 0u);
  EXPECT_TRUE(disk.take_completions().empty());  // nothing left for a new machine
}

}  // namespace
}  // namespace ftvm::host
