// End-to-end tests of `ftvm vm`: a primary and a backup as real processes on
// loopback, running the ticker guest, with test-and-set served in-process.
// They kill either side, cut the channel, take test-and-set away, and feed
// the channel garbage, and check who ends up live.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <regex>

#include "ft/frame_stream.h"
#include "ft/message_codec.h"
#include "net/fault_proxy.h"
#include "pair/log_channel.h"
#include "pair_process.h"

using namespace ftvm;
using namespace ftvm::pairtest;

namespace {

class PairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("ftvm-pair-test");
    tas_ = std::make_unique<TasService>(dir_ / "tas.journal");
    name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    primary_.reset();
    backup_.reset();
    tas_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> vm_args(const std::string& role) {
    return {vm_binary(), "vm", "--role", role, "--firmware", ticker_guest(), "--mem", "64M", "--name", name_,
            "--tas", tas_->address(), "--heartbeat-ms", "20", "--timeout-ms", "1000", "--checkpoint-interval",
            "1000000", "--connect-timeout-ms", "10000"};
  }

  // Starts the backup listening on a free port; returns that port.
  std::uint16_t start_backup() {
    auto args = vm_args("backup");
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    backup_ = std::make_unique<Process>(args, dir_, "backup");
    EXPECT_TRUE(backup_->wait_for("waiting for its peer on port", 5s, true)) << backup_->err();
    std::smatch m;
    std::string err = backup_->err();
    EXPECT_TRUE(std::regex_search(err, m, std::regex("port ([0-9]+)")));
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  void start_primary(std::uint16_t port) {
    auto args = vm_args("primary");
    args.insert(args.end(), {"--peer", "127.0.0.1:" + std::to_string(port)});
    primary_ = std::make_unique<Process>(args, dir_, "primary");
  }
  void start_pair() {
    start_primary(start_backup());
    ASSERT_TRUE(primary_->wait_for("tick 3", 10s)) << primary_->out() << primary_->err();
  }
  // The guest answers console keys on this side and exits cleanly on 'q'.
  static void expect_serving(Process& p, const std::string& key) {
    p.type(key);
    EXPECT_TRUE(p.wait_for("echo " + key, 5s)) << p.out() << p.err();
    p.type("q");
    EXPECT_EQ(p.wait_exit(10s), 0) << p.out() << p.err();
    EXPECT_NE(p.out().find("PASS"), std::string::npos);
  }

  std::filesystem::path dir_;
  std::string name_;
  std::unique_ptr<TasService> tas_;
  std::unique_ptr<Process> primary_;
  std::unique_ptr<Process> backup_;
};

std::uint64_t checkpoints_matched(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex("\\(([0-9]+) checkpoints matched\\)"))) return 0;
  return std::stoull(m[1]);
}

// "instret N, state hash H" from a side's power-off line.
std::string final_state(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex("powered off at (instret [0-9]+, state hash [0-9a-f]+)"))) return {};
  return m[1];
}

TEST_F(PairTest, BothSidesRunInLockstepToTheEnd) {
  start_pair();
  primary_->type("ab");
  ASSERT_TRUE(primary_->wait_for("echo b", 5s)) << primary_->out();
  primary_->type("q");
  EXPECT_EQ(primary_->wait_exit(10s), 0) << primary_->err();
  EXPECT_EQ(backup_->wait_exit(10s), 0) << backup_->err();
  EXPECT_NE(primary_->out().find("PASS"), std::string::npos);
  // The backup replayed every input and matched every checkpoint (its
  // replayer stops with a divergence otherwise), and said nothing itself.
  EXPECT_GT(checkpoints_matched(backup_->err()), 0u) << backup_->err();
  EXPECT_EQ(backup_->out().find("ticker up"), std::string::npos) << backup_->out();
  // Same final instruction count and full-state hash on both machines.
  std::string p = final_state(primary_->err()), b = final_state(backup_->err());
  EXPECT_FALSE(p.empty()) << primary_->err();
  EXPECT_EQ(p, b) << backup_->err();
}

TEST_F(PairTest, BackupTakesOverWhenThePrimaryIsKilled) {
  start_pair();
  primary_->type("x");
  ASSERT_TRUE(primary_->wait_for("echo x", 5s));
  auto killed = std::chrono::steady_clock::now();
  primary_->kill(SIGKILL);
  ASSERT_TRUE(backup_->wait_for("backup is live", 10s, true)) << backup_->err();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed);
  RecordProperty("failover_ms", static_cast<int>(ms.count()));
  std::printf("failover took %lld ms (kill -9 to backup live)\n", static_cast<long long>(ms.count()));
  // The guest goes on from where the primary was: the clock keeps ticking
  // and it answers the console on its new host.
  EXPECT_TRUE(backup_->wait_for("tick", 5s)) << backup_->out();
  expect_serving(*backup_, "y");
  EXPECT_EQ(backup_->out().find("ticker up"), std::string::npos);
}

TEST_F(PairTest, PrimaryGoesOnAloneWhenTheBackupIsKilled) {
  start_pair();
  backup_->kill(SIGKILL);
  ASSERT_TRUE(primary_->wait_for("won test-and-set", 10s, true)) << primary_->err();
  expect_serving(*primary_, "z");
}

TEST_F(PairTest, ACutChannelLeavesExactlyOneLive) {
  std::uint16_t backup_port = start_backup();
  net::FaultProxyConfig pc;
  pc.target.port = backup_port;
  net::FaultProxy proxy(pc);
  start_primary(proxy.listen_port());
  ASSERT_TRUE(primary_->wait_for("tick 3", 10s)) << primary_->err();
  proxy.cut();
  // One side loses test-and-set and halts with status 6; the other lives.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::optional<int> p, b;
  while (!p && !b && std::chrono::steady_clock::now() < deadline) {
    p = primary_->wait_exit(50ms);
    b = backup_->wait_exit(50ms);
  }
  ASSERT_TRUE(p || b) << "nobody halted\n" << primary_->err() << backup_->err();
  ASSERT_FALSE(p && b);
  Process& loser = p ? *primary_ : *backup_;
  Process& winner = p ? *backup_ : *primary_;
  EXPECT_EQ(loser.wait_exit(0ms), 6) << loser.err();
  EXPECT_NE(loser.err().find("lost test-and-set"), std::string::npos) << loser.err();
  if (&winner == backup_.get()) {
    ASSERT_TRUE(winner.wait_for("backup is live", 5s, true));
  }
  expect_serving(winner, "w");
}

TEST_F(PairTest, NobodyGoesLiveWhileTestAndSetIsDown) {
  start_pair();
  tas_->stop();
  primary_->kill(SIGKILL);
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(backup_->wait_exit(0ms)) << backup_->err();
  EXPECT_EQ(backup_->err().find("backup is live"), std::string::npos) << backup_->err();
  tas_->restart();
  ASSERT_TRUE(backup_->wait_for("backup is live", 10s, true)) << backup_->err();
  expect_serving(*backup_, "k");
}

// A client that connects to the backup and writes `bytes` instead of a log.
void send_raw(std::uint16_t port, const std::vector<std::uint8_t>& bytes) {
  auto channel = pair::LogChannel::connect("127.0.0.1:" + std::to_string(port), 5s);
  ASSERT_EQ(::send(channel.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  std::this_thread::sleep_for(200ms);
}

TEST_F(PairTest, GarbageOnTheChannelIsAClearErrorForTheBackup) {
  std::uint16_t port = start_backup();
  send_raw(port, std::vector<std::uint8_t>(64, 0xff));  // a 4 GiB length prefix
  auto code = backup_->wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 2) << backup_->err();
  EXPECT_NE(backup_->err().find("framing lost"), std::string::npos) << backup_->err();
  EXPECT_NE(backup_->err().find("no VM state to take over"), std::string::npos) << backup_->err();
}

TEST_F(PairTest, AnotherVmsMessagesAreRejectedByTheBackup) {
  std::uint16_t port = start_backup();
  ft::Message m{ft::PairId{"someone-else", 1}, ft::Sender::kPrimary, ft::Heartbeat{1, 0}};
  auto bytes = ft::length_prefixed(ft::encode_message(m));
  auto truncated = ft::length_prefixed(ft::encode_message(m));
  truncated.resize(truncated.size() - 5);  // then the connection closes mid-frame
  bytes.insert(bytes.end(), truncated.begin(), truncated.end());
  send_raw(port, bytes);
  auto code = backup_->wait_exit(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 2) << backup_->err();
  EXPECT_NE(backup_->err().find("someone-else"), std::string::npos) << backup_->err();
}

TEST_F(PairTest, GarbageFromTheBackupSideMakesThePrimaryGoOnAlone) {
  pair::ChannelListener fake_backup("127.0.0.1:0");
  start_primary(fake_backup.port());
  auto channel = fake_backup.accept(10s);
  ASSERT_TRUE(channel);
  // Acknowledge the header like a real backup, so the primary starts...
  channel->send(ft::Message{ft::PairId{name_, 1}, ft::Sender::kBackup, ft::Ack{0, 1, 0}});
  channel->flush();
  // ...then break the framing.
  std::vector<std::uint8_t> garbage{8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};  // a frame that is no message
  garbage.insert(garbage.end(), 16, 0xee);
  ASSERT_GT(::send(channel->fd(), garbage.data(), garbage.size(), MSG_NOSIGNAL), 0);
  ASSERT_TRUE(primary_->wait_for("won test-and-set", 10s, true)) << primary_->err();
  EXPECT_NE(primary_->err().find("framing lost"), std::string::npos) << primary_->err();
  expect_serving(*primary_, "g");
}

TEST_F(PairTest, APrimaryWhoseBackupNeverAnswersRefusesToStart) {
  pair::ChannelListener silent_backup("127.0.0.1:0");
  auto args = vm_args("primary");
  args.back() = "1000";  // --connect-timeout-ms
  args.insert(args.end(), {"--peer", "127.0.0.1:" + std::to_string(silent_backup.port())});
  primary_ = std::make_unique<Process>(args, dir_, "primary");
  auto channel = silent_backup.accept(10s);
  ASSERT_TRUE(channel);
  EXPECT_EQ(primary_->wait_exit(10s), 2) << primary_->err();
  EXPECT_NE(primary_->err().find("never acknowledged the log header"), std::string::npos) << primary_->err();
  EXPECT_EQ(primary_->out().find("ticker up"), std::string::npos);
}

}  // namespace
