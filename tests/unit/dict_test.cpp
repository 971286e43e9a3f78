// Unit tests for node/dict (Dict, Entry): lookups, incremental rehashing in both directions, the
// SCAN guarantee across resizes, and random().
#include "node/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/hash.h"

namespace snapstream {
namespace {

using namespace std::string_literals;

Entry* make_entry(std::string_view key, int64_t v = 0) {
    return Entry::create(key, Value::integer(v));
}

std::string key_of(size_t i) {
    return "key:" + std::to_string(i);
}

// Every entry reachable through for_each (which never rehashes), keyed by text; fails on
// duplicates.
std::map<std::string, Entry*> contents(const Dict& d) {
    std::map<std::string, Entry*> out;
    d.for_each([&](Entry* e) {
        bool inserted = out.emplace(std::string(e->key()), e).second;
        EXPECT_TRUE(inserted) << "entry listed twice: " << e->key();
    });
    return out;
}

// Restores the process-wide hash seed, for tests that vary it.
class HashSeedGuard {
  public:
    HashSeedGuard() : saved_(g_hash_seed) {}
    ~HashSeedGuard() { set_hash_seed(saved_); }
    HashSeedGuard(const HashSeedGuard&) = delete;
    HashSeedGuard& operator=(const HashSeedGuard&) = delete;

  private:
    uint64_t saved_;
};

void finish_rehash(Dict& d) {
    for (int i = 0; i < 1000000 && d.rehash_steps(100); ++i) {
    }
    ASSERT_FALSE(d.rehashing());
}

// ---------------------------------------------------------------------------------------------
// Entry

TEST(DictEntry, CreateHoldsKeyAndValue) {
    Entry* e = Entry::create("hello", Value::string("world"));
    EXPECT_EQ(e->key(), "hello");
    EXPECT_EQ(e->keylen, 5u);
    EXPECT_FALSE(e->has_expire());
    EXPECT_EQ(e->next, nullptr);
    char scratch[24];
    EXPECT_EQ(e->value.str(scratch), "world");
    Entry::destroy(e);

    const std::string bin = "a\0b\r\n"s;
    e = Entry::create(bin, Value::integer(7));
    EXPECT_EQ(e->key(), bin);
    EXPECT_EQ(e->value.int_value(), 7);
    Entry::destroy(e);

    e = Entry::create("", Value());
    EXPECT_EQ(e->key(), "");
    Entry::destroy(e);
}

// ---------------------------------------------------------------------------------------------
// Basic operations

TEST(Dict, EmptyDict) {
    Dict d;
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.find("a"), nullptr);
    EXPECT_EQ(d.unlink("a"), nullptr);
    EXPECT_FALSE(d.rehashing());
    EXPECT_FALSE(d.rehash_steps(10));
    std::mt19937_64 rng(1);
    EXPECT_EQ(d.random(rng), nullptr);
    int visits = 0;
    EXPECT_EQ(d.scan(0, [&](Entry*) { ++visits; }), 0u);
    EXPECT_EQ(d.scan(12345, [&](Entry*) { ++visits; }), 0u);
    EXPECT_EQ(visits, 0);
    d.maybe_shrink();
    d.clear();
    EXPECT_EQ(d.size(), 0u);
}

TEST(Dict, InsertFindUnlink) {
    Dict d;
    Entry* a = make_entry("a", 1);
    Entry* ab = make_entry("ab", 2);
    Entry* empty = make_entry("", 3);
    Entry* bin = make_entry("a\0"s, 4);
    d.insert(a);
    d.insert(ab);
    d.insert(empty);
    d.insert(bin);
    EXPECT_EQ(d.size(), 4u);
    EXPECT_EQ(d.find("a"), a);
    EXPECT_EQ(d.find("ab"), ab);
    EXPECT_EQ(d.find(""), empty);
    EXPECT_EQ(d.find("a\0"s), bin);
    EXPECT_EQ(d.find("b"), nullptr);
    EXPECT_EQ(d.find("abc"), nullptr);
    EXPECT_EQ(d.find("A"), nullptr);

    Entry* gone = d.unlink("a");
    ASSERT_EQ(gone, a);
    EXPECT_EQ(gone->next, nullptr);
    EXPECT_EQ(gone->value.int_value(), 1);
    Entry::destroy(gone);
    EXPECT_EQ(d.size(), 3u);
    EXPECT_EQ(d.find("a"), nullptr);
    EXPECT_EQ(d.find("a\0"s), bin);
    EXPECT_EQ(d.unlink("a"), nullptr);
    EXPECT_EQ(d.size(), 3u);

    Entry* a2 = make_entry("a", 5);
    d.insert(a2);
    EXPECT_EQ(d.find("a"), a2);
    EXPECT_EQ(d.size(), 4u);
}

TEST(Dict, ClearDestroysEverythingAndStaysUsable) {
    Dict d;
    for (size_t i = 0; i < 1000; ++i) d.insert(make_entry(key_of(i)));
    EXPECT_EQ(d.size(), 1000u);
    d.clear();  // LeakSanitizer reports entries that were not destroyed
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.buckets(), 0u);
    EXPECT_FALSE(d.rehashing());
    EXPECT_EQ(d.find(key_of(1)), nullptr);
    d.insert(make_entry("again"));
    EXPECT_NE(d.find("again"), nullptr);
    EXPECT_EQ(d.size(), 1u);
}

TEST(Dict, ClearInTheMiddleOfRehashing) {
    Dict d;
    size_t n = 0;
    while (!d.rehashing() || d.size() < 100) d.insert(make_entry(key_of(n++)));
    ASSERT_TRUE(d.rehashing());
    d.clear();
    EXPECT_EQ(d.size(), 0u);
    EXPECT_FALSE(d.rehashing());
    for (size_t i = 0; i < 50; ++i) d.insert(make_entry(key_of(i)));
    for (size_t i = 0; i < 50; ++i) EXPECT_NE(d.find(key_of(i)), nullptr);
}

TEST(Dict, MoveAndSwap) {
    Dict a;
    for (size_t i = 0; i < 100; ++i) a.insert(make_entry(key_of(i)));
    Dict b(std::move(a));
    EXPECT_EQ(b.size(), 100u);
    EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): documented by swap()
    for (size_t i = 0; i < 100; ++i) EXPECT_NE(b.find(key_of(i)), nullptr);

    Dict c;
    c.insert(make_entry("only"));
    c.swap(b);
    EXPECT_EQ(c.size(), 100u);
    EXPECT_EQ(b.size(), 1u);
    EXPECT_NE(b.find("only"), nullptr);
    EXPECT_EQ(c.find("only"), nullptr);

    Dict e;
    e = std::move(c);
    EXPECT_EQ(e.size(), 100u);
    for (size_t i = 0; i < 100; ++i) EXPECT_NE(e.find(key_of(i)), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Growth and incremental rehashing

TEST(Dict, GrowthKeepsEveryKeyFindableAtEveryStep) {
    Dict d;
    std::vector<Entry*> entries;
    bool saw_rehash = false;
    size_t max_buckets = 0;
    for (size_t i = 0; i < 1500; ++i) {
        Entry* e = make_entry(key_of(i), static_cast<int64_t>(i));
        entries.push_back(e);
        d.insert(e);
        ASSERT_EQ(d.size(), i + 1);
        saw_rehash |= d.rehashing();
        max_buckets = std::max(max_buckets, d.buckets());
        // Every key, via the non-rehashing walk and via find().
        size_t walked = 0;
        d.for_each([&](Entry*) { ++walked; });
        ASSERT_EQ(walked, i + 1);
        for (size_t k = 0; k <= i; ++k) {
            ASSERT_EQ(d.find(key_of(k)), entries[k]) << "after inserting " << i << ", key " << k;
        }
        ASSERT_EQ(d.find(key_of(i + 1)), nullptr);
    }
    EXPECT_TRUE(saw_rehash);
    EXPECT_GE(max_buckets, 1500u);
}

TEST(Dict, SingleRehashStepsKeepEveryKeyFindable) {
    Dict d;
    size_t n = 0;
    // Fill until a growth starts with plenty of buckets still to move.
    while (!(d.rehashing() && d.size() > 500)) d.insert(make_entry(key_of(n++)));
    const size_t total = d.size();
    int steps = 0;
    while (d.rehashing()) {
        ASSERT_EQ(contents(d).size(), total) << "after " << steps << " steps";
        d.rehash_steps(1);
        ++steps;
        ASSERT_LT(steps, 1000000);
    }
    EXPECT_GT(steps, 1);
    auto all = contents(d);
    ASSERT_EQ(all.size(), total);
    for (size_t k = 0; k < n; ++k) ASSERT_NE(d.find(key_of(k)), nullptr) << k;
    // Power-of-two table with at least one bucket per key.
    const size_t b = d.buckets();
    EXPECT_EQ(b & (b - 1), 0u);
    EXPECT_GE(b, total);
}

TEST(Dict, InsertAndUnlinkDuringRehash) {
    Dict d;
    size_t n = 0;
    while (!(d.rehashing() && d.size() > 500)) d.insert(make_entry(key_of(n++)));
    std::set<size_t> present;
    for (size_t i = 0; i < n; ++i) present.insert(i);
    // Unlink every third key and add new ones while the table is being moved.
    for (size_t i = 0; i < n; i += 3) {
        Entry* e = d.unlink(key_of(i));
        ASSERT_NE(e, nullptr) << i;
        EXPECT_EQ(e->key(), key_of(i));
        Entry::destroy(e);
        present.erase(i);
        d.insert(make_entry(key_of(n + i)));
        present.insert(n + i);
    }
    EXPECT_EQ(d.size(), present.size());
    auto all = contents(d);
    ASSERT_EQ(all.size(), present.size());
    for (size_t i : present) ASSERT_NE(d.find(key_of(i)), nullptr) << i;
    for (size_t i = 0; i < n; i += 3) ASSERT_EQ(d.find(key_of(i)), nullptr) << i;
}

TEST(Dict, RandomOperationsMatchModel) {
    std::mt19937_64 rng(42);
    Dict d;
    std::unordered_map<std::string, Entry*> model;
    for (int op = 0; op < 60000; ++op) {
        const std::string k = key_of(rng() % 3000);
        switch (rng() % 8) {
            case 0:
            case 1:
            case 2: {
                auto it = model.find(k);
                if (it == model.end()) {
                    Entry* e = make_entry(k);
                    d.insert(e);
                    model.emplace(k, e);
                }
                break;
            }
            case 3:
            case 4: {
                Entry* e = d.unlink(k);
                auto it = model.find(k);
                if (it == model.end()) {
                    ASSERT_EQ(e, nullptr);
                } else {
                    ASSERT_EQ(e, it->second);
                    Entry::destroy(e);
                    model.erase(it);
                }
                break;
            }
            case 5:
                d.rehash_steps(static_cast<int>(rng() % 4));
                break;
            case 6:
                d.maybe_shrink();
                break;
            default: {
                auto it = model.find(k);
                ASSERT_EQ(d.find(k), it == model.end() ? nullptr : it->second);
                break;
            }
        }
        ASSERT_EQ(d.size(), model.size());
        if (op % 5000 == 0) {
            auto all = contents(d);
            ASSERT_EQ(all.size(), model.size());
            for (auto& [key, e] : model) ASSERT_EQ(all[key], e);
        }
    }
}

TEST(Dict, ShrinkWhenUnderTenPercentFull) {
    Dict d;
    for (size_t i = 0; i < 1000; ++i) d.insert(make_entry(key_of(i)));
    finish_rehash(d);
    const size_t big = d.buckets();
    ASSERT_GE(big, 1000u);
    // Still 10% or more full: no shrink.
    const size_t keep = (big + 9) / 10;
    for (size_t i = 0; i < 1000 - keep; ++i) Entry::destroy(d.unlink(key_of(i)));
    finish_rehash(d);
    d.maybe_shrink();
    EXPECT_FALSE(d.rehashing());
    EXPECT_EQ(d.buckets(), big);
    // Under 10%: shrink, incrementally, keeping the survivors findable.
    for (size_t i = 1000 - keep; i < 995; ++i) Entry::destroy(d.unlink(key_of(i)));
    d.maybe_shrink();
    EXPECT_TRUE(d.rehashing());
    int steps = 0;
    while (d.rehashing()) {
        ASSERT_EQ(contents(d).size(), 5u);
        d.rehash_steps(1);
        ASSERT_LT(++steps, 1000000);
    }
    EXPECT_LE(d.buckets(), 16u);
    EXPECT_GE(d.buckets(), 4u);
    for (size_t i = 995; i < 1000; ++i) EXPECT_NE(d.find(key_of(i)), nullptr) << i;

    // Shrinking an emptied table, then refilling it.
    for (size_t i = 995; i < 1000; ++i) Entry::destroy(d.unlink(key_of(i)));
    d.maybe_shrink();
    finish_rehash(d);
    EXPECT_EQ(d.size(), 0u);
    for (size_t i = 0; i < 100; ++i) d.insert(make_entry(key_of(i)));
    for (size_t i = 0; i < 100; ++i) EXPECT_NE(d.find(key_of(i)), nullptr) << i;
}

TEST(Dict, ResizeAvoidedWhileNotAllowed) {
    Dict d;
    d.set_resize_allowed(false);
    d.insert(make_entry(key_of(0)));
    const size_t initial = d.buckets();
    ASSERT_GT(initial, 0u);
    // Up to 5 entries per bucket the table keeps its size.
    for (size_t i = 1; i < initial * 5; ++i) d.insert(make_entry(key_of(i)));
    EXPECT_EQ(d.buckets(), initial);
    EXPECT_FALSE(d.rehashing());
    // Badly overloaded: it grows anyway.
    for (size_t i = initial * 5; i < initial * 8; ++i) d.insert(make_entry(key_of(i)));
    EXPECT_GT(d.buckets(), initial);
    for (size_t i = 0; i < initial * 8; ++i) EXPECT_NE(d.find(key_of(i)), nullptr) << i;

    // No shrinking while not allowed.
    finish_rehash(d);
    const size_t grown = d.buckets();
    for (size_t i = 1; i < initial * 8; ++i) Entry::destroy(d.unlink(key_of(i)));
    d.maybe_shrink();
    EXPECT_FALSE(d.rehashing());
    EXPECT_EQ(d.buckets(), grown);
    d.set_resize_allowed(true);
    d.maybe_shrink();
    finish_rehash(d);
    EXPECT_LT(d.buckets(), grown);
    EXPECT_NE(d.find(key_of(0)), nullptr);
}

// ---------------------------------------------------------------------------------------------
// SCAN

// Runs a full scan, returning how many times each key was reported.
std::map<std::string, int> full_scan(Dict& d, size_t* calls = nullptr) {
    std::map<std::string, int> seen;
    uint64_t cursor = 0;
    size_t n = 0;
    do {
        cursor = d.scan(cursor, [&](Entry* e) { ++seen[std::string(e->key())]; });
        ++n;
        if (n > 10000000) {
            ADD_FAILURE() << "scan does not terminate";
            break;
        }
    } while (cursor != 0);
    if (calls) *calls = n;
    return seen;
}

TEST(DictScan, StableTableReturnsEveryKeyExactlyOnce) {
    for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1000, 4097}) {
        Dict d;
        for (size_t i = 0; i < n; ++i) d.insert(make_entry(key_of(i)));
        finish_rehash(d);
        size_t calls = 0;
        auto seen = full_scan(d, &calls);
        ASSERT_EQ(seen.size(), n);
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(seen[key_of(i)], 1) << "n=" << n << " i=" << i;
        // One call per bucket at most.
        EXPECT_LE(calls, d.buckets());
    }
}

TEST(DictScan, ScanStartedDuringRehashSeesEveryKey) {
    for (size_t target : {10, 100, 1000, 3000}) {
        Dict d;
        size_t n = 0;
        while (!(d.rehashing() && d.size() >= target)) d.insert(make_entry(key_of(n++)));
        auto seen = full_scan(d);
        for (size_t i = 0; i < n; ++i) ASSERT_GE(seen[key_of(i)], 1) << target << " " << i;
        EXPECT_EQ(seen.size(), n);
    }
}

enum class ScanMode { Grow, Shrink, Mixed };

// How many scan calls are followed by changes to the table; later calls only scan.
constexpr size_t kChangingCalls = 64;

struct ScanStats {
    int scans = 0;
    int scans_across_growth = 0;
    int scans_across_shrink = 0;
};

// A full scan while the table changes between calls. Stable keys stay for the whole scan and must
// each be reported at least once; volatile keys come and go; nothing that is absent at the time
// of a call may be reported.
void scan_under_changes(size_t n_stable, size_t n_volatile, uint64_t seed, ScanMode mode,
                        ScanStats& stats) {
    std::mt19937_64 rng(seed);
    Dict d;
    std::unordered_set<std::string> present;
    std::vector<std::string> volatile_keys;
    size_t next_id = 0;
    auto add = [&](bool is_volatile) {
        std::string k = (is_volatile ? "v:" : "s:") + std::to_string(next_id++);
        d.insert(make_entry(k));
        present.insert(k);
        if (is_volatile) volatile_keys.push_back(k);
    };
    auto drop_volatile = [&]() {
        if (volatile_keys.empty()) return;
        size_t i = static_cast<size_t>(rng() % volatile_keys.size());
        std::swap(volatile_keys[i], volatile_keys.back());
        Entry* e = d.unlink(volatile_keys.back());
        ASSERT_NE(e, nullptr);
        Entry::destroy(e);
        present.erase(volatile_keys.back());
        volatile_keys.pop_back();
    };
    for (size_t i = 0; i < n_stable; ++i) add(false);
    for (size_t i = 0; i < n_volatile; ++i) add(true);
    // Start from a random point of the rehash.
    d.rehash_steps(static_cast<int>(rng() % 8));
    std::vector<std::string> stable;
    for (const auto& k : present)
        if (k[0] == 's') stable.push_back(k);

    std::unordered_set<std::string> seen;
    const size_t start_buckets = d.buckets();
    size_t min_table = SIZE_MAX, max_table = 0;
    uint64_t cursor = 0;
    size_t calls = 0;
    do {
        cursor = d.scan(cursor, [&](Entry* e) {
            std::string k(e->key());
            EXPECT_TRUE(present.count(k)) << "scan reported an absent key " << k;
            seen.insert(std::move(k));
        });
        ASSERT_LT(++calls, 1000000u) << "scan does not terminate";
        // Change the table between calls, for a bounded number of calls: a table that keeps
        // growing faster than the cursor advances would never let the scan finish.
        const size_t actions = calls <= kChangingCalls ? rng() % 4 : 0;
        for (size_t a = 0; a < actions; ++a) {
            size_t r = rng() % 10;
            if (mode == ScanMode::Grow) {
                if (r < 6) {
                    size_t k = 1 + rng() % (n_stable / 4 + 2);
                    for (size_t j = 0; j < k; ++j) add(true);
                } else if (r < 9) {
                    d.rehash_steps(static_cast<int>(rng() % 3));
                } else {
                    drop_volatile();
                }
            } else if (mode == ScanMode::Shrink) {
                if (r < 5) {
                    size_t k = 1 + volatile_keys.size() / 8;
                    for (size_t j = 0; j < k; ++j) drop_volatile();
                } else if (r < 8) {
                    d.maybe_shrink();
                } else {
                    d.rehash_steps(static_cast<int>(rng() % 3));
                }
            } else {
                if (r < 3) {
                    size_t k = 1 + rng() % (n_stable / 2 + 2);
                    for (size_t j = 0; j < k; ++j) add(true);
                } else if (r < 6) {
                    size_t k = 1 + rng() % (volatile_keys.size() / 2 + 1);
                    for (size_t j = 0; j < k; ++j) drop_volatile();
                } else if (r < 8) {
                    d.maybe_shrink();
                } else if (r < 9) {
                    d.rehash_steps(static_cast<int>(rng() % 5));
                } else {
                    (void)d.find(stable[rng() % stable.size()]);  // also moves a bucket
                }
            }
        }
        if (!d.rehashing()) {
            min_table = std::min(min_table, d.buckets());
            max_table = std::max(max_table, d.buckets());
        }
    } while (cursor != 0);

    for (const auto& k : stable) {
        ASSERT_TRUE(seen.count(k))
            << "stable key " << k << " missed; stable=" << n_stable << " volatile=" << n_volatile
            << " seed=" << seed << " mode=" << static_cast<int>(mode);
    }
    ++stats.scans;
    if (max_table != 0 && max_table > start_buckets) ++stats.scans_across_growth;
    if (min_table != SIZE_MAX && min_table < start_buckets) ++stats.scans_across_shrink;
    // Destroy the dict's entries before `present` goes (the Dict destructor does it).
}

TEST(DictScan, EveryStableKeyReturnedWhileTheTableGrows) {
    ScanStats stats;
    for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257, 1000}) {
        for (uint64_t seed = 0; seed < 8; ++seed) {
            scan_under_changes(n, 0, seed * 7919 + n, ScanMode::Grow, stats);
            if (HasFatalFailure()) return;
        }
    }
    // The scenario must actually resize under the scan.
    EXPECT_GT(stats.scans_across_growth, stats.scans / 2);
}

TEST(DictScan, EveryStableKeyReturnedWhileTheTableShrinks) {
    ScanStats stats;
    for (size_t n : {1, 2, 3, 5, 8, 13, 21, 34, 55, 100}) {
        for (size_t vol : {100, 500, 2000}) {
            for (uint64_t seed = 0; seed < 4; ++seed) {
                scan_under_changes(n, vol, seed * 104729 + n + vol, ScanMode::Shrink, stats);
                if (HasFatalFailure()) return;
            }
        }
    }
    EXPECT_GT(stats.scans_across_shrink, stats.scans / 2);
}

TEST(DictScan, EveryStableKeyReturnedUnderRandomInterleavings) {
    ScanStats stats;
    for (size_t n : {1, 2, 3, 6, 11, 50, 200, 700}) {
        for (size_t vol : {0, 10, 300}) {
            for (uint64_t seed = 0; seed < 6; ++seed) {
                scan_under_changes(n, vol, seed * 15485863 + n * 31 + vol, ScanMode::Mixed, stats);
                if (HasFatalFailure()) return;
            }
        }
    }
    EXPECT_GT(stats.scans_across_growth, 0);
    EXPECT_GT(stats.scans_across_shrink, 0);
}

TEST(DictScan, GuaranteeHoldsForOtherHashSeeds) {
    HashSeedGuard guard;
    ScanStats stats;
    for (uint64_t hs : {1ull, 0xdeadbeefull, 0x0123456789abcdefull}) {
        set_hash_seed(hs);
        for (size_t n : {3, 40, 300}) {
            scan_under_changes(n, n * 4, hs ^ n, ScanMode::Mixed, stats);
            if (HasFatalFailure()) return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// random()

TEST(DictRandom, SingleEntry) {
    Dict d;
    Entry* e = make_entry("only");
    d.insert(e);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(d.random(rng), e);
}

TEST(DictRandom, ReturnsOnlyPresentEntriesAndHitsEveryEntry) {
    for (size_t n : {2, 3, 5, 8, 13}) {
        Dict d;
        std::set<Entry*> live;
        for (size_t i = 0; i < n; ++i) {
            Entry* e = make_entry(key_of(i));
            d.insert(e);
            live.insert(e);
        }
        std::mt19937_64 rng(n);
        std::map<Entry*, int> hits;
        for (int i = 0; i < 20000; ++i) {
            Entry* e = d.random(rng);
            ASSERT_TRUE(live.count(e)) << "random() returned a non-member";
            ++hits[e];
        }
        EXPECT_EQ(hits.size(), n);
        // Each one is drawn reasonably often (uniform would be 20000/n).
        for (auto& [e, c] : hits) EXPECT_GT(c, 20000 / static_cast<int>(n) / 10) << e->key();
    }
}

TEST(DictRandom, DuringRehashAndOnSparseTables) {
    Dict d;
    std::map<std::string, Entry*> live;
    size_t n = 0;
    while (!(d.rehashing() && d.size() > 1000)) {
        Entry* e = make_entry(key_of(n));
        d.insert(e);
        live.emplace(key_of(n), e);
        ++n;
    }
    std::mt19937_64 rng(99);
    std::set<Entry*> live_set;
    for (auto& [k, e] : live) live_set.insert(e);
    // While rehashing (each call moves a bucket).
    for (int i = 0; i < 2000; ++i) {
        Entry* e = d.random(rng);
        ASSERT_TRUE(live_set.count(e));
    }
    // Make the table sparse: keep 5 entries and check draws cover exactly them.
    std::vector<std::string> keep;
    for (auto& [k, e] : live) {
        if (keep.size() < 5) {
            keep.push_back(k);
            continue;
        }
        Entry* gone = d.unlink(k);
        ASSERT_EQ(gone, e);
        Entry::destroy(gone);
        live_set.erase(e);
    }
    std::set<Entry*> hit;
    for (int i = 0; i < 5000; ++i) {
        Entry* e = d.random(rng);
        ASSERT_TRUE(live_set.count(e));
        hit.insert(e);
    }
    EXPECT_EQ(hit, live_set);
}

}  // namespace
}  // namespace snapstream
