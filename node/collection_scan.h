// SCAN / HSCAN / SSCAN / ZSCAN argument handling shared by the keyspace and the collection types
// (Redis's parseScanCursorOrReply and the option part of scanGenericCommand).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

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
// The reply for a missing key: cursor 0 and no elements.
void reply_empty_scan(CommandContext& ctx);

}  // namespace snapstream
