#include "replay/zstd_codec.h"

#include <zstd.h>

#include <new>

namespace ftvm::replay {

ZstdCompressor::ZstdCompressor(int level) : ctx_(ZSTD_createCCtx()), level_(level) {
  if (!ctx_) throw std::bad_alloc();
}

ZstdCompressor::~ZstdCompressor() { ZSTD_freeCCtx(ctx_); }

std::optional<std::vector<std::uint8_t>> ZstdCompressor::compress_if_smaller(std::span<const std::uint8_t> raw) {
  if (raw.empty()) return std::nullopt;
  std::vector<std::uint8_t> out(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compressCCtx(ctx_, out.data(), out.size(), raw.data(), raw.size(), level_);
  if (ZSTD_isError(n) || n >= raw.size()) return std::nullopt;
  out.resize(n);
  return out;
}

ZstdDecompressor::ZstdDecompressor() : ctx_(ZSTD_createDCtx()) {
  if (!ctx_) throw std::bad_alloc();
}

ZstdDecompressor::~ZstdDecompressor() { ZSTD_freeDCtx(ctx_); }

std::optional<std::vector<std::uint8_t>> ZstdDecompressor::decompress_exact(std::span<const std::uint8_t> stored,
                                                                          std::size_t raw_size) {
  std::vector<std::uint8_t> out(raw_size);
  const std::size_t n = ZSTD_decompressDCtx(ctx_, out.data(), out.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw_size) return std::nullopt;
  return out;
}

}  // namespace ftvm::replay
