#pragma once
// The machine snapshot format (Machine::save_state / restore_state).
//
//   header   "FTVMSNAP", u32 version, u32 flags (0), u64 instret, u64 payload bytes
//   payload  sections: CONF (the config the blob fits), HART, CLOK, CLNT, PLIC,
//            UART, FINI, one VIRT per virtio slot, END!
//   trailer  u64 XXH3-64 of header and payload
//
// All integers little-endian. The version changes whenever the payload does;
// a reader accepts only its own version. RAM is not in the blob: it travels
// as pages (Machine::read_page / write_page), which is what lets a live clone
// send most of it while the source keeps running.
#include <cstdint>
#include <span>

#include "machine/core/instret.h"

namespace ftvm::machine {

inline constexpr std::uint32_t kSnapshotVersion = 1;
inline constexpr std::uint64_t kSnapshotHeaderBytes = 8 + 4 + 4 + 8 + 8;
inline constexpr std::uint64_t kSnapshotTrailerBytes = 8;

// What the header says, after the framing has been checked (magic, version,
// length, checksum); ftvm::Error with a clear line otherwise.
struct SnapshotInfo {
  std::uint32_t version = 0;
  Instret instret = 0;
  std::span<const std::uint8_t> payload;  // points into the blob
};
SnapshotInfo check_snapshot_framing(std::span<const std::uint8_t> blob);

}  // namespace ftvm::machine
