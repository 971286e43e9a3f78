// A BASE AOF file written as commands (aof-use-rdb-preamble no): the keyspace as the commands
// that rebuild it, as Redis 7.0's rewriteAppendOnlyFileRio writes them, so redis-server loads
// it and redis-check-aof accepts it.
//
// Per non-empty database: "SELECT <db>", then per key, by type:
//   string  SET key value
//   list    RPUSH key e1 .. e64      (at most 64 items per command, Redis's
//   set     SADD key m1 .. m64        AOF_REWRITE_ITEMS_PER_CMD)
//   zset    ZADD key s1 m1 .. s64 m64 (scores formatted as Redis formats them)
//   hash    HMSET key f1 v1 .. f64 v64
//   then    PEXPIREAT key <ms> for a key with a TTL.
// Used by the rewrite child (which sees a copy-on-write view) and tests.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "persistence/byte_sink.h"

namespace snapstream {

class Keyspace;

struct AofBaseStats {
    uint64_t keys = 0;
    uint64_t bytes = 0;
};

// Writes the keyspace as commands to `sink` (in chunks; no per-key heap allocation).
// `key_save_delay_us` sleeps after each key (rdb-key-save-delay, for tests).
Result<AofBaseStats> write_aof_base(const Keyspace& ks, ByteSink& sink,
                                    int64_t key_save_delay_us = 0);

}  // namespace snapstream
