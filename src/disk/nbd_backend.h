#pragma once
// A disk served over NBD (libnbd): nbd://host:port/export or
// nbd+unix:///export?socket=/path. The blocking libnbd calls run on the
// worker thread. If the server goes away mid-run every request from then on
// completes with an I/O error (the guest sees a failing disk) and one line is
// logged; nothing crashes.
#include <atomic>
#include <memory>
#include <string>

#include "disk/disk_backend.h"
#include "disk/disk_worker.h"

struct nbd_handle;

namespace ftvm::disk {

class NbdBackend final : public DiskBackend {
 public:
  // Connects now; throws ftvm::Error with one line naming the URI when the
  // server is unreachable or refuses the export.
  NbdBackend(const std::string& uri, bool read_only);
  ~NbdBackend() override;
  NbdBackend(const NbdBackend&) = delete;
  NbdBackend& operator=(const NbdBackend&) = delete;

  std::uint64_t capacity() const override { return capacity_; }
  bool read_only() const override { return read_only_; }
  std::string describe() const override { return "nbd " + uri_; }

  void submit(DiskRequest req) override;
  std::vector<DiskCompletion> take_completions() override { return worker_->take_completions(); }
  int wake_fd() const override { return worker_->wake_fd(); }

  // True once the connection has failed for good.
  bool disconnected() const { return disconnected_.load(); }

 private:
  struct HandleCloser {
    void operator()(nbd_handle* h) const;
  };

  DiskCompletion execute(DiskRequest& req);
  DiskStatus do_read(std::uint64_t offset, std::vector<std::uint8_t>& buf);
  DiskStatus do_write(std::uint64_t offset, const std::vector<std::uint8_t>& buf);
  DiskStatus do_flush();
  DiskStatus do_zero(std::uint64_t offset, std::uint64_t length);
  DiskStatus fail(const char* what);

  std::string uri_;
  bool read_only_;
  std::unique_ptr<nbd_handle, HandleCloser> handle_;
  std::uint64_t capacity_ = 0;
  std::uint64_t max_chunk_ = 0;
  bool can_flush_ = false;
  bool can_zero_ = false;
  std::atomic<bool> disconnected_{false};
  std::unique_ptr<DiskWorker> worker_;  // started once connected; stopped first
};

}  // namespace ftvm::disk
