#include "persistence/rdb_load.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>

#include "node/keyspace.h"
#include "persistence/mapped_file.h"

namespace snapstream {
namespace {

bool name_is(std::string_view key, const char* name) {
    const size_t n = std::strlen(name);
    return key.size() == n && strncasecmp(key.data(), name, n) == 0;
}

// strtoll over the text as Redis applies it to aux values (leading number, 0 if none).
int64_t leading_int(std::string_view value) {
    const std::string text(value);
    return std::strtoll(text.c_str(), nullptr, 10);
}

}  // namespace

void record_aux(RdbLoadedAux& aux, std::string_view key, std::string_view value) {
    if (name_is(key, "redis-ver")) {
        aux.redis_ver = std::string(value);
    } else if (name_is(key, "ctime")) {
        aux.ctime = leading_int(value);
    } else if (name_is(key, "used-mem")) {
        aux.used_mem = leading_int(value);
    } else if (name_is(key, "repl-id")) {
        if (value.size() == 40) aux.repl_id = std::string(value);
    } else if (name_is(key, "repl-offset")) {
        aux.repl_offset = leading_int(value);
    } else if (name_is(key, "repl-stream-db")) {
        aux.repl_stream_db = static_cast<int>(leading_int(value));
    } else if (name_is(key, "aof-base")) {
        aux.aof_base = leading_int(value) != 0;
    }
}

KeyspaceLoadTarget::KeyspaceLoadTarget(Keyspace& ks, int64_t now_ms, bool drop_expired)
    : ks_(ks),
      now_ms_(now_ms),
      drop_expired_(drop_expired),
      db_keys_(static_cast<size_t>(ks.count()), 0) {}

Status KeyspaceLoadTarget::aux(std::string_view key, std::string_view value) {
    record_aux(aux_, key, value);
    return Ok{};
}

Status KeyspaceLoadTarget::select_db(uint64_t db) {
    if (db >= static_cast<uint64_t>(ks_.count()))
        return make_error("SELECTDB " + std::to_string(db) + " is out of range: the file needs " +
                          "more databases than the " + std::to_string(ks_.count()) + " configured");
    db_ = static_cast<int>(db);
    return Ok{};
}

Status KeyspaceLoadTarget::resize_db(uint64_t keys, uint64_t) {
    ks_.db(db_).dict.reserve(static_cast<size_t>(keys));
    return Ok{};
}

namespace {

// A key as an error message shows it: its first 128 bytes, non-printable ones as \xHH.
std::string printable(std::string_view key) {
    std::string shown;
    for (const char c : key.substr(0, 128)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            shown.push_back(c);
        } else {
            static const char kHex[] = "0123456789abcdef";
            shown += "\\x";
            shown.push_back(kHex[u >> 4]);
            shown.push_back(kHex[u & 15]);
        }
    }
    return shown;
}

}  // namespace

Status KeyspaceLoadTarget::key(std::string_view key, Value value, int64_t expire_ms) {
    if (drop_expired_ && expire_ms != -1 && expire_ms < now_ms_) {
        ++expired_dropped_;
        return Ok{};
    }
    Database& db = ks_.db(db_);
    Entry* e = Entry::create(key, std::move(value));
    e->lru = ks_.lru_clock();
    if (!db.dict.insert_if_absent(e)) {
        if (!replace_existing_) {
            Entry::destroy(e);
            return make_error("Duplicate key '" + printable(key) + "' found in RDB file");
        }
        ks_.remove(db, key);  // DEBUG RELOAD MERGE: the file's value wins
        db.dict.insert(e);
    }
    if (expire_ms != -1) ks_.set_expire(db, e, expire_ms);
    ++loaded_;
    ++db_keys_[static_cast<size_t>(db_)];
    return Ok{};
}

RdbFileResult read_rdb_file(const std::string& path, const RdbReadOptions& opt,
                            RdbLoadTarget& target) {
    RdbFileResult out;
    MappedFile file;
    const char* stage = "";
    if (const int err = file.open(path, &stage)) {
        if (err == ENOENT && std::strcmp(stage, "open") == 0) {
            out.outcome = RdbFileResult::Outcome::Missing;
            return out;
        }
        out.error = path + ": " + stage + ": " + std::strerror(err);
        out.io_error = true;
        return out;
    }
    out.file_size = file.size();
    if (file.size() == 0) {
        out.error = path + ": empty file";
        return out;
    }
    out.read = read_rdb(file.bytes(), opt, target);
    if (!out.read.ok()) {
        out.error =
            path + ": " + out.read.error + " (file is " + std::to_string(file.size()) + " bytes)";
        return out;
    }
    out.outcome = RdbFileResult::Outcome::Loaded;
    return out;
}

RdbFileResult load_rdb_file(const std::string& path, Keyspace& ks, const RdbReadOptions& opt,
                            int64_t now_ms, bool drop_expired, bool replace_existing) {
    KeyspaceLoadTarget target(ks, now_ms, drop_expired);
    target.set_replace_existing(replace_existing);
    RdbFileResult out = read_rdb_file(path, opt, target);
    out.keys_loaded = target.loaded();
    out.expired_dropped = target.expired_dropped();
    out.db_keys = target.db_keys();
    out.aux = target.aux_info();
    return out;
}

}  // namespace snapstream
