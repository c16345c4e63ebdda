#include "disk/raw_file_backend.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "completion_wait.h"
#include "disk/open_disk.h"
#include "machine/core/error.h"
#include "temp_dir.h"

namespace ftvm::disk {
namespace {

using testing::TempDir;
using testing::wait_completions;

std::string make_image(const TempDir& dir, std::uint64_t size, std::uint8_t fill = 0) {
  std::string path = dir.file("disk.img");
  std::ofstream out(path, std::ios::binary);
  std::vector<char> bytes(size, static_cast<char>(fill));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
  return v;
}

TEST(RawFileBackend, ReportsSizeAndReadOnly) {
  TempDir dir;
  RawFileBackend disk(make_image(dir, 8192), true);
  EXPECT_EQ(disk.capacity(), 8192u);
  EXPECT_TRUE(disk.read_only());
  EXPECT_NE(disk.describe().find("disk.img"), std::string::npos);
}

TEST(RawFileBackend, WriteFlushReadRoundTrip) {
  TempDir dir;
  std::string path = make_image(dir, 64 * 1024, 0xAA);
  RawFileBackend disk(path, false);
  auto data = pattern(4096, 3);
  disk.submit({DiskOp::kWrite, 1, 8192, 0, data});
  disk.submit({DiskOp::kFlush, 2, 0, 0, {}});
  disk.submit({DiskOp::kRead, 3, 8192, 4096, {}});
  disk.submit({DiskOp::kRead, 4, 0, 512, {}});
  auto done = wait_completions(disk, 4);
  ASSERT_EQ(done.size(), 4u);
  EXPECT_EQ(done[1].status, DiskStatus::kOk);
  EXPECT_EQ(done[2].status, DiskStatus::kOk);
  EXPECT_EQ(done[3].status, DiskStatus::kOk);
  EXPECT_EQ(done[3].data, data);
  EXPECT_EQ(done[4].data, std::vector<std::uint8_t>(512, 0xAA));

  // And it really reached the file.
  std::ifstream in(path, std::ios::binary);
  in.seekg(8192);
  std::vector<char> back(4096);
  in.read(back.data(), 4096);
  EXPECT_EQ(std::vector<std::uint8_t>(back.begin(), back.end()), data);
}

TEST(RawFileBackend, DiscardReadsBackAsZeroes) {
  TempDir dir;
  RawFileBackend disk(make_image(dir, 64 * 1024, 0x55), false);
  disk.submit({DiskOp::kDiscard, 1, 4096, 8192, {}});
  disk.submit({DiskOp::kRead, 2, 0, 16384, {}});
  auto done = wait_completions(disk, 2);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[1].status, DiskStatus::kOk);
  const auto& d = done[2].data;
  ASSERT_EQ(d.size(), 16384u);
  EXPECT_EQ(d[4095], 0x55);
  EXPECT_EQ(d[4096], 0);
  EXPECT_EQ(d[12287], 0);
  EXPECT_EQ(d[12288], 0x55);
}

TEST(RawFileBackend, OutOfRangeRequestsFailWithoutTouchingTheFile) {
  TempDir dir;
  RawFileBackend disk(make_image(dir, 4096), false);
  disk.submit({DiskOp::kRead, 1, 4096, 1, {}});
  disk.submit({DiskOp::kRead, 2, UINT64_MAX - 10, 512, {}});  // offset + length overflows
  disk.submit({DiskOp::kWrite, 3, 4000, 0, std::vector<std::uint8_t>(200, 1)});
  disk.submit({DiskOp::kDiscard, 4, 0, 8192, {}});
  disk.submit({DiskOp::kRead, 5, 0, 1ull << 40, {}});  // would be a 1 TiB buffer
  auto done = wait_completions(disk, 5);
  ASSERT_EQ(done.size(), 5u);
  for (auto& [tag, c] : done) {
    EXPECT_EQ(c.status, DiskStatus::kIoError) << "tag " << tag;
    EXPECT_TRUE(c.data.empty());
  }
}

TEST(RawFileBackend, ReadOnlyDiskRejectsWritesAndDiscards) {
  TempDir dir;
  RawFileBackend disk(make_image(dir, 4096, 9), true);
  disk.submit({DiskOp::kWrite, 1, 0, 0, std::vector<std::uint8_t>(512, 1)});
  disk.submit({DiskOp::kDiscard, 2, 0, 512, {}});
  disk.submit({DiskOp::kRead, 3, 0, 512, {}});
  auto done = wait_completions(disk, 3);
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[1].status, DiskStatus::kIoError);
  EXPECT_EQ(done[2].status, DiskStatus::kIoError);
  EXPECT_EQ(done[3].status, DiskStatus::kOk);
  EXPECT_EQ(done[3].data, std::vector<std::uint8_t>(512, 9));
}

TEST(RawFileBackend, MissingOrUnwritableImageIsAClearError) {
  TempDir dir;
  try {
    RawFileBackend disk(dir.file("nope.img"), false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.img"), std::string::npos);
  }
  EXPECT_THROW(RawFileBackend(dir.path().string(), true), Error);  // a directory
  EXPECT_THROW(open_disk("/dev/null", true), Error);                // a character device
}

TEST(RawFileBackend, WakeFdIsReadableOnlyWhileCompletionsWait) {
  TempDir dir;
  RawFileBackend disk(make_image(dir, 4096), false);
  pollfd p{disk.wake_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  disk.submit({DiskOp::kFlush, 7, 0, 0, {}});
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_EQ(disk.take_completions().size(), 1u);
  EXPECT_EQ(::poll(&p, 1, 0), 0);
}

// A disk image on a full filesystem: the write fails with ENOSPC on the host
// and the guest gets an I/O error. Needs root to mount a tiny tmpfs.
TEST(RawFileBackend, FullFilesystemGivesAnIoError) {
  TempDir dir;
  std::string mnt = dir.file("mnt");
  ::mkdir(mnt.c_str(), 0700);
  if (::geteuid() != 0 || ::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root)";
  {
    std::string path = mnt + "/sparse.img";
    {
      std::ofstream out(path, std::ios::binary);
    }
    ASSERT_EQ(::truncate(path.c_str(), 4 << 20), 0);  // sparse: 4 MiB on a 256 KiB fs
    RawFileBackend disk(path, false);
    disk.submit({DiskOp::kWrite, 1, 0, 0, std::vector<std::uint8_t>(1 << 20, 0x11)});
    auto done = wait_completions(disk, 1);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[1].status, DiskStatus::kIoError);
  }
  ::umount(mnt.c_str());
}

}  // namespace
}  // namespace ftvm::disk
