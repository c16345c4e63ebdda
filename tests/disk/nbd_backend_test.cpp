// Against a real nbdkit on a Unix socket, started and killed by each test.
#include "disk/nbd_backend.h"

#include <gtest/gtest.h>

#include "child_process.h"
#include "completion_wait.h"
#include "disk/open_disk.h"
#include "machine/core/error.h"
#include "temp_dir.h"

namespace ftvm::disk {
namespace {

using testing::ChildProcess;
using testing::TempDir;
using testing::wait_completions;

struct NbdkitServer {
  explicit NbdkitServer(const TempDir& dir, std::vector<std::string> plugin)
      : socket(dir.file("nbd.sock")), process(argv(socket, std::move(plugin))) {
    if (!testing::wait_for_path(socket)) throw std::runtime_error("nbdkit did not start");
  }
  static std::vector<std::string> argv(const std::string& sock, std::vector<std::string> plugin) {
    std::vector<std::string> a{"nbdkit", "--exit-with-parent", "-f", "-U", sock};
    a.insert(a.end(), plugin.begin(), plugin.end());
    return a;
  }
  std::string uri() const { return "nbd+unix:///?socket=" + socket; }

  std::string socket;
  ChildProcess process;
};

TEST(NbdBackend, ConnectsAndReportsTheExportSize) {
  TempDir dir;
  NbdkitServer server(dir, {"memory", "64M"});
  auto disk = open_disk(server.uri(), false);
  EXPECT_EQ(disk->capacity(), 64ull << 20);
  EXPECT_FALSE(disk->read_only());
  EXPECT_NE(disk->describe().find("nbd"), std::string::npos);
}

TEST(NbdBackend, WriteFlushReadDiscardRoundTrip) {
  TempDir dir;
  NbdkitServer server(dir, {"memory", "64M"});
  NbdBackend disk(server.uri(), false);
  std::vector<std::uint8_t> data(9 << 20);  // bigger than one NBD command chunk
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 13 + (i >> 12));
  disk.submit({DiskOp::kWrite, 1, 1 << 20, 0, data});
  disk.submit({DiskOp::kFlush, 2, 0, 0, {}});
  disk.submit({DiskOp::kRead, 3, 1 << 20, data.size(), {}});
  disk.submit({DiskOp::kDiscard, 4, 1 << 20, 4096, {}});
  disk.submit({DiskOp::kRead, 5, 1 << 20, 8192, {}});
  auto done = wait_completions(disk, 5);
  ASSERT_EQ(done.size(), 5u);
  for (auto& [tag, c] : done) EXPECT_EQ(c.status, DiskStatus::kOk) << "tag " << tag;
  EXPECT_EQ(done[3].data, data);
  ASSERT_EQ(done[5].data.size(), 8192u);
  EXPECT_EQ(done[5].data[0], 0);
  EXPECT_EQ(done[5].data[4095], 0);
  EXPECT_EQ(done[5].data[4096], data[4096]);
  EXPECT_FALSE(disk.disconnected());
}

TEST(NbdBackend, OutOfRangeIsAnErrorCompletion) {
  TempDir dir;
  NbdkitServer server(dir, {"memory", "1M"});
  NbdBackend disk(server.uri(), false);
  disk.submit({DiskOp::kRead, 1, (1 << 20) - 100, 512, {}});
  auto done = wait_completions(disk, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[1].status, DiskStatus::kIoError);
}

TEST(NbdBackend, ServerErrorFailsOneRequestOnly) {
  TempDir dir;
  NbdkitServer server(dir, {"full", "1M"});  // reads zeroes, every write is ENOSPC
  NbdBackend disk(server.uri(), false);
  disk.submit({DiskOp::kWrite, 1, 0, 0, std::vector<std::uint8_t>(4096, 1)});
  disk.submit({DiskOp::kRead, 2, 0, 4096, {}});
  auto done = wait_completions(disk, 2);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].status, DiskStatus::kIoError);
  EXPECT_EQ(done[2].status, DiskStatus::kOk);
  EXPECT_EQ(done[2].data, std::vector<std::uint8_t>(4096, 0));
  EXPECT_FALSE(disk.disconnected());
}

TEST(NbdBackend, ServerKilledMidRunGivesErrorCompletions) {
  TempDir dir;
  NbdkitServer server(dir, {"memory", "16M"});
  NbdBackend disk(server.uri(), false);
  disk.submit({DiskOp::kWrite, 1, 0, 0, std::vector<std::uint8_t>(4096, 7)});
  ASSERT_EQ(wait_completions(disk, 1)[1].status, DiskStatus::kOk);

  server.process.stop();
  for (std::uint64_t tag = 10; tag < 14; ++tag) disk.submit({DiskOp::kRead, tag, 0, 4096, {}});
  disk.submit({DiskOp::kWrite, 14, 0, 0, std::vector<std::uint8_t>(512, 1)});
  disk.submit({DiskOp::kFlush, 15, 0, 0, {}});
  auto done = wait_completions(disk, 6);
  ASSERT_EQ(done.size(), 6u);
  for (auto& [tag, c] : done) EXPECT_EQ(c.status, DiskStatus::kIoError) << "tag " << tag;
  EXPECT_TRUE(disk.disconnected());
}

TEST(NbdBackend, UnreachableServerIsAOneLineError) {
  TempDir dir;
  std::string uri = "nbd+unix:///?socket=" + dir.file("nobody-listens.sock");
  try {
    NbdBackend disk(uri, false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(uri), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_THROW(NbdBackend("nbd://127.0.0.1:1/x", false), Error);
}

TEST(NbdBackend, ReadOnlyExportNeedsAReadOnlyDisk) {
  TempDir dir;
  NbdkitServer server(dir, {"-r", "memory", "1M"});
  EXPECT_THROW(NbdBackend(server.uri(), false), Error);
  NbdBackend disk(server.uri(), true);
  disk.submit({DiskOp::kWrite, 1, 0, 0, std::vector<std::uint8_t>(512, 1)});
  EXPECT_EQ(wait_completions(disk, 1)[1].status, DiskStatus::kIoError);
}

}  // namespace
}  // namespace ftvm::disk
