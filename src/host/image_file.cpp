#include "host/image_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::host {

namespace {
// No boot image comes near this; a bigger "image" is a wrong path (a disk).
constexpr std::uint64_t kMaxImageBytes = 1ull << 30;
}

std::vector<std::uint8_t> read_image_file(const std::string& path, const std::string& what) {
  auto fail = [&](const std::string& why) { return Error("cannot read " + what + " image " + path + ": " + why); };
  disk::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw fail(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw fail("not a regular file");
  if (st.st_size == 0) throw fail("the file is empty");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxImageBytes) throw fail("larger than 1 GiB");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(std::strerror(errno));
    if (n == 0) throw fail("the file shrank while being read");
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

}  // namespace ftvm::host
