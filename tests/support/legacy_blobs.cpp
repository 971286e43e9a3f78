#include "tests/support/legacy_blobs.h"

#include <algorithm>
#include <optional>

#include "common/numeric.h"

namespace snapstream::test {
namespace {

void put_le(std::string& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_be(std::string& out, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void set_le(std::string& out, size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}

std::optional<int64_t> ziplist_int(std::string_view s) {
    if (s.empty() || s.size() >= 32) return std::nullopt;
    return parse_int64(s);
}

// The encoding and data bytes of one ziplist element.
std::string ziplist_payload(std::string_view s, bool allow_int) {
    std::string out;
    const std::optional<int64_t> v = allow_int ? ziplist_int(s) : std::nullopt;
    if (v) {
        const int64_t x = *v;
        if (x >= 0 && x <= 12) {
            out.push_back(static_cast<char>(0xF1 + x));
        } else if (x >= INT8_MIN && x <= INT8_MAX) {
            out.push_back(static_cast<char>(0xFE));
            put_le(out, static_cast<uint64_t>(x), 1);
        } else if (x >= INT16_MIN && x <= INT16_MAX) {
            out.push_back(static_cast<char>(0xC0));
            put_le(out, static_cast<uint64_t>(x), 2);
        } else if (x >= -(int64_t{1} << 23) && x < (int64_t{1} << 23)) {
            out.push_back(static_cast<char>(0xF0));
            put_le(out, static_cast<uint64_t>(x), 3);
        } else if (x >= INT32_MIN && x <= INT32_MAX) {
            out.push_back(static_cast<char>(0xD0));
            put_le(out, static_cast<uint64_t>(x), 4);
        } else {
            out.push_back(static_cast<char>(0xE0));
            put_le(out, static_cast<uint64_t>(x), 8);
        }
        return out;
    }
    const size_t n = s.size();
    if (n <= 0x3F) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0x3FFF) {
        put_be(out, 0x4000 | n, 2);
    } else {
        out.push_back(static_cast<char>(0x80));
        put_be(out, n, 4);
    }
    out.append(s);
    return out;
}

}  // namespace

ZlEnc ziplist_encoding_for(std::string_view element) {
    if (std::optional<int64_t> v = ziplist_int(element)) {
        const int64_t x = *v;
        if (x >= 0 && x <= 12) return ZlEnc::Imm;
        if (x >= INT8_MIN && x <= INT8_MAX) return ZlEnc::Int8;
        if (x >= INT16_MIN && x <= INT16_MAX) return ZlEnc::Int16;
        if (x >= -(int64_t{1} << 23) && x < (int64_t{1} << 23)) return ZlEnc::Int24;
        if (x >= INT32_MIN && x <= INT32_MAX) return ZlEnc::Int32;
        return ZlEnc::Int64;
    }
    if (element.size() <= 0x3F) return ZlEnc::Str6;
    if (element.size() <= 0x3FFF) return ZlEnc::Str14;
    return ZlEnc::Str32;
}

std::string encode_ziplist(const std::vector<std::string>& elements,
                           const ZiplistOptions& options) {
    std::string out(10, '\0');
    size_t prev_size = 0;
    size_t tail = 10;
    for (size_t i = 0; i < elements.size(); ++i) {
        const std::string& s = elements[i];
        const bool as_string = options.no_int_encoding ||
                               std::find(options.as_string.begin(), options.as_string.end(), i) !=
                                   options.as_string.end();
        const size_t at = out.size();
        if (prev_size < 254 && !options.always_big_prevlen) {
            out.push_back(static_cast<char>(prev_size));
        } else {
            out.push_back(static_cast<char>(0xFE));
            put_le(out, prev_size, 4);
        }
        out += ziplist_payload(s, !as_string);
        prev_size = out.size() - at;
        tail = at;
    }
    out.push_back(static_cast<char>(0xFF));
    set_le(out, 0, out.size(), 4);
    set_le(out, 4, tail, 4);
    const size_t count = options.unknown_count ? 0xFFFF : std::min<size_t>(elements.size(), 0xFFFF);
    set_le(out, 8, count, 2);
    return out;
}

std::vector<size_t> ziplist_entry_offsets(std::string_view zl) {
    std::vector<size_t> offsets;
    size_t at = 10;
    auto byte = [&](size_t i) { return static_cast<uint8_t>(zl[i]); };
    while (at < zl.size() && byte(at) != 0xFF) {
        offsets.push_back(at);
        size_t p = at + (byte(at) < 0xFE ? 1 : 5);
        const uint8_t enc = byte(p);
        if (enc < 0xC0) {
            const uint8_t kind = enc & 0xC0;
            size_t len = 0;
            if (kind == 0x00) {
                len = enc & 0x3F;
                p += 1;
            } else if (kind == 0x40) {
                len = (size_t{enc & 0x3Fu} << 8) | byte(p + 1);
                p += 2;
            } else {
                len = (size_t{byte(p + 1)} << 24) | (size_t{byte(p + 2)} << 16) |
                      (size_t{byte(p + 3)} << 8) | byte(p + 4);
                p += 5;
            }
            at = p + len;
        } else {
            size_t data = 0;
            switch (enc) {
                case 0xC0:
                    data = 2;
                    break;
                case 0xD0:
                    data = 4;
                    break;
                case 0xE0:
                    data = 8;
                    break;
                case 0xF0:
                    data = 3;
                    break;
                case 0xFE:
                    data = 1;
                    break;
                default:
                    data = 0;
                    break;
            }
            at = p + 1 + data;
        }
    }
    return offsets;
}

std::string encode_zipmap(const std::vector<std::pair<std::string, std::string>>& pairs,
                          const ZipmapOptions& options) {
    std::string out;
    const size_t count = options.unknown_count ? 254 : std::min<size_t>(pairs.size(), 254);
    out.push_back(static_cast<char>(count));
    auto length = [&](size_t n) {
        if (n < 254) {
            out.push_back(static_cast<char>(n));
        } else {
            out.push_back(static_cast<char>(0xFE));
            put_le(out, n, 4);
        }
    };
    for (const auto& [key, value] : pairs) {
        length(key.size());
        out += key;
        length(value.size());
        out.push_back(static_cast<char>(options.free_bytes));
        out += value;
        out.append(options.free_bytes, options.free_fill);
    }
    out.push_back(static_cast<char>(0xFF));
    return out;
}

std::string encode_intset(std::vector<int64_t> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    int width = 2;
    for (int64_t v : values) {
        if (v < INT32_MIN || v > INT32_MAX)
            width = 8;
        else if ((v < INT16_MIN || v > INT16_MAX) && width < 4)
            width = 4;
    }
    std::string out;
    put_le(out, static_cast<uint64_t>(width), 4);
    put_le(out, values.size(), 4);
    for (int64_t v : values) put_le(out, static_cast<uint64_t>(v), width);
    return out;
}

}  // namespace snapstream::test
