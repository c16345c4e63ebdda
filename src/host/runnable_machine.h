#pragma once
// The part of machine::Machine the run loop uses, as an interface so the
// loop can be tested against a scripted fake.
#include <cstdint>
#include <vector>

#include "machine/core/io.h"
#include "machine/platform/machine.h"

namespace ftvm::host {

class RunnableMachine {
 public:
  virtual ~RunnableMachine() = default;
  virtual machine::StopReason run_until(machine::Instret limit) = 0;
  virtual machine::Instret instret() const = 0;
  virtual void apply(const machine::Input& in) = 0;
  virtual std::vector<machine::Output> take_outputs() = 0;
  virtual std::uint64_t next_timer_deadline() const = 0;
  virtual int exit_code() const = 0;
};

class MachineAdapter final : public RunnableMachine {
 public:
  explicit MachineAdapter(machine::Machine& m) : m_(m) {}
  machine::StopReason run_until(machine::Instret limit) override { return m_.run_until(limit); }
  machine::Instret instret() const override { return m_.instret(); }
  void apply(const machine::Input& in) override { m_.apply(in); }
  std::vector<machine::Output> take_outputs() override { return m_.take_outputs(); }
  std::uint64_t next_timer_deadline() const override { return m_.next_timer_deadline(); }
  int exit_code() const override { return m_.exit_code(); }

 private:
  machine::Machine& m_;
};

}  // namespace ftvm::host
