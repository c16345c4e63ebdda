#pragma once
// A multi-producer queue whose consumer can sleep in poll() on wake_fd():
// backend threads push, the vCPU thread takes everything at once. The fd is
// readable whenever the queue may be non-empty.
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "disk/event_fd.h"

namespace ftvm::disk {

template <typename T>
class NotifyingQueue {
 public:
  void push(T item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    wake_.signal();
  }

  // Everything queued so far, oldest first. The fd is cleared *before* the
  // items are taken, so a push racing with this call re-signals it and no
  // wake-up is lost.
  std::vector<T> take_all() {
    wake_.clear();
    std::lock_guard lock(mutex_);
    std::vector<T> out(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
    items_.clear();
    return out;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

  int wake_fd() const { return wake_.fd(); }

 private:
  mutable std::mutex mutex_;
  std::deque<T> items_;
  EventFd wake_;
};

}  // namespace ftvm::disk
