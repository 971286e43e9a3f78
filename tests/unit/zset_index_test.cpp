// Unit tests for node/zset_index (ZIndex): randomized operations checked against a std::set model
// (ranks, at, bounds, cursors, erase_rank_range, update), with the invariants verified after
// every change; ties on score, -0.0 vs 0.0 and infinities included.
#include "node/zset_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace snapstream {
namespace {

struct ModelLess {
    bool operator()(const std::pair<double, std::string>& a,
                    const std::pair<double, std::string>& b) const {
        if (a.first < b.first) return true;
        if (a.first > b.first) return false;
        return ZIndex::compare_members(a.second, b.second) < 0;
    }
};
using Model = std::set<std::pair<double, std::string>, ModelLess>;

// Owns the entries (member -> Entry*) and keeps index and model in step.
class Harness {
  public:
    ~Harness() {
        idx.clear();
        for (auto& [m, e] : entries) Entry::destroy(e);
    }

    const Entry* entry(const std::string& m) {
        auto it = entries.find(m);
        if (it != entries.end()) return it->second;
        Entry* e = Entry::create(m, Value());
        entries.emplace(m, e);
        return e;
    }

    bool contains(const std::string& m) const { return scores.count(m) != 0; }

    void insert(double s, const std::string& m) {
        idx.insert(s, entry(m));
        model.emplace(s, m);
        scores[m] = s;
    }
    // By value: callers pass references into `model`, whose node the erase frees.
    void erase(const std::string m) {
        const double s = scores.at(m);
        ASSERT_TRUE(idx.erase(s, entry(m)));
        model.erase({s, m});
        scores.erase(m);
    }
    void update(const std::string& m, double ns) {
        const double s = scores.at(m);
        idx.update(s, entry(m), ns);
        model.erase({s, m});
        model.emplace(ns, m);
        scores[m] = ns;
    }

    void check() {
        std::string why;
        ASSERT_TRUE(idx.check_invariants(&why)) << why;
        ASSERT_EQ(idx.size(), model.size());
    }

    // Full comparison (ranks, at, cursor walks both ways).
    void check_full() {
        check();
        size_t r = 0;
        ZIndex::Cursor c = idx.begin();
        for (const auto& [s, m] : model) {
            ASSERT_TRUE(c.valid());
            ZIndex::Item it = c.get();
            ASSERT_EQ(it.member(), m);
            ASSERT_EQ(std::signbit(it.score), std::signbit(s));
            ASSERT_EQ(it.score, s);
            ASSERT_EQ(idx.rank(s, entry(m)), r);
            ASSERT_EQ(idx.at(r).member(), m);
            c.next();
            ++r;
        }
        ASSERT_FALSE(c.valid());
        if (!model.empty()) {
            ZIndex::Cursor b = idx.at_rank(model.size() - 1);
            for (auto it = model.rbegin(); it != model.rend(); ++it) {
                ASSERT_TRUE(b.valid());
                ASSERT_EQ(b.get().member(), it->second);
                b.prev();
            }
            ASSERT_FALSE(b.valid());
        }
        ASSERT_FALSE(idx.at_rank(model.size()).valid());
    }

    // Score bounds against the model.
    void check_bounds(double v) {
        size_t ge = 0, gt = 0, le = 0, lt = 0;
        for (const auto& [s, m] : model) {
            if (s < v) ++ge;
            if (s <= v) ++gt;
            if (s <= v) ++le;
            if (s < v) ++lt;
        }
        ASSERT_EQ(idx.lower_bound_score(v, false), ge) << v;
        ASSERT_EQ(idx.lower_bound_score(v, true), gt) << v;
        ASSERT_EQ(idx.upper_bound_score(v, false), le) << v;
        ASSERT_EQ(idx.upper_bound_score(v, true), lt) << v;
    }

    ZIndex idx;
    Model model;
    std::map<std::string, double> scores;
    std::map<std::string, Entry*> entries;
};

const double kInf = std::numeric_limits<double>::infinity();

double random_score(std::mt19937_64& rng) {
    switch (rng() % 10) {
        case 0:
            return kInf;
        case 1:
            return -kInf;
        case 2:
            return -0.0;
        case 3:
            return 0.0;
        case 4:
            return static_cast<double>(rng() % 5);  // many ties
        case 5:
            return std::ldexp(static_cast<double>(rng() % 1000) - 500, -(int)(rng() % 8));
        default:
            return static_cast<double>(rng() % 200) - 100;
    }
}

std::string random_member(std::mt19937_64& rng, size_t universe) {
    const size_t i = rng() % universe;
    std::string m = "m" + std::to_string(i);
    if (i % 7 == 0) m.push_back('\0');
    if (i % 11 == 0) m = m.substr(0, 1 + i % 3);  // prefixes of each other
    return m;
}

TEST(ZIndex, EmptyIndex) {
    ZIndex z;
    std::string why;
    EXPECT_TRUE(z.check_invariants(&why)) << why;
    EXPECT_EQ(z.size(), 0u);
    EXPECT_FALSE(z.begin().valid());
    EXPECT_EQ(z.lower_bound_score(0, false), 0u);
    EXPECT_EQ(z.upper_bound_score(0, false), 0u);
    EXPECT_EQ(z.lower_bound_lex("a", false, false), 0u);
    EXPECT_EQ(z.upper_bound_lex("a", false, true), 0u);
    EXPECT_EQ(z.memory_bytes(), 0u);
    EXPECT_EQ(z.erase_rank_range(0, 10, [](const ZIndex::Item&) { FAIL(); }), 0u);
}

TEST(ZIndex, TiesOrderByMemberBytes) {
    Harness h;
    h.insert(1, "b");
    h.insert(1, "a");
    h.insert(1, "ab");
    h.insert(1, std::string("a\0", 2));
    h.insert(0.0, "z");
    h.insert(-0.0, "y");
    h.insert(-kInf, "zz");
    h.insert(kInf, "aa");
    h.check_full();
    EXPECT_EQ(h.idx.at(0).member(), "zz");
    EXPECT_EQ(h.idx.at(1).member(), "y");
    EXPECT_EQ(h.idx.at(2).member(), "z");
    EXPECT_EQ(h.idx.at(3).member(), "a");
    EXPECT_EQ(h.idx.at(4).member(), std::string("a\0", 2));
    EXPECT_EQ(h.idx.at(5).member(), "ab");
    EXPECT_EQ(h.idx.at(6).member(), "b");
    EXPECT_EQ(h.idx.at(7).member(), "aa");
    // -0.0 and 0.0 are the same score for the bounds.
    EXPECT_EQ(h.idx.lower_bound_score(-0.0, false), 1u);
    EXPECT_EQ(h.idx.upper_bound_score(0.0, false), 3u);
    EXPECT_EQ(h.idx.lower_bound_score(-kInf, false), 0u);
    EXPECT_EQ(h.idx.lower_bound_score(-kInf, true), 1u);
    EXPECT_EQ(h.idx.upper_bound_score(kInf, true), 7u);
    // -0.0 -> 0.0 keeps the position; the score bits change.
    h.update("y", 0.0);
    h.check_full();
    EXPECT_FALSE(std::signbit(h.idx.at(1).score));
}

TEST(ZIndex, LexBoundsOnEqualScores) {
    Harness h;
    std::mt19937_64 rng(7);
    std::vector<std::string> ms;
    for (int i = 0; i < 3000; ++i) {
        std::string m = random_member(rng, 5000);
        if (h.contains(m)) continue;
        h.insert(0, m);
    }
    h.check_full();
    std::vector<std::string> sorted;
    for (auto& [s, m] : h.model) sorted.push_back(m);
    for (int i = 0; i < 500; ++i) {
        std::string v = random_member(rng, 6000);
        if (i % 5 == 0) v.pop_back();
        size_t ge = 0, gt = 0;
        for (auto& m : sorted) {
            if (ZIndex::compare_members(m, v) < 0) ++ge;
            if (ZIndex::compare_members(m, v) <= 0) ++gt;
        }
        EXPECT_EQ(h.idx.lower_bound_lex(v, false, false), ge);
        EXPECT_EQ(h.idx.lower_bound_lex(v, true, false), gt);
        EXPECT_EQ(h.idx.upper_bound_lex(v, false, false), gt);
        EXPECT_EQ(h.idx.upper_bound_lex(v, true, false), ge);
    }
    EXPECT_EQ(h.idx.lower_bound_lex("x", false, true), 0u);
    EXPECT_EQ(h.idx.upper_bound_lex("", false, true), h.idx.size());
}

// The main randomized test: mixed operations on a growing and shrinking index.
void random_ops(uint64_t seed, size_t universe, int ops, int full_every, size_t& peak) {
    peak = 0;
    Harness h;
    std::mt19937_64 rng(seed);
    for (int i = 0; i < ops; ++i) {
        const unsigned op = rng() % 100;
        // Phases: grow for a while, then shrink, so that merges and borrows happen.
        const bool shrinking = (i / std::max(ops / 3, 1)) % 3 == 2;
        peak = std::max(peak, h.model.size());
        if (op < (shrinking ? 25u : 60u)) {
            std::string m = random_member(rng, universe);
            const double s = random_score(rng);
            if (h.contains(m))
                h.update(m, s);
            else
                h.insert(s, m);
        } else if (op < (shrinking ? 70u : 72u)) {
            if (h.model.empty()) continue;
            const size_t r = rng() % h.model.size();
            const std::string m = std::next(h.model.begin(), static_cast<long>(r))->second;
            h.erase(m);
            // Erasing an absent item reports false.
            EXPECT_FALSE(h.idx.erase(0.5, h.entry(m)));
        } else if (op < (shrinking ? 80u : 74u)) {
            if (h.model.empty()) continue;
            const size_t start = rng() % (h.model.size() + 3);
            const size_t count = (rng() % 8 == 0) ? rng() % 300 : rng() % 8;
            std::vector<std::string> expect;
            auto it = h.model.begin();
            if (start < h.model.size()) {
                std::advance(it, static_cast<long>(start));
                for (size_t k = 0; k < count && it != h.model.end(); ++k, ++it)
                    expect.push_back(it->second);
            }
            std::vector<std::string> got;
            const size_t n = h.idx.erase_rank_range(
                start, count, [&](const ZIndex::Item& item) { got.emplace_back(item.member()); });
            ASSERT_EQ(n, expect.size());
            ASSERT_EQ(got, expect);
            for (auto& m : got) {
                h.model.erase({h.scores.at(m), m});
                h.scores.erase(m);
            }
        } else if (op < 85) {
            // update that keeps the position (same score or a -0.0 <-> 0.0 flip)
            if (h.model.empty()) continue;
            const size_t r = rng() % h.model.size();
            auto it = std::next(h.model.begin(), static_cast<long>(r));
            const std::string m = it->second;
            double s = it->first;
            if (s == 0) s = std::signbit(s) ? 0.0 : -0.0;
            h.update(m, s);
        } else if (op < 95) {
            h.check_bounds(random_score(rng));
        } else {
            if (h.model.empty()) continue;
            const size_t r = rng() % h.model.size();
            auto it = std::next(h.model.begin(), static_cast<long>(r));
            ZIndex::Item item = h.idx.at(r);
            ASSERT_EQ(item.member(), it->second);
            ASSERT_EQ(h.idx.rank(it->first, h.entry(it->second)), r);
            // a short cursor walk from r
            ZIndex::Cursor c = h.idx.at_rank(r);
            for (int k = 0; k < 70 && it != h.model.end(); ++k, ++it) {
                ASSERT_TRUE(c.valid());
                ASSERT_EQ(c.get().member(), it->second);
                c.next();
            }
        }
        h.check();
        if (::testing::Test::HasFatalFailure()) return;
        if (full_every > 0 && i % full_every == 0) {
            h.check_full();
            if (::testing::Test::HasFatalFailure()) return;
        }
    }
    h.check_full();
    // Drain completely: every node is freed.
    h.idx.erase_rank_range(0, h.idx.size(), [](const ZIndex::Item&) {});
    std::string why;
    EXPECT_TRUE(h.idx.check_invariants(&why)) << why;
    EXPECT_EQ(h.idx.size(), 0u);
    EXPECT_EQ(h.idx.memory_bytes(), 0u);
    h.model.clear();
    h.scores.clear();
    return;
}

TEST(ZIndex, RandomSmall) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        size_t peak = 0;
        random_ops(seed, 150, 3000, 50, peak);
        EXPECT_GT(peak, 40u);
        if (HasFatalFailure()) return;
    }
}

TEST(ZIndex, RandomLarge) {
    for (uint64_t seed = 100; seed <= 102; ++seed) {
        size_t peak = 0;
        random_ops(seed, 20000, 30000, 3000, peak);
        EXPECT_GT(peak, 1000u);
        if (HasFatalFailure()) return;
    }
}

TEST(ZIndex, SequentialAppendAndRangeErase) {
    Harness h;
    for (int i = 0; i < 20000; ++i) h.insert(i, "m" + std::to_string(i));
    h.check_full();
    // Appending in order keeps leaves nearly full.
    EXPECT_LT(h.idx.leaf_count(), 20000 / 50);
    EXPECT_GE(h.idx.height(), 2u);
    size_t removed = h.idx.erase_rank_range(5000, 10000, [](const ZIndex::Item&) {});
    EXPECT_EQ(removed, 10000u);
    auto it = h.model.begin();
    std::advance(it, 5000);
    for (int i = 0; i < 10000; ++i) {
        h.scores.erase(it->second);
        it = h.model.erase(it);
    }
    h.check_full();
    // Descending inserts and removals from the front.
    for (int i = 0; i < 5000; ++i) h.insert(-1 - i, "n" + std::to_string(i));
    h.check_full();
    for (int i = 0; i < 7000; ++i) h.erase(h.model.begin()->second);
    h.check_full();
    // Everything equal-scored: lex order only.
    Harness e;
    for (int i = 0; i < 4000; ++i) e.insert(1.5, "k" + std::to_string((i * 7919) % 4000));
    e.check_full();
}

TEST(ZIndex, MoveAndSwap) {
    Harness h;
    for (int i = 0; i < 500; ++i) h.insert(i % 17, "m" + std::to_string(i));
    ZIndex other(std::move(h.idx));
    EXPECT_EQ(h.idx.size(), 0u);
    EXPECT_EQ(other.size(), 500u);
    std::string why;
    EXPECT_TRUE(other.check_invariants(&why)) << why;
    h.idx.swap(other);
    h.check_full();
}

}  // namespace
}  // namespace snapstream
