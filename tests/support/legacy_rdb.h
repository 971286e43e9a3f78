// A test-side writer of RDB files in the older formats Redis 7.0 still loads (versions 1..9 and
// the pre-7.0 value types): plain lists, sets, hashes and text-score sorted sets (types 1-4),
// zipmap hashes (9), ziplist lists / sorted sets / hashes (10, 12, 13), intsets (11), quicklists
// of ziplists (14), second-resolution expires (0xFD) next to millisecond ones, SELECTDB, and the
// CRC-64 trailer from version 5 on. Independent of persistence/rdb_writer (which only writes
// version 10); the byte helpers here follow the layout in persistence/rdb_format.h. Blobs come
// from tests/support/legacy_blobs.h.
//
// Uses crc64() and LZF from snapstream_persistence: a suite using this file links that library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/legacy_blobs.h"

namespace snapstream::test {

// The score text Redis <= 6.2 stored in a ziplist sorted set for `score` (its d2string):
// "inf" / "-inf", an integer's decimal text when the double is integral and below 2^52 in
// magnitude, else "%.17g".
std::string legacy_score_text(double score);

class LegacyRdbWriter {
  public:
    // Starts a file with the header "REDIS" + the version as four digits. `compress`: strings
    // longer than 20 bytes (blobs included) are LZF-compressed when that saves at least 4 bytes,
    // as Redis did with rdbcompression yes.
    explicit LegacyRdbWriter(int version, bool compress = false);

    int version() const { return version_; }

    // Low-level pieces.
    LegacyRdbWriter& byte(uint8_t b);
    LegacyRdbWriter& raw(std::string_view bytes);
    // A length in the smallest of the 6/14/32/64-bit forms.
    LegacyRdbWriter& length(uint64_t n);
    // A string as Redis saved it: as an 8/16/32-bit integer when it is a canonical decimal
    // integer of at most 11 characters that fits, else LZF-compressed (see `compress`), else
    // length + bytes.
    LegacyRdbWriter& string(std::string_view s);
    // Always length + bytes.
    LegacyRdbWriter& plain_string(std::string_view s);
    // A ZSET (type 3) score: 253 = nan, 254 = +inf, 255 = -inf, else one length byte and text
    // (integral values as integers, others as "%.17g", as Redis did).
    LegacyRdbWriter& text_score(double score);
    // A score written as the given text (one length byte + the bytes).
    LegacyRdbWriter& text_score_raw(std::string_view text);

    // Opcodes.
    LegacyRdbWriter& aux(std::string_view key, std::string_view value);
    LegacyRdbWriter& select_db(uint64_t db);
    LegacyRdbWriter& resize_db(uint64_t keys, uint64_t expires);
    LegacyRdbWriter& expire_seconds(uint32_t unix_seconds);  // 0xFD + u32 LE
    LegacyRdbWriter& expire_ms(int64_t unix_ms);             // 0xFC + i64 LE

    // A type byte and the key (the value follows through the pieces above).
    LegacyRdbWriter& key(uint8_t type, std::string_view key);

    // Whole keys.
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    using Scored = std::vector<std::pair<std::string, double>>;
    LegacyRdbWriter& string_key(std::string_view k, std::string_view value);                  // 0
    LegacyRdbWriter& list_key(std::string_view k, const std::vector<std::string>& elements);  // 1
    LegacyRdbWriter& set_key(std::string_view k, const std::vector<std::string>& members);    // 2
    LegacyRdbWriter& zset_key(std::string_view k, const Scored& members);                     // 3
    LegacyRdbWriter& hash_key(std::string_view k, const Pairs& pairs);                        // 4
    LegacyRdbWriter& zipmap_hash_key(std::string_view k, const Pairs& pairs,
                                     const ZipmapOptions& o = {});  // 9
    LegacyRdbWriter& ziplist_list_key(std::string_view k, const std::vector<std::string>& elements,
                                      const ZiplistOptions& o = {});                      // 10
    LegacyRdbWriter& intset_key(std::string_view k, const std::vector<int64_t>& values);  // 11
    LegacyRdbWriter& ziplist_zset_key(std::string_view k, const Scored& members,
                                      const ZiplistOptions& o = {});  // 12
    LegacyRdbWriter& ziplist_hash_key(std::string_view k, const Pairs& pairs,
                                      const ZiplistOptions& o = {});  // 13
    LegacyRdbWriter& quicklist_key(std::string_view k,
                                   const std::vector<std::vector<std::string>>& nodes,
                                   const ZiplistOptions& o = {});  // 14
    // Any type byte with a string holding `blob` (hand-made or corrupted blobs).
    LegacyRdbWriter& blob_key(uint8_t type, std::string_view k, std::string_view blob);

    // EOF, then (version >= 5) the CRC-64 of everything before it, or 8 zero bytes when
    // `checksum` is false. Returns the file.
    std::string finish(bool checksum = true);

  private:
    int version_;
    bool compress_;
    std::string out_;
};

}  // namespace snapstream::test
