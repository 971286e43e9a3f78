// Unit tests for node/intset: exact bytes, encoding upgrades (never downgrades), search, a
// randomized model test against std::set, and from_bytes on corrupted input.
#include "node/intset.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

namespace snapstream {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes bytes_of(const Intset& is) {
    return Bytes(is.data(), is.data() + is.bytes());
}

std::vector<int64_t> values(const Intset& is) {
    std::vector<int64_t> out;
    for (size_t i = 0; i < is.size(); ++i) out.push_back(is.at(i));
    return out;
}

// Reference bytes from the format description.
Bytes ref_blob(const std::set<int64_t>& s, uint32_t width) {
    Bytes out;
    auto put = [&](uint64_t v, uint32_t n) {
        for (uint32_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
    };
    put(width, 4);
    put(s.size(), 4);
    for (int64_t v : s) put(static_cast<uint64_t>(v), width);
    return out;
}

TEST(Intset, EmptyLayout) {
    static_assert(sizeof(Intset) == 8);
    Intset is;
    EXPECT_EQ(bytes_of(is), (Bytes{2, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(is.size(), 0u);
    EXPECT_TRUE(is.empty());
    EXPECT_EQ(is.encoding(), 2u);
    EXPECT_FALSE(is.contains(0));
    EXPECT_FALSE(is.remove(0));
    EXPECT_GE(is.heap_bytes(), 8u);
}

TEST(Intset, ExactBytesSortedNoDuplicates) {
    Intset is;
    EXPECT_TRUE(is.add(5));
    EXPECT_TRUE(is.add(-3));
    EXPECT_TRUE(is.add(1000));
    EXPECT_FALSE(is.add(5));
    EXPECT_FALSE(is.add(-3));
    EXPECT_EQ(bytes_of(is), (Bytes{2, 0, 0, 0, 3, 0, 0, 0, 0xFD, 0xFF, 5, 0, 0xE8, 0x03}));
    EXPECT_EQ(values(is), (std::vector<int64_t>{-3, 5, 1000}));
    EXPECT_EQ(is.min(), -3);
    EXPECT_EQ(is.max(), 1000);
    EXPECT_TRUE(is.contains(5));
    EXPECT_FALSE(is.contains(4));
    EXPECT_FALSE(is.contains(1001));
    EXPECT_FALSE(is.contains(-4));
}

TEST(Intset, UpgradesAtBoundariesAndNeverDowngrades) {
    struct Case {
        int64_t v;
        uint32_t width;
    };
    const Case cases[] = {
        {0, 2},
        {INT16_MAX, 2},
        {INT16_MIN, 2},
        {int64_t{INT16_MAX} + 1, 4},
        {int64_t{INT16_MIN} - 1, 4},
        {INT32_MAX, 4},
        {INT32_MIN, 4},
        {int64_t{INT32_MAX} + 1, 8},
        {int64_t{INT32_MIN} - 1, 8},
        {INT64_MAX, 8},
        {INT64_MIN, 8},
    };
    for (const Case& c : cases) EXPECT_EQ(Intset::encoding_for(c.v), c.width) << c.v;

    // Upgrade by a positive value (appended) and by a negative one (prepended).
    for (int64_t wide : {int64_t{40000}, int64_t{-40000}, int64_t{1} << 40, -(int64_t{1} << 40)}) {
        SCOPED_TRACE(wide);
        Intset is;
        std::set<int64_t> model = {-7, 0, 300, INT16_MAX, INT16_MIN};
        for (int64_t v : model) is.add(v);
        EXPECT_EQ(is.encoding(), 2u);
        EXPECT_TRUE(is.add(wide));
        model.insert(wide);
        const uint32_t width = Intset::encoding_for(wide);
        EXPECT_EQ(is.encoding(), width);
        EXPECT_EQ(bytes_of(is), ref_blob(model, width));
        EXPECT_EQ(values(is), std::vector<int64_t>(model.begin(), model.end()));
        // A value wider than the encoding is never found (and not searched for).
        if (width == 4) {
            EXPECT_FALSE(is.contains(int64_t{1} << 40));
            EXPECT_FALSE(is.remove(int64_t{1} << 40));
        }
        // Removing the wide value keeps the wide encoding.
        EXPECT_TRUE(is.remove(wide));
        model.erase(wide);
        EXPECT_EQ(is.encoding(), width);
        EXPECT_EQ(bytes_of(is), ref_blob(model, width));
        EXPECT_TRUE(is.add(1));
        model.insert(1);
        EXPECT_EQ(bytes_of(is), ref_blob(model, width));
    }

    Intset ends;
    ends.add(INT64_MAX);
    ends.add(INT64_MIN);
    ends.add(0);
    EXPECT_EQ(values(ends), (std::vector<int64_t>{INT64_MIN, 0, INT64_MAX}));
    EXPECT_TRUE(ends.contains(INT64_MIN));
    EXPECT_TRUE(ends.contains(INT64_MAX));
    // Upgrade of an empty set.
    Intset e;
    EXPECT_TRUE(e.add(-(int64_t{1} << 33)));
    EXPECT_EQ(bytes_of(e), ref_blob({-(int64_t{1} << 33)}, 8));
}

TEST(Intset, RandomizedAgainstStdSet) {
    std::mt19937_64 rng(99);
    Intset is;
    std::set<int64_t> model;
    uint32_t width = 2;
    for (int op = 0; op < 20000; ++op) {
        // Mostly small values so adds collide with existing ones; wider ones occasionally.
        int64_t v;
        const uint64_t r = rng() % 1000;
        if (r < 900) {
            v = static_cast<int64_t>(rng() % 400) - 200;
        } else if (r < 990) {
            v = static_cast<int64_t>(rng() % 200000) - 100000;
        } else {
            v = static_cast<int64_t>(rng());
        }
        if (rng() % 3) {
            const bool added = is.add(v);
            ASSERT_EQ(added, model.insert(v).second) << v;
            width = std::max(width, Intset::encoding_for(v));
        } else {
            ASSERT_EQ(is.remove(v), model.erase(v) == 1) << v;
        }
        ASSERT_EQ(is.size(), model.size());
        ASSERT_EQ(is.encoding(), width);
        const int64_t probe = static_cast<int64_t>(rng() % 500) - 250;
        ASSERT_EQ(is.contains(probe), model.count(probe) == 1) << probe;
        if (op % 500 == 0) {
            ASSERT_EQ(bytes_of(is), ref_blob(model, width));
        }
    }
    EXPECT_EQ(bytes_of(is), ref_blob(model, width));
    if (!model.empty()) {
        EXPECT_EQ(is.min(), *model.begin());
        EXPECT_EQ(is.max(), *model.rbegin());
    }
}

TEST(Intset, CloneMoveReleaseAdopt) {
    Intset a;
    a.add(1);
    a.add(70000);
    Intset b = a.clone();
    EXPECT_EQ(bytes_of(a), bytes_of(b));
    EXPECT_NE(a.data(), b.data());
    b.add(2);
    EXPECT_EQ(a.size(), 2u);
    Intset c(std::move(b));
    Intset d;
    d = std::move(c);
    EXPECT_EQ(values(d), (std::vector<int64_t>{1, 2, 70000}));
    Intset e = Intset::adopt(d.release());
    EXPECT_EQ(e.size(), 3u);
}

TEST(Intset, FromBytesValidation) {
    Intset is;
    for (int64_t v : {-5, 3, 9}) is.add(v);
    const Bytes good = bytes_of(is);
    auto ok = Intset::from_bytes(good, true);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(bytes_of(*ok), good);

    EXPECT_FALSE(Intset::from_bytes({}, false).has_value());
    EXPECT_FALSE(Intset::from_bytes(Bytes{2, 0, 0, 0, 0, 0, 0}, false).has_value());
    // Empty: Redis's loader refuses it.
    EXPECT_FALSE(Intset::from_bytes(Bytes{2, 0, 0, 0, 0, 0, 0, 0}, false).has_value());
    // Unknown encodings.
    for (uint8_t enc : {0, 1, 3, 5, 16}) {
        Bytes b = good;
        b[0] = enc;
        EXPECT_FALSE(Intset::from_bytes(b, false).has_value()) << int{enc};
    }
    Bytes high = good;
    high[3] = 1;  // encoding 0x01000002
    EXPECT_FALSE(Intset::from_bytes(high, false).has_value());
    // Length / size mismatch both ways.
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(Intset::from_bytes(longer, false).has_value());
    Bytes shorter(good.begin(), good.end() - 1);
    EXPECT_FALSE(Intset::from_bytes(shorter, false).has_value());
    Bytes huge_len = good;
    huge_len[7] = 0x80;
    EXPECT_FALSE(Intset::from_bytes(huge_len, true).has_value());
    // Order: duplicates and decreasing values only caught by the deep check.
    Bytes dup = ref_blob({1, 2, 3}, 2);
    dup[10] = 1;  // 1, 1, 3
    EXPECT_FALSE(Intset::from_bytes(dup, true).has_value());
    EXPECT_TRUE(Intset::from_bytes(dup, false).has_value());
    Bytes desc = ref_blob({1, 2, 3}, 4);
    desc[8] = 7;  // 7, 2, 3
    EXPECT_FALSE(Intset::from_bytes(desc, true).has_value());
    EXPECT_TRUE(Intset::from_bytes(ref_blob({INT64_MIN, INT64_MAX}, 8), true).has_value());
    // A narrow value stored wide is fine (Redis never narrows).
    EXPECT_TRUE(Intset::from_bytes(ref_blob({1}, 8), true).has_value());
}

TEST(Intset, FromBytesSurvivesTruncationAndCorruption) {
    Intset seed_is;
    for (int64_t v = -50; v < 50; v += 3) seed_is.add(v * 1000);
    const Bytes seed = bytes_of(seed_is);
    for (size_t k = 0; k < seed.size(); ++k) {
        Bytes cut(seed.begin(), seed.begin() + static_cast<long>(k));
        EXPECT_FALSE(Intset::from_bytes(cut, true).has_value()) << k;
    }
    std::mt19937 rng(3);
    size_t accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        Bytes b = seed;
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0) b.resize(rng() % (b.size() + 1));
        if (auto is = Intset::from_bytes(b, true)) {
            ++accepted;
            int64_t prev = is->at(0);
            for (size_t i = 1; i < is->size(); ++i) {
                ASSERT_LT(prev, is->at(i));
                prev = is->at(i);
                ASSERT_TRUE(is->contains(prev));
            }
        }
    }
    EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace snapstream
