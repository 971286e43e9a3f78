// Writes a keyspace as an RDB file (format: persistence/rdb_format.h) to a ByteSink. One writer
// for dump.rdb (SAVE, BGSAVE's child), an AOF base file and a replica's full sync.
//
// Every value is written in the encoding Redis 7.0 writes for the representation it has here
// (listpack hashes/zsets and intsets verbatim, quicklist nodes as PACKED listpacks, hashtable
// forms element by element), so a file has the size Redis's would and any Redis 7.0 loads it.
// Keys whose TTL has passed are still written (as Redis does; loaders drop them).
//
// The writer buffers internally (64 KiB chunks to the sink) and computes the CRC64 trailer on the
// way. It allocates nothing per key and takes no locks, so a forked child may run it.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "persistence/byte_sink.h"

namespace snapstream {

class Keyspace;

struct RdbAux {
    std::string redis_ver = "7.0.15";
    int64_t ctime = 0;      // unix seconds (0: now)
    uint64_t used_mem = 0;  // bytes
    // Replication info: written only when repl_id is not empty.
    int repl_stream_db = 0;
    std::string repl_id;
    int64_t repl_offset = 0;
    bool aof_base = false;
};

struct RdbWriteOptions {
    bool compress = true;  // rdbcompression
    bool checksum = true;  // rdbchecksum (false: an all-zero trailer)
    // rdb-key-save-delay: microseconds to sleep after each key (tests slow a child down with
    // it; negative values are nanoseconds-ish busy waits in Redis, here treated as 0).
    int64_t key_save_delay_us = 0;
};

struct RdbWriteStats {
    uint64_t bytes = 0;
    uint64_t keys = 0;
};

// Writes the whole file. A sink error stops the write and is returned as is.
Result<RdbWriteStats> write_rdb(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                                ByteSink& out);

}  // namespace snapstream
