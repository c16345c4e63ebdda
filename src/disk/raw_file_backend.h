#pragma once
// A disk image in a host file (or block device): pread/pwrite/fdatasync on a
// worker thread. Host errors (EIO, ENOSPC, ...) become error completions.
#include <string>

#include "disk/disk_backend.h"
#include "disk/disk_worker.h"
#include "disk/unique_fd.h"

namespace ftvm::disk {

class RawFileBackend final : public DiskBackend {
 public:
  // Throws ftvm::Error naming the path when it cannot be opened.
  RawFileBackend(const std::string& path, bool read_only);
  RawFileBackend(const RawFileBackend&) = delete;
  RawFileBackend& operator=(const RawFileBackend&) = delete;

  std::uint64_t capacity() const override { return capacity_; }
  bool read_only() const override { return read_only_; }
  std::string describe() const override { return "file " + path_; }

  void submit(DiskRequest req) override;
  std::vector<DiskCompletion> take_completions() override { return worker_.take_completions(); }
  int wake_fd() const override { return worker_.wake_fd(); }

 private:
  DiskCompletion execute(DiskRequest& req);
  DiskStatus do_read(std::uint64_t offset, std::vector<std::uint8_t>& buf);
  DiskStatus do_write(std::uint64_t offset, const std::vector<std::uint8_t>& buf);
  DiskStatus do_flush();
  DiskStatus do_discard(std::uint64_t offset, std::uint64_t length);
  DiskStatus fail(const char* what, int err);

  std::string path_;
  bool read_only_;
  UniqueFd fd_;
  std::uint64_t capacity_ = 0;
  DiskWorker worker_;  // last: its thread stops before fd_ closes
};

}  // namespace ftvm::disk
