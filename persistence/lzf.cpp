#include "persistence/lzf.h"

#include <climits>

#include <lzf.h>

namespace snapstream {

size_t lzf_compress_into(std::span<const uint8_t> in, std::span<uint8_t> out) {
    if (in.empty() || out.empty() || in.size() > UINT_MAX || out.size() > UINT_MAX) return 0;
    return lzf_compress(in.data(), static_cast<unsigned>(in.size()), out.data(),
                        static_cast<unsigned>(out.size()));
}

bool lzf_expand_into(std::span<const uint8_t> in, std::span<uint8_t> out) {
    if (in.size() > UINT_MAX || out.size() > UINT_MAX) return false;
    if (out.empty()) return in.empty();
    const unsigned n = lzf_decompress(in.data(), static_cast<unsigned>(in.size()), out.data(),
                                      static_cast<unsigned>(out.size()));
    return n == out.size();
}

}  // namespace snapstream
