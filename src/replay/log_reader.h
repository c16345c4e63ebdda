#pragma once
// Reads a replay log file entry by entry, in order, with sequence numbers.
#include <optional>
#include <string>
#include <vector>

#include "replay/file_descriptor.h"
#include "replay/log_decoder.h"

namespace ftvm::replay {

class LogReader {
 public:
  // Opens `path`; throws ftvm::Error if it cannot be opened.
  explicit LogReader(std::string path, DecoderOptions options = {});

  // The next entry; nullopt at the end of the file. Throws LogError at the
  // first damage (after every entry before it), ftvm::Error on I/O failure.
  std::optional<SequencedEntry> next();
  // Reads as far as the header; throws LogError if it is missing or bad.
  const LogHeader& header();
  // True once the end marker has been read: the recording was closed on
  // purpose. A file that ends without one was cut off at a frame boundary.
  bool ended() const { return decoder_.ended(); }

 private:
  // Feeds one more chunk; false at end of file (after finishing the decoder).
  bool read_chunk();

  std::string path_;
  FileDescriptor fd_;
  LogDecoder decoder_;
  std::vector<std::uint8_t> chunk_;
  bool at_eof_ = false;
};

// Everything readable in a file: the entries before the first damage, and
// that damage if any. For tools and tests; a replayer streams with LogReader.
struct LogFileContents {
  std::optional<LogHeader> header;
  std::vector<SequencedEntry> entries;
  bool ended = false;
  std::optional<LogError> error;
};

// Throws ftvm::Error only if the file cannot be opened or read.
LogFileContents read_log_file(const std::string& path, DecoderOptions options = {});

}  // namespace ftvm::replay
