// End-to-end tests of protection by live clone: a primary started alone
// with spare host agents (`ftvm host serve`, real processes) gets a backup
// from an agent by cloning itself while the ticker guest runs, pairs up in
// lockstep, and after a kill -9 the survivor goes live and -- given spares --
// protects itself again, generation after generation, with the guest's tick
// counter never going back.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>

#include "pair/control_client.h"
#include "pair_process.h"

using namespace ftvm;
using namespace ftvm::pairtest;

namespace {

// The last "tick N" a console output shows (-1: none yet).
long last_tick(const std::string& text) {
  long last = -1;
  static const std::regex tick("tick ([0-9]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), tick); it != std::sregex_iterator(); ++it)
    last = std::stol((*it)[1]);
  return last;
}

long first_tick(const std::string& text) {
  std::smatch m;
  return std::regex_search(text, m, std::regex("tick ([0-9]+)")) ? std::stol(m[1]) : -1;
}

bool wait_file_for(const std::filesystem::path& file, const std::string& text, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// The backup of a side's n-th (0-based) successful protection: the last
// "started by" line before the n-th "protected as generation" line names its
// pid and log file on the agent's host (earlier attempts may have failed).
struct Protection {
  pid_t pid = 0;
  std::filesystem::path log;
};
std::optional<Protection> nth_protection(const std::string& text, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0;; ++i, ++pos) {
    pos = text.find("protected as generation", pos);
    if (pos == std::string::npos) return std::nullopt;
    if (i == n) break;
  }
  static const std::regex line("started by [^ ]+ \\(pid ([0-9]+), log ([^)]+)\\)");
  const std::string before = text.substr(0, pos);
  std::optional<Protection> last;
  for (auto it = std::sregex_iterator(before.begin(), before.end(), line); it != std::sregex_iterator(); ++it)
    last = Protection{static_cast<pid_t>(std::stol((*it)[1])), (*it)[2].str()};
  return last;
}

long checkpoints_matched(const std::string& log) {
  std::smatch m;
  return std::regex_search(log, m, std::regex("\\(([0-9]+) checkpoints matched\\)")) ? std::stol(m[1]) : -1;
}

// The protecting side's clone figures, for the test log (the report cites
// them): the n-th "cloned to the backup ..." and "the guest was stopped"
// lines.
void print_clone_figures(const std::string& err, int round) {
  static const std::regex cloned("cloned to the backup from [^:]+:[0-9]+: (rounds [0-9]+, [0-9]+ bytes, at instret "
                                 "[0-9]+, pause [0-9.]+ ms, [0-9.]+ ms since the request)");
  static const std::regex stopped("the guest was stopped ([0-9.]+) ms \\(the backup verified the clone and acked "
                                  "the log ([0-9.]+) ms after the pause");
  std::smatch c, s;
  if (std::regex_search(err, c, cloned) && std::regex_search(err, s, stopped))
    std::printf("round %d clone: %s; guest stopped %s ms; verified and acked %s ms after the pause\n", round,
                c[1].str().c_str(), s[1].str().c_str(), s[2].str().c_str());
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class ProtectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("ftvm-protect-test");
    tas_ = std::make_unique<TasService>(dir_ / "tas.journal");
    config_ = write_ticker_config(dir_);
  }
  void TearDown() override {
    for (pid_t pid : started_by_agents_) ::kill(pid, SIGKILL);
    primary_.reset();
    // The agents stop (and reap) every backup they started on SIGTERM --
    // including the last survivor's newest backup, which would otherwise
    // wait for test-and-set forever once its primary is gone.
    for (auto& agent : agents_) agent->kill(SIGTERM);
    for (auto& agent : agents_) agent->wait_exit(10s);
    agents_.clear();
    tas_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string start_agent() {
    std::string name = "agent" + std::to_string(agents_.size());
    std::filesystem::create_directories(dir_ / name);
    agents_.push_back(std::make_unique<Process>(
        std::vector<std::string>{vm_binary(), "host", "serve", "--listen", "127.0.0.1:0", "--state-dir",
                                 (dir_ / name).string()},
        dir_, name));
    Process& a = *agents_.back();
    // The agent logs on stdout.
    EXPECT_TRUE(a.wait_for("agent on port", 5s)) << a.out() << a.err();
    std::smatch m;
    std::string out = a.out();
    EXPECT_TRUE(std::regex_search(out, m, std::regex("agent on port ([0-9]+)")));
    return "127.0.0.1:" + m[1].str();
  }

  void start_alone_primary(const std::string& spares) {
    primary_ = std::make_unique<Process>(
        std::vector<std::string>{vm_binary(), "vm", "--role", "primary", "--alone", "--config", config_.string(),
                                 "--name", "protected", "--generation", "1", "--tas", tas_->address(), "--spare",
                                 spares, "--checkpoint-interval", "20000", "--quiet"},
        dir_, "primary");
  }

  // A primary started alone without spares, protected only on request on
  // its control socket (next to its status file: primary.control).
  void start_alone_primary_with_control() {
    primary_ = std::make_unique<Process>(
        std::vector<std::string>{vm_binary(), "vm", "--role", "primary", "--alone", "--config", config_.string(),
                                 "--name", "protected", "--generation", "1", "--tas", tas_->address(),
                                 "--status-file", (dir_ / "primary.json").string(), "--checkpoint-interval", "20000",
                                 "--quiet"},
        dir_, "primary");
  }

  // Runs `ftvm protect VM --to AGENT`; returns its exit status, output in `out`.
  int protect(const std::string& vm, const std::string& agent, std::string& out) {
    std::string name = "protect" + std::to_string(protects_++);
    Process p({vm_binary(), "protect", vm, "--to", agent}, dir_, name);
    std::optional<int> status = p.wait_exit(30s);
    out = p.out() + p.err();
    return status.value_or(-1);
  }

  // Waits until the side whose stderr is `err` has paired up with its n-th
  // backup (0-based), and returns where that backup's output goes.
  Protection await_protection(const std::function<std::string()>& err, std::size_t n) {
    std::optional<Protection> p;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      p = nth_protection(err(), n);
      if (p) break;
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(p.has_value()) << err();
    if (p) started_by_agents_.push_back(p->pid);
    return p.value_or(Protection{});
  }

  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::unique_ptr<TasService> tas_;
  std::vector<std::unique_ptr<Process>> agents_;
  std::unique_ptr<Process> primary_;
  std::vector<pid_t> started_by_agents_;
  int protects_ = 0;
};

// The VM's answers to one raw request line on its control socket.
std::vector<std::string> ask(const std::filesystem::path& socket, const std::string& request) {
  std::vector<std::string> lines;
  pair::control_exchange(socket.string(), request, 5s, [&](const std::string& line) {
    lines.push_back(line);
    return true;
  });
  return lines;
}

TEST_F(ProtectTest, AlonePrimaryIsProtectedByCloneAndItsBackupTakesOver) {
  std::string agent = start_agent();
  start_alone_primary(agent);
  ASSERT_TRUE(primary_->wait_for("tick 2", 10s)) << primary_->err();
  Protection backup = await_protection([&] { return primary_->err(); }, 0);
  ASSERT_FALSE(backup.log.empty());
  EXPECT_NE(primary_->err().find("cloned to the backup from " + agent), std::string::npos) << primary_->err();
  ASSERT_TRUE(wait_file_for(backup.log, "received a verified clone", 5s)) << read_text(backup.log);
  print_clone_figures(primary_->err(), 0);
  // Lockstep for a while: the ticker keeps ticking on the primary.
  long before = last_tick(primary_->out());
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(before + 5), 10s)) << primary_->err();

  primary_->kill(SIGKILL);
  primary_->wait_exit(5s);
  long seen = last_tick(primary_->out());
  ASSERT_TRUE(wait_file_for(backup.log, "backup is live at instret", 10s)) << read_text(backup.log);
  std::smatch m;
  std::string log = read_text(backup.log);
  EXPECT_GT(checkpoints_matched(log), 0) << "the backup never proved lockstep: " << log;
  // The guest carries on where the primary left it.
  ASSERT_TRUE(wait_file_for(backup.log, "tick " + std::to_string(seen + 2), 10s)) << read_text(backup.log);
  EXPECT_GE(first_tick(read_text(backup.log)), seen);
}

TEST_F(ProtectTest, SurvivorReprotectsItselfThreeTimesInARow) {
  std::string a = start_agent();
  std::string b = start_agent();
  start_alone_primary(a + "," + b);
  ASSERT_TRUE(primary_->wait_for("tick 2", 10s)) << primary_->err();

  // The side that runs the guest now: its stderr and stdout (an agent's
  // child has both in one log), and how to kill it.
  std::function<std::string()> err = [&] { return primary_->err(); };
  std::function<std::string()> out = [&] { return primary_->out(); };
  std::function<void()> kill_live = [&] {
    primary_->kill(SIGKILL);
    primary_->wait_exit(5s);
  };
  long highest = last_tick(out());
  for (int round = 0; round < 3; ++round) {
    // A backup that went live reports its own first protection as its 0th.
    Protection backup = await_protection(err, 0);
    ASSERT_FALSE(backup.log.empty()) << "round " << round;
    ASSERT_TRUE(wait_file_for(backup.log, "received a verified clone", 5s)) << read_text(backup.log);
    print_clone_figures(err(), round);
    long now = last_tick(out());
    ASSERT_GE(now, highest) << "round " << round;
    std::this_thread::sleep_for(500ms);  // some lockstep time

    kill_live();
    const auto killed = std::chrono::steady_clock::now();
    highest = std::max(highest, last_tick(out()));
    ASSERT_TRUE(wait_file_for(backup.log, "backup is live at instret", 10s)) << "round " << round << "\n"
                                                                          << read_text(backup.log);
    const double to_live = seconds_since(killed);
    EXPECT_GT(checkpoints_matched(read_text(backup.log)), 0) << "round " << round << ": no lockstep proof";
    // Redundancy is back when the survivor has paired with its own backup.
    std::filesystem::path survivor = backup.log;
    ASSERT_TRUE(wait_file_for(survivor, "protected as generation", 20s)) << read_text(survivor);
    std::printf("round %d: kill -> live %.3f s, kill -> protected again %.3f s\n", round, to_live,
                seconds_since(killed));
    ASSERT_TRUE(wait_file_for(backup.log, "tick " + std::to_string(highest + 2), 10s)) << read_text(backup.log);
    EXPECT_GE(first_tick(read_text(backup.log)), highest) << "round " << round << ": the guest went back in time";
    highest = last_tick(read_text(backup.log));
    std::filesystem::path log = backup.log;
    pid_t pid = backup.pid;
    err = [log] { return read_text(log); };
    out = err;
    kill_live = [pid] {
      ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(100ms);  // its agent reaps it
    };
  }
  // The third survivor protected itself once more: the fourth backup.
  Protection last = await_protection(err, 0);
  EXPECT_FALSE(last.log.empty());
}

}  // namespace

namespace {

TEST_F(ProtectTest, OperatorProtectsARunningVmAndItsBackupTakesOver) {
  std::string agent = start_agent();
  start_alone_primary_with_control();
  ASSERT_TRUE(primary_->wait_for("tick 2", 10s)) << primary_->err();
  ASSERT_TRUE(primary_->wait_for("control socket", 5s, true)) << primary_->err();
  // Alone and unprotected so far: no spares, nothing asked for one.
  EXPECT_EQ(primary_->err().find("protected as generation"), std::string::npos) << primary_->err();

  std::string out;
  ASSERT_EQ(protect((dir_ / "primary.json").string(), agent, out), 0) << out << primary_->err();
  EXPECT_NE(out.find("accepted"), std::string::npos) << out;
  EXPECT_NE(out.find("protected as generation 2"), std::string::npos) << out;
  Protection backup = await_protection([&] { return primary_->err(); }, 0);
  ASSERT_FALSE(backup.log.empty());
  ASSERT_TRUE(wait_file_for(backup.log, "received a verified clone", 5s)) << read_text(backup.log);
  long before = last_tick(primary_->out());
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(before + 5), 10s)) << primary_->err();

  primary_->kill(SIGKILL);
  primary_->wait_exit(5s);
  long seen = last_tick(primary_->out());
  ASSERT_TRUE(wait_file_for(backup.log, "backup is live at instret", 10s)) << read_text(backup.log);
  EXPECT_GT(checkpoints_matched(read_text(backup.log)), 0) << "no lockstep proof: " << read_text(backup.log);
  ASSERT_TRUE(wait_file_for(backup.log, "tick " + std::to_string(seen + 2), 10s)) << read_text(backup.log);
  EXPECT_GE(first_tick(read_text(backup.log)), seen);
}

TEST_F(ProtectTest, ControlSocketRefusesBadRequestsAndProtectingTwice) {
  std::string agent = start_agent();
  start_alone_primary_with_control();
  ASSERT_TRUE(primary_->wait_for("tick 2", 10s)) << primary_->err();
  const std::filesystem::path socket = dir_ / "primary.control";
  ASSERT_TRUE(primary_->wait_for("control socket", 5s, true)) << primary_->err();

  for (const std::string& bad : std::vector<std::string>{"this is not json", "[1,2]", "{\"protect\": 7}", "{\"shutdown\": true}",
                                "{\"protect\": \"no-port\"}", std::string(10000, 'x')}) {
    std::vector<std::string> answer = ask(socket, bad);
    ASSERT_EQ(answer.size(), 1u) << bad.substr(0, 40);
    EXPECT_NE(answer[0].find("\"accepted\":false"), std::string::npos) << answer[0];
    EXPECT_NE(answer[0].find("\"error\""), std::string::npos) << answer[0];
  }
  // An agent nobody answers on: accepted, then failed; the VM runs on alone.
  std::string out;
  EXPECT_EQ(protect(socket.string(), "127.0.0.1:1", out), 1) << out;
  EXPECT_NE(out.find("failed:"), std::string::npos) << out;
  long before = last_tick(primary_->out());
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(before + 3), 10s)) << primary_->err();

  ASSERT_EQ(protect(socket.string(), agent, out), 0) << out << primary_->err();
  await_protection([&] { return primary_->err(); }, 0);
  // Paired now: a second request is refused with the reason.
  EXPECT_EQ(protect(socket.string(), agent, out), 1) << out;
  EXPECT_NE(out.find("refused: already protected"), std::string::npos) << out;
  // A VM path with no control socket is a clear error too.
  EXPECT_EQ(protect((dir_ / "nothing-here.json").string(), agent, out), 2) << out;
  EXPECT_NE(out.find("no control socket"), std::string::npos) << out;
  before = last_tick(primary_->out());
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(before + 3), 10s)) << primary_->err();
  EXPECT_FALSE(primary_->wait_exit(0ms).has_value());
}

}  // namespace
