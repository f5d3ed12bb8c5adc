#include "io/codec/zstd.hpp"

#include <memory>

#include <zstd.h>

namespace cryptolake::io {

std::string zstd_compress(std::string_view bytes, int level) {
  // resize_and_overwrite: the bound-sized buffer is not zeroed first (a memset as large as the input).
  std::string out;
  out.resize_and_overwrite(ZSTD_compressBound(bytes.size()), [&](char* data, size_t capacity) {
    const size_t n = ZSTD_compress(data, capacity, bytes.data(), bytes.size(), level);
    if (ZSTD_isError(n)) throw std::logic_error(ZSTD_getErrorName(n));  // only on a bound bug
    return n;
  });
  return out;
}

core::Result<std::string> zstd_decompress(std::string_view frame) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  std::string out;
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR) {
    size_t n = 0;
    out.resize_and_overwrite(size, [&](char* data, size_t capacity) {
      n = ZSTD_decompressDCtx(ctx.get(), data, capacity, frame.data(), frame.size());
      return ZSTD_isError(n) ? 0 : n;
    });
    if (ZSTD_isError(n)) return core::fail(core::ErrorCode::corrupt_data, "zstd: {}", ZSTD_getErrorName(n));
    return out;
  }
  // Streamed frames do not record their size: decompress chunk by chunk.
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  while (in.pos < in.size) {
    ZSTD_outBuffer buffer{chunk.data(), chunk.size(), 0};
    const size_t rc = ZSTD_decompressStream(ctx.get(), &buffer, &in);
    if (ZSTD_isError(rc)) return core::fail(core::ErrorCode::corrupt_data, "zstd: {}", ZSTD_getErrorName(rc));
    out.append(chunk.data(), buffer.pos);
    if (rc == 0 && in.pos == in.size) break;
    if (buffer.pos == 0 && rc != 0 && in.pos == in.size) {
      return core::fail(core::ErrorCode::corrupt_data, "zstd: truncated frame");
    }
  }
  return out;
}

}  // namespace cryptolake::io
