// Unit tests for node/keyspace: lazy and active expiry, TTL bookkeeping across set/move/swap/flush,
// hit/miss counting.
//
// Expiry boundary: Redis 7.0 treats a key as expired only once the clock is strictly past its
// deadline (db.c keyIsExpired: `return now > when;`, expire.c activeExpireCycleTryExpire:
// `if (now > t)`), so at exactly `when` the key is still readable and PTTL answers 0.
#include "node/keyspace.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace snapstream {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;   // a fixed "current time" in ms
constexpr int64_t kBigBudgetUs = 60'000'000;  // never reached: keeps cycles deterministic

std::string str_of(const Entry* e) {
    char scratch[24];
    return std::string(e->value.str(scratch));
}

class KeyspaceTest : public ::testing::Test {
  protected:
    KeyspaceTest() : ks(16) {
        ks.set_now(kNow);
        ks.on_expired = [this](Database& db, std::string_view key) {
            expired.emplace_back(db.id, std::string(key));
        };
    }

    Entry* add_with_ttl(int dbi, const std::string& key, int64_t when, const std::string& val) {
        Database& db = ks.db(dbi);
        Entry* e = ks.add(db, key, Value::string(val));
        ks.set_expire(db, e, when);
        return e;
    }

    Keyspace ks;
    std::vector<std::pair<int, std::string>> expired;  // (db id, key) per on_expired call
};

TEST_F(KeyspaceTest, DatabasesAreNumbered) {
    EXPECT_EQ(ks.count(), 16);
    for (int i = 0; i < 16; ++i) {
        EXPECT_EQ(ks.db(i).id, i);
        EXPECT_EQ(ks.db(i).size(), 0u);
    }
}

TEST_F(KeyspaceTest, AddSetRemove) {
    Database& db = ks.db(0);
    Entry* e = ks.add(db, "k", Value::string("v1"));
    EXPECT_EQ(ks.peek(db, "k"), e);
    EXPECT_EQ(db.size(), 1u);
    Entry* s = ks.set(db, "k", Value::string("v2"));
    EXPECT_EQ(db.size(), 1u);
    EXPECT_EQ(str_of(s), "v2");
    EXPECT_EQ(str_of(ks.peek(db, "k")), "v2");
    Entry* n = ks.set(db, "new", Value::integer(5));  // set adds when absent
    EXPECT_EQ(db.size(), 2u);
    EXPECT_EQ(ks.peek(db, "new"), n);
    EXPECT_TRUE(ks.remove(db, "k"));
    EXPECT_FALSE(ks.remove(db, "k"));
    EXPECT_EQ(ks.peek(db, "k"), nullptr);
    EXPECT_EQ(db.size(), 1u);
    // Other databases are separate.
    EXPECT_EQ(ks.peek(ks.db(1), "new"), nullptr);
    EXPECT_TRUE(expired.empty());
    EXPECT_EQ(ks.stats.expired_keys, 0u);
}

TEST_F(KeyspaceTest, OverwriteKeepsTtl) {
    Database& db = ks.db(0);
    Entry* e = add_with_ttl(0, "k", kNow + 100, "a");
    ks.overwrite(e, Value::string("b"));
    EXPECT_EQ(str_of(e), "b");
    EXPECT_EQ(ks.expire_of(db, e), kNow + 100);
}

TEST_F(KeyspaceTest, ExpireOfPersistAndRemoveKeepExpiresInSync) {
    Database& db = ks.db(0);
    Entry* e = ks.add(db, "k", Value::string("v"));
    EXPECT_EQ(ks.expire_of(db, e), -1);
    EXPECT_FALSE(ks.is_expired(db, e));
    ks.set_expire(db, e, kNow + 5000);
    EXPECT_TRUE(e->has_expire());
    EXPECT_EQ(ks.expire_of(db, e), kNow + 5000);
    EXPECT_EQ(db.expires.size(), 1u);
    ks.set_expire(db, e, kNow + 9000);  // updating keeps one record
    EXPECT_EQ(ks.expire_of(db, e), kNow + 9000);
    EXPECT_EQ(db.expires.size(), 1u);
    EXPECT_TRUE(ks.persist(db, e));
    EXPECT_FALSE(ks.persist(db, e));
    EXPECT_FALSE(e->has_expire());
    EXPECT_EQ(ks.expire_of(db, e), -1);
    EXPECT_EQ(db.expires.size(), 0u);
    ks.set_expire(db, e, kNow + 1);
    EXPECT_TRUE(ks.remove(db, "k"));
    EXPECT_EQ(db.expires.size(), 0u);
    EXPECT_TRUE(expired.empty());  // removal is not expiry
}

// ---------------------------------------------------------------------------------------------
// Lazy expiry

TEST_F(KeyspaceTest, LookupDeletesExpiredKey) {
    Database& db = ks.db(3);
    add_with_ttl(3, "gone", kNow - 1, "x");
    add_with_ttl(3, "alive", kNow + 1000, "y");
    ks.add(db, "plain", Value::string("z"));
    ASSERT_EQ(db.size(), 3u);

    EXPECT_EQ(ks.lookup_read(db, "gone"), nullptr);
    EXPECT_EQ(ks.peek(db, "gone"), nullptr);  // really deleted, not just hidden
    EXPECT_EQ(db.size(), 2u);
    EXPECT_EQ(db.expires.size(), 1u);
    EXPECT_EQ(ks.stats.expired_keys, 1u);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0], (std::pair<int, std::string>{3, "gone"}));

    Entry* a = ks.lookup_read(db, "alive");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(str_of(a), "y");
    EXPECT_NE(ks.lookup_read(db, "plain"), nullptr);

    // A second lookup of the deleted key is a plain miss: no second notification.
    EXPECT_EQ(ks.lookup_read(db, "gone"), nullptr);
    EXPECT_EQ(ks.stats.expired_keys, 1u);
    EXPECT_EQ(expired.size(), 1u);
}

TEST_F(KeyspaceTest, TimeControlsExpiry) {
    Database& db = ks.db(0);
    add_with_ttl(0, "k", kNow + 100, "v");
    ks.set_now(kNow + 99);
    EXPECT_NE(ks.lookup_write(db, "k"), nullptr);
    ks.set_now(kNow + 101);
    EXPECT_EQ(ks.lookup_write(db, "k"), nullptr);
    EXPECT_EQ(ks.stats.expired_keys, 1u);
    EXPECT_EQ(expired.size(), 1u);
    // Going back in time does not resurrect it.
    ks.set_now(kNow);
    EXPECT_EQ(ks.lookup_write(db, "k"), nullptr);
}

TEST_F(KeyspaceTest, KeyIsAliveAtExactlyItsDeadline) {
    // Redis: expired only when now > when (see the file comment).
    Database& db = ks.db(0);
    Entry* e = add_with_ttl(0, "k", kNow, "v");
    EXPECT_FALSE(ks.is_expired(db, e));
    EXPECT_NE(ks.lookup_read(db, "k"), nullptr);
    EXPECT_EQ(ks.stats.expired_keys, 0u);
    EXPECT_EQ(ks.active_expire_cycle(kBigBudgetUs), 0u);
    EXPECT_NE(ks.peek(db, "k"), nullptr);
    ks.set_now(kNow + 1);
    EXPECT_TRUE(ks.is_expired(db, ks.peek(db, "k")));
    EXPECT_EQ(ks.lookup_read(db, "k"), nullptr);
    EXPECT_EQ(ks.stats.expired_keys, 1u);
}

TEST_F(KeyspaceTest, IsExpiredDoesNotDelete) {
    Database& db = ks.db(0);
    Entry* e = add_with_ttl(0, "k", kNow - 10, "v");
    EXPECT_TRUE(ks.is_expired(db, e));
    EXPECT_EQ(ks.peek(db, "k"), e);
    EXPECT_EQ(ks.stats.expired_keys, 0u);
    EXPECT_TRUE(expired.empty());
}

TEST_F(KeyspaceTest, HitsAndMissesCountedByReadsOnly) {
    Database& db = ks.db(0);
    ks.add(db, "a", Value::string("1"));
    add_with_ttl(0, "old", kNow - 1, "x");
    EXPECT_NE(ks.lookup_read(db, "a"), nullptr);
    EXPECT_EQ(ks.lookup_read(db, "missing"), nullptr);
    EXPECT_EQ(ks.lookup_read(db, "old"), nullptr);  // expired: a miss
    EXPECT_EQ(ks.stats.keyspace_hits, 1u);
    EXPECT_EQ(ks.stats.keyspace_misses, 2u);
    EXPECT_NE(ks.lookup_write(db, "a"), nullptr);
    EXPECT_EQ(ks.lookup_write(db, "missing"), nullptr);
    EXPECT_EQ(ks.peek(db, "a") != nullptr, true);
    EXPECT_EQ(ks.stats.keyspace_hits, 1u);
    EXPECT_EQ(ks.stats.keyspace_misses, 2u);
}

TEST_F(KeyspaceTest, LookupStampsLruClock) {
    Database& db = ks.db(0);
    ks.set_lru_clock(0x1234567);  // 24 bits kept
    EXPECT_EQ(ks.lru_clock(), 0x234567u);
    Entry* e = ks.add(db, "k", Value::string("v"));
    EXPECT_EQ(e->lru, 0x234567u);
    ks.set_lru_clock(42);
    EXPECT_EQ(e->lru, 0x234567u);  // peek does not touch
    (void)ks.peek(db, "k");
    EXPECT_EQ(e->lru, 0x234567u);
    ASSERT_EQ(ks.lookup_read(db, "k"), e);
    EXPECT_EQ(e->lru, 42u);
    ks.set_lru_clock(43);
    ASSERT_EQ(ks.lookup_write(db, "k"), e);
    EXPECT_EQ(e->lru, 43u);
}

TEST_F(KeyspaceTest, OnExpiredSeesKeyBeforeItIsFreed) {
    Database& db = ks.db(0);
    const std::string long_key(200, 'k');
    add_with_ttl(0, long_key, kNow - 1, "v");
    std::string seen;
    size_t db_size_during_callback = 0;
    ks.on_expired = [&](Database& d, std::string_view key) {
        seen = std::string(key);  // the key text must still be valid here
        db_size_during_callback = d.size();
    };
    EXPECT_EQ(ks.lookup_read(db, long_key), nullptr);
    EXPECT_EQ(seen, long_key);
    EXPECT_EQ(db_size_during_callback, 1u);  // notified before deletion
    EXPECT_EQ(db.size(), 0u);
}

TEST_F(KeyspaceTest, WorksWithoutOnExpiredCallback) {
    ks.on_expired = nullptr;
    Database& db = ks.db(0);
    add_with_ttl(0, "k", kNow - 1, "v");
    add_with_ttl(0, "k2", kNow - 1, "v");
    EXPECT_EQ(ks.lookup_read(db, "k"), nullptr);
    EXPECT_EQ(ks.active_expire_cycle(kBigBudgetUs), 1u);
    EXPECT_EQ(db.size(), 0u);
    EXPECT_EQ(ks.stats.expired_keys, 2u);
}

// ---------------------------------------------------------------------------------------------
// set() and TTLs

TEST_F(KeyspaceTest, SetClearsTtlUnlessKeepTtl) {
    Database& db = ks.db(0);
    add_with_ttl(0, "k", kNow + 1000, "v1");
    add_with_ttl(0, "keep", kNow + 2000, "w1");
    ASSERT_EQ(db.expires.size(), 2u);

    Entry* e = ks.set(db, "k", Value::string("v2"));
    EXPECT_FALSE(e->has_expire());
    EXPECT_EQ(ks.expire_of(db, e), -1);
    EXPECT_EQ(db.expires.size(), 1u);
    EXPECT_EQ(str_of(e), "v2");

    Entry* k = ks.set(db, "keep", Value::string("w2"), /*keep_ttl=*/true);
    EXPECT_TRUE(k->has_expire());
    EXPECT_EQ(ks.expire_of(db, k), kNow + 2000);
    EXPECT_EQ(str_of(k), "w2");
    EXPECT_EQ(db.expires.size(), 1u);

    // Replacing a big value frees the old one (checked by LeakSanitizer).
    ks.set(db, "k", Value::string(std::string(1000, 'x')));
    ks.set(db, "k", Value::string(std::string(2000, 'y')));
    EXPECT_EQ(str_of(ks.peek(db, "k")), std::string(2000, 'y'));
    // A key without TTL set with keep_ttl stays without one.
    Entry* p = ks.set(db, "k", Value::string("z"), true);
    EXPECT_EQ(ks.expire_of(db, p), -1);
}

// ---------------------------------------------------------------------------------------------
// move / swap / flush

TEST_F(KeyspaceTest, MoveKeepsTtl) {
    Database& from = ks.db(0);
    Database& to = ks.db(1);
    add_with_ttl(0, "ttl", kNow + 500, "a");
    ks.add(from, "plain", Value::string("b"));
    ks.move(from, to, "ttl");
    ks.move(from, to, "plain");
    ks.move(from, to, "missing");  // no-op
    EXPECT_EQ(from.size(), 0u);
    EXPECT_EQ(from.expires.size(), 0u);
    EXPECT_EQ(to.size(), 2u);
    EXPECT_EQ(to.expires.size(), 1u);
    Entry* t = ks.peek(to, "ttl");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(ks.expire_of(to, t), kNow + 500);
    EXPECT_EQ(str_of(t), "a");
    Entry* p = ks.peek(to, "plain");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(ks.expire_of(to, p), -1);

    // The TTL still works in the destination, and the notification names it.
    ks.set_now(kNow + 501);
    EXPECT_EQ(ks.lookup_read(to, "ttl"), nullptr);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0], (std::pair<int, std::string>{1, "ttl"}));
    EXPECT_EQ(to.expires.size(), 0u);
}

TEST_F(KeyspaceTest, SwapExchangesKeysAndTtls) {
    ks.add(ks.db(0), "a", Value::string("in0"));
    add_with_ttl(0, "t0", kNow + 100, "x");
    add_with_ttl(5, "t5", kNow + 200, "y");
    ks.db(5).avg_ttl = 77;
    ks.swap(0, 5);
    EXPECT_EQ(ks.db(0).id, 0);  // ids stay with the index
    EXPECT_EQ(ks.db(5).id, 5);
    EXPECT_EQ(ks.db(0).size(), 1u);
    EXPECT_EQ(ks.db(5).size(), 2u);
    EXPECT_EQ(ks.db(0).avg_ttl, 77u);
    EXPECT_EQ(ks.db(5).avg_ttl, 0u);
    Entry* t5 = ks.peek(ks.db(0), "t5");
    ASSERT_NE(t5, nullptr);
    EXPECT_EQ(ks.expire_of(ks.db(0), t5), kNow + 200);
    Entry* t0 = ks.peek(ks.db(5), "t0");
    ASSERT_NE(t0, nullptr);
    EXPECT_EQ(ks.expire_of(ks.db(5), t0), kNow + 100);
    EXPECT_NE(ks.peek(ks.db(5), "a"), nullptr);

    // Expiry after the swap reports the database the key is now in.
    ks.set_now(kNow + 1000);
    EXPECT_EQ(ks.lookup_read(ks.db(0), "t5"), nullptr);
    EXPECT_EQ(ks.lookup_read(ks.db(5), "t0"), nullptr);
    EXPECT_EQ(expired, (std::vector<std::pair<int, std::string>>{{0, "t5"}, {5, "t0"}}));
    EXPECT_EQ(ks.db(0).expires.size(), 0u);
    EXPECT_EQ(ks.db(5).expires.size(), 0u);
}

TEST_F(KeyspaceTest, FlushAndFlushAll) {
    for (int d : {0, 2, 15}) {
        for (int i = 0; i < 100; ++i) {
            if (i % 2)
                add_with_ttl(d, "k" + std::to_string(i), kNow + 1000, "v");
            else
                ks.add(ks.db(d), "k" + std::to_string(i), Value::string("v"));
        }
        ks.db(d).avg_ttl = 5;
    }
    ks.flush(ks.db(2));
    EXPECT_EQ(ks.db(2).size(), 0u);
    EXPECT_EQ(ks.db(2).expires.size(), 0u);
    EXPECT_EQ(ks.db(2).avg_ttl, 0u);
    EXPECT_EQ(ks.db(0).size(), 100u);
    EXPECT_EQ(ks.db(15).expires.size(), 50u);
    // The database is usable after a flush.
    add_with_ttl(2, "fresh", kNow + 1, "v");
    EXPECT_EQ(ks.expire_of(ks.db(2), ks.peek(ks.db(2), "fresh")), kNow + 1);

    ks.flush_all();
    for (int d = 0; d < 16; ++d) {
        EXPECT_EQ(ks.db(d).size(), 0u) << d;
        EXPECT_EQ(ks.db(d).expires.size(), 0u) << d;
    }
    EXPECT_TRUE(expired.empty());  // flushing is not expiring
    EXPECT_EQ(ks.stats.expired_keys, 0u);
}

// ---------------------------------------------------------------------------------------------
// Active expiry

TEST_F(KeyspaceTest, ActiveExpireDeletesExpiredKeysWithoutAccess) {
    // 10,000 expired keys spread over three databases, among keys with a future TTL and keys
    // without one.
    const std::vector<int> dbs{0, 7, 15};
    std::set<std::pair<int, std::string>> past, future, plain;
    for (int i = 0; i < 10000; ++i) {
        int d = dbs[static_cast<size_t>(i) % dbs.size()];
        std::string k = "past:" + std::to_string(i);
        add_with_ttl(d, k, kNow - 1 - i, "v" + std::to_string(i));
        past.emplace(d, k);
    }
    for (int i = 0; i < 2000; ++i) {
        int d = dbs[static_cast<size_t>(i) % dbs.size()];
        std::string k = "future:" + std::to_string(i);
        add_with_ttl(d, k, kNow + 1000 + i, "f" + std::to_string(i));
        future.emplace(d, k);
    }
    for (int i = 0; i < 1000; ++i) {
        int d = dbs[static_cast<size_t>(i) % dbs.size()];
        std::string k = "plain:" + std::to_string(i);
        ks.add(ks.db(d), k, Value::string("p"));
        plain.emplace(d, k);
    }

    size_t deleted = 0;
    int cycles = 0;
    auto remaining_past = [&] {
        size_t n = 0;
        for (const auto& [d, k] : past) n += ks.peek(ks.db(d), k) != nullptr;
        return n;
    };
    while (remaining_past() > 0) {
        ASSERT_LT(++cycles, 200) << "active expiry leaves expired keys behind";
        deleted += ks.active_expire_cycle(kBigBudgetUs);
    }
    EXPECT_EQ(deleted, 10000u);
    EXPECT_EQ(ks.stats.expired_keys, 10000u);
    // on_expired exactly once per expired key, with its database.
    ASSERT_EQ(expired.size(), 10000u);
    std::set<std::pair<int, std::string>> notified(expired.begin(), expired.end());
    EXPECT_EQ(notified, past);

    // Keys with a future TTL and without one are untouched; expires matches exactly.
    size_t ttl_records = 0;
    for (int d : dbs) ttl_records += ks.db(d).expires.size();
    EXPECT_EQ(ttl_records, future.size());
    for (const auto& [d, k] : future) {
        Entry* e = ks.peek(ks.db(d), k);
        ASSERT_NE(e, nullptr) << k;
        int id = std::stoi(k.substr(7));
        EXPECT_EQ(ks.expire_of(ks.db(d), e), kNow + 1000 + id);
        EXPECT_EQ(str_of(e), "f" + std::to_string(id));
    }
    for (const auto& [d, k] : plain) ASSERT_NE(ks.peek(ks.db(d), k), nullptr) << k;
    size_t total = 0;
    for (int d : dbs) total += ks.db(d).size();
    EXPECT_EQ(total, future.size() + plain.size());

    // Further cycles find nothing to do.
    EXPECT_EQ(ks.active_expire_cycle(kBigBudgetUs), 0u);
    EXPECT_EQ(expired.size(), 10000u);
    // The average TTL estimate reflects the remaining keys (1000..3000 ms ahead).
    for (int d : dbs) {
        EXPECT_GE(ks.db(d).avg_ttl, 900u) << d;
        EXPECT_LE(ks.db(d).avg_ttl, 3000u) << d;
    }
}

TEST_F(KeyspaceTest, ActiveExpireAllExpired) {
    for (int i = 0; i < 10000; ++i) add_with_ttl(4, "k" + std::to_string(i), kNow - 5, "v");
    size_t deleted = 0;
    int cycles = 0;
    while (ks.db(4).size() > 0) {
        ASSERT_LT(++cycles, 50);
        deleted += ks.active_expire_cycle(kBigBudgetUs);
    }
    EXPECT_EQ(deleted, 10000u);
    EXPECT_EQ(ks.db(4).expires.size(), 0u);
    EXPECT_EQ(expired.size(), 10000u);
    EXPECT_EQ(ks.stats.expired_stale_perc, 100u);
}

TEST_F(KeyspaceTest, ActiveExpireProgressesWithZeroBudget) {
    // Even when the time budget is always exceeded, every cycle deletes something, so all
    // expired keys go within a bounded number of cycles.
    for (int i = 0; i < 10000; ++i) add_with_ttl(9, "k" + std::to_string(i), kNow - 5, "v");
    int cycles = 0;
    while (ks.db(9).size() > 0) {
        ASSERT_LT(++cycles, 2000);
        ASSERT_GT(ks.active_expire_cycle(0), 0u);
    }
    EXPECT_EQ(ks.stats.expired_keys, 10000u);
}

TEST_F(KeyspaceTest, ActiveExpireLeavesFutureKeysAlone) {
    for (int i = 0; i < 3000; ++i) add_with_ttl(1, "k" + std::to_string(i), kNow + 1 + i, "v");
    for (int c = 0; c < 100; ++c) EXPECT_EQ(ks.active_expire_cycle(kBigBudgetUs), 0u);
    EXPECT_EQ(ks.db(1).size(), 3000u);
    EXPECT_TRUE(expired.empty());
    // Advance time past half of them.
    ks.set_now(kNow + 1500);
    size_t deleted = 0;
    for (int c = 0; c < 200 && deleted < 1499; ++c) deleted += ks.active_expire_cycle(kBigBudgetUs);
    // Keys with when < now are gone; the one with when == now (k1499) follows Redis and stays.
    for (int i = 0; i < 3000; ++i) {
        Entry* e = ks.peek(ks.db(1), "k" + std::to_string(i));
        if (kNow + 1 + i < kNow + 1500)
            EXPECT_EQ(e, nullptr) << i;
        else
            EXPECT_NE(e, nullptr) << i;
    }
    EXPECT_EQ(deleted, 1499u);
}

TEST_F(KeyspaceTest, RehashAndResizeShrinksAfterMassDeletion) {
    Database& db = ks.db(0);
    for (int i = 0; i < 5000; ++i) ks.add(db, "k" + std::to_string(i), Value::integer(i));
    ks.rehash_and_resize(kBigBudgetUs);
    EXPECT_FALSE(db.dict.rehashing());
    const size_t big = db.dict.buckets();
    EXPECT_GE(big, 5000u);
    for (int i = 10; i < 5000; ++i) ASSERT_TRUE(ks.remove(db, "k" + std::to_string(i)));
    ks.rehash_and_resize(kBigBudgetUs);
    EXPECT_FALSE(db.dict.rehashing());
    EXPECT_LT(db.dict.buckets(), big / 10);
    for (int i = 0; i < 10; ++i) {
        Entry* e = ks.peek(db, "k" + std::to_string(i));
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->value.int_value(), i);
    }
}

}  // namespace
}  // namespace snapstream
