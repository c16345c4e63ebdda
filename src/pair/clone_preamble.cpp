#include "pair/clone_preamble.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::pair {

namespace {

void read_exactly(int fd, std::uint8_t* out, std::size_t size, std::chrono::milliseconds limit) {
  std::size_t done = 0;
  while (done < size) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(limit.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) throw Error("the primary sent no clone preamble in time");
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(std::string("reading the clone preamble: ") + std::strerror(errno));
    if (n == 0) throw Error("the primary closed the clone connection before its preamble");
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::vector<std::uint8_t> encode_clone_preamble(const std::string& description) {
  if (description.size() > kMaxPreambleBytes) throw Error("the machine description is too long for a clone preamble");
  std::vector<std::uint8_t> out;
  auto n = static_cast<std::uint32_t>(description.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), description.begin(), description.end());
  return out;
}

std::string read_clone_preamble(int fd, std::chrono::milliseconds limit) {
  std::uint8_t length[4];
  read_exactly(fd, length, sizeof length, limit);
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<std::uint32_t>(length[i]) << (8 * i);
  if (n > kMaxPreambleBytes)
    throw Error("the clone preamble claims " + std::to_string(n) + " bytes (at most " +
                std::to_string(kMaxPreambleBytes) + "): not an ftvm primary");
  std::string text(n, '\0');
  read_exactly(fd, reinterpret_cast<std::uint8_t*>(text.data()), n, limit);
  return text;
}

}  // namespace ftvm::pair
