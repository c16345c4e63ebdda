// Status files of `ftvm vm` (--status-file) and what `ftvm status` and
// `ftvm kill-primary` make of them: JSON form, atomic writes, process
// identity by pid + start time, listing, formatting, choosing the primary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "machine/core/error.h"
#include "pair/status_feed.h"
#include "pair/status_file.h"
#include "pair/status_line.h"
#include "pair/status_process.h"
#include "pair/status_record.h"
#include "pair/status_report.h"

namespace ftvm::pair {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ftvm-status-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

void spit(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

VmStatus sample_status(std::string role, std::string state, std::int64_t pid, std::string vm = "demo") {
  VmStatus s;
  s.role = std::move(role);
  s.state = std::move(state);
  s.vm_name = std::move(vm);
  s.generation = 3;
  s.pid = pid;
  s.process_start = 4242;
  s.peer = "127.0.0.1:7001";
  s.instret = 123'456'789'012ull;
  s.lag_instructions = 5000;
  s.log_bytes = 1 << 20;
  s.log_bytes_per_second = 2048;
  s.held_outputs = 2;
  s.updated_unix_ms = 1'700'000'000'000;
  s.line = "ftvm vm: role=primary";
  return s;
}

FoundStatus found(VmStatus s, bool alive) {
  FoundStatus f;
  f.path = "/run/ftvm/" + s.vm_name + "-" + s.role + ".json";
  f.status = std::move(s);
  f.alive = alive;
  return f;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// --- the JSON record ---------------------------------------------------

TEST(StatusRecord, RoundTripsEveryField) {
  VmStatus s = sample_status("backup", "backup-failover", 77);
  EXPECT_EQ(parse_vm_status(to_json_text(s)), s);
}

TEST(StatusRecord, RejectsWhatIsNotAStatus) {
  EXPECT_NE(error_of([] { parse_vm_status("{not json"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vm_status("[1,2]"); }).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vm_status("{}"); }).find("'version'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_vm_status(R"({"version": 99})"); }).find("format version 99"), std::string::npos);
}

TEST(StatusRecord, NamesTheBadField) {
  std::string good = to_json_text(sample_status("primary", "primary", 10));
  auto with = [&](const std::string& field, const std::string& value) {
    nlohmann::json j = nlohmann::json::parse(good);
    j[field] = nlohmann::json::parse(value);
    return j.dump();
  };
  EXPECT_NE(error_of([&] { parse_vm_status(with("instret", "-1")); }).find("'instret'"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_vm_status(with("role", "7")); }).find("'role'"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_vm_status(with("pid", "0")); }).find("'pid'"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_vm_status(with("pid", "4294967296")); }).find("'pid'"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_vm_status(with("held_outputs", "1.5")); }).find("'held_outputs'"),
            std::string::npos);
  nlohmann::json j = nlohmann::json::parse(good);
  j.erase("peer");
  EXPECT_NE(error_of([&] { parse_vm_status(j.dump()); }).find("'peer' is missing"), std::string::npos);
}

TEST(StatusRecord, OnlyPrimaryAndLiveStatesRunTheGuest) {
  EXPECT_TRUE(runs_the_guest(sample_status("primary", "primary", 1)));
  EXPECT_TRUE(runs_the_guest(sample_status("primary", "primary-failover", 1)));
  EXPECT_TRUE(runs_the_guest(sample_status("backup", "live", 1)));
  EXPECT_FALSE(runs_the_guest(sample_status("backup", "backup", 1)));
  EXPECT_FALSE(runs_the_guest(sample_status("backup", "promoting", 1)));
  EXPECT_FALSE(runs_the_guest(sample_status("primary", "halted", 1)));
}

// --- process identity ---------------------------------------------------

TEST(StatusProcess, ReadsTheStartTimeAfterACommandWithSpacesAndParentheses) {
  std::string rest = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21";
  EXPECT_EQ(start_time_from_stat_line("42 (ftvm) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20"),
            987654u);
  EXPECT_EQ(start_time_from_stat_line("42 (a) b) (c)" + rest), 987654u);
}

TEST(StatusProcess, ZombiesAndMalformedLinesHaveNoStartTime) {
  EXPECT_FALSE(start_time_from_stat_line("42 (ftvm) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20"));
  EXPECT_FALSE(start_time_from_stat_line("42 (ftvm) S 1 2 3"));
  EXPECT_FALSE(start_time_from_stat_line("no parenthesis at all"));
  EXPECT_FALSE(start_time_from_stat_line("42 (ftvm) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 98x7 20"));
}

TEST(StatusProcess, KnowsThisProcessAndNotAnExitedChild) {
  auto me = process_start_time(::getpid());
  ASSERT_TRUE(me.has_value());
  EXPECT_TRUE(is_same_process(::getpid(), *me));
  EXPECT_FALSE(is_same_process(::getpid(), *me + 1));  // a reused pid: another start time

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  auto child_start = process_start_time(child);  // may already be a zombie: then none
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(process_start_time(child).has_value());
  if (child_start) {
    EXPECT_FALSE(is_same_process(child, *child_start));
  }
  EXPECT_FALSE(process_start_time(-1).has_value());
}

// --- files on disk --------------------------------------------------------

TEST(StatusFile, WritesAtomicallyIntoANewDirectoryAndReadsBack) {
  TempDir dir;
  std::string path = dir.file("run/sub/demo-primary.json");
  VmStatus s = sample_status("primary", "primary", 1234);
  write_file_atomically(path, to_json_text(s));
  EXPECT_EQ(read_status_file(path), s);
  s.instret += 1;
  write_file_atomically(path, to_json_text(s));
  EXPECT_EQ(read_status_file(path).instret, s.instret);
  // Only the file itself is left: no temporary beside it.
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.file("run/sub"))) entries += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(entries, 1u);
}

TEST(StatusFile, ErrorsNameTheFile) {
  TempDir dir;
  std::string missing = dir.file("missing.json");
  EXPECT_NE(error_of([&] { read_status_file(missing); }).find(missing), std::string::npos);
  std::string junk = dir.file("junk.json");
  spit(junk, "hello");
  std::string e = error_of([&] { read_status_file(junk); });
  EXPECT_NE(e.find(junk), std::string::npos);
  EXPECT_NE(e.find("not valid JSON"), std::string::npos);
  std::string huge = dir.file("huge.json");
  spit(huge, std::string(100 * 1024, ' '));
  EXPECT_NE(error_of([&] { read_status_file(huge); }).find("too large"), std::string::npos);
  EXPECT_NE(error_of([&] { write_file_atomically(dir.file("no/such") + "/", "x"); }), "(no error)");
}

TEST(StatusFile, ListsOnlyJsonFilesSorted) {
  TempDir dir;
  spit(dir.file("b-backup.json"), "{}");
  spit(dir.file("a-primary.json"), "{}");
  spit(dir.file("a-primary.json.tmp.99"), "{}");
  spit(dir.file("notes.txt"), "x");
  fs::create_directory(dir.file("d.json"));
  EXPECT_EQ(list_status_files(dir.str()),
            (std::vector<std::string>{dir.file("a-primary.json"), dir.file("b-backup.json")}));
  EXPECT_TRUE(list_status_files(dir.file("absent")).empty());
}

TEST(StatusFile, DefaultRunDirectoryFollowsTheEnvironment) {
  EXPECT_EQ(default_run_dir("/x/ftvm-run", "/run/user/1000"), "/x/ftvm-run");
  EXPECT_EQ(default_run_dir(nullptr, "/run/user/1000"), "/run/user/1000/ftvm");
  EXPECT_EQ(default_run_dir("", ""), "/run/ftvm");
  EXPECT_EQ(default_run_dir(nullptr, nullptr), "/run/ftvm");
}

// --- ftvm status / kill-primary -------------------------------------------

TEST(StatusReport, FindsFilesInDirectoriesAndByNameAndReportsBadOnes) {
  TempDir dir;
  write_file_atomically(dir.file("demo-primary.json"), to_json_text(sample_status("primary", "primary", 100)));
  write_file_atomically(dir.file("demo-backup.json"), to_json_text(sample_status("backup", "backup", 200)));
  spit(dir.file("broken.json"), "{");
  TempDir other;
  std::string single = other.file("x.json");
  write_file_atomically(single, to_json_text(sample_status("primary", "live", 300, "x")));

  auto only_pid_100_runs = [](pid_t pid, std::uint64_t start) { return pid == 100 && start == 4242; };
  auto all = find_statuses({dir.str(), single}, only_pid_100_runs);
  ASSERT_EQ(all.size(), 4u);  // the directory's files by name, then the file given
  EXPECT_FALSE(all[0].status.has_value());
  EXPECT_NE(all[0].error.find("broken.json"), std::string::npos);
  EXPECT_EQ(all[1].status->pid, 200);
  EXPECT_FALSE(all[1].alive);
  EXPECT_EQ(all[2].status->pid, 100);
  EXPECT_TRUE(all[2].alive);
  EXPECT_EQ(all[3].status->vm_name, "x");

  EXPECT_NE(format_status_entry(all[0], 0).find("UNREADABLE"), std::string::npos);
  EXPECT_NE(format_status_entry(all[1], 1'700'000'002'500).find("STALE"), std::string::npos);
  std::string live = format_status_entry(all[2], 1'700'000'002'500);
  EXPECT_NE(live.find("demo/3 primary pid 100"), std::string::npos);
  EXPECT_NE(live.find("instret=123456789012"), std::string::npos);
  EXPECT_NE(live.find("log=2.0KB/s"), std::string::npos);
  EXPECT_NE(live.find("updated 2.5s ago"), std::string::npos);
  EXPECT_EQ(live.find("STALE"), std::string::npos);

  std::string summary = format_status_summary(all);
  EXPECT_NE(summary.find("unreadable broken.json"), std::string::npos);
  EXPECT_NE(summary.find("backup[200] GONE"), std::string::npos);
  EXPECT_NE(summary.find("primary[100] primary instret=123.46G"), std::string::npos);
  EXPECT_EQ(format_status_summary({}), "no ftvm vm status files");
}

TEST(StatusReport, ChoosesTheOneLiveProcessThatRunsTheGuest) {
  std::vector<FoundStatus> pair{found(sample_status("primary", "primary", 10), true),
                                found(sample_status("backup", "backup", 11), true)};
  EXPECT_EQ(choose_primary(pair, "").status->pid, 10);

  // After failover: the old primary is gone, the backup is live.
  std::vector<FoundStatus> after{found(sample_status("primary", "primary", 10), false),
                                 found(sample_status("backup", "live", 11), true)};
  EXPECT_EQ(choose_primary(after, "").status->pid, 11);

  std::vector<FoundStatus> none{found(sample_status("primary", "primary", 10), false),
                                found(sample_status("backup", "backup", 11), true)};
  EXPECT_NE(error_of([&] { choose_primary(none, ""); }).find("no running"), std::string::npos);

  std::vector<FoundStatus> two{found(sample_status("primary", "primary", 10, "a"), true),
                               found(sample_status("primary", "primary", 20, "b"), true)};
  std::string e = error_of([&] { choose_primary(two, ""); });
  EXPECT_NE(e.find("--name"), std::string::npos);
  EXPECT_NE(e.find("a/3 primary pid 10"), std::string::npos);
  EXPECT_EQ(choose_primary(two, "b").status->pid, 20);
  EXPECT_NE(error_of([&] { choose_primary(two, "c"); }).find("'c'"), std::string::npos);
}

TEST(StatusReport, AbbreviatesLargeCounts) {
  EXPECT_EQ(abbreviate_count(9999), "9999");
  EXPECT_EQ(abbreviate_count(12'345), "12.3k");
  EXPECT_EQ(abbreviate_count(1'234'567), "1.2M");
  EXPECT_EQ(abbreviate_count(4'500'000'000ull), "4.50G");
}

// --- the writer inside ftvm vm ---------------------------------------------

TEST(StatusLineFile, WritesAtOnceAndAgainWhenTheStateChanges) {
  TempDir dir;
  PairOptions o;
  o.pair = {"web", 5};
  o.peer = "10.0.0.2:7000";
  o.status = false;  // no stderr line, the file only
  o.status_file = dir.file("web-backup.json");
  StatusLine line(o);

  StatusSample s;
  s.role = "backup";
  s.state = ft::NodeState::kBackup;
  s.instret = 1000;
  line.maybe_print(s);
  VmStatus first = read_status_file(o.status_file);
  EXPECT_EQ(first.role, "backup");
  EXPECT_EQ(first.state, "backup");
  EXPECT_EQ(first.vm_name, "web");
  EXPECT_EQ(first.generation, 5u);
  EXPECT_EQ(first.peer, "10.0.0.2:7000");
  EXPECT_EQ(first.pid, ::getpid());
  EXPECT_TRUE(is_same_process(static_cast<pid_t>(first.pid), first.process_start));

  s.instret = 2000;  // same state, within the second: not rewritten
  line.maybe_print(s);
  EXPECT_EQ(read_status_file(o.status_file).instret, 1000u);

  s.state = ft::NodeState::kLive;  // a state change is written at once
  s.instret = 3000;
  line.maybe_print(s);
  VmStatus live = read_status_file(o.status_file);
  EXPECT_EQ(live.state, "live");
  EXPECT_EQ(live.instret, 3000u);
  EXPECT_NE(live.line.find("state=live"), std::string::npos);
}

// The peer a side's status file names: options that write the file only
// (no stderr line), and the peer from the first file written.
class StatusPeer : public ::testing::Test {
 protected:
  StatusPeer() {
    options.status = false;
    options.status_file = dir.file("s.json");
  }
  std::string peer_written_by(StatusLine line, ft::NodeState state = ft::NodeState::kBackup) {
    line.maybe_print(StatusSample{"backup", state, 0, 0, 0, 0});
    return read_status_file(options.status_file).peer;
  }

  TempDir dir;
  PairOptions options;
};

TEST_F(StatusPeer, AListeningSideNamesWhereItListens) {
  options.listen = "0.0.0.0:7000";
  EXPECT_EQ(peer_written_by(StatusLine(options)), "listening on 0.0.0.0:7000");
}

// Once the primary has connected, a listening backup names it, not the
// address it listened on.
TEST_F(StatusPeer, AConnectedSideNamesItsPeer) {
  options.listen = "0.0.0.0:7000";
  EXPECT_EQ(peer_written_by(StatusLine(options, "10.1.2.3:40312")), "10.1.2.3:40312");
}

TEST_F(StatusPeer, ASideThatStartsAloneHasNoPeer) {
  options.alone = true;
  EXPECT_EQ(peer_written_by(StatusLine(options), ft::NodeState::kPrimary), kNoPeer);
}

// A backup that took over runs alone: it neither listens any more nor has
// the old primary as its peer.
TEST_F(StatusPeer, ASideRunningAloneAfterThePairNamesNoPeer) {
  options.listen = "0.0.0.0:7000";
  machine::MachineConfig config;
  config.ram_size = 8ull << 20;
  config.firmware = {0x6f, 0, 0, 0};  // jal zero, 0: it never runs here
  machine::Machine m(config);
  LiveStatusFeed feed(StatusLine(options, "10.1.2.3:40312"), "backup", m, 0);
  std::vector<machine::Input> none;
  feed.collect(none);
  EXPECT_TRUE(none.empty());
  VmStatus alone = read_status_file(options.status_file);
  EXPECT_EQ(alone.peer, kNoPeer);
  EXPECT_EQ(alone.state, "live");
}

}  // namespace
}  // namespace ftvm::pair
