// Unit tests for node/list_type (QuickList): node limits for both kinds of fill, cursors in both
// directions, and randomized operation sequences checked against a std::deque model with small
// node limits so that nodes split, merge and empty all the time.
#include "node/list_type.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace snapstream {
namespace {

std::string text(const QuickList& ql, const QuickList::Cursor& c) {
    char buf[Listpack::kIntBufSize];
    return std::string(ql.get_str(c, buf));
}

std::vector<std::string> forward(const QuickList& ql) {
    std::vector<std::string> out;
    for (auto c = ql.front(); c; ql.next(c)) out.push_back(text(ql, c));
    return out;
}

std::vector<std::string> backward(const QuickList& ql) {
    std::vector<std::string> out;
    for (auto c = ql.back(); c; ql.prev(c)) out.push_back(text(ql, c));
    return {out.rbegin(), out.rend()};
}

void expect_same(const QuickList& ql, const std::deque<std::string>& model, const char* where) {
    ASSERT_TRUE(ql.check()) << where;
    ASSERT_EQ(ql.size(), model.size()) << where;
    std::vector<std::string> m(model.begin(), model.end());
    ASSERT_EQ(forward(ql), m) << where;
    ASSERT_EQ(backward(ql), m) << where;
}

TEST(QuickList, FillIsClampedLikeRedis) {
    EXPECT_EQ(QuickList::clamp_fill(-2), -2);
    EXPECT_EQ(QuickList::clamp_fill(-100), -5);
    EXPECT_EQ(QuickList::clamp_fill(100000), 32767);
    EXPECT_EQ(QuickList::clamp_fill(7), 7);
}

TEST(QuickList, CountFillLimitsElementsPerNode) {
    QuickList ql(3);
    for (int i = 0; i < 10; ++i) ql.push_back(std::to_string(i));
    EXPECT_EQ(ql.node_count(), 4u);  // 3 + 3 + 3 + 1
    for (const auto* n = ql.head(); n; n = n->next) EXPECT_LE(n->count, 3u);
    for (int i = 0; i < 5; ++i) ql.push_front("x");
    EXPECT_EQ(ql.node_count(), 6u);
    EXPECT_TRUE(ql.check());
}

TEST(QuickList, CountFillNeverPasses8KiB) {
    QuickList ql(1000);
    const std::string big(1000, 'a');
    for (int i = 0; i < 20; ++i) ql.push_back(big);
    for (const auto* n = ql.head(); n; n = n->next) EXPECT_LE(n->bytes, 8192u + 1100u);
    EXPECT_GT(ql.node_count(), 2u);
}

TEST(QuickList, ByteFillLimitsNodeSize) {
    for (int fill = -1; fill >= -5; --fill) {
        QuickList ql(fill);
        const size_t limit = size_t{4096} << (-fill - 1);
        for (int i = 0; i < 3000; ++i) ql.push_back(std::string(50, 'x'));
        for (const auto* n = ql.head(); n; n = n->next) EXPECT_LE(n->bytes, limit);
        EXPECT_TRUE(ql.check());
        // Full nodes: every node but the last holds as much as the limit allows.
        EXPECT_GE(ql.head()->bytes, limit - 60);
    }
}

TEST(QuickList, ZeroFillIsOneElementPerNode) {
    QuickList ql(0);
    for (int i = 0; i < 5; ++i) ql.push_front("e");
    EXPECT_EQ(ql.node_count(), 5u);
}

TEST(QuickList, AtWalksFromEitherEnd) {
    QuickList ql(4);
    std::deque<std::string> model;
    for (int i = 0; i < 50; ++i) {
        ql.push_back(std::to_string(i * 7));
        model.push_back(std::to_string(i * 7));
    }
    for (int64_t i = -60; i < 60; ++i) {
        auto c = ql.at(i);
        const int64_t idx = i < 0 ? i + 50 : i;
        if (idx < 0 || idx >= 50) {
            EXPECT_FALSE(c) << i;
        } else {
            ASSERT_TRUE(c) << i;
            EXPECT_EQ(text(ql, c), model[static_cast<size_t>(idx)]) << i;
        }
    }
}

TEST(QuickList, NodesRoundTripThroughListpacks) {
    QuickList ql(5);
    for (int i = 0; i < 23; ++i) ql.push_back("v" + std::to_string(i));
    QuickList copy(5);
    for (const auto* n = ql.head(); n; n = n->next) {
        auto lp = Listpack::from_bytes(n->lp.span(), true);
        ASSERT_TRUE(lp);
        copy.append_node(std::move(*lp));
    }
    copy.append_node(Listpack());  // empty: dropped
    EXPECT_EQ(forward(copy), forward(ql));
    EXPECT_EQ(copy.node_count(), ql.node_count());
    EXPECT_TRUE(copy.check());
}

TEST(QuickList, InsertSplitsFullNodesAndMerges) {
    QuickList ql(4);
    std::deque<std::string> model;
    for (int i = 0; i < 16; ++i) {
        ql.push_back(std::to_string(i));
        model.push_back(std::to_string(i));
    }
    ASSERT_EQ(ql.node_count(), 4u);
    // Middle of a full node: split.
    ql.insert(ql.at(5), "a", true);
    model.insert(model.begin() + 6, "a");
    expect_same(ql, model, "split after");
    ql.insert(ql.at(10), "b", false);
    model.insert(model.begin() + 10, "b");
    expect_same(ql, model, "split before");
    for (const auto* n = ql.head(); n; n = n->next) EXPECT_LE(n->count, 4u);
}

std::string random_element(std::mt19937_64& rng) {
    switch (rng() % 6) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
        case 1:
            return std::to_string(static_cast<int64_t>(rng()));
        case 2:
            return "";
        case 3:
            return std::string(1 + rng() % 100, static_cast<char>('a' + rng() % 26));
        case 4:
            return std::string(200 + rng() % 3000, 'z');
        default:
            return "e" + std::to_string(rng() % 20);
    }
}

void run_random(int fill, uint64_t seed, int steps) {
    std::mt19937_64 rng(seed);
    auto ql = std::make_unique<QuickList>(fill);
    std::deque<std::string> model;
    for (int step = 0; step < steps; ++step) {
        const int op = static_cast<int>(rng() % 100);
        const std::string where = "fill " + std::to_string(fill) + " seed " + std::to_string(seed) +
                                  " step " + std::to_string(step) + " op " + std::to_string(op);
        if (op < 25) {
            const int n = 1 + static_cast<int>(rng() % 30);
            const bool front = rng() % 2;
            for (int i = 0; i < n; ++i) {
                std::string e = random_element(rng);
                ql->push(e, front);
                if (front)
                    model.push_front(e);
                else
                    model.push_back(e);
            }
        } else if (op < 40) {
            const bool front = rng() % 2;
            const int n = static_cast<int>(rng() % 8);
            for (int i = 0; i < n && !model.empty(); ++i) {
                auto c = front ? ql->front() : ql->back();
                ASSERT_EQ(text(*ql, c), front ? model.front() : model.back()) << where;
                ASSERT_TRUE(ql->pop(front));
                if (front)
                    model.pop_front();
                else
                    model.pop_back();
            }
            if (model.empty()) {
                ASSERT_FALSE(ql->pop(front));
            }
        } else if (op < 50) {
            if (model.empty()) continue;
            const auto idx = static_cast<int64_t>(rng() % model.size());
            auto c = ql->at(rng() % 2 ? idx : idx - static_cast<int64_t>(model.size()));
            ASSERT_TRUE(c);
            std::string e = random_element(rng);
            ql->replace(c, e);
            model[static_cast<size_t>(idx)] = e;
        } else if (op < 68) {
            if (model.empty()) continue;
            const auto idx = static_cast<size_t>(rng() % model.size());
            const bool after = rng() % 2;
            std::string e = random_element(rng);
            ql->insert(ql->at(static_cast<int64_t>(idx)), e, after);
            model.insert(model.begin() + static_cast<int64_t>(idx + (after ? 1 : 0)), e);
        } else if (op < 80) {
            // LREM-like: remove matching elements walking either way, up to a limit.
            if (model.empty()) continue;
            const std::string probe = model[rng() % model.size()];
            const bool forward_dir = rng() % 2;
            const size_t limit = rng() % 4;  // 0 = all
            size_t removed = 0;
            auto c = forward_dir ? ql->front() : ql->back();
            while (c) {
                if (ql->equals(c, probe)) {
                    ql->erase(c, forward_dir);
                    if (++removed == limit) break;
                } else if (forward_dir) {
                    ql->next(c);
                } else {
                    ql->prev(c);
                }
            }
            size_t mremoved = 0;
            if (forward_dir) {
                for (auto it = model.begin(); it != model.end();) {
                    if (*it == probe && (limit == 0 || mremoved < limit)) {
                        it = model.erase(it);
                        ++mremoved;
                    } else {
                        ++it;
                    }
                }
            } else {
                for (size_t i = model.size(); i-- > 0;) {
                    if (model[i] == probe && (limit == 0 || mremoved < limit)) {
                        model.erase(model.begin() + static_cast<int64_t>(i));
                        ++mremoved;
                    }
                }
            }
            ASSERT_EQ(removed, mremoved) << where;
        } else if (op < 90) {
            if (model.empty()) continue;
            const auto size = static_cast<int64_t>(model.size());
            int64_t start = static_cast<int64_t>(rng() % static_cast<uint64_t>(size));
            const size_t n = rng() % (model.size() + 3);
            const bool negative = rng() % 2;
            ql->erase_range(negative ? start - size : start, n);
            const size_t real = std::min<size_t>(n, model.size() - static_cast<size_t>(start));
            model.erase(model.begin() + start, model.begin() + start + static_cast<int64_t>(real));
        } else if (op < 95) {
            std::unique_ptr<QuickList> copy(ql->clone());
            ql = std::move(copy);
        } else {
            // Random index reads.
            for (int i = 0; i < 5 && !model.empty(); ++i) {
                const auto idx = static_cast<int64_t>(rng() % model.size());
                auto c = ql->at(idx);
                ASSERT_TRUE(c) << where;
                ASSERT_EQ(text(*ql, c), model[static_cast<size_t>(idx)]) << where;
            }
        }
        expect_same(*ql, model, where.c_str());
        if (::testing::Test::HasFatalFailure()) return;
        if (fill > 0) {
            for (const auto* n = ql->head(); n; n = n->next)
                ASSERT_LE(n->count, static_cast<uint32_t>(std::max(fill, 1))) << where;
        }
    }
}

TEST(QuickList, RandomAgainstDequeSmallCountFills) {
    for (int fill : {0, 1, 2, 3, 5, 16}) {
        for (uint64_t seed = 1; seed <= 4; ++seed) {
            run_random(fill, seed * 1000 + static_cast<uint64_t>(fill), 400);
            if (HasFatalFailure()) return;
        }
    }
}

TEST(QuickList, RandomAgainstDequeByteFills) {
    for (int fill : {-1, -2, -5}) {
        for (uint64_t seed = 1; seed <= 3; ++seed) {
            run_random(fill, seed * 77 + static_cast<uint64_t>(-fill), 400);
            if (HasFatalFailure()) return;
        }
    }
}

}  // namespace
}  // namespace snapstream
