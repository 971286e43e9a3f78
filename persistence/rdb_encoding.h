// The small encoders of the RDB format (persistence/rdb_format.h) shared by the writer, the
// reader's tests and any one-off producer of RDB strings (DUMP payloads): lengths, the integer
// forms of strings, and whole strings.
//
// The rules are Redis 7.0's (rdbSaveLen, rdbSaveRawString, rdbSaveLongLongAsStringObject):
//   - a length takes 1, 2, 5 or 9 bytes (6-bit, 14-bit big endian, 0x80 + 32-bit BE, 0x81 +
//     64-bit BE), the smallest that holds it;
//   - a string of at most 11 bytes that is a canonical decimal integer (string2ll: no '+', no
//     leading zeros, not "-0") in the int32 range is written as 0xC0/0xC1/0xC2 + 1/2/4 bytes
//     LE; any other spelling ("007", "+1", " 1") stays text;
//   - otherwise, with compression on and more than 20 bytes, LZF output of at most len - 4
//     bytes is written as 0xC3 clen len data;
//   - otherwise length + bytes.
// An int64 (an int-encoded value) is written as the integer form when it fits in 32 bits, else
// as its decimal text (never compressed: at most 20 bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "persistence/rdb_format.h"

namespace snapstream::rdb {

// Longest encoded length; longest integer form (0xC2 + 4 bytes).
constexpr size_t kMaxLengthBytes = 9;
constexpr size_t kMaxIntBytes = 5;

// Writes the length encoding of `len` at `out`; returns its size (1, 2, 5 or 9).
inline size_t encode_length(uint8_t* out, uint64_t len) {
    if (len < (uint64_t{1} << 6)) {
        out[0] = static_cast<uint8_t>(len);
        return 1;
    }
    if (len < (uint64_t{1} << 14)) {
        out[0] = static_cast<uint8_t>((kLen14 << 6) | (len >> 8));
        out[1] = static_cast<uint8_t>(len);
        return 2;
    }
    if (len <= UINT32_MAX) {
        out[0] = kLen32;
        for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<uint8_t>(len >> (24 - 8 * i));
        return 5;
    }
    out[0] = kLen64;
    for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
    return 9;
}

// Writes the integer form of v at `out` when v fits in 32 bits; returns its size (2, 3 or 5),
// or 0 when v needs the text form.
inline size_t encode_int(uint8_t* out, int64_t v) {
    const auto u = static_cast<uint32_t>(v);
    if (v >= INT8_MIN && v <= INT8_MAX) {
        out[0] = (kEncVal << 6) | kEncInt8;
        out[1] = static_cast<uint8_t>(u);
        return 2;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        out[0] = (kEncVal << 6) | kEncInt16;
        out[1] = static_cast<uint8_t>(u);
        out[2] = static_cast<uint8_t>(u >> 8);
        return 3;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        out[0] = (kEncVal << 6) | kEncInt32;
        for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<uint8_t>(u >> (8 * i));
        return 5;
    }
    return 0;
}

// The integer form of a string that is a canonical decimal integer of at most 11 bytes in the
// int32 range; 0 (nothing written) otherwise.
inline size_t encode_int_string(uint8_t* out, std::string_view s) {
    size_t n = s.size();
    if (n == 0 || n > 11) return 0;
    const char* p = s.data();
    if (n == 1 && p[0] == '0') return encode_int(out, 0);
    const bool neg = p[0] == '-';
    if (neg) {
        ++p;
        --n;
    }
    if (n == 0 || p[0] < '1' || p[0] > '9') return 0;
    int64_t v = 0;  // at most 11 digits: no overflow
    for (size_t i = 0; i < n; ++i) {
        const unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
        if (d > 9) return 0;
        v = v * 10 + d;
    }
    return encode_int(out, neg ? -v : v);
}

// Appends the encoding of string `s` to `out` with the rules above (compress: rdbcompression).
// The writer produces the same bytes through its own buffer; this form is for tests and for
// small one-off uses.
void encode_string(std::string& out, std::string_view s, bool compress);
// Appends the encoding of an int64 string value (integer form or decimal text).
void encode_int64_string(std::string& out, int64_t v);

}  // namespace snapstream::rdb
