#include "ft/message.h"

namespace ftvm::ft {

std::string_view to_string(Sender s) {
  switch (s) {
    case Sender::kPrimary: return "primary";
    case Sender::kBackup: return "backup";
  }
  return "unknown sender";
}

std::string_view message_kind_name(const MessageBody& body) {
  struct Namer {
    std::string_view operator()(const LogBatch&) const { return "log batch"; }
    std::string_view operator()(const Heartbeat&) const { return "heartbeat"; }
    std::string_view operator()(const Ack&) const { return "ack"; }
  };
  return std::visit(Namer{}, body);
}

}  // namespace ftvm::ft
