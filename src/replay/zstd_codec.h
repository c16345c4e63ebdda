#pragma once
// RAII owners of zstd contexts, reused across frames so a long log does not
// allocate a context per frame.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace ftvm::replay {

class ZstdCompressor {
 public:
  explicit ZstdCompressor(int level);
  ~ZstdCompressor();
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  // The compressed bytes, or nullopt when compression would not make the
  // data smaller (the caller then stores it as is).
  std::optional<std::vector<std::uint8_t>> compress_if_smaller(std::span<const std::uint8_t> raw);

 private:
  ZSTD_CCtx_s* ctx_;
  int level_;
};

class ZstdDecompressor {
 public:
  ZstdDecompressor();
  ~ZstdDecompressor();
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

  // Decompresses into exactly `raw_size` bytes (already bounded by the
  // caller); nullopt if the data is not a zstd frame of exactly that size.
  std::optional<std::vector<std::uint8_t>> decompress_exact(std::span<const std::uint8_t> stored,
                                                             std::size_t raw_size);

 private:
  ZSTD_DCtx_s* ctx_;
};

}  // namespace ftvm::replay
