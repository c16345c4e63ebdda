#include "disk/disk_request.h"

namespace ftvm::disk {

namespace {
// One request never moves more than this; a bigger one is a guest bug (or
// an attack) and must not make the host allocate gigabytes.
constexpr std::uint64_t kMaxRequestBytes = 64ull << 20;
}  // namespace

std::string_view to_string(DiskOp op) {
  switch (op) {
    case DiskOp::kRead: return "read";
    case DiskOp::kWrite: return "write";
    case DiskOp::kFlush: return "flush";
    case DiskOp::kDiscard: return "discard";
  }
  return "unknown";
}

std::optional<DiskStatus> reject_reason(const DiskRequest& req, std::uint64_t capacity, bool read_only) {
  if (req.op == DiskOp::kFlush) return std::nullopt;
  if (read_only && (req.op == DiskOp::kWrite || req.op == DiskOp::kDiscard)) return DiskStatus::kIoError;
  std::uint64_t len = req.op == DiskOp::kWrite ? req.data.size() : req.length;
  if (req.op != DiskOp::kDiscard && len > kMaxRequestBytes) return DiskStatus::kIoError;
  // Overflow-safe form of offset + len <= capacity.
  if (len > capacity || req.offset > capacity - len) return DiskStatus::kIoError;
  return std::nullopt;
}

}  // namespace ftvm::disk
