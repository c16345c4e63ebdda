// The primary side of FtNode, one behaviour at a time.
#include <gtest/gtest.h>

#include "ft/node_harness.h"

namespace ftvm::ft {
namespace {

using namespace ftvm::ft::testing;

const LogBatch* batch_of(const Message& m) { return std::get_if<LogBatch>(&m.body); }

TEST(FtPrimary, ShipsAppendedEntriesInBoundedBatches) {
  FtNode p = make_primary();
  Ready r = step(p, AppendEvent{entries(1, 3)});
  ASSERT_EQ(r.send.size(), 2u);  // max_batch_entries = 2
  ASSERT_NE(batch_of(r.send[0]), nullptr);
  EXPECT_EQ(batch_of(r.send[0])->entries, entries(1, 2));
  EXPECT_EQ(batch_of(r.send[1])->entries, entries(3, 3));
  EXPECT_EQ(r.send[0].sender, Sender::kPrimary);
  EXPECT_EQ(r.send[0].pair, test_pair());
  EXPECT_EQ(p.appended(), 3u);
}

TEST(FtPrimary, BatchByteBoundSplitsButNeverStrandsABigEntry) {
  FtNode p = make_primary();
  Ready r = step(p, AppendEvent{{entry(1, 60), entry(2, 60), entry(3, 500)}});
  ASSERT_EQ(r.send.size(), 3u);  // 60+60 > 100, and 500 alone exceeds it
  EXPECT_EQ(batch_of(r.send[2])->entries.size(), 1u);
}

TEST(FtPrimary, HoldsAnOutputUntilTheBackupAcksItsPosition) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 2)});
  EXPECT_TRUE(step(p, OutputEvent{10, 2}).release.empty());
  EXPECT_TRUE(ack_now(p, 1, 0).release.empty());
  Ready r = ack_now(p, 2, 0);
  EXPECT_EQ(r.release, std::vector<OutputId>{10});
  EXPECT_EQ(p.held_outputs(), 0u);
}

TEST(FtPrimary, ReleasesOutputsInProductionOrder) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 3)});
  step(p, OutputEvent{1, 1});
  step(p, OutputEvent{2, 3});
  step(p, OutputEvent{3, 3});
  EXPECT_EQ(ack_now(p, 2, 0).release, std::vector<OutputId>{1});
  EXPECT_EQ(ack_now(p, 3, 0).release, (std::vector<OutputId>{2, 3}));
}

TEST(FtPrimary, AStaleEchoGivesNoLeaseSoNothingIsReleased) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 1)});
  step(p, OutputEvent{7, 1});
  const std::uint64_t old_probe = p.now();
  tick(p, 5);  // lease_ticks = 5: the probe is now too old
  Ready r = step(p, MessageEvent{from_backup(Ack{old_probe, 1, 1})});
  EXPECT_TRUE(r.release.empty());
  EXPECT_FALSE(p.lease_valid());
  EXPECT_EQ(p.acked(), 1u);  // the ack itself still counts
  // A fresh echo releases what is already acked.
  EXPECT_EQ(ack_now(p, 1, 1).release, std::vector<OutputId>{7});
}

TEST(FtPrimary, PausesWhenTheUnackedLogIsFullAndResumesOnAck) {
  FtNode p = make_primary();
  EXPECT_FALSE(step(p, AppendEvent{entries(1, 3)}).pause.has_value());
  Ready full = step(p, AppendEvent{entries(4, 4)});
  ASSERT_TRUE(full.pause.has_value());
  EXPECT_TRUE(*full.pause);
  Ready freed = ack_now(p, 2, 2);
  ASSERT_TRUE(freed.pause.has_value());
  EXPECT_FALSE(*freed.pause);
  EXPECT_EQ(p.unacked_entries(), 2u);
}

TEST(FtPrimary, PausesOnTheByteBoundToo) {
  FtNode p = make_primary();
  Ready r = step(p, AppendEvent{{entry(1, 999), entry(2, 1)}});
  ASSERT_TRUE(r.pause.has_value());
  EXPECT_TRUE(*r.pause);
}

TEST(FtPrimary, ThrottlesWhileTheBackupLagsInExecution) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 3)});
  Ready r = ack_now(p, 3, 0);  // lag 3 == bound: fine
  EXPECT_FALSE(r.throttle.has_value());
  r = step(p, AppendEvent{entries(4, 4)});  // lag 4 > 3
  ASSERT_TRUE(r.throttle.has_value());
  EXPECT_TRUE(*r.throttle);
  r = ack_now(p, 4, 2);
  ASSERT_TRUE(r.throttle.has_value());
  EXPECT_FALSE(*r.throttle);
}

TEST(FtPrimary, GoesBackToTheLastAckWhenAcksStall) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 2)});
  ack_now(p, 1, 0);
  Ready r;
  bool resent = false;
  for (int i = 0; i < 5 && !resent; ++i) {
    r = tick(p);
    for (const Message& m : r.send) {
      if (const LogBatch* b = batch_of(m); b && !b->entries.empty()) {
        EXPECT_EQ(b->entries.front().seq, 2u);
        resent = true;
      }
    }
  }
  EXPECT_TRUE(resent);
}

TEST(FtPrimary, SendsHeartbeatsWhenIdle) {
  FtNode p = make_primary();
  int heartbeats = 0;
  for (int i = 0; i < 6; ++i) {
    Ready r = tick(p);
    for (const Message& m : r.send) heartbeats += std::holds_alternative<Heartbeat>(m.body) ? 1 : 0;
    ack_now(p, 0, 0);  // keep the backup alive
  }
  EXPECT_GE(heartbeats, 2);
  EXPECT_LE(heartbeats, 4);
}

TEST(FtPrimary, AnyValidAckCountsAsLiveness) {
  FtNode p = make_primary();
  for (int i = 0; i < 30; ++i) {
    tick(p);
    ack_now(p, 0, 0);
  }
  EXPECT_EQ(p.state(), NodeState::kPrimary);
}

TEST(FtPrimary, SilenceStartsFailoverAndAsksTasAtOnce) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 1)});
  step(p, OutputEvent{5, 1});
  Ready r = silence_until_failover(p);
  EXPECT_EQ(p.state(), NodeState::kPrimaryFailover);
  ASSERT_TRUE(r.tas_request.has_value());
  EXPECT_EQ(r.tas_request->key, "vm-a/3");
  EXPECT_EQ(r.tas_request->claimant, "primary");
  EXPECT_TRUE(r.release.empty());
  // Acks no longer release anything: only TAS decides now.
  EXPECT_TRUE(ack_now(p, 1, 1).release.empty());
  EXPECT_EQ(p.held_outputs(), 1u);
}

TEST(FtPrimary, WinningTasReleasesEverythingHeldAndRunsAlone) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 4)});  // full: paused
  step(p, OutputEvent{5, 4});
  step(p, PeerLostEvent{"eof"});
  Ready r = step(p, TasAnswerEvent{TasResult::kWon});
  EXPECT_TRUE(r.go_live);
  EXPECT_EQ(r.release, std::vector<OutputId>{5});
  ASSERT_TRUE(r.pause.has_value());
  EXPECT_FALSE(*r.pause);
  EXPECT_EQ(p.state(), NodeState::kLive);
  // Live alone: new entries are not shipped, outputs leave at once.
  r = step(p, AppendEvent{entries(5, 5)});
  EXPECT_TRUE(r.send.empty());
  EXPECT_EQ(step(p, OutputEvent{6, 5}).release, std::vector<OutputId>{6});
  EXPECT_TRUE(tick(p, 20).send.empty());
}

TEST(FtPrimary, LosingTasHaltsAndDropsHeldOutputs) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 1)});
  step(p, OutputEvent{5, 1});
  step(p, PeerLostEvent{"eof"});
  Ready r = step(p, TasAnswerEvent{TasResult::kLost});
  ASSERT_TRUE(r.halt.has_value());
  EXPECT_EQ(r.drop, std::vector<OutputId>{5});
  EXPECT_EQ(p.state(), NodeState::kHalted);
  // A halted node does nothing, and refuses every later output.
  EXPECT_TRUE(tick(p, 20).empty());
  EXPECT_EQ(step(p, OutputEvent{6, 1}).drop, std::vector<OutputId>{6});
}

TEST(FtPrimary, UnreachableTasIsRetriedAndNeverGoesLive) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 1)});
  step(p, OutputEvent{5, 1});
  step(p, PeerLostEvent{"eof"});
  for (int attempt = 0; attempt < 4; ++attempt) {
    Ready r = step(p, TasAnswerEvent{TasResult::kUnreachable});
    EXPECT_FALSE(r.go_live);
    EXPECT_TRUE(r.release.empty());
    EXPECT_FALSE(r.tas_request.has_value());
    EXPECT_FALSE(tick(p, 2).tas_request.has_value());  // tas_retry_ticks = 3
    EXPECT_TRUE(tick(p).tas_request.has_value());
  }
  EXPECT_EQ(p.state(), NodeState::kPrimaryFailover);
  EXPECT_EQ(p.held_outputs(), 1u);
}

}  // namespace
}  // namespace ftvm::ft
