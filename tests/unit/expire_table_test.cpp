// Unit tests for node/expire_table: an open-addressing map from Entry* to expiry time with
// backward-shift deletion and a rotating sampler.
//
// The table only hashes and compares Entry pointers, never dereferences them, so most tests use
// addresses inside a plain byte pool as keys. That allows choosing pointers by where they land in
// the table (to build long probe runs that wrap around its end).
#include "node/expire_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

namespace snapstream {
namespace {

constexpr size_t kPoolEntries = 1 << 16;
alignas(64) std::byte g_pool[kPoolEntries * sizeof(Entry)];

Entry* fake(size_t i) {
    return reinterpret_cast<Entry*>(&g_pool[i * sizeof(Entry)]);
}

// The table's own slot choice (a copy of ExpireTable::hash_ptr), used only to pick pointers that
// collide; the tests hold whatever the hash is, they would just be less pointed.
size_t home_of(const Entry* e, size_t cap) {
    uint64_t x = reinterpret_cast<uintptr_t>(e);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return static_cast<size_t>(x) & (cap - 1);
}

// Full check of the table against a model.
void expect_matches(const ExpireTable& t, const std::unordered_map<const Entry*, int64_t>& model) {
    ASSERT_EQ(t.size(), model.size());
    std::map<const Entry*, int64_t> listed;
    t.for_each([&](Entry* e, int64_t when) {
        EXPECT_TRUE(listed.emplace(e, when).second) << "entry listed twice";
    });
    ASSERT_EQ(listed.size(), model.size());
    for (const auto& [e, when] : model) {
        ASSERT_EQ(t.get(e), when);
        ASSERT_EQ(listed[e], when);
    }
}

TEST(ExpireTable, Empty) {
    ExpireTable t;
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.get(fake(1)), -1);
    EXPECT_FALSE(t.erase(fake(1)));
    int calls = 0;
    EXPECT_EQ(t.sample(10,
                       [&](Entry*, int64_t) {
                           ++calls;
                           return false;
                       }),
              0u);
    EXPECT_EQ(calls, 0);
    t.for_each([&](Entry*, int64_t) { ++calls; });
    EXPECT_EQ(calls, 0);
}

TEST(ExpireTable, SetGetOverwriteErase) {
    ExpireTable t;
    t.set(fake(1), 1000);
    t.set(fake(2), 0);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.get(fake(1)), 1000);
    EXPECT_EQ(t.get(fake(2)), 0);
    EXPECT_EQ(t.get(fake(3)), -1);
    t.set(fake(1), 5000);  // overwrite: no new slot
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.get(fake(1)), 5000);
    EXPECT_TRUE(t.erase(fake(1)));
    EXPECT_FALSE(t.erase(fake(1)));
    EXPECT_EQ(t.get(fake(1)), -1);
    EXPECT_EQ(t.get(fake(2)), 0);
    EXPECT_EQ(t.size(), 1u);
    t.set(fake(1), 7);
    EXPECT_EQ(t.get(fake(1)), 7);
    // Far-future and large times are kept exactly.
    t.set(fake(4), INT64_MAX);
    EXPECT_EQ(t.get(fake(4)), INT64_MAX);
}

TEST(ExpireTable, WorksWithRealEntries) {
    ExpireTable t;
    std::vector<Entry*> entries;
    for (int i = 0; i < 100; ++i) {
        entries.push_back(Entry::create("k" + std::to_string(i), Value::integer(i)));
        t.set(entries.back(), 1000 + i);
    }
    for (int i = 0; i < 100; ++i) EXPECT_EQ(t.get(entries[static_cast<size_t>(i)]), 1000 + i);
    for (Entry* e : entries) {
        EXPECT_TRUE(t.erase(e));
        Entry::destroy(e);
    }
    EXPECT_EQ(t.size(), 0u);
}

TEST(ExpireTable, ClearAndReuse) {
    ExpireTable t;
    for (size_t i = 0; i < 1000; ++i) t.set(fake(i), static_cast<int64_t>(i));
    t.clear();
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.get(fake(5)), -1);
    EXPECT_FALSE(t.erase(fake(5)));
    t.set(fake(5), 55);
    EXPECT_EQ(t.get(fake(5)), 55);
    EXPECT_EQ(t.size(), 1u);
}

TEST(ExpireTable, RandomOperationsMatchUnorderedMap) {
    for (size_t universe : {20, 300, 5000}) {
        std::mt19937_64 rng(1234 + universe);
        ExpireTable t;
        std::unordered_map<const Entry*, int64_t> model;
        for (int op = 0; op < 60000; ++op) {
            Entry* e = fake(rng() % universe);
            const int r = static_cast<int>(rng() % 10);
            // Phases of growth and of mass deletion, so the table grows and shrinks repeatedly.
            const bool deleting_phase = (op / 5000) % 2 == 1;
            if (r < (deleting_phase ? 2 : 5)) {
                int64_t when = static_cast<int64_t>(rng() % 1000000);
                t.set(e, when);
                model[e] = when;
            } else if (r < 8) {
                auto it = model.find(e);
                ASSERT_EQ(t.erase(e), it != model.end());
                if (it != model.end()) model.erase(it);
            } else {
                auto it = model.find(e);
                ASSERT_EQ(t.get(e), it == model.end() ? -1 : it->second);
            }
            ASSERT_EQ(t.size(), model.size());
            if (op % 997 == 0) {
                expect_matches(t, model);
                if (HasFatalFailure()) return;
            }
        }
        expect_matches(t, model);
    }
}

// Entries whose home slot in a 16-slot table (the first table size) lies in `homes`.
std::vector<Entry*> pick_by_home(const std::set<size_t>& homes, size_t count, size_t& next) {
    std::vector<Entry*> out;
    while (out.size() < count && next < kPoolEntries) {
        Entry* e = fake(next++);
        if (homes.count(home_of(e, 16))) out.push_back(e);
    }
    return out;
}

TEST(ExpireTable, BackwardShiftDeletionOnWrappingProbeRuns) {
    // Up to 12 entries stay in the first 16-slot table. Homes near the end of the table make
    // probe runs that wrap to slot 0; deleting from them in every order must keep every other
    // entry reachable (a wrong shift leaves an entry behind a hole, where lookups stop).
    std::mt19937_64 rng(77);
    size_t next = 0;
    const std::vector<std::set<size_t>> home_sets{
        {15}, {14, 15}, {13, 14, 15, 0}, {15, 0, 1}, {0}, {7, 8}, {12, 13, 14, 15, 0, 1, 2}};
    for (const auto& homes : home_sets) {
        std::vector<Entry*> cluster = pick_by_home(homes, 40, next);
        ASSERT_EQ(cluster.size(), 40u);
        for (int trial = 0; trial < 300; ++trial) {
            std::shuffle(cluster.begin(), cluster.end(), rng);
            const size_t n = 2 + rng() % 11;  // 2..12 entries
            ExpireTable t;
            std::unordered_map<const Entry*, int64_t> model;
            for (size_t i = 0; i < n; ++i) {
                int64_t when = static_cast<int64_t>(rng() % 1000);
                t.set(cluster[i], when);
                model[cluster[i]] = when;
            }
            expect_matches(t, model);
            std::vector<Entry*> order(cluster.begin(), cluster.begin() + static_cast<long>(n));
            std::shuffle(order.begin(), order.end(), rng);
            for (size_t i = 0; i < order.size(); ++i) {
                ASSERT_TRUE(t.erase(order[i]));
                model.erase(order[i]);
                ASSERT_EQ(t.get(order[i]), -1);
                expect_matches(t, model);
                if (HasFatalFailure()) return;
                // Sometimes put one back, landing in a shifted run.
                if (rng() % 3 == 0) {
                    t.set(order[i], 4242);
                    model[order[i]] = 4242;
                    expect_matches(t, model);
                    ASSERT_TRUE(t.erase(order[i]));
                    model.erase(order[i]);
                }
            }
            EXPECT_EQ(t.size(), 0u);
        }
    }
}

TEST(ExpireTable, MassDeletionShrinksAndKeepsSurvivors) {
    ExpireTable t;
    std::unordered_map<const Entry*, int64_t> model;
    for (size_t i = 0; i < 20000; ++i) {
        t.set(fake(i), static_cast<int64_t>(i) * 3);
        model[fake(i)] = static_cast<int64_t>(i) * 3;
    }
    for (size_t i = 0; i < 20000; ++i) {
        if (i % 97 == 0) continue;
        ASSERT_TRUE(t.erase(fake(i)));
        model.erase(fake(i));
        if (i % 1999 == 0) expect_matches(t, model);
    }
    expect_matches(t, model);
}

// ---------------------------------------------------------------------------------------------
// sample()

TEST(ExpireTableSample, VisitsEveryEntryOnceWithItsTime) {
    for (size_t n : {1, 5, 12, 13, 100, 1000}) {
        ExpireTable t;
        std::unordered_map<const Entry*, int64_t> model;
        for (size_t i = 0; i < n; ++i) {
            t.set(fake(i * 3), static_cast<int64_t>(i) + 10);
            model[fake(i * 3)] = static_cast<int64_t>(i) + 10;
        }
        std::map<const Entry*, int> visits;
        size_t examined = t.sample(SIZE_MAX, [&](Entry* e, int64_t when) {
            EXPECT_EQ(model.at(e), when);
            ++visits[e];
            return false;
        });
        EXPECT_EQ(examined, n);
        EXPECT_EQ(visits.size(), n);
        for (auto& [e, c] : visits) EXPECT_EQ(c, 1);
        expect_matches(t, model);
    }
}

TEST(ExpireTableSample, RotatingCursorCoversTheTable) {
    for (size_t n : {7, 50, 999}) {
        for (size_t batch : {1, 3, 20}) {
            ExpireTable t;
            for (size_t i = 0; i < n; ++i) t.set(fake(i), 1);
            std::map<const Entry*, int> visits;
            const size_t calls = (n + batch - 1) / batch;
            size_t total = 0;
            for (size_t c = 0; c < calls; ++c) {
                size_t got = t.sample(batch, [&](Entry* e, int64_t) {
                    ++visits[e];
                    return false;
                });
                EXPECT_EQ(got, std::min(batch, n));
                total += got;
            }
            // ceil(n / batch) consecutive samples see every entry; only the last may wrap.
            EXPECT_EQ(visits.size(), n) << "n=" << n << " batch=" << batch;
            for (auto& [e, c] : visits) EXPECT_LE(c, 2);
        }
    }
}

TEST(ExpireTableSample, ExaminesAtMostN) {
    ExpireTable t;
    for (size_t i = 0; i < 100; ++i) t.set(fake(i), 1);
    int calls = 0;
    EXPECT_EQ(t.sample(20,
                       [&](Entry*, int64_t) {
                           ++calls;
                           return false;
                       }),
              20u);
    EXPECT_EQ(calls, 20);
    EXPECT_EQ(t.sample(0,
                       [&](Entry*, int64_t) {
                           ++calls;
                           return false;
                       }),
              0u);
    EXPECT_EQ(calls, 20);
}

// Samples with a callback that erases the entries `doomed` selects, as the active expiry cycle
// does, until no doomed entry remains. Every callback must see a live entry with its own time.
void sample_and_erase(size_t n, size_t batch, uint64_t seed, bool erase_all) {
    std::mt19937_64 rng(seed);
    ExpireTable t;
    std::unordered_map<const Entry*, int64_t> model;
    std::set<const Entry*> doomed;
    for (size_t i = 0; i < n; ++i) {
        Entry* e = fake(rng() % kPoolEntries);
        if (model.count(e)) continue;
        int64_t when = static_cast<int64_t>(rng() % 1000);
        t.set(e, when);
        model[e] = when;
        if (erase_all || rng() % 2) doomed.insert(e);
    }
    std::set<const Entry*> erased;
    int rounds = 0;
    while (!doomed.empty()) {
        ASSERT_LT(++rounds, 100000) << "sampling does not make progress";
        t.sample(batch, [&](Entry* e, int64_t when) {
            EXPECT_FALSE(erased.count(e)) << "callback got an erased entry";
            auto it = model.find(e);
            EXPECT_NE(it, model.end()) << "callback got an unknown entry";
            if (it == model.end()) return false;
            EXPECT_EQ(it->second, when);
            if (!doomed.count(e)) return false;
            EXPECT_TRUE(t.erase(e));
            model.erase(it);
            doomed.erase(e);
            erased.insert(e);
            return true;
        });
        if (::testing::Test::HasFailure()) return;
    }
    // Survivors are intact.
    expect_matches(t, model);
    // Bounded work: each round examines up to `batch` entries and the cursor rotates.
    EXPECT_LE(static_cast<size_t>(rounds), 4 * (n / batch + 1) + 16) << n << " " << batch;
}

TEST(ExpireTableSample, ToleratesEraseInCallback) {
    for (size_t n : {1, 2, 13, 100, 1000, 5000}) {
        for (size_t batch : {1, 20, 1000}) {
            sample_and_erase(n, batch, n * 131 + batch, /*erase_all=*/true);
            if (::testing::Test::HasFailure()) return;
            sample_and_erase(n, batch, n * 137 + batch, /*erase_all=*/false);
            if (::testing::Test::HasFailure()) return;
        }
    }
}

TEST(ExpireTableSample, EraseInCallbackOnWrappingRuns) {
    // Entries clustered at the end of a 16-slot table: erasing one shifts a wrapped entry from
    // slot 0 back into the slot under the cursor, which must then be examined, not skipped.
    size_t next = 0;
    std::vector<Entry*> cluster = pick_by_home({14, 15}, 12, next);
    ASSERT_EQ(cluster.size(), 12u);
    for (size_t n = 1; n <= 12; ++n) {
        for (size_t rotate = 0; rotate <= n; ++rotate) {
            ExpireTable t;
            for (size_t i = 0; i < n; ++i) t.set(cluster[i], static_cast<int64_t>(i));
            // Start the erasing pass from every position of the run.
            t.sample(rotate, [](Entry*, int64_t) { return false; });
            std::set<const Entry*> seen;
            size_t examined = t.sample(SIZE_MAX, [&](Entry* e, int64_t when) {
                EXPECT_TRUE(seen.insert(e).second) << "entry examined twice";
                auto it = std::find(cluster.begin(), cluster.end(), e);
                EXPECT_EQ(when, it - cluster.begin());
                EXPECT_TRUE(t.erase(e));
                return true;
            });
            EXPECT_EQ(examined, n) << "n=" << n << " rotate=" << rotate;
            EXPECT_EQ(seen.size(), n);
            EXPECT_EQ(t.size(), 0u);
        }
    }
}

}  // namespace
}  // namespace snapstream
