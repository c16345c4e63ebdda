#include "tas/etcd_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "etcd_cluster.h"
#include "machine/core/error.h"

using namespace ftvm::tas;
using namespace std::chrono_literals;
using ftvm::tas::testing::EtcdCluster;

TEST(EtcdHelpers, Base64RoundTrip) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "vm1/gen-7", std::string("\0\xff", 2)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("vm"), "dm0=");
  EXPECT_THROW(base64_decode("abc"), ftvm::Error);
}

TEST(EtcdClient, ThreeMemberClusterDecidesOnceAndSurvivesAMemberLoss) {
  EtcdCluster cluster(3);
  ASSERT_TRUE(cluster.wait_ready(20s)) << "etcd cluster did not come up";
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i)
    racers.emplace_back([&, i] {
      EtcdClient c(cluster.endpoints(), "/ftvm/tas/", 3000ms);
      auto a = c.test_and_set("vm1/1", "side" + std::to_string(i));
      (a.outcome == Outcome::kWon ? won : lost)++;
    });
  for (auto& t : racers) t.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(lost, 5);

  cluster.kill_member(0);  // the client's first endpoint: it must move on
  EtcdClient c(cluster.endpoints(), "/ftvm/tas/", 2000ms);
  EXPECT_EQ(c.test_and_set("vm1/2", "backup").outcome, Outcome::kWon);
  EXPECT_EQ(c.test_and_set("vm1/2", "primary").outcome, Outcome::kLost);
  EXPECT_EQ(c.test_and_set("vm1/1", "nobody").outcome, Outcome::kLost);
}

TEST(EtcdClient, NoQuorumMeansNoDecision) {
  EtcdCluster cluster(3);
  ASSERT_TRUE(cluster.wait_ready(20s));
  cluster.kill_member(1);
  cluster.kill_member(2);
  EtcdClient c(cluster.endpoints(), "/ftvm/tas/", 1500ms);
  auto a = c.test_and_set("vm9/1", "backup");
  EXPECT_EQ(a.outcome, Outcome::kUnreachable) << a.owner;
}
