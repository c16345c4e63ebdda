#pragma once
// Everything that can happen to an FtNode. The driver turns host happenings
// (a frame from the socket, a timer, a TAS reply, the local machine's
// progress) into these and feeds them to FtNode::step().
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ft/log_entry.h"
#include "ft/message.h"

namespace ftvm::ft {

// One period of the node's timer elapsed.
struct TickEvent {};

// A decoded message from the peer.
struct MessageEvent {
  Message message;
};

// An encoded frame from the peer; the node decodes it and rejects bad ones.
struct FrameEvent {
  std::vector<std::uint8_t> bytes;
};

enum class TasResult : std::uint8_t {
  kWon = 1,          // we hold the key: we may go live
  kLost = 2,         // the peer holds it: we must halt
  kUnreachable = 3,  // no answer (service down, timeout): try again later
};

// The answer to the node's last TasRequest action (exactly one per request).
struct TasAnswerEvent {
  TasResult result = TasResult::kUnreachable;
};

// The local machine produced an output that depends on log entries
// 1..position (the log length when it was produced).
struct OutputEvent {
  OutputId id = 0;
  LogPosition position = 0;
};

// The local (live) machine appended these entries to its log, in order.
struct AppendEvent {
  std::vector<LogEntry> entries;
};

// The local (replaying) machine has executed entries 1..position.
struct ExecutedEvent {
  LogPosition position = 0;
};

// The channel to the peer closed or the peer is known to have crashed.
struct PeerLostEvent {
  std::string reason;
};

using Event = std::variant<TickEvent, MessageEvent, FrameEvent, TasAnswerEvent, OutputEvent, AppendEvent,
                           ExecutedEvent, PeerLostEvent>;

std::string_view to_string(TasResult r);

}  // namespace ftvm::ft
