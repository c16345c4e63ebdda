#pragma once
// Recorder -> log file.
#include "replay/log_writer.h"
#include "replay/recorder.h"

namespace ftvm::replay {

class LogWriterSink final : public EntrySink {
 public:
  explicit LogWriterSink(LogWriter& w) : w_(w) {}
  void append(const LogEntry& e) override { w_.append(e); }

 private:
  LogWriter& w_;
};

}  // namespace ftvm::replay
