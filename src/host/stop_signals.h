#pragma once
// SIGINT, SIGTERM and SIGHUP as an event the run loop polls (signalfd)
// rather than an asynchronous handler, so the loop ends normally and every
// RAII guard (terminal mode, backends) cleans up. Construct it before any
// thread starts, so all threads inherit the blocked mask.
#include <signal.h>

#include "disk/unique_fd.h"
#include "host/input_source.h"

namespace ftvm::host {

class StopSignals final : public InputSource {
 public:
  StopSignals();
  ~StopSignals() override;
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int wake_fd() const override { return fd_.get(); }
  void collect(std::vector<machine::Input>& out) override;
  bool stop_requested() const override { return signal_ != 0; }
  int signal_number() const { return signal_; }

 private:
  sigset_t previous_{};
  disk::UniqueFd fd_;
  int signal_ = 0;
};

}  // namespace ftvm::host
