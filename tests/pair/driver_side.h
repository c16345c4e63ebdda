#pragma once
// One side of a pair for in-process PairDriver tests: an FtNode with fast
// timings, a test-and-set that always wins (and counts how often it was
// asked), the test's ReadyHandler, and the driver over one end of a
// socketpair.
#include <atomic>
#include <memory>
#include <string>

#include "disk/unique_fd.h"
#include "ft/ft_node.h"
#include "pair/log_channel.h"
#include "pair/pair_driver.h"
#include "pair/tas_claim.h"

namespace ftvm::pair::test {

class WinningTas final : public tas::TestAndSet {
 public:
  explicit WinningTas(std::atomic<int>& asked) : asked_(asked) {}
  tas::Answer test_and_set(const std::string&, const std::string& owner) override {
    ++asked_;
    return {tas::Outcome::kWon, owner, {}};
  }

 private:
  std::atomic<int>& asked_;
};

inline ft::FtConfig fast_driver_config() {
  ft::FtConfig c;
  c.heartbeat_interval_ticks = 2;  // 20 ms
  c.failure_timeout_ticks = 10;    // 100 ms
  c.lease_ticks = 5;
  c.retransmit_ticks = 4;
  c.tas_retry_ticks = 2;
  return c;
}

template <typename Handler>
struct DriverSide {
  DriverSide(const ft::PairId& pair, ft::InitialRole role, disk::UniqueFd fd)
      : node(fast_driver_config(), pair, role),
        tas(std::make_unique<WinningTas>(tas_asked), "test"),
        driver(node, LogChannel(std::move(fd), "peer"), tas, handler) {}
  std::atomic<int> tas_asked{0};
  ft::FtNode node;
  TasClaim tas;
  Handler handler;
  PairDriver driver;
};

}  // namespace ftvm::pair::test
