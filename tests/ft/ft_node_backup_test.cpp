// The backup side of FtNode, one behaviour at a time.
#include <gtest/gtest.h>

#include "ft/node_harness.h"

namespace ftvm::ft {
namespace {

using namespace ftvm::ft::testing;

Ready batch(FtNode& b, std::uint64_t probe, std::vector<LogEntry> es) {
  return step(b, MessageEvent{from_primary(LogBatch{probe, std::move(es)})});
}

const Ack* only_ack(const Ready& r) {
  if (r.send.size() != 1) return nullptr;
  return std::get_if<Ack>(&r.send[0].body);
}

TEST(FtBackup, DeliversEntriesInOrderAndAcksWithTheProbeEcho) {
  FtNode b = make_backup();
  Ready r = batch(b, 9, entries(1, 3));
  EXPECT_EQ(r.deliver, entries(1, 3));
  const Ack* a = only_ack(r);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->received, 3u);
  EXPECT_EQ(a->executed, 0u);
  EXPECT_EQ(a->probe_echo, 9u);
  EXPECT_EQ(r.send[0].sender, Sender::kBackup);
}

TEST(FtBackup, IgnoresDuplicatesAndStopsAtAGap) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 2));
  Ready r = batch(b, 2, entries(2, 3));  // 2 is a duplicate
  EXPECT_EQ(r.deliver, entries(3, 3));
  r = batch(b, 3, entries(5, 6));  // 4 is missing
  EXPECT_TRUE(r.deliver.empty());
  EXPECT_EQ(b.received(), 3u);
  ASSERT_NE(only_ack(r), nullptr);  // the ack tells the primary where we are
  EXPECT_EQ(only_ack(r)->received, 3u);
  EXPECT_EQ(batch(b, 4, entries(4, 6)).deliver, entries(4, 6));
}

TEST(FtBackup, ReportsExecutionProgressInItsAcks) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 3));
  Ready r = step(b, ExecutedEvent{2});
  ASSERT_NE(only_ack(r), nullptr);
  EXPECT_EQ(only_ack(r)->executed, 2u);
  EXPECT_EQ(b.executed(), 2u);
}

TEST(FtBackup, RejectsExecutionItCannotHaveDone) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 2));
  EXPECT_EQ(step(b, ExecutedEvent{3}).errors.size(), 1u);
  step(b, ExecutedEvent{2});
  EXPECT_EQ(step(b, ExecutedEvent{1}).errors.size(), 1u);  // backwards
  EXPECT_EQ(b.executed(), 2u);
}

TEST(FtBackup, DropsEveryOutputItsReplayProduces) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 1));
  Ready r = step(b, OutputEvent{4, 1});
  EXPECT_EQ(r.drop, std::vector<OutputId>{4});
  EXPECT_TRUE(r.release.empty());
}

TEST(FtBackup, HeartbeatsAreAnsweredWithAnAck) {
  FtNode b = make_backup();
  Ready r = step(b, MessageEvent{from_primary(Heartbeat{4, 0})});
  ASSERT_NE(only_ack(r), nullptr);
  EXPECT_EQ(only_ack(r)->probe_echo, 4u);
}

TEST(FtBackup, WaitsOutThePrimarysLeaseBeforeAskingTas) {
  FtConfig c = small_config();
  FtNode b = make_backup(c);
  batch(b, 1, entries(1, 1));  // the backup's last message goes out now
  const std::uint64_t last_sent = b.now();
  step(b, PeerLostEvent{"reset"});
  EXPECT_EQ(b.state(), NodeState::kBackupFailover);
  std::uint64_t asked_at = 0;
  for (int i = 0; i < 20 && asked_at == 0; ++i) {
    if (tick(b).tas_request) asked_at = b.now();
  }
  EXPECT_GT(asked_at, last_sent + c.lease_ticks);
}

TEST(FtBackup, SendsNothingAndAcceptsNothingOnceFailoverBegins) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 1));
  step(b, PeerLostEvent{"reset"});
  Ready r = batch(b, 2, entries(2, 3));
  EXPECT_TRUE(r.deliver.empty());
  EXPECT_TRUE(r.send.empty());
  EXPECT_EQ(b.received(), 1u);
  for (int i = 0; i < 30; ++i) EXPECT_TRUE(tick(b).send.empty());
}

TEST(FtBackup, AfterWinningExecutesEverythingReceivedBeforeGoingLive) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 3));
  step(b, ExecutedEvent{1});
  silence_until_failover(b);
  Ready r;
  for (int i = 0; i < 20 && !r.tas_request; ++i) r = tick(b);
  ASSERT_TRUE(r.tas_request.has_value());
  EXPECT_EQ(r.tas_request->claimant, "backup");
  r = step(b, TasAnswerEvent{TasResult::kWon});
  EXPECT_FALSE(r.go_live);
  EXPECT_EQ(b.state(), NodeState::kPromoting);
  EXPECT_FALSE(step(b, ExecutedEvent{2}).go_live);
  r = step(b, ExecutedEvent{3});
  EXPECT_TRUE(r.go_live);
  EXPECT_EQ(b.state(), NodeState::kLive);
  // Now it is the machine: it appends from where replay ended.
  EXPECT_TRUE(step(b, AppendEvent{entries(4, 4)}).errors.empty());
  EXPECT_EQ(step(b, OutputEvent{8, 4}).release, std::vector<OutputId>{8});
}

TEST(FtBackup, WinningWithNothingLeftToExecuteGoesLiveAtOnce) {
  FtNode b = make_backup();
  batch(b, 1, entries(1, 2));
  step(b, ExecutedEvent{2});
  step(b, PeerLostEvent{"reset"});
  Ready r;
  for (int i = 0; i < 20 && !r.tas_request; ++i) r = tick(b);
  ASSERT_TRUE(r.tas_request.has_value());
  EXPECT_TRUE(step(b, TasAnswerEvent{TasResult::kWon}).go_live);
  EXPECT_EQ(b.state(), NodeState::kLive);
}

TEST(FtBackup, StartsFromASnapshotPosition) {
  FtNode b(small_config(), test_pair(), InitialRole::kBackup, 100);
  EXPECT_TRUE(batch(b, 1, entries(1, 2)).deliver.empty());
  EXPECT_EQ(batch(b, 1, entries(101, 101)).deliver.size(), 1u);
}

}  // namespace
}  // namespace ftvm::ft
