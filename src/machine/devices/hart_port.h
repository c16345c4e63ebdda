#pragma once
// What platform devices need from the CPU side, without depending on the hart
// library: the current instruction count (for mtime reads and output stamps),
// the level of the hart's device-driven interrupt lines, and a way to make the
// running hart return to the machine loop. The Machine implements it with the
// real Hart; device tests implement it with a recorder.
#include <cstdint>

#include "machine/core/instret.h"

namespace ftvm::machine {

// The mip bits a platform device can drive.
enum class HartLine : std::uint8_t {
  kMachineSoftware,     // MSIP, from the CLINT
  kMachineTimer,        // MTIP, from the CLINT
  kMachineExternal,     // MEIP, from PLIC context 0
  kSupervisorExternal,  // SEIP, from PLIC context 1
};

class HartPort {
 public:
  virtual ~HartPort() = default;
  virtual Instret instret() const = 0;
  virtual void set_line(HartLine line, bool level) = 0;
  virtual void request_stop() = 0;
};

// A level-triggered interrupt controller input (the PLIC's sources).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned source, bool level) = 0;
};

}  // namespace ftvm::machine
