#pragma once
// Puts a terminal in raw mode for the guest's console while it lives, and
// restores the original settings when it goes (normal exit, error, or a
// stop signal -- see StopSignals). Does nothing if fd is not a terminal.
#include <termios.h>

namespace ftvm::host {

class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace ftvm::host
