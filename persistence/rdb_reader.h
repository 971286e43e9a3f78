// Reads an RDB file (format: persistence/rdb_format.h) held in memory: dump.rdb at start-up
// (mapped), the RDB preamble of an AOF base file, a full-sync payload on a replica, and
// snapstream-check-rdb. Everything Redis 7.0 can write is accepted, plus the older encodings
// (ziplists, zipmaps, quicklist-1, ZSET text scores, second-resolution expires) that Redis 7.0
// itself still loads.
//
// The reader is a pure function from bytes to calls on an RdbLoadTarget, so the same code
// fills a Keyspace, counts keys for the check tool, or compares files in tests. Values arrive
// built in the representation Redis 7.0 would have after loading the same file (the encoding
// limits decide listpack vs hashtable, intset vs hashtable, etc.).
//
// Errors are values: the first problem stops the read and is reported with the byte offset at
// which the offending item starts (e.g. "unexpected end of file at offset 1234",
// "unknown value type 42 at offset 97", "CRC64 mismatch: file says ..., computed ...";
// RdbReadResult::error holds that whole text, error_offset the number alone).
// Nothing is ever partially trusted: every length is checked against the bytes left, every
// listpack/intset/ziplist blob is validated before use (deep validation when
// RdbReadOptions::deep_check, i.e. sanitize-dump-payload yes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "node/value.h"

namespace snapstream {

// The limits that decide which representation a loaded value gets (CONFIG names in comments).
struct RdbEncodingLimits {
    size_t hash_max_listpack_entries = 512;  // hash-max-listpack-entries (Redis 7.0: 512)
    size_t hash_max_listpack_value = 64;     // hash-max-listpack-value
    size_t zset_max_listpack_entries = 128;  // zset-max-listpack-entries
    size_t zset_max_listpack_value = 64;     // zset-max-listpack-value
    size_t set_max_intset_entries = 512;     // set-max-intset-entries
    int list_fill = -2;                      // list-max-listpack-size
};

struct RdbReadOptions {
    RdbEncodingLimits limits;
    bool verify_checksum = true;  // rdbchecksum: false skips computing the CRC
    bool deep_check = false;      // sanitize-dump-payload yes: validate every blob entry
};

// Receives what the file holds, in file order. Returning an error stops the read; the reader
// reports it at the offset of the item.
class RdbLoadTarget {
  public:
    virtual ~RdbLoadTarget() = default;
    virtual Status aux(std::string_view key, std::string_view value) = 0;
    virtual Status select_db(uint64_t db) = 0;
    virtual Status resize_db(uint64_t keys, uint64_t expires) = 0;
    // A key with its value; expire_ms = -1 when it has no TTL (absolute unix ms otherwise).
    virtual Status key(std::string_view key, Value value, int64_t expire_ms) = 0;
};

struct RdbReadResult {
    int version = 0;
    uint64_t keys = 0;                // keys handed to the target
    uint64_t empty_keys_skipped = 0;  // empty collections dropped, as Redis 7.0 drops them
    uint64_t bytes = 0;               // bytes consumed, EOF opcode and trailer included
    bool checksum_checked = false;    // false when the trailer was 0 or verification was off
    // Empty when the read succeeded.
    std::string error;
    uint64_t error_offset = 0;
    bool ok() const { return error.empty(); }
};

// Reads one RDB from the start of `data`. Bytes after the trailer are left alone (an AOF base
// file may be followed by commands; result.bytes says where the RDB ended).
RdbReadResult read_rdb(std::span<const uint8_t> data, const RdbReadOptions& opt,
                       RdbLoadTarget& target);

}  // namespace snapstream
