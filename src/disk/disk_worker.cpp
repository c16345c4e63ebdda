#include "disk/disk_worker.h"

namespace ftvm::disk {

DiskWorker::DiskWorker(Executor execute) : execute_(std::move(execute)), thread_([this] { run(); }) {}

DiskWorker::~DiskWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  thread_.join();
}

void DiskWorker::submit(DiskRequest req) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(req));
  }
  work_ready_.notify_one();
}

void DiskWorker::run() {
  for (;;) {
    DiskRequest req;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
      if (stopping_) return;
      req = std::move(requests_.front());
      requests_.pop_front();
    }
    completions_.push(execute_(req));
  }
}

}  // namespace ftvm::disk
