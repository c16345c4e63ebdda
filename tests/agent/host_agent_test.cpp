// The host agent with real child processes (a stand-in ftvm that records
// its arguments), directly and over its TCP line protocol.
#include "agent/host_agent.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "agent/agent_server.h"
#include "clone/tcp.h"
#include "machine/core/error.h"

namespace ftvm::agent {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A private directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ftvm-agent-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class HostAgentTest : public ::testing::Test {
 protected:
  HostAgentTest() {
    fs::create_directories(dir_.path() / "args");
    ::setenv("FAKE_FTVM_ARGS_DIR", (dir_.path() / "args").c_str(), 1);
  }

  // The arguments the child with `pid` was started with (waits for them).
  std::vector<std::string> child_args(pid_t pid) {
    fs::path file = dir_.path() / "args" / (std::to_string(pid) + ".args");
    for (int i = 0; i < 500 && !fs::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(file);
    std::vector<std::string> args;
    for (std::string line; std::getline(in, line);) args.push_back(line);
    return args;
  }

  static std::string start_line(const std::string& name) {
    return R"({"op":"start-backup","name":")" + name +
           R"(","generation":7,"config_toml":"[machine]\nmem = \"64M\"\n","listen":"127.0.0.1:7001","tas":"127.0.0.1:7000"})";
  }

  TempDir dir_;
};

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST_F(HostAgentTest, StartsListsStopsAndReapsARealChild) {
  HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
  json reply = json::parse(agent.handle_line(start_line("web")));
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const pid_t pid = reply["pid"].get<pid_t>();
  ASSERT_GT(pid, 0);

  std::vector<std::string> args = child_args(pid);
  ASSERT_GE(args.size(), 6u);
  EXPECT_EQ(args[0], FAKE_FTVM_PATH);
  EXPECT_EQ(args[1], "vm");
  EXPECT_EQ(args[2], "--role");
  EXPECT_EQ(args[3], "backup");
  // The inline config was written where the child was told to look.
  std::ifstream config(args[5]);
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_EQ(text.str(), "[machine]\nmem = \"64M\"\n");

  json list = json::parse(agent.handle_line(R"({"op":"list"})"));
  ASSERT_EQ(list["children"].size(), 1u);
  EXPECT_EQ(list["children"][0]["pid"].get<pid_t>(), pid);
  EXPECT_EQ(list["children"][0]["name"], "web");
  EXPECT_EQ(list["children"][0]["generation"].get<int>(), 7);
  EXPECT_EQ(list["children"][0]["state"], "running");
  EXPECT_EQ(agent.running_children(), 1u);

  json stopped = json::parse(agent.handle_line(R"({"op":"stop","pid":)" + std::to_string(pid) + "}"));
  EXPECT_TRUE(stopped["ok"].get<bool>()) << stopped.dump();
  for (int i = 0; i < 300 && agent.running_children() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(agent.running_children(), 0u);
  list = json::parse(agent.handle_line(R"({"op":"list"})"));
  EXPECT_EQ(list["children"][0]["state"], "killed by signal 15");
  // Reaped: no zombie is left behind.
  EXPECT_FALSE(process_alive(pid));
  // Its output went to its log.
  std::ifstream log(list["children"][0]["log"].get<std::string>());
  std::string first;
  std::getline(log, first);
  EXPECT_EQ(first, "fake ftvm " + std::to_string(pid) + " up");
}

TEST_F(HostAgentTest, AChildThatExitsIsReapedWithItsStatus) {
  HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
  json reply = json::parse(agent.handle_line(start_line("exit-now")));
  ASSERT_TRUE(reply["ok"].get<bool>());
  for (int i = 0; i < 300 && agent.running_children() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  json list = json::parse(agent.handle_line(R"({"op":"list"})"));
  EXPECT_EQ(list["children"][0]["state"], "exited 3");
  json again = json::parse(agent.handle_line(R"({"op":"stop","pid":)" + reply["pid"].dump() + "}"));
  EXPECT_FALSE(again["ok"].get<bool>());
}

TEST_F(HostAgentTest, NeverSignalsAProcessItDidNotStart) {
  HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
  json reply = json::parse(agent.handle_line(R"({"op":"stop","pid":)" + std::to_string(::getpid()) + "}"));
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_NE(reply["error"].get<std::string>().find("no child"), std::string::npos);
}

TEST_F(HostAgentTest, BadRequestsGetAnErrorAndStartNothing) {
  HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
  for (const char* line : {"{", R"({"op":"start-backup","name":"x;rm","generation":1})", R"({"op":"exec"})"}) {
    json reply = json::parse(agent.handle_line(line));
    EXPECT_FALSE(reply["ok"].get<bool>()) << line;
    EXPECT_FALSE(reply["error"].get<std::string>().empty());
  }
  EXPECT_EQ(agent.running_children(), 0u);
}

TEST_F(HostAgentTest, RefusesAProgramThatIsNotAnAbsoluteExecutable) {
  EXPECT_THROW(HostAgent("ftvm", dir_.path()), Error);
  EXPECT_THROW(HostAgent("/nonexistent/ftvm", dir_.path()), Error);
}

TEST_F(HostAgentTest, DestroyingTheAgentStopsItsChildren) {
  pid_t pid = 0;
  {
    HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
    pid = json::parse(agent.handle_line(start_line("web")))["pid"].get<pid_t>();
    ASSERT_TRUE(process_alive(pid));
  }
  EXPECT_FALSE(process_alive(pid));
}

// Sends one line, reads one reply line.
std::string exchange(int fd, const std::string& line) {
  std::string out = line + "\n";
  EXPECT_EQ(::send(fd, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
  std::string reply;
  char c;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') reply += c;
  return reply;
}

TEST_F(HostAgentTest, ServesTheLineProtocolOverTcp) {
  HostAgent agent(FAKE_FTVM_PATH, dir_.path() / "state");
  clone::TcpListener listener("127.0.0.1:0");
  const std::uint16_t port = listener.port();
  AgentServer server(std::move(listener), agent);
  disk::UniqueFd wake(::eventfd(0, EFD_CLOEXEC));
  std::atomic<bool> stop{false};
  std::thread serving([&] { server.run([&] { return stop.load(); }, wake.get()); });

  {
    disk::UniqueFd client = clone::connect_tcp("127.0.0.1:" + std::to_string(port), std::chrono::seconds(5));
    json started = json::parse(exchange(client.get(), start_line("tcp-vm")));
    ASSERT_TRUE(started["ok"].get<bool>()) << started.dump();
    json list = json::parse(exchange(client.get(), R"({"op":"list"})"));
    EXPECT_EQ(list["children"][0]["name"], "tcp-vm");
    json bad = json::parse(exchange(client.get(), "garbage"));
    EXPECT_FALSE(bad["ok"].get<bool>());
    // The connection survives a bad request.
    json stopped = json::parse(exchange(client.get(), R"({"op":"stop","pid":)" + started["pid"].dump() + "}"));
    EXPECT_TRUE(stopped["ok"].get<bool>());
    // A line without end above the bound closes the connection with an error.
    std::string huge(70 * 1024, 'x');
    ::send(client.get(), huge.data(), huge.size(), MSG_NOSIGNAL);
    std::string reply;
    char c;
    while (::recv(client.get(), &c, 1, 0) == 1 && c != '\n') reply += c;
    EXPECT_NE(reply.find("above 64 KiB"), std::string::npos) << reply;
  }
  stop = true;
  std::uint64_t one = 1;
  EXPECT_EQ(::write(wake.get(), &one, sizeof one), 8);
  serving.join();
}

}  // namespace
}  // namespace ftvm::agent
