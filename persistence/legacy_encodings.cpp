// Ziplist and zipmap decoding (the interface is in legacy_encodings.h).
//
// Ziplist
// -------
// The compact sequence Redis used before listpacks (2.6 - 6.2) for small lists, hashes and
// sorted sets. Multi-byte numbers are little endian unless said otherwise.
//
//   offset 0   u32 zlbytes   size of the whole blob, header and terminator included
//   offset 4   u32 zltail    offset of the last entry (10 when there is none)
//   offset 8   u16 zllen     number of entries; 65535 means "at least 65535, count them"
//   offset 10  entries, then one 0xFF byte
//
// An entry is   prevlen  encoding  [data]
//
//   prevlen   the byte size of the previous entry (0 for the first one): one byte when below
//             254, otherwise 0xFE followed by a u32. Redis sometimes keeps the five-byte form
//             for a small value (it does not shrink entries when a neighbour shrinks), so both
//             forms are valid for any value. A first byte of 0xFF is not an entry but the
//             terminator.
//   encoding  the first byte says what follows:
//             00LLLLLL                     string of L (6 bits) bytes
//             01LLLLLL LLLLLLLL            string of a 14-bit length, big endian
//             10xxxxxx + 4 bytes           string of a 32-bit length, big endian (the low six
//                                          bits of the first byte are ignored)
//             0xC0 + 2 bytes               int16
//             0xD0 + 4 bytes               int32
//             0xE0 + 8 bytes               int64
//             0xF0 + 3 bytes               int24 (signed)
//             0xFE + 1 byte                int8
//             0xF1 .. 0xFD                 the integers 0 .. 12 (the low nibble minus one)
//             anything else                invalid
//
// Redis stored a string as an integer when it was 1..31 bytes long and a canonical decimal
// int64, choosing the smallest of the integer forms above that holds it.
//
// Validation (what Redis 7.0's deep ziplist check accepts, nothing more): the blob holds at
// least the header and the terminator; zlbytes equals the blob size; the last byte is 0xFF;
// zltail is not past the terminator. Walking from offset 10 until an entry position holds 0xFF,
// every entry must have a known encoding, its header and data must end at or before the
// terminator's offset, and its prevlen must equal the size of the entry before it (0 for the
// first). The walk must stop exactly at the last byte, zltail must be the offset of the last
// entry (when there is one), and zllen must equal the number of entries unless it is 65535.
//
// Zipmap
// ------
// The even older (before 2.6) encoding of small hashes:
//
//   zmlen  one byte: the number of pairs, or 254 meaning "count them"
//   pairs: keylen key  valuelen free value [free bytes]
//   0xFF
//
// Lengths take one byte when below 254, otherwise 0xFE (any first byte of 254 or more, in fact)
// followed by a u32 in host order, i.e. little endian on every machine those files came from.
// `free` is one byte counting unused bytes that follow the value (left behind when a value was
// overwritten by a shorter one); they are skipped. A key length whose first byte is 0xFF is the
// terminator.
//
// Validation (Redis 7.0's deep zipmap check): at least two bytes, the last one 0xFF. Walking
// from offset 1 until a key position holds 0xFF, each length, key, free byte, value and its free
// bytes must end at or before the last byte. There must be at least one pair, and zmlen must be
// 254 or equal to the number of pairs. The walk may stop before the last byte: Redis ignores
// what lies between that terminator and the end of the blob, and so do we.
//
// Output
// ------
// Both decoders validate in a first pass that also sums the size of the listpack entries, then
// build the listpack in a buffer of exactly that size (no reallocation while appending):
// integers as integer entries, strings through Listpack::append, which turns canonical integer
// strings into integer entries as Redis's lpAppend does during its own conversion.
#include "persistence/legacy_encodings.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace snapstream {
namespace {

constexpr uint8_t kEnd = 0xFF;

// Ziplist constants.
constexpr size_t kZlHeader = 10;
constexpr uint8_t kZlBigPrevlen = 0xFE;
constexpr uint8_t kZlStrMask = 0xC0;
constexpr uint8_t kZlStr6 = 0x00;
constexpr uint8_t kZlStr14 = 0x40;
constexpr uint8_t kZlStr32 = 0x80;
constexpr uint8_t kZlInt16 = 0xC0;
constexpr uint8_t kZlInt32 = 0xD0;
constexpr uint8_t kZlInt64 = 0xE0;
constexpr uint8_t kZlInt24 = 0xF0;
constexpr uint8_t kZlInt8 = 0xFE;
constexpr uint8_t kZlImmFirst = 0xF1;
constexpr uint8_t kZlImmLast = 0xFD;
constexpr uint16_t kZlUnknownCount = 0xFFFF;

// Zipmap constants.
constexpr uint8_t kZmBigLen = 0xFE;
constexpr uint8_t kZmUnknownCount = 0xFE;

uint64_t load_le(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

uint64_t load_be(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

std::string_view chars(const uint8_t* p, size_t n) {
    return {reinterpret_cast<const char*>(p), n};
}

// One decoded ziplist entry.
struct ZlEntry {
    uint64_t prevlen = 0;
    uint64_t size = 0;  // prevlen + encoding + data bytes
    bool is_int = false;
    int64_t num = 0;
    std::string_view str;
};

// Decodes the entry starting at `at` (< last, where `last` is the terminator's offset). False
// if the encoding is unknown or the entry does not end at or before `last`.
bool zl_entry(const uint8_t* z, uint64_t last, uint64_t at, ZlEntry& e) {
    const uint64_t prevlen_size = z[at] < kZlBigPrevlen ? 1 : 5;
    const uint64_t enc_at = at + prevlen_size;
    if (enc_at >= last) return false;  // no room for the encoding byte
    e.prevlen = prevlen_size == 1 ? z[at] : load_le(z + at + 1, 4);
    uint8_t enc = z[enc_at];
    if (enc < kZlStrMask) enc &= kZlStrMask;
    uint64_t enc_size = 1;
    uint64_t data_size = 0;
    switch (enc) {
        case kZlStr6:
        case kZlStr14:
        case kZlStr32:
            enc_size = enc == kZlStr6 ? 1 : enc == kZlStr14 ? 2 : 5;
            break;
        case kZlInt8:
            data_size = 1;
            break;
        case kZlInt16:
            data_size = 2;
            break;
        case kZlInt24:
            data_size = 3;
            break;
        case kZlInt32:
            data_size = 4;
            break;
        case kZlInt64:
            data_size = 8;
            break;
        default:
            if (enc < kZlImmFirst || enc > kZlImmLast) return false;
            break;
    }
    const uint64_t data_at = enc_at + enc_size;
    if (data_at > last) return false;  // the length bytes run past the terminator
    const uint8_t* ep = z + enc_at;
    if (enc == kZlStr6) {
        data_size = ep[0] & 0x3F;
    } else if (enc == kZlStr14) {
        data_size = (uint64_t{ep[0] & 0x3Fu} << 8) | ep[1];
    } else if (enc == kZlStr32) {
        data_size = load_be(ep + 1, 4);
    }
    if (data_at + data_size > last) return false;
    e.size = data_at + data_size - at;
    const uint8_t* dp = z + data_at;
    e.is_int = enc >= kZlStrMask;
    switch (enc) {
        case kZlStr6:
        case kZlStr14:
        case kZlStr32:
            e.str = chars(dp, data_size);
            break;
        case kZlInt8:
            e.num = static_cast<int8_t>(dp[0]);
            break;
        case kZlInt16:
            e.num = static_cast<int16_t>(load_le(dp, 2));
            break;
        case kZlInt24:
            // Sign-extend the 24-bit value from its top bit.
            e.num = static_cast<int32_t>(static_cast<uint32_t>(load_le(dp, 3)) << 8) >> 8;
            break;
        case kZlInt32:
            e.num = static_cast<int32_t>(load_le(dp, 4));
            break;
        case kZlInt64:
            e.num = static_cast<int64_t>(load_le(dp, 8));
            break;
        default:
            e.num = (enc & 0x0F) - 1;
            break;
    }
    return true;
}

// Walks and validates a whole ziplist, calling fn(const ZlEntry&) for each entry in order.
// False (possibly after some calls) if the blob is not a valid ziplist.
template <typename Fn>
bool walk_ziplist(std::span<const uint8_t> blob, Fn&& fn) {
    const uint8_t* z = blob.data();
    const uint64_t n = blob.size();
    if (n < kZlHeader + 1) return false;
    if (load_le(z, 4) != n) return false;
    const uint64_t last = n - 1;
    if (z[last] != kEnd) return false;
    const uint64_t tail = load_le(z + 4, 4);
    if (tail > last) return false;
    const uint64_t header_count = load_le(z + 8, 2);

    uint64_t at = kZlHeader;
    uint64_t prev_at = 0;
    uint64_t prev_size = 0;
    uint64_t count = 0;
    ZlEntry e;
    while (z[at] != kEnd) {  // at <= last throughout, and z[last] is the terminator
        if (!zl_entry(z, last, at, e)) return false;
        if (e.prevlen != prev_size) return false;
        fn(static_cast<const ZlEntry&>(e));
        prev_at = at;
        prev_size = e.size;
        at += e.size;
        ++count;
    }
    if (at != last) return false;
    if (count > 0 && prev_at != tail) return false;
    if (header_count != kZlUnknownCount && count != header_count) return false;
    return true;
}

// Walks and validates a whole zipmap, calling fn(key, value) for each pair in order.
template <typename Fn>
bool walk_zipmap(std::span<const uint8_t> blob, Fn&& fn) {
    const uint8_t* z = blob.data();
    const uint64_t n = blob.size();
    if (n < 2) return false;
    const uint64_t last = n - 1;
    if (z[last] != kEnd) return false;

    // Reads a length at `at` (which must leave the length and one more byte before `last`
    // in range, as Redis demands); advances `at` past it.
    auto length = [&](uint64_t& at, uint64_t& len) {
        const uint64_t size = z[at] < kZmBigLen ? 1 : 5;
        if (at + size > last) return false;
        len = size == 1 ? z[at] : load_le(z + at + 1, 4);
        at += size;
        return true;
    };

    uint64_t at = 1;
    uint64_t count = 0;
    while (z[at] != kEnd) {  // at <= last throughout
        uint64_t key_len = 0;
        if (!length(at, key_len)) return false;
        const uint64_t key_at = at;
        at += key_len;
        if (at > last) return false;
        uint64_t value_len = 0;
        if (!length(at, value_len)) return false;
        const uint64_t free = z[at];  // in range: length() left at <= last
        const uint64_t value_at = at + 1;
        at = value_at + value_len + free;
        if (at > last) return false;
        fn(chars(z + key_at, key_len), chars(z + value_at, value_len));
        ++count;
    }
    if (count == 0) return false;
    if (z[0] != kZmUnknownCount && z[0] != count) return false;
    return true;
}

// An empty listpack in a malloc'd block of `capacity` bytes, so that appending up to that size
// does not reallocate.
Listpack empty_listpack_with_capacity(uint64_t capacity) {
    auto* p = static_cast<uint8_t*>(std::malloc(capacity));
    if (!p) throw std::bad_alloc();
    const uint32_t total = Listpack::kEmptyBytes;
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(total >> (8 * i));
    p[4] = 0;
    p[5] = 0;
    p[6] = kEnd;
    return Listpack::adopt(p);
}

}  // namespace

std::optional<Listpack> ziplist_to_listpack(std::span<const uint8_t> blob) {
    uint64_t total = Listpack::kEmptyBytes;
    const bool ok = walk_ziplist(blob, [&](const ZlEntry& e) {
        total += e.is_int ? Listpack::entry_size_int(e.num) : Listpack::entry_size(e.str);
    });
    if (!ok || total > UINT32_MAX) return std::nullopt;
    Listpack lp = empty_listpack_with_capacity(total);
    walk_ziplist(blob, [&](const ZlEntry& e) {
        if (e.is_int)
            lp.append_int(e.num);
        else
            lp.append(e.str);
    });
    return lp;
}

std::optional<Listpack> zipmap_to_listpack(std::span<const uint8_t> blob) {
    uint64_t total = Listpack::kEmptyBytes;
    const bool ok = walk_zipmap(blob, [&](std::string_view key, std::string_view value) {
        total += Listpack::entry_size(key) + Listpack::entry_size(value);
    });
    if (!ok || total > UINT32_MAX) return std::nullopt;
    Listpack lp = empty_listpack_with_capacity(total);
    walk_zipmap(blob, [&](std::string_view key, std::string_view value) {
        lp.append(key);
        lp.append(value);
    });
    return lp;
}

}  // namespace snapstream
