// Seeded whole-system simulation of a primary/backup pair under faults.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>

#include "ft/sim/simulator.h"

namespace ftvm::ft::sim {
namespace {

void expect_no_violations(const SimResult& r) {
  for (const std::string& v : r.violations) ADD_FAILURE() << v;
}

TEST(Simulation, QuietRunMakesProgressWithoutFailover) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimResult r = run_simulation(quiet_options(seed));
    expect_no_violations(r);
    EXPECT_EQ(r.stats.failovers, 0u) << "seed " << seed;
    EXPECT_EQ(r.stats.halts, 0u) << "seed " << seed;
    // Nearly every write is acknowledged; only the last few may still wait.
    EXPECT_GT(r.stats.writes_acked, r.stats.writes_started / 2) << "seed " << seed;
  }
}

// Stale acks reach a primary whose backup already won test-and-set; the
// lease must keep the primary from releasing on them.
TEST(Simulation, LeaseStopsReleasesOnStaleAcks) {
  std::uint64_t backup_takeovers = 0;
  for (std::uint64_t seed = 1; seed <= 1500; ++seed) {
    const SimResult r = run_simulation(stale_ack_options(seed));
    expect_no_violations(r);
    if (!r.violations.empty()) break;
    backup_takeovers += r.stats.backup_went_live;
  }
  EXPECT_GT(backup_takeovers, 100u);
}

// The main sweep: thousands of seeds, each with its own fault mix.
TEST(Simulation, ThousandsOfSeedsKeepEveryInvariant) {
  constexpr std::uint64_t kSeeds = 5000;
  SimStats total;
  std::uint64_t failed_seeds = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const SimResult r = run_simulation(randomized_options(seed));
    if (!r.violations.empty()) {
      if (++failed_seeds <= 5) expect_no_violations(r);
    }
    total.writes_acked += r.stats.writes_acked;
    total.failovers += r.stats.failovers;
    total.primary_went_live += r.stats.primary_went_live;
    total.backup_went_live += r.stats.backup_went_live;
    total.halts += r.stats.halts;
    total.tas_unreachable += r.stats.tas_unreachable;
    total.pauses += r.stats.pauses;
    total.throttles += r.stats.throttles;
    total.corrupt_rejected += r.stats.corrupt_rejected;
    total.crashes += r.stats.crashes;
  }
  EXPECT_EQ(failed_seeds, 0u);
  // The sweep must actually reach the interesting situations, or passing it
  // would prove nothing.
  EXPECT_GT(total.writes_acked, kSeeds * 10);
  EXPECT_GT(total.failovers, kSeeds / 10);
  EXPECT_GT(total.primary_went_live, 50u);
  EXPECT_GT(total.backup_went_live, 50u);
  EXPECT_GT(total.halts, 20u);
  EXPECT_GT(total.tas_unreachable, 50u);
  EXPECT_GT(total.pauses, 50u);
  EXPECT_GT(total.throttles, 50u);
  EXPECT_GT(total.corrupt_rejected, 50u);
  EXPECT_GT(total.crashes, 50u);
  fmt::print("acked {} failovers {} primary-live {} backup-live {} halts {} tas-unreachable {} "
                                  "pauses {} throttles {} corrupt {} crashes {}\n",
                                  total.writes_acked, total.failovers, total.primary_went_live,
                                  total.backup_went_live, total.halts, total.tas_unreachable, total.pauses,
                                  total.throttles, total.corrupt_rejected, total.crashes);
}

TEST(Simulation, SameSeedGivesTheSameTrace) {
  for (std::uint64_t seed : {1u, 17u, 4242u}) {
    const SimResult a = run_simulation(randomized_options(seed));
    const SimResult b = run_simulation(randomized_options(seed));
    EXPECT_EQ(a.trace_hash, b.trace_hash) << "seed " << seed;
    EXPECT_EQ(a.stats.writes_acked, b.stats.writes_acked);
  }
}

TEST(Simulation, DifferentSeedsGiveDifferentTraces) {
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) hashes.insert(run_simulation(randomized_options(seed)).trace_hash);
  EXPECT_EQ(hashes.size(), 20u);
}

}  // namespace
}  // namespace ftvm::ft::sim
