// Loading an RDB into a Keyspace: the target that inserts what read_rdb() (rdb_reader.h) finds,
// and the file-level entry points (open, map, read, describe the outcome).
//
//   load_rdb_file("dump.rdb", ks, opt, now_ms, drop_expired)   start-up, DEBUG RELOAD
//   read_rdb_file(path, opt, any_target)                       snapstream-check-rdb
//   KeyspaceLoadTarget + read_rdb(bytes, ...)                  in-memory payloads (full sync)
//
// On failure the keyspace keeps whatever was inserted before the error: the caller decides
// (the server refuses to start, a replica flushes and retries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "persistence/rdb_reader.h"

namespace snapstream {

class Keyspace;

// The aux fields a loader acts on, parsed as Redis 7.0 parses them (field names compared
// case-insensitively). Empty / nullopt when the file did not have them.
struct RdbLoadedAux {
    std::string redis_ver;
    std::optional<int64_t> ctime;     // unix seconds
    std::optional<int64_t> used_mem;  // bytes
    std::string repl_id;              // kept only when 40 characters, as Redis does
    std::optional<int64_t> repl_offset;
    std::optional<int> repl_stream_db;
    bool aof_base = false;  // "aof-base" present and non-zero
};

// Records one aux field into `aux` if it is one of the above.
void record_aux(RdbLoadedAux& aux, std::string_view key, std::string_view value);

// Inserts keys into a Keyspace.
//   - SELECTDB beyond ks.count() is an error naming the database;
//   - RESIZEDB pre-sizes the database's Dict;
//   - with drop_expired (a primary loading its own dump), a key whose expiry is before now_ms is
//     dropped and counted; otherwise (replica, AOF base) it is kept with its TTL;
//   - a key already present is an error ("Duplicate key 'k' found in RDB file").
class KeyspaceLoadTarget final : public RdbLoadTarget {
  public:
    KeyspaceLoadTarget(Keyspace& ks, int64_t now_ms, bool drop_expired);

    Status aux(std::string_view key, std::string_view value) override;
    Status select_db(uint64_t db) override;
    Status resize_db(uint64_t keys, uint64_t expires) override;
    Status key(std::string_view key, Value value, int64_t expire_ms) override;

    // DEBUG RELOAD MERGE: a key already present is replaced by the file's instead of failing.
    void set_replace_existing(bool on) { replace_existing_ = on; }

    const RdbLoadedAux& aux_info() const { return aux_; }
    uint64_t loaded() const { return loaded_; }
    uint64_t expired_dropped() const { return expired_dropped_; }
    // Keys inserted per database (ks.count() entries).
    const std::vector<uint64_t>& db_keys() const { return db_keys_; }

  private:
    Keyspace& ks_;
    int64_t now_ms_;
    bool drop_expired_;
    bool replace_existing_ = false;
    int db_ = 0;
    RdbLoadedAux aux_;
    uint64_t loaded_ = 0;
    uint64_t expired_dropped_ = 0;
    std::vector<uint64_t> db_keys_;
};

struct RdbFileResult {
    enum class Outcome { Loaded, Missing, Error };
    Outcome outcome = Outcome::Error;
    // Outcome::Error: names the file and, for format errors, the offset, e.g.
    // "dump.rdb: unexpected end of file at offset 1234 (file is 1234 bytes)".
    std::string error;
    bool io_error = false;  // the error is opening, reading or mapping the file (errno text)
    uint64_t file_size = 0;
    RdbReadResult read;  // version, keys handed over, bytes, checksum, empty keys skipped

    // Filled by load_rdb_file().
    uint64_t keys_loaded = 0;
    uint64_t expired_dropped = 0;
    std::vector<uint64_t> db_keys;
    RdbLoadedAux aux;

    bool ok() const { return outcome == Outcome::Loaded; }
    bool missing() const { return outcome == Outcome::Missing; }
};

// Maps the file and reads it into `target`. A file that does not exist is Outcome::Missing (not
// an error: a server starts empty); an empty file or one that cannot be opened or mapped is an
// error, as is any format error.
RdbFileResult read_rdb_file(const std::string& path, const RdbReadOptions& opt,
                            RdbLoadTarget& target);

// read_rdb_file() into `ks` through a KeyspaceLoadTarget.
RdbFileResult load_rdb_file(const std::string& path, Keyspace& ks, const RdbReadOptions& opt,
                            int64_t now_ms, bool drop_expired, bool replace_existing = false);

}  // namespace snapstream
