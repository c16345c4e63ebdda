// The driver's keeper thread: while the thread that owns the machine is busy
// (a long checkpoint digest, a long replay step), heartbeats and acks still
// flow, so the peer does not take the stall for a failure; and every
// ReadyHandler call is still made on the owner thread.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ft/node_state.h"
#include "driver_side.h"
#include "pair/pair_driver.h"

using namespace ftvm;
using namespace ftvm::pair;
using namespace std::chrono_literals;

namespace {

// Records what it is handed and on which thread.
class RecordingHandler final : public ReadyHandler {
 public:
  void deliver(const ft::LogEntry& e) override {
    note();
    delivered.push_back(e.seq);
  }
  void release(ft::OutputId id) override {
    note();
    released.push_back(id);
  }
  void go_live() override { note(); }
  void halt(const std::string&) override { note(); }

  std::vector<ft::LogPosition> delivered;
  std::vector<ft::OutputId> released;
  std::vector<std::thread::id> threads;

 private:
  void note() { threads.push_back(std::this_thread::get_id()); }
};

using Side = test::DriverSide<RecordingHandler>;
const ft::PairId kPair{"keeper", 1};

class KeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    primary_ = std::make_unique<Side>(kPair, ft::InitialRole::kPrimary, disk::UniqueFd(fds[0]));
    backup_ = std::make_unique<Side>(kPair, ft::InitialRole::kBackup, disk::UniqueFd(fds[1]));
  }
  // Appends one entry and lets the backup acknowledge it.
  void start_replicating() {
    primary_->driver.step(ft::AppendEvent{{ft::LogEntry{1, {1, 2, 3}}}});
    for (int i = 0; i < 100 && primary_->driver.snapshot().acked < 1; ++i) {
      backup_->driver.service();
      primary_->driver.service();
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(primary_->driver.snapshot().acked, 1u);
  }
  // Both owner threads do nothing for five failure timeouts, then look.
  void stall_both_owners() {
    std::this_thread::sleep_for(500ms);
    backup_->driver.service();
    primary_->driver.service();
  }

  std::unique_ptr<Side> primary_;
  std::unique_ptr<Side> backup_;
};

TEST_F(KeeperTest, HeartbeatsFlowWhileTheOwnerIsBusy) {
  start_replicating();
  primary_->driver.start_keeper();
  backup_->driver.start_keeper();
  stall_both_owners();
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kPrimary);
  EXPECT_EQ(backup_->driver.snapshot().state, ft::NodeState::kBackup);
  EXPECT_EQ(primary_->tas_asked, 0);
  EXPECT_EQ(backup_->tas_asked, 0);
}

// The control: the same stall without keepers is taken for a failure, so
// the test above does measure the keeper.
TEST_F(KeeperTest, WithoutKeepersTheSameStallLooksLikeAFailure) {
  start_replicating();
  stall_both_owners();
  EXPECT_NE(backup_->driver.snapshot().state, ft::NodeState::kBackup);
}

TEST_F(KeeperTest, HandlerCallsAreMadeOnTheOwnerThreadOnly) {
  start_replicating();
  primary_->driver.start_keeper();
  backup_->driver.start_keeper();
  // An output at log position 1; the keeper sees the ack that frees it.
  primary_->driver.output(7);
  for (int i = 0; i < 200 && primary_->handler.released.empty(); ++i) {
    primary_->driver.wait(10ms);
    primary_->driver.service();
    backup_->driver.service();
  }
  ASSERT_EQ(primary_->handler.released, std::vector<ft::OutputId>{7});
  primary_->driver.step(ft::AppendEvent{{ft::LogEntry{2, {4}}}});
  for (int i = 0; i < 200 && backup_->handler.delivered.size() < 2; ++i) {
    backup_->driver.wait(10ms);
    backup_->driver.service();
  }
  EXPECT_EQ(backup_->handler.delivered, (std::vector<ft::LogPosition>{1, 2}));
  for (auto* side : {primary_.get(), backup_.get()})
    for (auto id : side->handler.threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_F(KeeperTest, AClosedChannelIsReportedByTheOwnerAsAPeerLoss) {
  start_replicating();
  primary_->driver.start_keeper();
  backup_->driver.start_keeper();
  backup_.reset();  // the backup process is gone: its socket closes
  for (int i = 0; i < 200 && primary_->driver.snapshot().state != ft::NodeState::kLive; ++i) {
    primary_->driver.wait(10ms);
    primary_->driver.service();
  }
  EXPECT_EQ(primary_->driver.snapshot().state, ft::NodeState::kLive);
  EXPECT_EQ(primary_->tas_asked, 1);
}

}  // namespace
