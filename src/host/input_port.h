#pragma once
// The one door through which host events enter the guest. Every Input the
// run loop produces (time, console keys, disk completions, frames, entropy)
// goes through InputPort::apply, which applies it at the machine's current
// instret. Record/replay and FT wrap this interface (log the input with
// machine.instret(), then forward) -- nothing else needs to change.
#include "host/runnable_machine.h"

namespace ftvm::host {

class InputPort {
 public:
  virtual ~InputPort() = default;
  virtual void apply(const machine::Input& in) = 0;
};

// The plain live path: straight into the machine.
class MachineInputPort final : public InputPort {
 public:
  explicit MachineInputPort(RunnableMachine& m) : m_(m) {}
  void apply(const machine::Input& in) override { m_.apply(in); }

 private:
  RunnableMachine& m_;
};

}  // namespace ftvm::host
