#pragma once
// The thread that does a backend's blocking I/O. Requests are executed one
// at a time in submission order (so a flush completes after every write
// submitted before it), and each result is pushed to the completion queue.
// Destruction stops the thread; requests still queued are dropped, since
// nobody is left to take their completions.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "disk/disk_request.h"
#include "disk/notifying_queue.h"

namespace ftvm::disk {

class DiskWorker {
 public:
  using Executor = std::function<DiskCompletion(DiskRequest&)>;

  explicit DiskWorker(Executor execute);
  ~DiskWorker();
  DiskWorker(const DiskWorker&) = delete;
  DiskWorker& operator=(const DiskWorker&) = delete;

  void submit(DiskRequest req);
  // Completes a request without running it (rejected up front). It may
  // overtake requests still queued; completions carry tags, so order among
  // outstanding requests is the guest's to sort out, as on real hardware.
  void complete_now(DiskCompletion c) { completions_.push(std::move(c)); }
  std::vector<DiskCompletion> take_completions() { return completions_.take_all(); }
  int wake_fd() const { return completions_.wake_fd(); }

 private:
  void run();

  Executor execute_;
  NotifyingQueue<DiskCompletion> completions_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<DiskRequest> requests_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace ftvm::disk
