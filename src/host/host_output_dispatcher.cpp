#include "host/host_output_dispatcher.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

namespace ftvm::host {

void HostOutputDispatcher::deliver(const machine::Output& out) {
  using machine::OutputKind;
  switch (out.kind) {
    case OutputKind::kConsole: write_console(out.bytes); return;
    case OutputKind::kDiskRead:
    case OutputKind::kDiskWrite:
    case OutputKind::kDiskFlush:
    case OutputKind::kDiskDiscard: to_disk(out); return;
    case OutputKind::kNetFrame:
      if (auto it = nics_.find(out.device); it != nics_.end()) {
        it->second->send(out.bytes);
      } else {
        unrouted(out);
      }
      return;
    case OutputKind::kEntropyRequest: entropy_.request(out); return;
    case OutputKind::kPowerOff:
    case OutputKind::kReset: return;
  }
}

void HostOutputDispatcher::write_console(const std::vector<std::uint8_t>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(console_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stdout gone: the guest keeps running unheard
    done += static_cast<std::size_t>(n);
  }
}

void HostOutputDispatcher::to_disk(const machine::Output& out) {
  auto it = disks_.find(out.device);
  if (it == disks_.end()) return unrouted(out);
  disk::DiskRequest req;
  req.tag = out.tag;
  req.offset = out.offset;
  req.length = out.length;
  switch (out.kind) {
    case machine::OutputKind::kDiskRead: req.op = disk::DiskOp::kRead; break;
    case machine::OutputKind::kDiskWrite:
      req.op = disk::DiskOp::kWrite;
      req.data = out.bytes;
      break;
    case machine::OutputKind::kDiskFlush: req.op = disk::DiskOp::kFlush; break;
    default: req.op = disk::DiskOp::kDiscard; break;
  }
  it->second->submit(std::move(req));
}

void HostOutputDispatcher::unrouted(const machine::Output& out) {
  if (warned_slots_.insert(out.device).second)
    spdlog::warn("guest output {} for slot {} has no backend; dropped", machine::to_string(out.kind), out.device);
}

}  // namespace ftvm::host
