#include "node/keyspace.h"

#include <chrono>
#include <utility>

namespace snapstream {

int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t wall_clock_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonic_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

Keyspace::Keyspace(int databases) : dbs_(static_cast<size_t>(databases)) {
    for (int i = 0; i < databases; ++i) dbs_[static_cast<size_t>(i)].id = i;
    now_ms_ = wall_clock_ms();
}

Entry* Keyspace::lookup(Database& db, std::string_view key, bool for_write) {
    Entry* e = db.dict.find(key);
    if (!e) return nullptr;
    if (e->has_expire() && db.expires.get(e) < now_ms_ && !expiry_suspended_) {
        if (replica_view_ && !for_write) return nullptr;
        expire_entry(db, e);
        return nullptr;
    }
    e->lru = lru_clock_;
    return e;
}

Entry* Keyspace::lookup_read(Database& db, std::string_view key) {
    Entry* e = lookup(db, key, false);
    if (e)
        ++stats.keyspace_hits;
    else
        ++stats.keyspace_misses;
    return e;
}

Entry* Keyspace::lookup_write(Database& db, std::string_view key) {
    return lookup(db, key, true);
}

Entry* Keyspace::add(Database& db, std::string_view key, Value v) {
    Entry* e = Entry::create(key, std::move(v));
    e->lru = lru_clock_;
    db.dict.insert(e);
    notify_added(db, e);
    return e;
}

Entry* Keyspace::set(Database& db, std::string_view key, Value v, bool keep_ttl) {
    Entry* e = db.dict.find(key);
    if (!e) return add(db, key, std::move(v));
    e->value = std::move(v);
    e->lru = lru_clock_;
    if (!keep_ttl && e->has_expire()) {
        db.expires.erase(e);
        e->flags &= ~Entry::kHasExpire;
    }
    notify_added(db, e);
    return e;
}

bool Keyspace::remove(Database& db, std::string_view key) {
    Entry* e = db.dict.unlink(key);
    if (!e) return false;
    if (e->has_expire()) db.expires.erase(e);
    Entry::destroy(e);
    return true;
}

void Keyspace::set_expire(Database& db, Entry* e, int64_t when_ms) {
    db.expires.set(e, when_ms);
    e->flags |= Entry::kHasExpire;
}

bool Keyspace::persist(Database& db, Entry* e) {
    if (!e->has_expire()) return false;
    db.expires.erase(e);
    e->flags &= ~Entry::kHasExpire;
    return true;
}

void Keyspace::move(Database& from, Database& to, std::string_view key) {
    Entry* e = from.dict.unlink(key);
    if (!e) return;
    int64_t when = -1;
    if (e->has_expire()) {
        when = from.expires.get(e);
        from.expires.erase(e);
    }
    to.dict.insert(e);
    if (when >= 0) to.expires.set(e, when);
    notify_added(to, e);
}

void Keyspace::flush(Database& db) {
    db.expires.clear();
    db.dict.clear();
    db.avg_ttl = 0;
}

void Keyspace::flush_all() {
    for (Database& db : dbs_) flush(db);
}

namespace {
// The contents of two databases trade places; their ids stay.
void swap_db_contents(Database& a, Database& b) {
    std::swap(a.dict, b.dict);
    std::swap(a.expires, b.expires);
    std::swap(a.avg_ttl, b.avg_ttl);
}
}  // namespace

void Keyspace::swap(int a, int b) {
    swap_db_contents(db(a), db(b));
}

void Keyspace::swap_contents(Keyspace& other) {
    for (int i = 0; i < count() && i < other.count(); ++i) swap_db_contents(db(i), other.db(i));
}

void Keyspace::expire_entry(Database& db, Entry* e) {
    // The key text lives inside the entry: notify before unlinking frees it.
    if (on_expired) on_expired(db, e->key());
    ++stats.expired_keys;
    db.expires.erase(e);
    Entry* gone = db.dict.unlink(e->key());
    Entry::destroy(gone);
}

size_t Keyspace::active_expire_cycle(int64_t budget_us) {
    // Per database: sample 20 keys with a TTL, delete the expired ones, and sample again while
    // more than 25% of a sample had expired, until the time budget runs out.
    constexpr size_t kSample = 20;
    if (expiry_suspended_) return 0;
    const int64_t start = monotonic_us();
    size_t deleted = 0;
    size_t sampled_total = 0, expired_total = 0;
    for (size_t n = 0; n < dbs_.size(); ++n) {
        Database& db = dbs_[expire_db_cursor_ % dbs_.size()];
        ++expire_db_cursor_;
        if (db.expires.size() == 0) continue;
        for (int iteration = 0;; ++iteration) {
            size_t expired = 0;
            int64_t ttl_sum = 0;
            size_t ttl_samples = 0;
            size_t examined = db.expires.sample(kSample, [&](Entry* e, int64_t when) {
                if (when < now_ms_) {
                    expire_entry(db, e);
                    ++expired;
                    return true;
                }
                ttl_sum += when - now_ms_;
                ++ttl_samples;
                return false;
            });
            sampled_total += examined;
            expired_total += expired;
            deleted += expired;
            if (ttl_samples > 0) {
                // Same smoothing as Redis: new estimate weighted 2%, old 98%.
                uint64_t avg = static_cast<uint64_t>(ttl_sum) / ttl_samples;
                db.avg_ttl = db.avg_ttl == 0 ? avg : (db.avg_ttl / 50) * 49 + avg / 50;
            }
            if (examined == 0 || expired * 4 <= examined) break;
            if ((iteration & 15) == 15 && monotonic_us() - start > budget_us) break;
        }
        if (monotonic_us() - start > budget_us) break;
    }
    if (sampled_total > 0) stats.expired_stale_perc = expired_total * 100 / sampled_total;
    stats.expire_cycle_cpu_ms += static_cast<uint64_t>((monotonic_us() - start) / 1000);
    return deleted;
}

void Keyspace::rehash_and_resize(int64_t budget_us) {
    const int64_t start = monotonic_us();
    for (Database& db : dbs_) {
        db.dict.maybe_shrink();
        while (db.dict.rehash_steps(100)) {
            if (monotonic_us() - start > budget_us) return;
        }
    }
}

}  // namespace snapstream
