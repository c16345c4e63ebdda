#include "pair/clone_source.h"

#include <sys/eventfd.h>

#include "clone/clone_session.h"
#include "machine/core/error.h"

namespace ftvm::pair {

CloneSource::CloneSource(machine::Machine& m, clone::TcpListener listener, std::vector<std::uint8_t> preamble,
                         clone::ClonePolicy policy, std::chrono::milliseconds limit)
    : m_(m),
      listener_(std::move(listener)),
      preamble_(std::move(preamble)),
      policy_(policy),
      limit_(limit),
      connect_deadline_(std::chrono::steady_clock::now() + limit),
      busy_(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!busy_.valid()) throw Error("eventfd for the clone failed");
}

void CloneSource::collect(std::vector<machine::Input>&) {
  if (paused_ || failure_) return;
  try {
    step();
  } catch (const std::exception& e) {
    failure_ = e.what();
  }
}

void CloneSource::step() {
  if (!stream_) {
    disk::UniqueFd fd = listener_.accept(std::chrono::milliseconds(0));
    if (!fd.valid()) {
      if (std::chrono::steady_clock::now() >= connect_deadline_)
        throw Error("the new backup never connected for its clone");
      return;
    }
    stream_ = std::make_unique<clone::FdStream>(std::move(fd), limit_);
    stream_->write_all(preamble_);
    // Dirty tracking starts here, before the first page is read.
    sender_ = std::make_unique<clone::CloneSender>(m_, policy_);
  }
  // The backup speaks before the end only to refuse.
  if (stream_->readable()) sender_->accept(clone::read_verdict(*stream_));
  clone::SenderChunk chunk = sender_->next();
  stream_->write_all(chunk.bytes);
  paused_ = chunk.pause_now;
  if (paused_) paused_at_ = std::chrono::steady_clock::now();
}

clone::CloneProgress CloneSource::send_final() {
  if (!paused_ || !sender_ || final_sent_) throw Error("the clone is not at its pause");
  stream_->write_all(sender_->finish());
  final_sent_ = true;
  sender_->resumed();
  return sender_->progress();
}

bool CloneSource::take_verdict() {
  if (!final_sent_) throw Error("the clone's final bytes were not sent");
  if (verified_) return true;
  // The verdict is one small frame written at once: once its first byte is
  // here, reading the rest does not hold up the guest.
  if (!stream_->readable()) return false;
  sender_->accept(clone::read_verdict(*stream_));
  verified_ = true;
  return true;
}

}  // namespace ftvm::pair
