// The live clone's hand-over, end to end with real processes: a primary
// running the ticker guest alone is protected on request (`ftvm protect`)
// by a real backup that a scripted agent starts, with the backup's clone
// and log channel routed through relays in the test. The primary resumes
// its guest right after the clone's final bytes, before the backup's
// verdict; these tests check what the guest's outputs do meanwhile:
//  - held until the backup has verified the clone and acked (the relay
//    holds the final message back for a while, so the backup verifies
//    late), then released in order;
//  - on a refused clone (the relay damages the digest in the final
//    message, so the backup's check fails), released as the primary goes
//    back to running alone, and the half-started backup is stopped.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <regex>

#include "clone/clone_frame.h"
#include "clone/clone_message.h"
#include "clone_relay.h"
#include "clone_test_agent.h"
#include "pair_process.h"

using namespace ftvm;
using namespace ftvm::pairtest;

namespace {

// Every "tick N" on a console, in order.
std::vector<long> ticks_in(const std::string& text) {
  std::vector<long> out;
  static const std::regex tick("tick ([0-9]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), tick); it != std::sregex_iterator(); ++it)
    out.push_back(std::stol((*it)[1]));
  return out;
}

long last_tick(const std::string& text) {
  std::vector<long> t = ticks_in(text);
  return t.empty() ? -1 : t.back();
}

// The ticker numbers its lines 1, 2, 3...: none may be missing or repeated.
::testing::AssertionResult ticks_consecutive(const std::string& text) {
  std::vector<long> t = ticks_in(text);
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i] != t[i - 1] + 1)
      return ::testing::AssertionFailure() << "tick " << t[i] << " follows tick " << t[i - 1];
  return ::testing::AssertionSuccess();
}

// The primary -> backup side of the clone connection: passes the preamble
// (4-byte length and text) and then whole frames, noting when the final
// message goes by -- the primary's pause -- and, if asked, holding it back
// for a while or damaging the state digest in it so the backup's
// verification must fail.
class CloneTap {
 public:
  explicit CloneTap(bool damage_digest, std::chrono::milliseconds hold_final = 0ms)
      : damage_(damage_digest), hold_final_(hold_final) {}

  std::vector<std::uint8_t> operator()(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> out;
    std::size_t i = 0;
    while (i < bytes.size() && !preamble_done_) {
      if (header_.size() < 4) {
        header_.push_back(bytes[i]);
        out.push_back(bytes[i++]);
        if (header_.size() == 4) {
          text_left_ = std::size_t{header_[0]} | std::size_t{header_[1]} << 8 | std::size_t{header_[2]} << 16 |
                       std::size_t{header_[3]} << 24;
          preamble_done_ = text_left_ == 0;
        }
        continue;
      }
      const std::size_t n = std::min(text_left_, bytes.size() - i);
      out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i),
                 bytes.begin() + static_cast<std::ptrdiff_t>(i + n));
      i += n;
      text_left_ -= n;
      preamble_done_ = text_left_ == 0;
    }
    frames_.feed(bytes.subspan(i));
    while (std::optional<clone::CloneFrame> frame = frames_.next()) {
      clone::CloneMessage m = clone::decode_message(frame->type, frame->payload);
      if (auto* fin = std::get_if<clone::Final>(&m)) {
        final_seen_at_ = std::chrono::steady_clock::now();
        final_seen_ = true;
        std::this_thread::sleep_for(hold_final_);
        if (damage_ && !fin->digest.empty()) {
          fin->digest.back() ^= 1;
          std::vector<std::uint8_t> damaged = clone::encode_message(m);
          out.insert(out.end(), damaged.begin(), damaged.end());
          continue;
        }
      }
      clone::append_clone_frame(out, frame->type, frame->payload);
    }
    return out;
  }

  bool final_seen() const { return final_seen_; }
  std::chrono::steady_clock::time_point final_seen_at() const { return final_seen_at_; }

 private:
  bool damage_;
  std::chrono::milliseconds hold_final_;
  std::vector<std::uint8_t> header_;  // the preamble's length
  std::size_t text_left_ = 0;
  bool preamble_done_ = false;
  clone::CloneFrameReader frames_;
  std::atomic<bool> final_seen_{false};
  std::chrono::steady_clock::time_point final_seen_at_{};
};

std::vector<std::uint8_t> as_is(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

class CloneHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir("ftvm-handover-test");
    tas_ = std::make_unique<TasService>(dir_ / "tas.journal");
    config_ = write_ticker_config(dir_);
  }
  void TearDown() override {
    primary_.reset();
    agent_.reset();
    relays_.clear();
    tas_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A scripted agent whose backups take their clone through `tap` and their
  // log channel through a relay that counts what the primary sends.
  void start_agent(CloneTap& tap) {
    agent_ = std::make_unique<ScriptedAgent>(dir_, [this, &tap](agent::StartBackup& r) {
      std::lock_guard lock(mu_);
      relays_.push_back(std::make_unique<Relay>(
          r.from_clone, [&tap](std::span<const std::uint8_t> b) { return tap(b); }, as_is));
      r.from_clone = relays_.back()->address();
      relays_.push_back(std::make_unique<Relay>(
          r.peer,
          [this](std::span<const std::uint8_t> b) {
            log_bytes_ += b.size();
            return as_is(b);
          },
          as_is));
      r.peer = relays_.back()->address();
    });
  }

  void start_primary() {
    primary_ = std::make_unique<Process>(
        std::vector<std::string>{vm_binary(), "vm", "--role", "primary", "--alone", "--config", config_.string(),
                                 "--name", "handover", "--generation", "1", "--tas", tas_->address(),
                                 "--status-file", (dir_ / "primary.json").string(), "--checkpoint-interval", "20000",
                                 "--quiet"},
        dir_, "primary");
    ASSERT_TRUE(primary_->wait_for("tick 2", 10s)) << primary_->err();
    ASSERT_TRUE(primary_->wait_for("control socket", 5s, true)) << primary_->err();
  }

  std::unique_ptr<Process> protect() {
    return std::make_unique<Process>(
        std::vector<std::string>{vm_binary(), "protect", (dir_ / "primary.json").string(), "--to", agent_->address()},
        dir_, "protect");
  }

  static bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::unique_ptr<TasService> tas_;
  std::unique_ptr<Process> primary_;
  std::unique_ptr<ScriptedAgent> agent_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Relay>> relays_;
  std::atomic<std::uint64_t> log_bytes_{0};
};

TEST_F(CloneHandoverTest, OutputsWaitForTheBackupsVerdictAndAckWhileTheGuestRuns) {
  constexpr auto kVerdictDelay = 1500ms;
  CloneTap tap(false, kVerdictDelay);
  start_agent(tap);
  start_primary();
  std::unique_ptr<Process> request = protect();

  ASSERT_TRUE(wait_until([&] { return tap.final_seen(); }, 20s)) << primary_->err();
  const auto paused = tap.final_seen_at();
  const std::uint64_t log_at_pause = log_bytes_;
  std::this_thread::sleep_for(300ms);
  const long held_from = last_tick(primary_->out());
  std::this_thread::sleep_until(paused + kVerdictDelay - 200ms);
  // The guest ran on (its log kept coming) but said nothing outside.
  EXPECT_EQ(last_tick(primary_->out()), held_from) << "an output left before the backup's verdict";
  const std::uint64_t log_during_hold = log_bytes_ - log_at_pause;
  EXPECT_GT(log_during_hold, 1000u) << "the guest did not run while the backup verified";
  EXPECT_EQ(primary_->err().find("protected as generation"), std::string::npos) << primary_->err();

  // Verdict, first ack, release: the ticks held meanwhile come out, in order.
  ASSERT_EQ(request->wait_exit(20s), 0) << request->out() << request->err() << primary_->err();
  EXPECT_NE(request->out().find("protected as generation 2"), std::string::npos) << request->out();
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(held_from + 3), 10s)) << primary_->err() << primary_->out();
  EXPECT_TRUE(ticks_consecutive(primary_->out())) << primary_->out();
  // The guest was stopped for the final bytes only, not for the verdict.
  std::smatch m;
  const std::string err = primary_->err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("the guest was stopped ([0-9.]+) ms"))) << err;
  std::printf("guest stopped %s ms; verdict delayed %lld ms; %llu log bytes sent while held\n", m[1].str().c_str(),
              static_cast<long long>(kVerdictDelay.count()), static_cast<unsigned long long>(log_during_hold));
  EXPECT_LT(std::stod(m[1]), 1000.0) << err;
  EXPECT_TRUE(agent_->first_running()) << read_text(agent_->first_log());
  EXPECT_TRUE(agent_->stop_requests().empty());
}

TEST_F(CloneHandoverTest, RefusedCloneReleasesHeldOutputsAndStopsTheBackup) {
  CloneTap tap(true);
  start_agent(tap);
  start_primary();
  std::unique_ptr<Process> request = protect();

  ASSERT_EQ(request->wait_exit(30s), 1) << request->out() << request->err() << primary_->err();
  EXPECT_NE((request->out() + request->err()).find("does not verify"), std::string::npos) << request->out() << primary_->err();
  ASSERT_TRUE(tap.final_seen());
  // The backup the agent started is asked to stop and is gone soon after.
  const std::int64_t pid = agent_->first_pid();
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(wait_until([&] { return !agent_->first_running(); }, 5s)) << read_text(agent_->first_log());
  EXPECT_TRUE(wait_until([&] { return !agent_->stop_requests().empty(); }, 5s)) << primary_->err();
  EXPECT_EQ(agent_->stop_requests(), std::vector<std::int64_t>{pid});
  // (The backup's own log may or may not show its error: the stop can
  // arrive before it got to print it. Its verdict above names the reason.)

  // Running alone again: outputs flow, and none was lost or repeated --
  // those held while the backup verified were released.
  const long now = last_tick(primary_->out());
  ASSERT_TRUE(primary_->wait_for("tick " + std::to_string(now + 3), 10s)) << primary_->err() << primary_->out();
  EXPECT_TRUE(ticks_consecutive(primary_->out())) << primary_->out();
  EXPECT_EQ(primary_->err().find("protected as generation"), std::string::npos) << primary_->err();
  EXPECT_FALSE(primary_->wait_exit(0ms).has_value()) << primary_->err();
}

}  // namespace
