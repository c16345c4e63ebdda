#include "host/console_input.h"

#include <poll.h>
#include <unistd.h>

#include "machine/core/machine_config.h"

namespace ftvm::host {

namespace {
constexpr std::uint8_t kCtrlA = 0x01;
}

std::vector<std::uint8_t> ConsoleInput::filter(const std::uint8_t* data, std::size_t len) {
  std::vector<std::uint8_t> keys;
  for (std::size_t i = 0; i < len; ++i) {
    std::uint8_t c = data[i];
    if (after_escape_) {
      after_escape_ = false;
      if (c == 'x' || c == 'X') {
        stop_ = true;
        continue;
      }
      keys.push_back(kCtrlA);
      if (c == kCtrlA) continue;
    } else if (c == kCtrlA) {
      after_escape_ = true;
      continue;
    }
    keys.push_back(c);
  }
  return keys;
}

void ConsoleInput::collect(std::vector<machine::Input>& out) {
  if (eof_) return;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) != 1) return;
  std::uint8_t buf[1024];
  ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n <= 0) {
    eof_ = true;
    return;
  }
  auto keys = filter(buf, static_cast<std::size_t>(n));
  if (keys.empty()) return;
  machine::Input in;
  in.kind = machine::InputKind::kDeviceData;
  in.device = machine::kConsoleSlot;
  in.bytes = std::move(keys);
  out.push_back(std::move(in));
}

}  // namespace ftvm::host
