#include "persistence/crc64.h"

#include <array>
#include <cstring>

namespace snapstream {
namespace {

// Bit-reversed 0xad93d23594c935a9.
constexpr uint64_t kPolyReflected = 0x95ac9329ac4bc9b5ULL;

using Tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr Tables make_tables() {
    Tables t{};
    for (uint64_t n = 0; n < 256; ++n) {
        uint64_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
        t[0][n] = c;
    }
    for (size_t n = 0; n < 256; ++n) {
        uint64_t c = t[0][n];
        for (size_t k = 1; k < 8; ++k) {
            c = t[0][c & 0xff] ^ (c >> 8);
            t[k][n] = c;
        }
    }
    return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (len >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);  // little-endian host (x86-64, arm64)
        w ^= crc;
        crc = kTables[7][w & 0xff] ^ kTables[6][(w >> 8) & 0xff] ^ kTables[5][(w >> 16) & 0xff] ^
              kTables[4][(w >> 24) & 0xff] ^ kTables[3][(w >> 32) & 0xff] ^
              kTables[2][(w >> 40) & 0xff] ^ kTables[1][(w >> 48) & 0xff] ^ kTables[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--) crc = kTables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

}  // namespace snapstream
