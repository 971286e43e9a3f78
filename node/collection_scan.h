// SCAN / HSCAN / SSCAN / ZSCAN argument handling shared by the keyspace and the collection types
// (Redis's parseScanCursorOrReply and the option part of scanGenericCommand).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "node/dict.h"
#include "node/server.h"

namespace snapstream {

struct CollectionScanArgs {
    uint64_t cursor = 0;
    int64_t count = 10;
    std::optional<std::string_view> pattern;  // unset for none or "*"
    std::optional<std::string_view> type;     // SCAN's TYPE option
};

// The cursor as strtoul reads it (argument 2); replies "ERR invalid cursor" and returns false.
bool parse_scan_cursor(CommandContext& ctx, std::string_view s, uint64_t& cursor);
// [MATCH pattern] [COUNT count] from argument `first` on (3 for the collections, 2 for SCAN,
// which also takes [TYPE type] when allow_type); replies the error and returns false.
bool parse_scan_options(CommandContext& ctx, CollectionScanArgs& out, size_t first = 3,
                        bool allow_type = false);
// One SCAN call over a hash table, as Redis's scanGenericCommand: visits buckets from `cursor`,
// calling fn(Entry*) for each entry, until `count` entries were seen, 10 x count buckets were
// visited or the table was covered; returns the cursor to reply (0 = done).
template <typename F>
uint64_t scan_dict(Dict& d, uint64_t cursor, int64_t count, F&& fn) {
    int64_t max_iterations = count * 10;
    int64_t seen = 0;
    do {
        cursor = d.scan(cursor, [&](Entry* e) {
            ++seen;
            fn(e);
        });
    } while (cursor != 0 && max_iterations-- > 0 && seen < count);
    return cursor;
}

// The reply for a missing key: cursor 0 and no elements.
void reply_empty_scan(CommandContext& ctx);

}  // namespace snapstream
