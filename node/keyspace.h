// The keyspace: `databases` numbered databases, each a Dict of keys plus an ExpireTable of the
// keys that have a TTL. Owned by the event-loop thread alone.
//
// Expiry follows Redis: a key whose time has passed is deleted when it is next touched (lazy),
// and an active cycle run `hz` times a second samples keys with a TTL and deletes the expired
// ones, repeating while more than a quarter of a sample was expired, within a time budget, so
// memory is reclaimed even for keys nobody reads again. Both paths go through expire_entry(),
// the one place that will also propagate the DEL to the AOF and replicas.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string_view>
#include <vector>

#include "node/dict.h"
#include "node/expire_table.h"

namespace snapstream {

struct Database {
    int id = 0;
    Dict dict;
    ExpireTable expires;
    uint64_t avg_ttl = 0;  // running estimate from the active cycle, as INFO keyspace shows it

    size_t size() const { return dict.size(); }
};

struct KeyspaceStats {
    uint64_t expired_keys = 0;
    uint64_t expired_stale_perc = 0;
    uint64_t keyspace_hits = 0;
    uint64_t keyspace_misses = 0;
    uint64_t expire_cycle_cpu_ms = 0;
};

class Keyspace {
  public:
    explicit Keyspace(int databases);

    int count() const { return static_cast<int>(dbs_.size()); }
    Database& db(int i) { return dbs_[static_cast<size_t>(i)]; }
    const Database& db(int i) const { return dbs_[static_cast<size_t>(i)]; }

    // The command clock: set once per command so that every key in one command sees one "now".
    void set_now(int64_t now_ms) { now_ms_ = now_ms; }
    int64_t now() const { return now_ms_; }
    // The LRU clock (seconds, 24 bits) stamped on accessed entries.
    void set_lru_clock(uint32_t clock) { lru_clock_ = clock & 0xFFFFFF; }
    uint32_t lru_clock() const { return lru_clock_; }

    // Lookups delete the key first if it has expired. lookup_read counts keyspace hits/misses
    // (reads by commands); lookup_write does not (writes and existence checks).
    Entry* lookup_read(Database& db, std::string_view key);
    Entry* lookup_write(Database& db, std::string_view key);
    // Without expiring or counting (used by SCAN/KEYS filtering and tests).
    Entry* peek(Database& db, std::string_view key) { return db.dict.find(key); }

    // Adds a key that does not exist.
    Entry* add(Database& db, std::string_view key, Value v);
    // Sets the key's value, adding it if absent. Clears its TTL unless keep_ttl.
    Entry* set(Database& db, std::string_view key, Value v, bool keep_ttl = false);
    // Replaces the value of an existing entry in place (TTL kept).
    void overwrite(Entry* e, Value v) { e->value = std::move(v); }
    bool remove(Database& db, std::string_view key);

    int64_t expire_of(const Database& db, const Entry* e) const {
        return e->has_expire() ? db.expires.get(e) : -1;
    }
    void set_expire(Database& db, Entry* e, int64_t when_ms);
    bool persist(Database& db, Entry* e);
    bool is_expired(const Database& db, const Entry* e) const {
        return !expiry_suspended_ && e->has_expire() && db.expires.get(e) < now_ms_;
    }
    // Whether an absolute expiry time given to a command (EXPIREAT, GETEX EXAT...) has already
    // passed, so the command deletes the key instead — never while replaying a stream, where the
    // DEL that followed is in the stream itself (Redis's checkAlreadyExpired).
    bool already_expired(int64_t when_ms) const { return !expiry_suspended_ && when_ms <= now_ms_; }
    // While suspended (AOF loading, a replica applying its primary's stream) no key expires:
    // the stream carries the DELs its source propagated when keys expired there.
    void suspend_expiry(bool on) { expiry_suspended_ = on; }
    bool expiry_suspended() const { return expiry_suspended_; }
    // A replica's view: its primary's DELs remove expired keys, so a read of a key past its
    // time answers "absent" without deleting it (as Redis 7.0 replicas do); a write (a
    // writable replica) still deletes it first.
    void set_replica_view(bool on) { replica_view_ = on; }
    bool replica_view() const { return replica_view_; }

    // Moves a key (with its TTL) between databases; the destination must not hold it.
    void move(Database& from, Database& to, std::string_view key);
    void flush(Database& db);
    void flush_all();
    void swap(int a, int b);
    // Exchanges every database's contents with `other`'s (same number of databases): a
    // replica's swapdb load.
    void swap_contents(Keyspace& other);

    // One active-expiry pass over every database; returns keys deleted. `budget_us` bounds time.
    size_t active_expire_cycle(int64_t budget_us);
    // Incremental rehash and shrink steps for the cron.
    void rehash_and_resize(int64_t budget_us);

    // Called for each key deleted by expiry (lazy or active), before it is freed. Propagation
    // (DEL to AOF/replicas) hooks in here.
    std::function<void(Database&, std::string_view key)> on_expired;
    // Called when a list or sorted set is stored under a key (clients may be blocked on it).
    std::function<void(Database&, std::string_view key)> on_added;

    KeyspaceStats stats;
    std::mt19937_64 rng{0x5eed};

  private:
    void expire_entry(Database& db, Entry* e);
    void notify_added(Database& db, const Entry* e) {
        const ValueType t = e->value.type();
        if ((t == ValueType::List || t == ValueType::ZSet) && on_added) on_added(db, e->key());
    }
    Entry* lookup(Database& db, std::string_view key, bool for_write);

    std::vector<Database> dbs_;
    int64_t now_ms_ = 0;
    bool expiry_suspended_ = false;
    bool replica_view_ = false;
    uint32_t lru_clock_ = 0;
    size_t expire_db_cursor_ = 0;
};

int64_t wall_clock_ms();
int64_t wall_clock_us();
int64_t monotonic_us();

}  // namespace snapstream
