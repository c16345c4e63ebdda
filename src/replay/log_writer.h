#pragma once
// A replay log file: a LogEncoder whose output goes to disk. Complete frames
// are written as soon as they exist, so memory stays bounded by one frame.
#include <string>

#include "replay/file_descriptor.h"
#include "replay/log_encoder.h"

namespace ftvm::replay {

enum class FsyncPolicy {
  kNever,    // leave it to the OS (fastest; a host crash may lose the tail)
  kOnFlush,  // fsync after every flush(): a flushed entry survives a host crash
  kOnClose,  // fsync once, in finish()
};

struct WriterOptions {
  EncoderOptions encoder;
  FsyncPolicy fsync = FsyncPolicy::kOnClose;
};

class LogWriter {
 public:
  // Creates (or truncates) `path` and writes the header. Throws ftvm::Error
  // if the file cannot be created.
  LogWriter(std::string path, const LogHeader& header, WriterOptions options = {});
  // Writes whatever is buffered without an end marker, as a crash would
  // leave it (a reader sees a clean prefix). Never throws.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Returns the entry's sequence number; throws LogError for an entry the
  // log cannot take (see LogEncoder::append), ftvm::Error on I/O failure.
  std::uint64_t append(const LogEntry& entry);
  std::uint64_t append(machine::Instret instret, const machine::Input& input);
  // Closes the open frame and writes it (fsync under kOnFlush).
  void flush();
  // Appends the end marker at `final_instret`, writes, fsyncs (unless
  // kNever) and closes the file. Nothing may be appended afterwards.
  void finish(machine::Instret final_instret);

  const std::string& path() const { return path_; }
  std::uint64_t next_sequence() const { return encoder_.next_sequence(); }

 private:
  void write_ready();
  void sync();

  std::string path_;
  WriterOptions options_;
  LogEncoder encoder_;
  FileDescriptor fd_;
};

}  // namespace ftvm::replay
