// Table of (state, event) -> (next state, actions) for the events that move
// an FtNode between states.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "ft/node_harness.h"

namespace ftvm::ft {
namespace {

using namespace ftvm::ft::testing;

// Ways to bring a fresh node into a given state.
FtNode in_state(NodeState s) {
  switch (s) {
    case NodeState::kPrimary: return make_primary();
    case NodeState::kBackup: return make_backup();
    case NodeState::kPrimaryFailover: {
      FtNode n = make_primary();
      step(n, PeerLostEvent{"test"});
      return n;
    }
    case NodeState::kBackupFailover: {
      FtNode n = make_backup();
      step(n, MessageEvent{from_primary(LogBatch{1, entries(1, 2)})});  // received 2, executed 0
      step(n, PeerLostEvent{"test"});
      tick(n, 10);  // past the lease wait: the TAS request is outstanding
      return n;
    }
    case NodeState::kPromoting: {
      FtNode n = make_backup();
      step(n, MessageEvent{from_primary(LogBatch{1, entries(1, 2)})});
      step(n, PeerLostEvent{"test"});
      tick(n, 10);
      step(n, TasAnswerEvent{TasResult::kWon});
      return n;
    }
    case NodeState::kLive: {
      FtNode n = make_primary();
      step(n, PeerLostEvent{"test"});
      step(n, TasAnswerEvent{TasResult::kWon});
      return n;
    }
    case NodeState::kHalted: {
      FtNode n = make_primary();
      step(n, PeerLostEvent{"test"});
      step(n, TasAnswerEvent{TasResult::kLost});
      return n;
    }
  }
  return make_primary();
}

struct Row {
  NodeState from;
  std::string event_name;
  std::function<Event()> event;
  NodeState to;
  bool go_live;
  bool halt;
  bool failover;
  bool error;
};

Event won() { return TasAnswerEvent{TasResult::kWon}; }
Event lost() { return TasAnswerEvent{TasResult::kLost}; }
Event unreachable() { return TasAnswerEvent{TasResult::kUnreachable}; }
Event peer_lost() { return PeerLostEvent{"eof"}; }

const Row kRows[] = {
    // from                       event                           to                          live   halt  fail  err
    {NodeState::kPrimary, "peer lost", peer_lost, NodeState::kPrimaryFailover, false, false, true, false},
    {NodeState::kBackup, "peer lost", peer_lost, NodeState::kBackupFailover, false, false, true, false},
    {NodeState::kPrimaryFailover, "peer lost", peer_lost, NodeState::kPrimaryFailover, false, false, false, false},
    {NodeState::kLive, "peer lost", peer_lost, NodeState::kLive, false, false, false, false},
    {NodeState::kPrimaryFailover, "TAS won", won, NodeState::kLive, true, false, false, false},
    {NodeState::kPrimaryFailover, "TAS lost", lost, NodeState::kHalted, false, true, false, false},
    {NodeState::kPrimaryFailover, "TAS unreachable", unreachable, NodeState::kPrimaryFailover, false, false, false,
     false},
    {NodeState::kBackupFailover, "TAS won", won, NodeState::kPromoting, false, false, false, false},
    {NodeState::kBackupFailover, "TAS lost", lost, NodeState::kHalted, false, true, false, false},
    {NodeState::kBackupFailover, "TAS unreachable", unreachable, NodeState::kBackupFailover, false, false, false,
     false},
    {NodeState::kPromoting, "executed all", [] { return Event{ExecutedEvent{2}}; }, NodeState::kLive, true, false,
     false, false},
    {NodeState::kPromoting, "executed some", [] { return Event{ExecutedEvent{1}}; }, NodeState::kPromoting, false,
     false, false, false},
    // TAS answers nobody asked for are rejected and change nothing.
    {NodeState::kPrimary, "TAS won", won, NodeState::kPrimary, false, false, false, true},
    {NodeState::kBackup, "TAS won", won, NodeState::kBackup, false, false, false, true},
    {NodeState::kLive, "TAS lost", lost, NodeState::kLive, false, false, false, true},
    {NodeState::kPromoting, "TAS won", won, NodeState::kPromoting, false, false, false, true},
    // Events that belong to the other side are rejected.
    {NodeState::kBackup, "append", [] { return Event{AppendEvent{entries(1, 1)}}; }, NodeState::kBackup, false,
     false, false, true},
    {NodeState::kPrimary, "executed", [] { return Event{ExecutedEvent{0}}; }, NodeState::kPrimary, false, false,
     false, true},
    {NodeState::kPrimary, "append with a gap", [] { return Event{AppendEvent{entries(2, 2)}}; },
     NodeState::kPrimary, false, false, false, true},
    {NodeState::kPrimary, "output beyond the log", [] { return Event{OutputEvent{1, 5}}; }, NodeState::kPrimary,
     false, false, false, true},
    // A halted node ignores everything.
    {NodeState::kHalted, "TAS won", won, NodeState::kHalted, false, false, false, false},
    {NodeState::kHalted, "peer lost", peer_lost, NodeState::kHalted, false, false, false, false},
};

TEST(FtTransitions, TableOfStateChanges) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(to_string(row.from)) + " + " + row.event_name);
    FtNode node = in_state(row.from);
    ASSERT_EQ(node.state(), row.from);
    const Ready r = step(node, row.event());
    EXPECT_EQ(node.state(), row.to);
    EXPECT_EQ(r.go_live, row.go_live);
    EXPECT_EQ(r.halt.has_value(), row.halt);
    EXPECT_EQ(r.failover.has_value(), row.failover);
    EXPECT_EQ(!r.errors.empty(), row.error);
  }
}

}  // namespace
}  // namespace ftvm::ft
