// Test-side encoders of the pre-7.0 blob formats that RDB files may still hold: ziplists (lists,
// hashes and sorted sets of Redis 2.6 - 6.2, quicklist nodes of 3.2 - 6.2) and zipmaps (hashes
// before 2.6). Written independently of persistence/legacy_encodings.cpp (the decoders under
// test) from the format description, choosing the encodings Redis's own ziplist.c / zipmap.c
// choose when they build a blob by appending, plus options for the legal-but-unusual forms that
// Redis leaves behind after edits (five-byte prevlens, free bytes, unknown counts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace snapstream::test {

// Ziplist entry encodings (the first byte after prevlen).
enum class ZlEnc : uint8_t {
    Str6 = 0x00,   // string up to 63 bytes
    Str14 = 0x40,  // string up to 16383 bytes
    Str32 = 0x80,  // longer string
    Int16 = 0xC0,  //
    Int32 = 0xD0,  //
    Int64 = 0xE0,  //
    Int24 = 0xF0,  //
    Int8 = 0xFE,   //
    Imm = 0xF1,    // 0..12 in the encoding byte itself (0xF1..0xFD)
};

// The encoding Redis's ziplist gives an element: an integer form when the string is 1..31 bytes
// and a canonical decimal int64 (the smallest that holds it), else a string form by length.
ZlEnc ziplist_encoding_for(std::string_view element);

struct ZiplistOptions {
    // Five-byte prevlen fields even where one byte would do (Redis never shrinks a prevlen field
    // when the previous entry shrinks, so real ziplists contain these).
    bool always_big_prevlen = false;
    // zllen = 65535 ("count them") whatever the number of entries.
    bool unknown_count = false;
    // Store every element as a string, even integer-looking ones.
    bool no_int_encoding = false;
    // Indices of elements to store as strings even if integer-looking.
    std::vector<size_t> as_string;
};

// A ziplist holding `elements` in order. zllen is the count (65535 from 65535 entries on).
std::string encode_ziplist(const std::vector<std::string>& elements,
                           const ZiplistOptions& options = {});

// Byte offset of each entry in a blob made by encode_ziplist (for tests that corrupt one entry).
std::vector<size_t> ziplist_entry_offsets(std::string_view ziplist);

struct ZipmapOptions {
    // Free bytes after each value (0..255; Redis leaves up to 4 after shrinking a value). The
    // free bytes are filled with `free_fill` (their content is never read).
    uint8_t free_bytes = 0;
    char free_fill = 'x';
    // zmlen = 254 ("count them") whatever the number of pairs.
    bool unknown_count = false;
};

// A zipmap of the pairs in order. zmlen is the count, or 254 from 254 pairs on (as Redis's
// zipmapSet leaves it).
std::string encode_zipmap(const std::vector<std::pair<std::string, std::string>>& pairs,
                          const ZipmapOptions& options = {});

// An intset (RDB type 11) of `values` (sorted and deduplicated here), with the smallest of the
// 16/32/64-bit encodings that holds them all.
std::string encode_intset(std::vector<int64_t> values);

}  // namespace snapstream::test
