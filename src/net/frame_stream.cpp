#include "net/frame_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace ftvm::net {

void append_framed(std::vector<std::uint8_t>& out, FrameView frame) {
  auto n = static_cast<std::uint32_t>(frame.size());
  out.push_back(static_cast<std::uint8_t>(n >> 24));
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), frame.begin(), frame.end());
}

bool FrameDecoder::feed(const std::uint8_t* data, std::size_t len) {
  if (broken_) return false;
  // Drop what was consumed before growing, so the buffer stays small.
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 65536) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), data, data + len);
  return true;
}

std::optional<Frame> FrameDecoder::next() {
  if (broken_ || buffer_.size() - consumed_ < 4) return std::nullopt;
  const std::uint8_t* p = buffer_.data() + consumed_;
  std::uint32_t n = std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  if (n == 0 || n > kMaxFrameSize) {
    broken_ = true;
    return std::nullopt;
  }
  if (buffer_.size() - consumed_ - 4 < n) return std::nullopt;
  Frame f(p + 4, p + 4 + n);
  consumed_ += 4 + n;
  return f;
}

bool FramedConnection::queue(FrameView frame) {
  if (out_.size() - sent_ + frame.size() + 4 > send_limit_) {
    ++dropped_;
    return false;
  }
  append_framed(out_, frame);
  return true;
}

bool FramedConnection::flush() {
  while (sent_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + sent_, out_.size() - sent_, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return false;
    sent_ += static_cast<std::size_t>(n);
  }
  if (sent_ == out_.size()) {
    out_.clear();
    sent_ = 0;
  } else if (sent_ > (1u << 20)) {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(sent_));
    sent_ = 0;
  }
  return true;
}

bool FramedConnection::receive(std::vector<Frame>& frames) {
  std::uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return false;
    if (!decoder_.feed(buf, static_cast<std::size_t>(n))) return false;
    while (auto f = decoder_.next()) frames.push_back(std::move(*f));
    if (decoder_.broken()) return false;
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
  return true;
}

}  // namespace ftvm::net
