#pragma once
// The one door through which guest outputs leave. The run loop hands every
// Output (in order) to an OutputPort; the live dispatcher sends them to the
// console and backends, an FT output gate can hold them until the backup
// has acknowledged, a backup can drop them.
#include "machine/core/io.h"

namespace ftvm::host {

class OutputPort {
 public:
  virtual ~OutputPort() = default;
  virtual void deliver(const machine::Output& out) = 0;
};

}  // namespace ftvm::host
