#pragma once
// Stand-ins for the hart, the PLIC and the machine's output queue, so device
// tests run without a CPU. They only record what devices do to them.
#include <cstdint>
#include <map>
#include <vector>

#include "machine/core/io.h"
#include "machine/devices/hart_port.h"

namespace ftvm::machine::testing {

class FakeHart : public HartPort {
 public:
  Instret now = 0;
  std::map<HartLine, bool> lines;
  int stop_requests = 0;

  Instret instret() const override { return now; }
  void set_line(HartLine line, bool level) override { lines[line] = level; }
  void request_stop() override { ++stop_requests; }
  bool line(HartLine l) const {
    auto it = lines.find(l);
    return it != lines.end() && it->second;
  }
};

class IrqRecorder : public IrqSink {
 public:
  std::map<unsigned, bool> levels;
  void set_irq(unsigned source, bool level) override { levels[source] = level; }
  bool level(unsigned source) const {
    auto it = levels.find(source);
    return it != levels.end() && it->second;
  }
};

class OutputCollector : public OutputSink {
 public:
  std::vector<Output> outputs;
  void emit(Output out) override { outputs.push_back(std::move(out)); }
};

}  // namespace ftvm::machine::testing
