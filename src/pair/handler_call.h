#pragma once
// One ReadyHandler call, recorded by the driver while it holds its lock and
// made later by the thread that owns the machine. The driver's keeper thread
// steps the node (so heartbeats and acks keep flowing while the vCPU thread
// is busy), but it must never touch the machine, the log or the backends:
// those belong to the vCPU thread, which makes these calls in order.
#include <string>
#include <utility>

#include "ft/log_entry.h"
#include "ft/ready.h"

namespace ftvm::pair {

class ReadyHandler {
 public:
  virtual ~ReadyHandler() = default;
  virtual void deliver(const ft::LogEntry& entry) { (void)entry; }
  virtual void release(ft::OutputId id) { (void)id; }
  virtual void drop(ft::OutputId id) { (void)id; }
  virtual void go_live() {}
  virtual void halt(const std::string& reason) { (void)reason; }
  // True when the peer said all it had to say (the log's end marker came),
  // so its hanging up is the end of the run, not a failure.
  virtual bool peer_finished() const { return false; }
};

struct HandlerCall {
  enum class Kind { kDeliver, kRelease, kDrop, kGoLive, kHalt };
  Kind kind = Kind::kGoLive;
  ft::LogEntry entry;    // kDeliver
  ft::OutputId id = 0;   // kRelease, kDrop
  std::string reason;    // kHalt

  void apply_to(ReadyHandler& h) const {
    switch (kind) {
      case Kind::kDeliver: h.deliver(entry); return;
      case Kind::kRelease: h.release(id); return;
      case Kind::kDrop: h.drop(id); return;
      case Kind::kGoLive: h.go_live(); return;
      case Kind::kHalt: h.halt(reason); return;
    }
  }
};

}  // namespace ftvm::pair
