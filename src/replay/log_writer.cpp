#include "replay/log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include "machine/core/error.h"

namespace ftvm::replay {

LogWriter::LogWriter(std::string path, const LogHeader& header, WriterOptions options)
    : path_(std::move(path)), options_(options), encoder_(header, options.encoder) {
  fd_ = FileDescriptor(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_.valid()) throw_io_error("create", path_);
  write_ready();
}

LogWriter::~LogWriter() {
  if (!fd_.valid()) return;
  try {
    encoder_.flush();
    write_ready();
  } catch (const std::exception&) {
    // A destructor cannot report; the file simply ends at its last good frame.
  }
}

std::uint64_t LogWriter::append(const LogEntry& entry) {
  if (!fd_.valid()) throw Error("replay log " + path_ + " is already finished");
  const std::uint64_t sequence = encoder_.append(entry);
  write_ready();
  return sequence;
}

std::uint64_t LogWriter::append(machine::Instret instret, const machine::Input& input) {
  return append(entry_from_input(instret, input));
}

void LogWriter::flush() {
  if (!fd_.valid()) return;
  encoder_.flush();
  write_ready();
  if (options_.fsync == FsyncPolicy::kOnFlush) sync();
}

void LogWriter::finish(machine::Instret final_instret) {
  append(LogEntry::end(final_instret));
  if (options_.fsync != FsyncPolicy::kNever) sync();
  fd_.close_checked(path_);
}

void LogWriter::write_ready() {
  const auto bytes = encoder_.take_bytes();
  if (!bytes.empty()) write_all(fd_.get(), bytes.data(), bytes.size(), path_);
}

void LogWriter::sync() {
  if (::fsync(fd_.get()) != 0) throw_io_error("fsync", path_);
}

}  // namespace ftvm::replay
