// The caller's side of the agent protocol: a request a side running alone
// builds survives the trip through the agent's parser unchanged (new
// protection fields included), replies are read strictly, and a real agent
// over TCP starts the child or passes its refusal on.
#include "agent/agent_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "agent/agent_server.h"
#include "agent/host_agent.h"
#include "clone/tcp.h"
#include "machine/core/error.h"

namespace ftvm::agent {
namespace {

namespace fs = std::filesystem;

StartBackup protection_request() {
  StartBackup r;
  r.name = "web";
  r.generation = 4;
  r.config_toml = "[machine]\nmem = \"64M\"\n";
  r.peer = "10.0.0.1:7001";
  r.tas = "10.0.0.9:7000";
  r.from_clone = "10.0.0.1:7002";
  r.spares = {"10.0.0.2:7100", "10.0.0.3:7100"};
  r.advertise = "10.0.0.2";
  r.checkpoint_interval = 1'000'000;
  return r;
}

bool has_pair(const std::vector<std::string>& argv, const std::string& flag, const std::string& value) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && argv[i + 1] == value) return true;
  return false;
}

TEST(AgentClient, EncodedRequestParsesBackToTheSameBackupCommand) {
  StartBackup sent = protection_request();
  StartBackup got = std::get<StartBackup>(parse_request(encode_request(sent)));
  EXPECT_EQ(got.name, sent.name);
  EXPECT_EQ(got.generation, sent.generation);
  EXPECT_EQ(got.config_toml, sent.config_toml);
  EXPECT_EQ(got.peer, sent.peer);
  EXPECT_EQ(got.from_clone, sent.from_clone);
  EXPECT_EQ(got.spares, sent.spares);
  EXPECT_EQ(got.advertise, sent.advertise);
  EXPECT_EQ(got.checkpoint_interval, sent.checkpoint_interval);
  auto argv = backup_arguments(got, "/f", "/c");
  EXPECT_TRUE(has_pair(argv, "--from-clone", "10.0.0.1:7002"));
  EXPECT_TRUE(has_pair(argv, "--spare", "10.0.0.2:7100,10.0.0.3:7100"));
  EXPECT_TRUE(has_pair(argv, "--advertise", "10.0.0.2"));
  EXPECT_TRUE(has_pair(argv, "--checkpoint-interval", "1000000"));
  EXPECT_TRUE(has_pair(argv, "--generation", "4"));
}

TEST(AgentClient, BadProtectionFieldsAreRefused) {
  // A valid request without the protection fields, then each bad one added.
  StartBackup r = protection_request();
  r.spares.clear();
  r.advertise.clear();
  r.checkpoint_interval.reset();
  std::string plain = encode_request(r);
  auto plain_with = [&plain](const std::string& key, const std::string& value) {
    std::string line = plain;
    line.insert(line.size() - 1, ",\"" + key + "\":" + value);
    return line;
  };
  EXPECT_THROW(parse_request(plain_with("spare", "\"a:1\"")), Error);
  EXPECT_THROW(parse_request(plain_with("spare", "[]")), Error);
  EXPECT_THROW(parse_request(plain_with("spare", "[\"no-port\"]")), Error);
  EXPECT_THROW(parse_request(plain_with("advertise", "\"-oops\"")), Error);
  EXPECT_THROW(parse_request(plain_with("advertise", "7")), Error);
  EXPECT_THROW(parse_request(plain_with("checkpoint_interval", "-1")), Error);
  EXPECT_THROW(parse_request(plain_with("checkpoint_interval", "\"1\"")), Error);
  EXPECT_NO_THROW(parse_request(plain_with("checkpoint_interval", "0")));
}

TEST(AgentClient, RepliesAreReadStrictly) {
  StartedBackup s = parse_start_reply(R"({"ok":true,"pid":42,"log":"/state/web-4-1.log"})");
  EXPECT_EQ(s.pid, 42);
  EXPECT_EQ(s.log, "/state/web-4-1.log");
  try {
    parse_start_reply(R"({"ok":false,"error":"no such config"})");
    FAIL() << "a refusal was taken for a start";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no such config"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_start_reply("garbage"), Error);
  EXPECT_THROW(parse_start_reply(R"({"ok":true})"), Error);
  EXPECT_THROW(parse_start_reply(R"({"ok":"yes","pid":1})"), Error);
}

// A real agent serving on a loopback port from its own thread, with the
// fake ftvm (which records its arguments) as the program it starts; the
// directory and the thread go away with it.
class ServedAgent {
 public:
  explicit ServedAgent(const char* name) {
    std::string pattern = (fs::temp_directory_path() / name).string() + "-XXXXXX";
    dir_ = ::mkdtemp(pattern.data());
    fs::create_directories(dir_ / "args");
    ::setenv("FAKE_FTVM_ARGS_DIR", (dir_ / "args").c_str(), 1);
    agent_ = std::make_unique<HostAgent>(FAKE_FTVM_PATH, dir_ / "state");
    clone::TcpListener listener("127.0.0.1:0");
    address_ = "127.0.0.1:" + std::to_string(listener.port());
    server_ = std::make_unique<AgentServer>(std::move(listener), *agent_);
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    serving_ = std::thread([this] { server_->run([this] { return stop_.load(); }, wake_); });
  }
  ~ServedAgent() {
    stop_ = true;
    std::uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
    serving_.join();
    ::close(wake_);
    server_.reset();
    agent_.reset();
    fs::remove_all(dir_);
  }
  ServedAgent(const ServedAgent&) = delete;
  ServedAgent& operator=(const ServedAgent&) = delete;

  const std::string& address() const { return address_; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::unique_ptr<HostAgent> agent_;
  std::string address_;
  std::unique_ptr<AgentServer> server_;
  int wake_ = -1;
  std::atomic<bool> stop_{false};
  std::thread serving_;
};

TEST(AgentClient, RealAgentStartsTheBackupOrPassesItsRefusalOn) {
  ServedAgent served("ftvm-agent-client");
  const std::string& address = served.address();
  StartedBackup started = request_backup(address, protection_request(), std::chrono::seconds(5));
  EXPECT_GT(started.pid, 0);
  EXPECT_EQ(fs::path(started.log).parent_path(), served.dir() / "state");

  StartBackup bad = protection_request();
  bad.config_toml.clear();
  bad.config_path = "/nonexistent/vm.toml";
  EXPECT_THROW(request_backup(address, bad, std::chrono::seconds(5)), Error);
  // Nobody listening: a clear error, bounded.
  EXPECT_THROW(request_backup("127.0.0.1:1", protection_request(), std::chrono::milliseconds(200)), Error);
}

// A primary whose clone failed asks the agent to stop the backup it started:
// the child is gone soon after, a second stop is refused (it has exited),
// and a pid the agent never started is refused without signalling anything.
TEST(AgentClient, StopBackupEndsTheChildTheAgentStarted) {
  ServedAgent served("ftvm-agent-stop");
  const std::string& address = served.address();
  {
    StartedBackup started = request_backup(address, protection_request(), std::chrono::seconds(5));
    ASSERT_GT(started.pid, 0);
    EXPECT_EQ(::kill(static_cast<pid_t>(started.pid), 0), 0) << "the child should run";
    EXPECT_NO_THROW(stop_backup(address, started.pid, std::chrono::seconds(5)));
    // The agent reaps it between requests; `list` shows how it ended.
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      try {
        stop_backup(address, started.pid, std::chrono::seconds(5));
      } catch (const Error& e) {
        gone = std::string(e.what()).find("killed by signal 15") != std::string::npos;
      }
    }
    EXPECT_TRUE(gone) << "the stopped child was never reaped as killed by SIGTERM";
    try {
      stop_backup(address, 1, std::chrono::seconds(5));
      FAIL() << "the agent stopped a process it never started";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no child with pid 1"), std::string::npos) << e.what();
    }
    EXPECT_THROW(stop_backup("127.0.0.1:1", started.pid, std::chrono::milliseconds(200)), Error);
  }
}

}  // namespace
}  // namespace ftvm::agent
