// `ftvm clone send` and `ftvm clone recv` in two processes over loopback
// TCP: after the clone both run the same instructions under the same
// deterministic host and must print the same state.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <string>

#include "clone/tcp.h"

namespace ftvm::clone {
namespace {

std::string run_and_capture(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

TEST(CloneProcess, SendAndReceiveInTwoProcessesAgree) {
  const std::string ftvm = FTVM_BINARY;
  if (!std::filesystem::exists(ftvm)) GTEST_SKIP() << "no ftvm binary at " << ftvm;
  std::uint16_t port;
  {
    TcpListener probe("127.0.0.1:0");  // a free port, released for the receiver
    port = probe.port();
  }
  const std::string guest = std::string(CLONE_GUEST_DIR) + "/churn.elf";
  const std::string common = " --firmware " + guest + " --mem 32M --after 300000 --timeout-ms 20000";
  const std::string address = "127.0.0.1:" + std::to_string(port);
  // The receiver in the background (its stdout captured by the shell).
  const std::string recv_out = (std::filesystem::temp_directory_path() / ("ftvm-clone-recv-" + std::to_string(port))).string();
  const std::string receiver = ftvm + " clone recv --listen " + address + common + " >" + recv_out + " 2>&1 &";
  ASSERT_EQ(std::system(receiver.c_str()), 0);
  const std::string sent =
      run_and_capture(ftvm + " clone send --to " + address + common + " --warmup 1000000 --slice 20000 2>/dev/null");
  // The receiver finishes its own run; wait for its line.
  std::string received;
  for (int i = 0; i < 200 && received.find("state") == std::string::npos; ++i) {
    std::ifstream in(recv_out);
    received.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (received.find("state ") == std::string::npos) ::usleep(100'000);
  }
  std::filesystem::remove(recv_out);
  ASSERT_NE(sent.find("instret "), std::string::npos) << sent;
  const std::string line = sent.substr(sent.find("instret "));
  EXPECT_NE(received.find(line), std::string::npos) << "sender: " << sent << "\nreceiver: " << received;
}

}  // namespace
}  // namespace ftvm::clone
