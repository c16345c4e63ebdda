// LogWriter and LogReader on real files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "log_test_support.h"
#include "replay/log_reader.h"
#include "replay/log_writer.h"

namespace ftvm::replay {
namespace {

using testing::entries_of;
using testing::kTestConfigHash;
using testing::sample_entries;
using testing::test_header;

// A scratch directory per test, removed afterwards.
class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("ftvm-replay-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<std::uint8_t> file_bytes(const std::string& p) const {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void write_bytes(const std::string& p, std::span<const std::uint8_t> bytes) const {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  // Writes the sample log minus its end marker, then finishes at its count.
  void write_sample(const std::string& p, WriterOptions options = {}) const {
    auto entries = sample_entries();
    const LogEntry end = entries.back();
    entries.pop_back();
    LogWriter writer(p, test_header(), options);
    for (const auto& e : entries) writer.append(e);
    writer.finish(end.instret);
  }

  std::filesystem::path dir_;
};

TEST_F(LogFileTest, WritesAndReadsEveryEntryInOrder) {
  write_sample(path("a.log"));
  LogReader reader(path("a.log"), DecoderOptions{kTestConfigHash});
  EXPECT_EQ(reader.header(), test_header());
  std::vector<SequencedEntry> got;
  while (auto e = reader.next()) got.push_back(*e);
  EXPECT_EQ(entries_of(got), sample_entries());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].sequence, i);
  EXPECT_TRUE(reader.ended());
}

TEST_F(LogFileTest, ZstdFilesRoundTripAndAreSmaller) {
  std::vector<LogEntry> entries;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> frame(300);
    for (std::size_t j = 0; j < frame.size(); ++j) frame[j] = static_cast<std::uint8_t>((j % 17) + (i % 5));
    entries.push_back(LogEntry::device_data(i * 1000, 1, frame));
  }
  for (bool compress : {false, true}) {
    WriterOptions options;
    options.encoder.compress = compress;
    options.fsync = compress ? FsyncPolicy::kOnFlush : FsyncPolicy::kNever;
    LogWriter writer(path(compress ? "z.log" : "p.log"), test_header(), options);
    for (const auto& e : entries) writer.append(e);
    writer.flush();
    writer.finish(entries.back().instret);
  }
  const auto packed = read_log_file(path("z.log"));
  ASSERT_FALSE(packed.error) << packed.error->what();
  entries.push_back(LogEntry::end(entries.back().instret));
  EXPECT_EQ(entries_of(packed.entries), entries);
  EXPECT_TRUE(packed.ended);
  EXPECT_LT(std::filesystem::file_size(path("z.log")) * 5, std::filesystem::file_size(path("p.log")));
}

TEST_F(LogFileTest, AWriterDroppedWithoutFinishLeavesACleanPrefix) {
  {
    LogWriter writer(path("c.log"), test_header());
    writer.append(LogEntry::time(1, 5));
    writer.append(LogEntry::irq(2, 1, 1));
  }
  const auto contents = read_log_file(path("c.log"));
  EXPECT_FALSE(contents.error);
  EXPECT_FALSE(contents.ended);
  EXPECT_EQ(contents.entries.size(), 2u);
}

TEST_F(LogFileTest, ATornFileGivesItsGoodFramesThenTheTruncationOffset) {
  WriterOptions options;
  options.encoder.frame_target_bytes = 1;  // one frame per entry
  write_sample(path("t.log"), options);
  auto bytes = file_bytes(path("t.log"));
  bytes.resize(bytes.size() - 3);
  write_bytes(path("t.log"), bytes);
  const auto contents = read_log_file(path("t.log"));
  ASSERT_TRUE(contents.error);
  EXPECT_TRUE(std::string(contents.error->what()).find("truncated") != std::string::npos);
  EXPECT_EQ(contents.entries.size(), sample_entries().size() - 1);
  EXPECT_FALSE(contents.ended);
  ASSERT_TRUE(contents.header);
  // Everything before the damage is exactly the start of the file.
  EXPECT_LT(contents.error->offset(), bytes.size());
}

TEST_F(LogFileTest, ReaderReportsTheFirstDamageWithItsOffset) {
  WriterOptions options;
  options.encoder.frame_target_bytes = 1;
  write_sample(path("d.log"), options);
  auto bytes = file_bytes(path("d.log"));
  bytes[bytes.size() / 2] ^= 0x10;
  write_bytes(path("d.log"), bytes);
  LogReader reader(path("d.log"));
  std::size_t good = 0;
  try {
    while (reader.next()) ++good;
    FAIL() << "damage not reported";
  } catch (const LogError& e) {
    EXPECT_TRUE(std::string(e.what()).find("checksum mismatch") != std::string::npos) << e.what();
    EXPECT_LE(e.offset(), bytes.size() / 2);
  }
  EXPECT_GT(good, 0u);
  EXPECT_LT(good, sample_entries().size());
}

TEST_F(LogFileTest, ConfigMismatchIsAClearError) {
  write_sample(path("m.log"));
  LogReader reader(path("m.log"), DecoderOptions{kTestConfigHash + 1});
  EXPECT_THROW(reader.header(), LogError);
}

TEST_F(LogFileTest, EmptyAndMissingFilesGiveClearErrors) {
  write_bytes(path("empty.log"), {});
  LogReader empty(path("empty.log"));
  EXPECT_THROW(empty.next(), LogError);
  EXPECT_THROW(LogReader(path("missing.log")), Error);
  EXPECT_THROW(LogWriter(path("no/such/dir/x.log"), test_header()), Error);
}

TEST_F(LogFileTest, FinishedWriterRefusesMoreEntries) {
  LogWriter writer(path("f.log"), test_header());
  writer.finish(10);
  EXPECT_THROW(writer.append(LogEntry::time(11, 1)), Error);
}

}  // namespace
}  // namespace ftvm::replay
