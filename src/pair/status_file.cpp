#include "pair/status_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "disk/unique_fd.h"
#include "machine/core/error.h"

namespace ftvm::pair {

namespace fs = std::filesystem;

namespace {

// Status files are small; anything bigger is not one of ours.
constexpr std::uintmax_t kMaxStatusFileBytes = 64 * 1024;

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text) {
  fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error("cannot create " + target.parent_path().string() + ": " + ec.message());
  }
  // One temporary per writer (the pid), in the same directory so that the
  // rename stays within one filesystem and is atomic.
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    disk::UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) throw Error("cannot create " + temp + ": " + std::strerror(errno));
    write_all(fd.get(), text, temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    throw Error("cannot rename " + temp + " to " + path + ": " + std::strerror(err));
  }
}

VmStatus read_status_file(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) throw Error(path + ": " + ec.message());
  if (size > kMaxStatusFileBytes) throw Error(path + ": too large to be a status file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_vm_status(text.str());
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

std::vector<std::string> list_status_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return files;
  fs::directory_iterator it(dir, ec);
  if (ec) throw Error("cannot read " + dir + ": " + ec.message());
  for (const auto& entry : it) {
    if (entry.path().extension() == ".json" && entry.is_regular_file(ec)) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string default_run_dir(const char* ftvm_run_dir, const char* xdg_runtime_dir) {
  if (ftvm_run_dir && *ftvm_run_dir) return ftvm_run_dir;
  if (xdg_runtime_dir && *xdg_runtime_dir) return std::string(xdg_runtime_dir) + "/ftvm";
  return "/run/ftvm";
}

std::string default_run_dir() {
  return default_run_dir(std::getenv("FTVM_RUN_DIR"), std::getenv("XDG_RUNTIME_DIR"));
}

}  // namespace ftvm::pair
