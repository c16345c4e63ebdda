#include "clone/clone_session.h"

#include <optional>
#include <vector>

#include "clone/clone_error.h"
#include "clone/clone_frame.h"
#include "clone/clone_message.h"
#include "clone/clone_receiver.h"

namespace ftvm::clone {

Verdict read_verdict(ByteStream& stream) {
  CloneFrameReader frames;
  std::vector<std::uint8_t> buffer(4096);
  for (;;) {
    if (std::optional<CloneFrame> frame = frames.next()) {
      CloneMessage m = decode_message(frame->type, frame->payload);
      if (const auto* v = std::get_if<Verdict>(&m)) return *v;
      throw CloneError("the receiver answered with a " + message_name(m) + " message");
    }
    std::size_t n = stream.read_some(buffer);
    if (n == 0) throw CloneError("the receiver closed the stream without a verdict");
    frames.feed({buffer.data(), n});
  }
}

CloneProgress send_clone(machine::Machine& source, ByteStream& stream, const RunSlice& run_slice,
                         const ClonePolicy& policy, ProgressCallback on_progress) {
  CloneSender sender(source, policy, std::move(on_progress));
  for (;;) {
    SenderChunk chunk = sender.next();
    stream.write_all(chunk.bytes);
    if (chunk.pause_now) break;
    // The receiver speaks before the end only to refuse: stop at once
    // instead of sending the rest of RAM to nobody.
    if (stream.readable()) sender.accept(read_verdict(stream));
    run_slice(source);
  }
  stream.write_all(sender.finish());
  // A primary resumes here and takes the verdict whenever it comes.
  sender.resumed();
  sender.accept(read_verdict(stream));
  return sender.progress();
}

std::unique_ptr<machine::Machine> receive_clone(const machine::MachineConfig& config, ByteStream& stream,
                                                ProgressCallback on_progress) {
  CloneReceiver receiver(config, std::move(on_progress));
  std::vector<std::uint8_t> buffer(std::size_t{1} << 20);
  try {
    for (;;) {
      std::size_t n = stream.read_some(buffer);
      if (n == 0) throw CloneError("the sender closed the stream before the clone was complete");
      if (receiver.feed({buffer.data(), n})) break;
    }
  } catch (const Error& e) {
    Verdict refusal;
    refusal.message = e.what();
    try {
      stream.write_all(encode_message(refusal));
    } catch (const Error&) {
      // The sender may be gone already; our own error is the one to report.
    }
    throw;
  }
  stream.write_all(encode_message(receiver.verdict()));
  return receiver.take_machine();
}

}  // namespace ftvm::clone
