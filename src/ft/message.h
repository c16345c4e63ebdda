#pragma once
// What primary and backup say to each other over the logging channel.
//
//   primary -> backup   LogBatch   consecutive log entries (may repeat old ones)
//   primary -> backup   Heartbeat  "still here, my log reaches `appended`"
//   backup  -> primary  Ack        "I hold entries 1..received and have
//                                   executed 1..executed"; also the backup's
//                                   heartbeat
//
// Every primary message carries a probe (the primary's own tick count when it
// sent it); the backup echoes the highest probe it has seen in each Ack. The
// echo tells the primary how recently the backup was still a plain backup,
// which is what lets it release outputs without racing a backup that has
// already started to take over (see the lease in ft_node.h).
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "ft/log_entry.h"
#include "ft/pair_id.h"

namespace ftvm::ft {

enum class Sender : std::uint8_t { kPrimary = 1, kBackup = 2 };

struct LogBatch {
  std::uint64_t probe = 0;
  std::vector<LogEntry> entries;  // consecutive sequence numbers
  bool operator==(const LogBatch&) const = default;
};

struct Heartbeat {
  std::uint64_t probe = 0;
  LogPosition appended = 0;
  bool operator==(const Heartbeat&) const = default;
};

struct Ack {
  std::uint64_t probe_echo = 0;  // 0 = no probe seen yet
  LogPosition received = 0;
  LogPosition executed = 0;
  bool operator==(const Ack&) const = default;
};

using MessageBody = std::variant<LogBatch, Heartbeat, Ack>;

struct Message {
  PairId pair;
  Sender sender = Sender::kPrimary;
  MessageBody body;
  bool operator==(const Message&) const = default;
};

std::string_view to_string(Sender s);
std::string_view message_kind_name(const MessageBody& body);

}  // namespace ftvm::ft
