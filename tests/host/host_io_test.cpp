// The host-side edges of the run loop: console escape, entropy, the output
// dispatcher and backend-to-Input conversion.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "../disk/completion_wait.h"
#include "../disk/temp_dir.h"
#include "disk/raw_file_backend.h"
#include "host/backend_sources.h"
#include "host/console_input.h"
#include "host/entropy_source.h"
#include "host/host_output_dispatcher.h"
#include "machine/core/machine_config.h"

namespace ftvm::host {
namespace {

using machine::Input;
using machine::InputKind;
using machine::Output;
using machine::OutputKind;

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(ConsoleInput, CtrlAXStopsAndCtrlACtrlASendsOneCtrlA) {
  ConsoleInput c(-1);
  EXPECT_EQ(c.filter(reinterpret_cast<const std::uint8_t*>("ls\r"), 3), bytes("ls\r"));
  const std::uint8_t twice[] = {'a', 1, 1, 'b'};
  EXPECT_EQ(c.filter(twice, 4), (std::vector<std::uint8_t>{'a', 1, 'b'}));
  const std::uint8_t other[] = {1, 'c'};  // Ctrl-A then an ordinary key: both go through
  EXPECT_EQ(c.filter(other, 2), (std::vector<std::uint8_t>{1, 'c'}));
  EXPECT_FALSE(c.stop_requested());
  const std::uint8_t split1[] = {'q', 1};
  const std::uint8_t split2[] = {'x'};
  EXPECT_EQ(c.filter(split1, 2), bytes("q"));  // escape split across reads
  EXPECT_TRUE(c.filter(split2, 1).empty());
  EXPECT_TRUE(c.stop_requested());
}

TEST(ConsoleInput, ReadsKeysFromAPipeAndStopsPollingAtEof) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ConsoleInput c(p[0]);
  ASSERT_EQ(::write(p[1], "hi", 2), 2);
  std::vector<Input> out;
  c.collect(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, InputKind::kDeviceData);
  EXPECT_EQ(out[0].device, machine::kConsoleSlot);
  EXPECT_EQ(out[0].bytes, bytes("hi"));
  ::close(p[1]);
  c.collect(out);
  EXPECT_EQ(c.wake_fd(), -1);
  ::close(p[0]);
}

TEST(EntropySource, AnswersRequestsAsCompletions) {
  EntropySource e;
  Output req{OutputKind::kEntropyRequest, 3, 100, 77, 0, 64, {}};
  e.request(req);
  e.request(Output{OutputKind::kEntropyRequest, 3, 101, 78, 0, 1 << 20, {}});  // capped
  std::vector<Input> out;
  e.collect(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, InputKind::kCompletion);
  EXPECT_EQ(out[0].device, 3u);
  EXPECT_EQ(out[0].value, 77u);
  EXPECT_EQ(out[0].status, 0u);
  EXPECT_EQ(out[0].bytes.size(), 64u);
  EXPECT_EQ(out[1].bytes.size(), 4096u);
  out.clear();
  e.collect(out);
  EXPECT_TRUE(out.empty());
}

class RecordingNic final : public net::NetBackend {
 public:
  std::string describe() const override { return "test"; }
  void send(net::FrameView f) override { sent.emplace_back(f.begin(), f.end()); }
  std::vector<net::Frame> take_frames() override { return std::exchange(incoming, {}); }
  int wake_fd() const override { return -1; }
  std::vector<net::Frame> sent, incoming;
};

TEST(HostOutputDispatcher, RoutesEachOutputKindToItsBackend) {
  testing::TempDir dir;
  std::string img = dir.file("d.img");
  std::ofstream(img, std::ios::binary) << std::string(4096, 'z');
  disk::RawFileBackend disk(img, false);
  RecordingNic nic;
  EntropySource entropy;
  int console[2];
  ASSERT_EQ(::pipe(console), 0);
  HostOutputDispatcher d(console[1], entropy);
  d.attach_disk(1, disk);
  d.attach_nic(2, nic);

  d.deliver(Output{OutputKind::kConsole, 0, 1, 0, 0, 0, bytes("boot\n")});
  d.deliver(Output{OutputKind::kDiskWrite, 1, 2, 10, 512, 0, bytes("hello")});
  d.deliver(Output{OutputKind::kDiskFlush, 1, 3, 11, 0, 0, {}});
  d.deliver(Output{OutputKind::kDiskRead, 1, 4, 12, 512, 5, {}});
  d.deliver(Output{OutputKind::kNetFrame, 2, 5, 0, 0, 0, std::vector<std::uint8_t>(60, 0xab)});
  d.deliver(Output{OutputKind::kNetFrame, 5, 6, 0, 0, 0, std::vector<std::uint8_t>(60, 1)});  // no such slot
  d.deliver(Output{OutputKind::kEntropyRequest, 3, 7, 13, 0, 16, {}});

  char buf[16] = {};
  ASSERT_EQ(::read(console[0], buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "boot\n");
  ASSERT_EQ(nic.sent.size(), 1u);
  EXPECT_EQ(nic.sent[0].size(), 60u);

  DiskInputSource disk_inputs(1, disk);
  std::vector<Input> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.size() < 3 && std::chrono::steady_clock::now() < deadline) disk_inputs.collect(got);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& in : got) {
    EXPECT_EQ(in.kind, InputKind::kCompletion);
    EXPECT_EQ(in.device, 1u);
    EXPECT_EQ(in.status, 0u);
  }
  EXPECT_EQ(got[2].value, 12u);
  EXPECT_EQ(got[2].bytes, bytes("hello"));

  std::vector<Input> rng;
  entropy.collect(rng);
  ASSERT_EQ(rng.size(), 1u);
  EXPECT_EQ(rng[0].value, 13u);
  ::close(console[0]);
  ::close(console[1]);
}

TEST(NetInputSource, TurnsFramesIntoDeviceDataForItsSlot) {
  RecordingNic nic;
  nic.incoming = {net::Frame(60, 1), net::Frame(64, 2)};
  NetInputSource src(4, nic);
  std::vector<Input> out;
  src.collect(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].kind, InputKind::kDeviceData);
  EXPECT_EQ(out[1].device, 4u);
  EXPECT_EQ(out[1].bytes, net::Frame(64, 2));
}

}  // namespace
}  // namespace ftvm::host
