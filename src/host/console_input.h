#pragma once
// Keys typed on the host's stdin, for the guest's console (slot 0). The
// escape Ctrl-A x stops the VM (Ctrl-A Ctrl-A sends one Ctrl-A), since in
// raw mode Ctrl-C goes to the guest. At EOF (stdin not a terminal) it stops
// polling stdin rather than spinning on it.
#include "host/input_source.h"

namespace ftvm::host {

class ConsoleInput final : public InputSource {
 public:
  explicit ConsoleInput(int fd) : fd_(fd) {}
  int wake_fd() const override { return eof_ ? -1 : fd_; }
  void collect(std::vector<machine::Input>& out) override;
  bool stop_requested() const override { return stop_; }

  // The escape filter alone (tests feed bytes here): returns the bytes
  // for the guest.
  std::vector<std::uint8_t> filter(const std::uint8_t* data, std::size_t len);

 private:
  int fd_;
  bool eof_ = false;
  bool after_escape_ = false;
  bool stop_ = false;
};

}  // namespace ftvm::host
