#include "tas/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "tas/client.h"

namespace fs = std::filesystem;
using namespace ftvm::tas;
using namespace std::chrono_literals;

namespace {
struct RunningServer {
  fs::path dir;
  std::unique_ptr<DecisionStore> store;
  std::unique_ptr<Server> server;
  std::thread thread;
  explicit RunningServer(fs::path d, std::uint16_t port = 0) : dir(std::move(d)) {
    store = std::make_unique<DecisionStore>((dir / "journal").string());
    server = std::make_unique<Server>(*store, "127.0.0.1", port);
    thread = std::thread([this] { server->run(); });
  }
  ~RunningServer() {
    server->stop();
    thread.join();
  }
};

fs::path temp_dir() {
  char tmpl[] = "/tmp/ftvm-tas-XXXXXX";
  return mkdtemp(tmpl);
}
}  // namespace

TEST(TasServer, ExactlyOneOfManyRacingClientsWins) {
  auto dir = temp_dir();
  RunningServer s(dir);
  std::atomic<int> won{0}, lost{0}, other{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 16; ++i)
    racers.emplace_back([&, i] {
      BuiltinClient c("127.0.0.1", s.server->port(), 2000ms);
      auto a = c.test_and_set("vm/7", "side-" + std::to_string(i));
      (a.outcome == Outcome::kWon ? won : a.outcome == Outcome::kLost ? lost : other)++;
    });
  for (auto& t : racers) t.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(lost, 15);
  EXPECT_EQ(other, 0);
  fs::remove_all(dir);
}

TEST(TasServer, DecisionSurvivesServerRestartOnSamePort) {
  auto dir = temp_dir();
  std::uint16_t port;
  {
    RunningServer s(dir);
    port = s.server->port();
    BuiltinClient c("127.0.0.1", port, 2000ms);
    EXPECT_EQ(c.test_and_set("vm/1", "backup").outcome, Outcome::kWon);
  }
  RunningServer again(dir, port);
  BuiltinClient c("127.0.0.1", port, 2000ms);
  auto a = c.test_and_set("vm/1", "primary");
  EXPECT_EQ(a.outcome, Outcome::kLost);
  EXPECT_EQ(a.owner, "backup");
  fs::remove_all(dir);
}

TEST(TasServer, UnreachableServerIsReportedNotDecided) {
  // Bind a port, then close it so nothing listens there.
  auto dir = temp_dir();
  std::uint16_t port;
  { RunningServer s(dir); port = s.server->port(); }
  BuiltinClient c("127.0.0.1", port, 300ms);
  auto t0 = std::chrono::steady_clock::now();
  auto a = c.test_and_set("vm/1", "x");
  EXPECT_EQ(a.outcome, Outcome::kUnreachable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  fs::remove_all(dir);
}

TEST(TasServer, MalformedRequestsGetAnErrorAndTheServerKeepsServing) {
  auto dir = temp_dir();
  RunningServer s(dir);
  BuiltinClient bad("127.0.0.1", s.server->port(), 1000ms);
  auto a = bad.test_and_set("has space", "x");  // becomes "TAS has space x": too many words
  EXPECT_EQ(a.outcome, Outcome::kUnreachable);
  EXPECT_NE(a.detail.find("ERR"), std::string::npos) << a.detail;
  BuiltinClient good("127.0.0.1", s.server->port(), 1000ms);
  EXPECT_EQ(good.test_and_set("k", "x").outcome, Outcome::kWon);
  fs::remove_all(dir);
}
