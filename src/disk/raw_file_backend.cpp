#include "disk/raw_file_backend.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "machine/core/error.h"

namespace ftvm::disk {

namespace {

int open_image(const std::string& path, bool read_only) {
  int fd = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open disk image " + path + ": " + std::strerror(errno));
  return fd;
}

// Size of a regular file or a block device; throws for anything else.
std::uint64_t image_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error("cannot stat disk image " + path + ": " + std::strerror(errno));
  if (S_ISREG(st.st_mode)) return static_cast<std::uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    std::uint64_t bytes = 0;
    if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0)
      throw Error("cannot get the size of block device " + path + ": " + std::strerror(errno));
    return bytes;
  }
  throw Error("disk image " + path + " is neither a regular file nor a block device");
}

}  // namespace

RawFileBackend::RawFileBackend(const std::string& path, bool read_only)
    : path_(path),
      read_only_(read_only),
      fd_(open_image(path, read_only)),
      capacity_(image_size(fd_.get(), path)),
      worker_([this](DiskRequest& r) { return execute(r); }) {}

void RawFileBackend::submit(DiskRequest req) {
  if (auto why = reject_reason(req, capacity_, read_only_)) {
    worker_.complete_now(DiskCompletion{req.tag, *why, {}});
    return;
  }
  worker_.submit(std::move(req));
}

DiskCompletion RawFileBackend::execute(DiskRequest& req) {
  DiskCompletion c{req.tag, DiskStatus::kOk, {}};
  switch (req.op) {
    case DiskOp::kRead:
      c.data.resize(req.length);
      c.status = do_read(req.offset, c.data);
      if (c.status != DiskStatus::kOk) c.data.clear();
      break;
    case DiskOp::kWrite: c.status = do_write(req.offset, req.data); break;
    case DiskOp::kFlush: c.status = do_flush(); break;
    case DiskOp::kDiscard: c.status = do_discard(req.offset, req.length); break;
  }
  return c;
}

DiskStatus RawFileBackend::fail(const char* what, int err) {
  spdlog::warn("disk {}: {} failed: {}", path_, what, std::strerror(err));
  return DiskStatus::kIoError;
}

DiskStatus RawFileBackend::do_read(std::uint64_t offset, std::vector<std::uint8_t>& buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd_.get(), buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read", errno);
    if (n == 0) {
      // The file shrank under us: what is past its end reads as zeroes.
      std::fill(buf.begin() + static_cast<std::ptrdiff_t>(done), buf.end(), 0);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return DiskStatus::kOk;
}

DiskStatus RawFileBackend::do_write(std::uint64_t offset, const std::vector<std::uint8_t>& buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pwrite(fd_.get(), buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno);
    if (n == 0) return fail("write", ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  return DiskStatus::kOk;
}

DiskStatus RawFileBackend::do_flush() {
  if (::fdatasync(fd_.get()) != 0) return fail("flush", errno);
  return DiskStatus::kOk;
}

// Discard doubles as write-zeroes, so the range must read back as zeroes:
// punch a hole where the filesystem can, write zeroes where it cannot.
DiskStatus RawFileBackend::do_discard(std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return DiskStatus::kOk;
  if (::fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0)
    return DiskStatus::kOk;
  if (errno != EOPNOTSUPP && errno != ENOSYS) return fail("discard", errno);
  constexpr std::uint64_t kChunk = 1 << 20;
  std::vector<std::uint8_t> zeroes(std::min(length, kChunk), 0);
  for (std::uint64_t done = 0; done < length;) {
    std::uint64_t n = std::min(length - done, kChunk);
    zeroes.resize(n);
    if (DiskStatus s = do_write(offset + done, zeroes); s != DiskStatus::kOk) return s;
    done += n;
  }
  return DiskStatus::kOk;
}

}  // namespace ftvm::disk
