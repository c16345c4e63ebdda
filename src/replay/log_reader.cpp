#include "replay/log_reader.h"

#include <fcntl.h>

namespace ftvm::replay {
namespace {

constexpr std::size_t kReadChunkBytes = 256 * 1024;

}  // namespace

LogReader::LogReader(std::string path, DecoderOptions options)
    : path_(std::move(path)), decoder_(options), chunk_(kReadChunkBytes) {
  fd_ = FileDescriptor(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_.valid()) throw_io_error("open", path_);
}

bool LogReader::read_chunk() {
  if (at_eof_) return false;
  const std::size_t n = read_some(fd_.get(), chunk_.data(), chunk_.size(), path_);
  if (n == 0) {
    at_eof_ = true;
    decoder_.finish();
    return false;
  }
  decoder_.feed(std::span<const std::uint8_t>(chunk_.data(), n));
  return true;
}

std::optional<SequencedEntry> LogReader::next() {
  for (;;) {
    if (auto e = decoder_.next()) return e;
    if (!read_chunk()) return decoder_.next();
  }
}

const LogHeader& LogReader::header() {
  while (!decoder_.header() && !decoder_.error() && read_chunk()) {
  }
  if (decoder_.header()) return *decoder_.header();
  // Without a header the loop stopped on an error, or at end of file where
  // finish() recorded the truncation.
  throw *decoder_.error();
}

LogFileContents read_log_file(const std::string& path, DecoderOptions options) {
  LogReader reader(path, options);
  LogFileContents contents;
  try {
    while (auto e = reader.next()) contents.entries.push_back(std::move(*e));
  } catch (const LogError& e) {
    contents.error = e;
  }
  try {
    contents.header = reader.header();
  } catch (const LogError&) {
    // No header: the error above already says why.
  }
  contents.ended = reader.ended();
  return contents;
}

}  // namespace ftvm::replay
