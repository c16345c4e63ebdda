// BackendSet: the disks and NICs a VmConfig names, opened in order, each
// wired to its device slot both ways (outputs to the backend, completions
// and frames back as inputs) -- the one wiring `ftvm run` and the pair share.
#include "host/backend_set.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>

#include "../disk/temp_dir.h"
#include "host/entropy_source.h"
#include "machine/core/error.h"
#include "net/frame_stream.h"
#include "net/unix_socket.h"

namespace ftvm::host {
namespace {

// Adds a raw image of `bytes` bytes, all `fill`, to the config's disks.
void add_image(VmConfig& config, const testing::TempDir& dir, const std::string& name, std::size_t bytes, char fill,
               bool read_only = false) {
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << std::string(bytes, fill);
  config.disks.push_back({path, read_only});
}

// A set attached the way the run loops attach it, after the sources they
// have of their own (here the entropy source).
struct Attached {
  explicit Attached(BackendSet& set) { set.attach(outputs, sources); }

  // Collects from every source until `count` inputs came or 5 s passed.
  std::vector<machine::Input> collect(std::size_t count) {
    std::vector<machine::Input> got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
      for (InputSource* s : sources) s->collect(got);
      if (got.size() < count) ::usleep(1000);
    }
    return got;
  }

  EntropySource entropy;
  HostOutputDispatcher outputs{-1, entropy};  // no console output in these tests
  std::vector<InputSource*> sources{&entropy};
};

TEST(BackendSet, OpensTheDisksInConfigOrder) {
  testing::TempDir dir;
  VmConfig config;
  add_image(config, dir, "a.img", 8192, 'a');
  add_image(config, dir, "b.img", 4096, 'b', true);
  BackendSet set(config);
  auto opened = set.opened_disks();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0].capacity, 8192u);
  EXPECT_FALSE(opened[0].read_only);
  EXPECT_EQ(opened[1].capacity, 4096u);
  EXPECT_TRUE(opened[1].read_only);
  EXPECT_TRUE(set.nics().empty());
}

TEST(BackendSet, AMissingImageIsAnErrorNamingIt) {
  testing::TempDir dir;
  VmConfig config;
  config.disks.push_back({dir.file("absent.img"), false});
  try {
    BackendSet set(config);
    FAIL() << "opened a disk image that does not exist";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.img"), std::string::npos) << e.what();
  }
}

// Each disk's requests reach its own image, and its completions come back
// for its own slot: disk i is virtio slot 1 + i.
TEST(BackendSet, WiresEachDiskToItsSlotBothWays) {
  testing::TempDir dir;
  VmConfig config;
  add_image(config, dir, "a.img", 4096, 'a');
  add_image(config, dir, "b.img", 4096, 'b');
  BackendSet set(config);
  Attached run(set);
  ASSERT_EQ(run.sources.size(), 3u);  // what was there, then one per disk
  EXPECT_EQ(run.sources[0], &run.entropy);

  const std::uint32_t second_disk = machine::virtio_slot(1);
  run.outputs.deliver(machine::Output{machine::OutputKind::kDiskRead, second_disk, 1, 41, 0, 4, {}});
  run.outputs.deliver(machine::Output{machine::OutputKind::kDiskRead, machine::virtio_slot(0), 2, 42, 0, 3, {}});
  std::vector<machine::Input> got = run.collect(2);
  ASSERT_EQ(got.size(), 2u);
  for (const machine::Input& in : got) {
    EXPECT_EQ(in.kind, machine::InputKind::kCompletion);
    EXPECT_EQ(in.status, 0u);
    if (in.value == 41) {
      EXPECT_EQ(in.device, second_disk);
      EXPECT_EQ(in.bytes, std::vector<std::uint8_t>(4, 'b'));
    } else {
      EXPECT_EQ(in.value, 42u);
      EXPECT_EQ(in.device, machine::virtio_slot(0));
      EXPECT_EQ(in.bytes, std::vector<std::uint8_t>(3, 'a'));
    }
  }
}

// A stand-in for `ftvm switch`: the far end of one NIC's connection.
class SwitchEnd {
 public:
  explicit SwitchEnd(std::string path) : path_(std::move(path)), listener_(net::listen_unix(path_)) {}
  const std::string& path() const { return path_; }
  void accept_nic() {
    port_ = net::UniqueFd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(port_.valid());
    link_ = std::make_unique<net::FramedConnection>(port_.get());
  }
  void send(const net::Frame& frame) {
    ASSERT_TRUE(link_->queue(frame));
    ASSERT_TRUE(link_->flush());
  }
  std::vector<net::Frame> receive(std::size_t count) {
    std::vector<net::Frame> frames;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (frames.size() < count && std::chrono::steady_clock::now() < deadline) {
      pollfd p{port_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) > 0 && !link_->receive(frames)) break;
    }
    return frames;
  }

 private:
  std::string path_;
  net::UniqueFd listener_;
  net::UniqueFd port_;
  std::unique_ptr<net::FramedConnection> link_;
};

// NICs take the slots after the disks, in config order.
TEST(BackendSet, NicsFollowTheDisksInSlotOrder) {
  testing::TempDir dir;
  SwitchEnd sw(dir.file("switch.sock"));
  VmConfig config;
  add_image(config, dir, "a.img", 4096, 'a');
  config.nets.push_back({net::NetBackendKind::kSwitch, sw.path(), std::nullopt});
  BackendSet set(config);
  sw.accept_nic();
  ASSERT_EQ(set.nics().size(), 1u);
  Attached run(set);
  ASSERT_EQ(run.sources.size(), 3u);

  const std::uint32_t nic_slot = machine::virtio_slot(1);
  const net::Frame to_host(60, 0x5a);
  run.outputs.deliver(machine::Output{machine::OutputKind::kNetFrame, nic_slot, 1, 0, 0, 0, to_host});
  std::vector<net::Frame> sent = sw.receive(1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], to_host);

  const net::Frame to_guest(64, 0xa5);
  sw.send(to_guest);
  std::vector<machine::Input> got = run.collect(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, machine::InputKind::kDeviceData);
  EXPECT_EQ(got[0].device, nic_slot);
  EXPECT_EQ(got[0].bytes, to_guest);
}

}  // namespace
}  // namespace ftvm::host
