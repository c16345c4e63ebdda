#include "disk/nbd_backend.h"

#include <libnbd.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "machine/core/error.h"

namespace ftvm::disk {

namespace {

// Requests are split so no single NBD command exceeds what servers accept
// (32 MiB is the common hard limit; 4 MiB keeps latency per command low).
constexpr std::uint64_t kDefaultChunk = 4ull << 20;

std::string last_nbd_error() {
  const char* msg = nbd_get_error();
  return msg ? msg : "unknown error";
}

}  // namespace

void NbdBackend::HandleCloser::operator()(nbd_handle* h) const { nbd_close(h); }

NbdBackend::NbdBackend(const std::string& uri, bool read_only) : uri_(uri), read_only_(read_only) {
  handle_.reset(nbd_create());
  if (!handle_) throw Error("nbd: cannot create a handle: " + last_nbd_error());
  if (nbd_connect_uri(handle_.get(), uri.c_str()) == -1)
    throw Error("cannot connect to NBD server " + uri + ": " + last_nbd_error());
  std::int64_t size = nbd_get_size(handle_.get());
  if (size < 0) throw Error("NBD server " + uri + ": cannot get the export size: " + last_nbd_error());
  capacity_ = static_cast<std::uint64_t>(size);
  if (!read_only_ && nbd_is_read_only(handle_.get()) == 1)
    throw Error("NBD export " + uri + " is read-only; mark the disk read_only");
  can_flush_ = nbd_can_flush(handle_.get()) == 1;
  can_zero_ = nbd_can_zero(handle_.get()) == 1;
  std::int64_t max = nbd_get_block_size(handle_.get(), LIBNBD_SIZE_MAXIMUM);
  max_chunk_ = max > 0 ? std::min<std::uint64_t>(static_cast<std::uint64_t>(max), kDefaultChunk) : kDefaultChunk;
  worker_ = std::make_unique<DiskWorker>([this](DiskRequest& r) { return execute(r); });
}

NbdBackend::~NbdBackend() {
  worker_.reset();  // stop the thread before the handle closes
}

void NbdBackend::submit(DiskRequest req) {
  if (auto why = reject_reason(req, capacity_, read_only_)) {
    worker_->complete_now(DiskCompletion{req.tag, *why, {}});
    return;
  }
  worker_->submit(std::move(req));
}

DiskCompletion NbdBackend::execute(DiskRequest& req) {
  DiskCompletion c{req.tag, DiskStatus::kOk, {}};
  if (disconnected_.load()) {
    c.status = DiskStatus::kIoError;
    return c;
  }
  switch (req.op) {
    case DiskOp::kRead:
      c.data.resize(req.length);
      c.status = do_read(req.offset, c.data);
      if (c.status != DiskStatus::kOk) c.data.clear();
      break;
    case DiskOp::kWrite: c.status = do_write(req.offset, req.data); break;
    case DiskOp::kFlush: c.status = do_flush(); break;
    case DiskOp::kDiscard: c.status = do_zero(req.offset, req.length); break;
  }
  return c;
}

// One failed command is an I/O error for that request; a dead connection
// additionally fails everything after it, and is logged once.
DiskStatus NbdBackend::fail(const char* what) {
  std::string msg = last_nbd_error();
  bool dead = nbd_aio_is_dead(handle_.get()) == 1 || nbd_aio_is_closed(handle_.get()) == 1;
  if (dead) {
    if (!disconnected_.exchange(true))
      spdlog::error("disk {}: connection to the NBD server lost ({}); the disk now fails every request", uri_, msg);
  } else {
    spdlog::warn("disk {}: {} failed: {}", uri_, what, msg);
  }
  return DiskStatus::kIoError;
}

DiskStatus NbdBackend::do_read(std::uint64_t offset, std::vector<std::uint8_t>& buf) {
  for (std::uint64_t done = 0; done < buf.size();) {
    std::uint64_t n = std::min<std::uint64_t>(buf.size() - done, max_chunk_);
    if (nbd_pread(handle_.get(), buf.data() + done, n, offset + done, 0) == -1) return fail("read");
    done += n;
  }
  return DiskStatus::kOk;
}

DiskStatus NbdBackend::do_write(std::uint64_t offset, const std::vector<std::uint8_t>& buf) {
  for (std::uint64_t done = 0; done < buf.size();) {
    std::uint64_t n = std::min<std::uint64_t>(buf.size() - done, max_chunk_);
    if (nbd_pwrite(handle_.get(), buf.data() + done, n, offset + done, 0) == -1) return fail("write");
    done += n;
  }
  return DiskStatus::kOk;
}

DiskStatus NbdBackend::do_flush() {
  // A server without flush writes through: there is nothing to wait for.
  if (!can_flush_) return DiskStatus::kOk;
  if (nbd_flush(handle_.get(), 0) == -1) return fail("flush");
  return DiskStatus::kOk;
}

// Discard doubles as write-zeroes, so the range must read back as zeroes.
DiskStatus NbdBackend::do_zero(std::uint64_t offset, std::uint64_t length) {
  for (std::uint64_t done = 0; done < length;) {
    std::uint64_t n = std::min<std::uint64_t>(length - done, max_chunk_);
    if (can_zero_) {
      if (nbd_zero(handle_.get(), n, offset + done, 0 /* holes allowed */) == -1) return fail("write-zeroes");
    } else if (DiskStatus s = do_write(offset + done, std::vector<std::uint8_t>(n, 0)); s != DiskStatus::kOk) {
      return s;
    }
    done += n;
  }
  return DiskStatus::kOk;
}

}  // namespace ftvm::disk
