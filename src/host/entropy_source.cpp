#include "host/entropy_source.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>

namespace ftvm::host {

namespace {
// A request larger than this gets this much: virtio-rng lets the device
// return fewer bytes than the buffer holds.
constexpr std::uint64_t kMaxEntropyBytes = 4096;
}

void EntropySource::request(const machine::Output& out) {
  machine::Input in;
  in.kind = machine::InputKind::kCompletion;
  in.device = out.device;
  in.value = out.tag;
  in.bytes.resize(std::min(out.length, kMaxEntropyBytes));
  std::size_t done = 0;
  while (done < in.bytes.size()) {
    ssize_t n = ::getrandom(in.bytes.data() + done, in.bytes.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  in.bytes.resize(done);
  in.status = done == 0 && out.length > 0 ? 1 : 0;
  ready_.push_back(std::move(in));
}

void EntropySource::collect(std::vector<machine::Input>& out) {
  while (!ready_.empty()) {
    out.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
}

}  // namespace ftvm::host
