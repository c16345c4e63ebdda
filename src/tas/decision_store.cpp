#include "tas/decision_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "machine/core/error.h"

namespace ftvm::tas {

bool valid_token(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

DecisionStore::DecisionStore(std::string path) : path_(std::move(path)) {
  load();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("tas: cannot open journal " + path_ + ": " + std::strerror(errno));
}

DecisionStore::~DecisionStore() {
  if (fd_ >= 0) ::close(fd_);
}

// Journal format: one decision per line, "won <key> <owner>\n". A torn last
// line (crash mid-write, before fsync returned) was never answered, so it is
// ignored; any other malformed line means the file is not ours.
void DecisionStore::load() {
  std::ifstream in(path_);
  if (!in) return;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t pos = 0, line_no = 0;
  while (pos < content.size()) {
    std::size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) break;  // torn tail
    ++line_no;
    std::istringstream ls(content.substr(pos, nl - pos));
    std::string word, key, owner, extra;
    ls >> word >> key >> owner;
    if (word != "won" || !valid_token(key) || !valid_token(owner) || (ls >> extra))
      throw Error("tas: journal " + path_ + " is corrupt at line " + std::to_string(line_no));
    owners_.emplace(key, owner);  // first decision stands
    pos = nl + 1;
  }
}

void DecisionStore::append(const std::string& key, const std::string& owner) {
  std::string line = "won " + key + " " + owner + "\n";
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("tas: cannot write journal " + path_ + ": " + std::strerror(errno));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) throw Error("tas: cannot fsync journal " + path_ + ": " + std::strerror(errno));
}

DecisionStore::Result DecisionStore::test_and_set(const std::string& key, const std::string& owner) {
  if (!valid_token(key) || !valid_token(owner)) throw Error("tas: invalid key or owner");
  auto it = owners_.find(key);
  if (it != owners_.end()) return {it->second == owner, it->second};
  append(key, owner);  // durable before anyone learns the answer
  owners_.emplace(key, owner);
  return {true, owner};
}

std::optional<std::string> DecisionStore::owner_of(const std::string& key) const {
  auto it = owners_.find(key);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

}  // namespace ftvm::tas
