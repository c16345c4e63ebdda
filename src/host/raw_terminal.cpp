#include "host/raw_terminal.h"

#include <unistd.h>

namespace ftvm::host {

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
  termios raw = saved_;
  ::cfmakeraw(&raw);
  raw.c_oflag |= OPOST;  // keep "\n" -> "\r\n" for our own log lines
  active_ = ::tcsetattr(fd, TCSAFLUSH, &raw) == 0;
}

RawTerminal::~RawTerminal() {
  if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
}

}  // namespace ftvm::host
