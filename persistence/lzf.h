// LZF compression of RDB strings, through Debian's liblzf (3.6, the same algorithm and settings
// Redis bundles: HLOG 16, VERY_FAST). Any LZF stream decodes with any LZF version, so files
// compressed by Redis and by us are interchangeable even where the bytes differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace snapstream {

// Compresses `in` into `out` (out.size() is the most the caller accepts); returns the compressed
// size, or 0 when the result would not fit (store the string uncompressed then).
size_t lzf_compress_into(std::span<const uint8_t> in, std::span<uint8_t> out);

// Decompresses `in` into exactly out.size() bytes; false on corrupt input or a size mismatch.
bool lzf_expand_into(std::span<const uint8_t> in, std::span<uint8_t> out);

}  // namespace snapstream
