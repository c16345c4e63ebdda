// Messages that do not belong to this pair, or make no sense, are rejected
// with an error action; they change nothing and do not count as liveness.
#include <gtest/gtest.h>

#include "ft/message_codec.h"
#include "ft/node_harness.h"
#include "machine/core/error.h"

namespace ftvm::ft {
namespace {

using namespace ftvm::ft::testing;

void expect_rejected(FtNode& node, Message m, std::string_view mention) {
  Ready r = step(node, MessageEvent{std::move(m)});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find(mention), std::string::npos) << r.errors[0];
  EXPECT_TRUE(r.deliver.empty());
  EXPECT_TRUE(r.send.empty());
  EXPECT_TRUE(r.release.empty());
}

TEST(FtValidation, RejectsAnotherVm) {
  FtNode b = make_backup();
  expect_rejected(b, Message{PairId{"vm-b", 3}, Sender::kPrimary, LogBatch{1, entries(1, 1)}}, "vm-b");
  EXPECT_EQ(b.received(), 0u);
}

TEST(FtValidation, RejectsAnotherGeneration) {
  FtNode b = make_backup();
  expect_rejected(b, Message{PairId{"vm-a", 2}, Sender::kPrimary, LogBatch{1, entries(1, 1)}}, "generation 2");
}

TEST(FtValidation, ForeignMessagesDoNotKeepThePeerAlive) {
  FtNode p = make_primary();
  for (int i = 0; i < 30 && p.state() == NodeState::kPrimary; ++i) {
    tick(p);
    step(p, MessageEvent{Message{PairId{"vm-a", 4}, Sender::kBackup, Ack{p.now(), 0, 0}}});
  }
  EXPECT_EQ(p.state(), NodeState::kPrimaryFailover);
}

TEST(FtValidation, RejectsAMessageFromTheSameRole) {
  FtNode p = make_primary();
  expect_rejected(p, from_primary(Heartbeat{1, 0}), "from a primary");
  FtNode b = make_backup();
  expect_rejected(b, Message{test_pair(), Sender::kBackup, Ack{}}, "from a backup");
}

TEST(FtValidation, RejectsABodyTheRoleDoesNotAccept) {
  FtNode p = make_primary();
  expect_rejected(p, Message{test_pair(), Sender::kBackup, LogBatch{1, entries(1, 1)}}, "log batch");
}

TEST(FtValidation, RejectsAcksThatDoNotFitTheLog) {
  FtNode p = make_primary();
  step(p, AppendEvent{entries(1, 2)});
  expect_rejected(p, from_backup(Ack{p.now(), 3, 0}), "received 3");  // beyond the log
  expect_rejected(p, from_backup(Ack{p.now(), 1, 2}), "executed 2");  // executed > received
  expect_rejected(p, from_backup(Ack{p.now() + 5, 1, 1}), "echo");  // a probe never sent
  EXPECT_EQ(p.acked(), 0u);
  EXPECT_FALSE(p.lease_valid());
}

TEST(FtValidation, RejectsABatchWithoutConsecutiveSequenceNumbers) {
  FtNode b = make_backup();
  expect_rejected(b, from_primary(LogBatch{1, {entry(1), entry(3)}}), "consecutive");
  expect_rejected(b, from_primary(LogBatch{1, {entry(0)}}), "consecutive");
  EXPECT_EQ(b.received(), 0u);
}

TEST(FtValidation, RejectsGarbageFramesWithoutCrashing) {
  FtNode b = make_backup();
  for (std::size_t n = 0; n < 64; ++n) {
    std::vector<std::uint8_t> junk(n);
    for (std::size_t i = 0; i < n; ++i) junk[i] = static_cast<std::uint8_t>(i * 37 + n);
    Ready r = step(b, FrameEvent{junk});
    EXPECT_EQ(r.errors.size(), 1u) << n;
  }
  EXPECT_EQ(b.received(), 0u);
}

TEST(FtValidation, AcceptsAGoodFrame) {
  FtNode b = make_backup();
  Ready r = step(b, FrameEvent{encode_message(from_primary(LogBatch{1, entries(1, 2)}))});
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.deliver, entries(1, 2));
}

TEST(FtValidation, BadConfigAndPairAreClearErrors) {
  FtConfig c = small_config();
  c.lease_ticks = 0;
  EXPECT_THROW(FtNode(c, test_pair(), InitialRole::kPrimary), Error);
  c = small_config();
  c.heartbeat_interval_ticks = c.failure_timeout_ticks;
  EXPECT_THROW(FtNode(c, test_pair(), InitialRole::kPrimary), Error);
  EXPECT_THROW(FtNode(small_config(), PairId{"", 1}, InitialRole::kBackup), Error);
  EXPECT_THROW(FtNode(small_config(), PairId{std::string(300, 'x'), 1}, InitialRole::kBackup), Error);
  try {
    c = small_config();
    c.max_batch_entries = 0;
    FtNode n(c, test_pair(), InitialRole::kPrimary);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_batch_entries"), std::string::npos);
  }
}

TEST(FtValidation, TasKeyNamesVmAndGeneration) {
  EXPECT_EQ(tas_key(PairId{"db", 12}), "db/12");
  EXPECT_NE(tas_key(PairId{"db", 1}), tas_key(PairId{"db", 12}));
}

}  // namespace
}  // namespace ftvm::ft
