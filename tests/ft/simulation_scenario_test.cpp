// Hand-placed failures in the simulator, checking who ends up live.
#include <gtest/gtest.h>

#include "ft/sim/simulator.h"

namespace ftvm::ft::sim {
namespace {

constexpr int kP = 0;
constexpr int kB = 1;

SimResult run_script(std::uint64_t seed, std::vector<ScriptedFault> script, std::uint32_t steps = 300) {
  SimOptions o = quiet_options(seed);
  o.steps = steps;
  o.script = std::move(script);
  SimResult r = run_simulation(o);
  for (const std::string& v : r.violations) ADD_FAILURE() << v;
  return r;
}

TEST(SimulationScenario, PrimaryCrashMakesTheBackupLive) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r = run_script(seed, {{50, FaultKind::kCrash, kP, 0}});
    EXPECT_EQ(r.final_state[kB], NodeState::kLive) << "seed " << seed;
    EXPECT_GT(r.went_live_at[kB], 50u);
    EXPECT_EQ(r.stats.halts, 0u);
    // The backup keeps serving clients after taking over.
    EXPECT_GT(r.stats.writes_acked, 40u);
  }
}

TEST(SimulationScenario, BackupCrashMakesThePrimaryLiveAlone) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r = run_script(seed, {{50, FaultKind::kCrash, kB, 0}});
    EXPECT_EQ(r.final_state[kP], NodeState::kLive) << "seed " << seed;
    EXPECT_EQ(r.went_live_at[kB], 0u);
  }
}

TEST(SimulationScenario, PartitionWithBothReachingTasLeavesExactlyOneLive) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const SimResult r = run_script(seed, {{60, FaultKind::kPartition, 0, 1000}});
    const bool p_live = r.final_state[kP] == NodeState::kLive;
    const bool b_live = r.final_state[kB] == NodeState::kLive;
    EXPECT_NE(p_live, b_live) << "seed " << seed;
    EXPECT_EQ(r.final_state[p_live ? kB : kP], NodeState::kHalted) << "seed " << seed;
  }
}

TEST(SimulationScenario, NobodyGoesLiveWhileTasIsDown) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r =
        run_script(seed, {{40, FaultKind::kTasOutage, 0, 80}, {50, FaultKind::kCrash, kP, 0}});
    EXPECT_GE(r.went_live_at[kB], 120u) << "seed " << seed;
    EXPECT_EQ(r.final_state[kB], NodeState::kLive) << "seed " << seed;
    EXPECT_GT(r.stats.tas_unreachable, 0u);
  }
}

TEST(SimulationScenario, ASideCutOffFromTasLosesOnceItGetsThrough) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r =
        run_script(seed, {{40, FaultKind::kTasIsolation, kP, 100}, {50, FaultKind::kPartition, 0, 1000}});
    EXPECT_EQ(r.final_state[kB], NodeState::kLive) << "seed " << seed;
    EXPECT_EQ(r.final_state[kP], NodeState::kHalted) << "seed " << seed;
  }
}

TEST(SimulationScenario, ACutConnectionFailsOverLikeACrash) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r = run_script(seed, {{70, FaultKind::kCut, 0, 0}});
    const int live = r.final_state[kP] == NodeState::kLive ? kP : kB;
    EXPECT_EQ(r.final_state[live], NodeState::kLive) << "seed " << seed;
    EXPECT_EQ(r.final_state[1 - live], NodeState::kHalted) << "seed " << seed;
  }
}

}  // namespace
}  // namespace ftvm::ft::sim
