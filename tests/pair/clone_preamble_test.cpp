// The clone preamble (the primary's machine description ahead of the clone
// stream): read back exactly, leaving the stream after it untouched, and
// hostile or broken preambles refused with a reason instead of a crash or a
// huge allocation.
#include "pair/clone_preamble.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::pair {
namespace {

using namespace std::chrono_literals;

struct SocketPair {
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    writer = disk::UniqueFd(fds[0]);
    reader = disk::UniqueFd(fds[1]);
  }
  void write(const std::vector<std::uint8_t>& bytes) {
    ASSERT_EQ(::write(writer.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  disk::UniqueFd writer, reader;
};

TEST(ClonePreamble, ReadsExactlyTheDescriptionAndNothingAfterIt) {
  SocketPair s;
  std::vector<std::uint8_t> bytes = encode_clone_preamble("ftvm-pair/1 disks=1048576:rw");
  bytes.push_back(0xAB);  // the clone stream's first byte
  s.write(bytes);
  EXPECT_EQ(read_clone_preamble(s.reader.get(), 1000ms), "ftvm-pair/1 disks=1048576:rw");
  std::uint8_t next = 0;
  ASSERT_EQ(::read(s.reader.get(), &next, 1), 1);
  EXPECT_EQ(next, 0xAB);
}

TEST(ClonePreamble, AnOversizedLengthIsRefusedBeforeAnyAllocation) {
  SocketPair s;
  s.write({0xff, 0xff, 0xff, 0x7f});
  try {
    read_clone_preamble(s.reader.get(), 1000ms);
    FAIL() << "a 2 GiB preamble was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an ftvm primary"), std::string::npos) << e.what();
  }
  EXPECT_THROW(encode_clone_preamble(std::string(kMaxPreambleBytes + 1, 'x')), Error);
}

TEST(ClonePreamble, ACutOrSilentPeerIsAnErrorNotAHang) {
  SocketPair cut;
  cut.write({10, 0, 0, 0, 'a', 'b'});
  cut.writer.reset();
  EXPECT_THROW(read_clone_preamble(cut.reader.get(), 1000ms), Error);

  SocketPair silent;
  silent.write({3, 0});
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(read_clone_preamble(silent.reader.get(), 100ms), Error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
}  // namespace ftvm::pair
