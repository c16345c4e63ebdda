#pragma once
// The control endpoint of a running VM: a unix socket on which an operator
// (`ftvm protect VM --to AGENT`) asks a VM that runs alone to protect itself
// with a backup from that host agent. One JSON line per connection:
//
//   -> {"protect": "HOST:PORT"}
//   <- {"accepted": true, "agent": "HOST:PORT"}          at once, then later
//   <- {"protected": true, "generation": G, "stopped_ms": X}
//   or {"protected": false, "error": "..."}
//
// A request the VM cannot take (already paired, a clone already under way,
// malformed JSON) gets {"accepted": false, "error": "..."} and the
// connection is closed. A thread of its own reads requests, so a slow or
// hostile client never holds up the vCPU; the live loop only sees a request
// that was accepted (stop_requested), takes it between slices and reports
// the outcome here.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "disk/unique_fd.h"
#include "host/input_source.h"

namespace ftvm::pair {

// What the VM is doing, as far as a protect request is concerned.
enum class ProtectionPhase { kAlone, kProtecting, kPaired };

class ControlServer final : public host::InputSource {
 public:
  // Binds and listens on `path` (a stale socket left by a dead VM is
  // replaced; one a live process answers on is not). Throws ftvm::Error.
  explicit ControlServer(std::string path);
  ~ControlServer() override;
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return path_; }

  // Readable when a request was accepted: wakes an idle guest's loop.
  int wake_fd() const override { return wake_.get(); }
  void collect(std::vector<machine::Input>& out) override;
  // An accepted request waits and the VM is alone: end the alone loop.
  bool stop_requested() const override;

  // Loop side. The agent of the waiting request (which becomes the active
  // one, phase kProtecting), or nullopt.
  std::optional<std::string> take_request();
  // Entering kPaired refuses a request still waiting.
  void set_phase(ProtectionPhase phase);
  // The active request's outcome (no-op without one); closes its connection.
  void report_protected(std::uint64_t generation, double stopped_ms);
  void report_failed(const std::string& why);

 private:
  struct Request {
    std::string agent;
    disk::UniqueFd client;
  };
  void serve();
  void handle(disk::UniqueFd client);
  void finish_active(const std::string& line);

  std::string path_;
  disk::UniqueFd listener_;
  disk::UniqueFd wake_;  // eventfd: a request is waiting
  disk::UniqueFd stop_;  // eventfd: the serving thread must end
  mutable std::mutex mu_;
  ProtectionPhase phase_ = ProtectionPhase::kAlone;
  std::optional<Request> waiting_;
  std::optional<Request> active_;
  std::thread thread_;
};

}  // namespace ftvm::pair
