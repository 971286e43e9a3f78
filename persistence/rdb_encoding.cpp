#include "persistence/rdb_encoding.h"

#include <span>
#include <vector>

#include "persistence/lzf.h"

namespace snapstream::rdb {

namespace {

void append(std::string& out, const uint8_t* p, size_t n) {
    out.append(reinterpret_cast<const char*>(p), n);
}

}  // namespace

void encode_string(std::string& out, std::string_view s, bool compress) {
    uint8_t head[1 + 2 * kMaxLengthBytes];
    if (const size_t n = encode_int_string(head, s)) {
        append(out, head, n);
        return;
    }
    if (compress && s.size() >= kLzfMinLength) {
        std::vector<uint8_t> packed(s.size() - 4);
        const size_t clen =
            lzf_compress_into({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, packed);
        if (clen > 0) {
            head[0] = (kEncVal << 6) | kEncLzf;
            size_t h = 1 + encode_length(head + 1, clen);
            h += encode_length(head + h, s.size());
            append(out, head, h);
            append(out, packed.data(), clen);
            return;
        }
    }
    append(out, head, encode_length(head, s.size()));
    out.append(s);
}

void encode_int64_string(std::string& out, int64_t v) {
    uint8_t head[kMaxLengthBytes];
    if (const size_t n = encode_int(head, v)) {
        append(out, head, n);
        return;
    }
    const std::string text = std::to_string(v);
    append(out, head, encode_length(head, text.size()));
    out.append(text);
}

}  // namespace snapstream::rdb
