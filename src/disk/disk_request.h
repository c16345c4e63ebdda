#pragma once
// What a virtual disk asks its backend to do, and what comes back. Requests
// carry the guest's tag; the completion echoes it and becomes a kCompletion
// Input (value = tag, status, bytes = data read).
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ftvm::disk {

enum class DiskOp : std::uint8_t { kRead, kWrite, kFlush, kDiscard };

// Status codes as the guest sees them (they match virtio-blk's status byte,
// so the device can pass them through unchanged).
enum class DiskStatus : std::uint32_t {
  kOk = 0,
  kIoError = 1,      // the host could not do it: EIO, ENOSPC, server gone, out of range, read-only
  kUnsupported = 2,  // the backend cannot do this operation at all
};

struct DiskRequest {
  DiskOp op = DiskOp::kRead;
  std::uint64_t tag = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;          // read, discard
  std::vector<std::uint8_t> data;    // write
};

struct DiskCompletion {
  std::uint64_t tag = 0;
  DiskStatus status = DiskStatus::kOk;
  std::vector<std::uint8_t> data;  // read: exactly `length` bytes when ok
};

std::string_view to_string(DiskOp op);

// The error a request gets without reaching the backend (out of range, a
// write to a read-only disk, an absurd length), or nullopt when it may go.
std::optional<DiskStatus> reject_reason(const DiskRequest& req, std::uint64_t capacity, bool read_only);

}  // namespace ftvm::disk
