// PairDriver's deferred start, which lets a primary run its guest while the
// new backup still verifies a live clone: nothing the backup says is read
// before the clone's verdict is in, no tick counts before the first ack (the
// verification may outlast the failure timeout), outputs stay held until
// both, and a refused verdict or a missing ack by the deadline is a lost
// backup -- a failover whose won test-and-set releases what was held.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ft/node_state.h"
#include "machine/core/error.h"
#include "driver_side.h"
#include "pair/pair_driver.h"

using namespace ftvm;
using namespace ftvm::pair;
using namespace std::chrono_literals;

namespace {

class Released final : public ReadyHandler {
 public:
  void deliver(const ft::LogEntry&) override {}
  void release(ft::OutputId id) override { ids.push_back(id); }
  void go_live() override { live = true; }
  void halt(const std::string&) override {}
  std::vector<ft::OutputId> ids;
  bool live = false;
};

using Side = test::DriverSide<Released>;
const ft::PairId kPair{"deferred", 2};

class DeferredStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    primary_ = std::make_unique<Side>(kPair, ft::InitialRole::kPrimary, disk::UniqueFd(fds[0]));
    backup_fd_ = disk::UniqueFd(fds[1]);
  }
  // The guest logged something and produced output 1, which depends on it.
  void log_and_output() {
    primary_->driver.step(ft::AppendEvent{{ft::LogEntry{1, {1, 2, 3}}}});
    primary_->driver.output(1);
  }
  // The backup has verified: its node starts on the open channel.
  void start_backup() { backup_ = std::make_unique<Side>(kPair, ft::InitialRole::kBackup, std::move(backup_fd_)); }
  // Serves both owners for about `d`.
  void serve_for(std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (backup_) backup_->driver.service();
      primary_->driver.service();
      std::this_thread::sleep_for(5ms);
    }
  }

  std::unique_ptr<Side> primary_;
  std::unique_ptr<Side> backup_;
  disk::UniqueFd backup_fd_;
};

TEST_F(DeferredStartTest, OutputsWaitForTheVerdictAndTheAckAndNoTimeoutFires) {
  std::atomic<bool> verdict_ok{false};
  primary_->driver.defer_start(std::chrono::steady_clock::now() + 10s, [&] { return verdict_ok.load(); });
  log_and_output();
  // Three failure timeouts with a silent backup (still verifying): no
  // failover, nothing released.
  serve_for(300ms);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kPrimary);
  EXPECT_EQ(primary_->tas_asked, 0);
  EXPECT_TRUE(primary_->handler.ids.empty());

  // The backup verified and acks -- but its verdict has not been read yet:
  // its acks are not read either, so the output stays held. (A real backup
  // sends its verdict before it starts acking, so this window is short.)
  start_backup();
  for (int i = 0; i < 10; ++i) {
    backup_->driver.service();
    std::this_thread::sleep_for(2ms);
  }
  primary_->driver.service();
  EXPECT_GE(backup_->node.received(), 1u) << "the backup never got the log sent while it verified";
  EXPECT_EQ(primary_->driver.snapshot().acked, 0u);
  EXPECT_TRUE(primary_->handler.ids.empty()) << "an output left before the clone's verdict was read";

  verdict_ok = true;
  serve_for(300ms);
  EXPECT_GE(primary_->driver.snapshot().acked, 1u);
  EXPECT_EQ(primary_->handler.ids, std::vector<ft::OutputId>{1});
  // From the first ack on ticks count: heartbeats keep both sides paired.
  serve_for(300ms);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kPrimary);
  EXPECT_EQ(backup_->driver.snapshot().state, ft::NodeState::kBackup);
  EXPECT_EQ(primary_->tas_asked + backup_->tas_asked, 0);
}

// The keeper reads the verdict too: a primary whose owner thread is busy
// (a checkpoint digest of a large RAM, say) still admits the backup's acks
// and heartbeats it, so the backup, already running its node, does not take
// the stall for a failure.
TEST_F(DeferredStartTest, TheKeeperAdmitsTheVerdictWhileTheOwnerIsBusy) {
  std::atomic<bool> verdict_ok{false};
  primary_->driver.defer_start(std::chrono::steady_clock::now() + 10s, [&] { return verdict_ok.load(); });
  log_and_output();
  primary_->driver.start_keeper();
  start_backup();
  backup_->driver.start_keeper();
  verdict_ok = true;
  std::this_thread::sleep_for(500ms);  // five failure timeouts, owners idle
  EXPECT_GE(primary_->driver.snapshot().acked, 1u);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kPrimary);
  EXPECT_EQ(backup_->driver.snapshot().state, ft::NodeState::kBackup);
  EXPECT_EQ(primary_->tas_asked + backup_->tas_asked, 0);
  // The release itself is the owner's to make.
  primary_->driver.service();
  EXPECT_EQ(primary_->handler.ids, std::vector<ft::OutputId>{1});
}

TEST_F(DeferredStartTest, ARefusedVerdictIsAFailoverThatReleasesTheHeldOutputs) {
  primary_->driver.defer_start(std::chrono::steady_clock::now() + 10s,
                               []() -> bool { throw Error("the receiver refused the clone: digest mismatch"); });
  log_and_output();
  serve_for(200ms);
  EXPECT_EQ(primary_->tas_asked, 1);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kLive);
  EXPECT_TRUE(primary_->handler.live);
  // No backup can ever take it over now: released, not lost.
  EXPECT_EQ(primary_->handler.ids, std::vector<ft::OutputId>{1});
  EXPECT_NE(primary_->driver.failover_reason().find("digest mismatch"), std::string::npos)
      << primary_->driver.failover_reason();
}

TEST_F(DeferredStartTest, NoAckByTheDeadlineIsAFailoverToo) {
  primary_->driver.defer_start(std::chrono::steady_clock::now() + 150ms, [] { return true; });
  log_and_output();
  serve_for(100ms);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kPrimary) << "the deadline fired early";
  serve_for(300ms);
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kLive);
  EXPECT_EQ(primary_->handler.ids, std::vector<ft::OutputId>{1});
  EXPECT_NE(primary_->driver.failover_reason().find("in time"), std::string::npos)
      << primary_->driver.failover_reason();
}

}  // namespace
