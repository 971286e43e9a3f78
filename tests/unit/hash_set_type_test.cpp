// The hash and set types against simple models (std::map / std::set), with the encoding rules
// checked at every step.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "common/numeric.h"
#include "node/hash_type.h"
#include "node/set_type.h"

namespace snapstream {
namespace {

std::string random_text(std::mt19937_64& rng, size_t max_len) {
    std::string s(rng() % (max_len + 1), 'a');
    for (auto& ch : s) ch = static_cast<char>(rng() % 256);
    return s;
}

std::string random_field(std::mt19937_64& rng) {
    switch (rng() % 4) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng() % 200) - 100);
        case 1:
            return "f" + std::to_string(rng() % 50);
        case 2:
            return random_text(rng, 8);
        default:
            return std::to_string(static_cast<int64_t>(rng()));
    }
}

std::map<std::string, std::string> contents(const Value& h) {
    std::map<std::string, std::string> out;
    hash_type::for_each(h, [&](std::string_view f, std::string_view v) {
        EXPECT_TRUE(out.emplace(f, v).second) << "duplicate field";
    });
    return out;
}

TEST(HashType, RandomOperationsMatchModel) {
    hash_type::register_ops();
    std::mt19937_64 rng(7);
    for (int round = 0; round < 40; ++round) {
        const hash_type::Limits lim{static_cast<size_t>(4 + rng() % 60),
                                    static_cast<size_t>(8 + rng() % 60)};
        Value h = hash_type::create();
        std::map<std::string, std::string> model;
        bool converted = false;
        for (int op = 0; op < 400; ++op) {
            const std::string f = random_field(rng);
            if (rng() % 3 != 0) {
                std::string v = rng() % 5 == 0 ? random_text(rng, 80)
                                               : std::to_string(static_cast<int64_t>(rng()) >> 20);
                const bool too_long = f.size() > lim.max_value || v.size() > lim.max_value;
                const bool is_new = !model.count(f);
                EXPECT_EQ(hash_type::set(h, f, v, lim), is_new);
                model[f] = v;
                if (too_long || model.size() > lim.max_entries) converted = true;
            } else {
                EXPECT_EQ(hash_type::remove(h, f), model.erase(f) == 1);
            }
            // Never back to a listpack; a listpack exactly while no rule fired.
            ASSERT_EQ(h.encoding(), converted ? Encoding::Hashtable : Encoding::Listpack);
            ASSERT_EQ(hash_type::size(h), model.size());
            hash_type::TextBuf buf;
            auto got = hash_type::get(h, f, buf);
            ASSERT_EQ(got.has_value(), model.count(f) == 1);
            if (got) {
                ASSERT_EQ(*got, model[f]);
            }
        }
        EXPECT_EQ(contents(h), model);
        Value copy = h.clone();
        EXPECT_EQ(contents(copy), model);
        EXPECT_GT(h.heap_bytes(), 0u);
        if (!model.empty()) {
            hash_type::TextBuf fb, vb;
            auto p = hash_type::random_pair(h, rng, fb, vb);
            ASSERT_TRUE(model.count(std::string(p.field)));
            EXPECT_EQ(model[std::string(p.field)], p.value);
        }
    }
}

TEST(HashType, TryConversionAndListpackBytes) {
    hash_type::register_ops();
    const hash_type::Limits lim{512, 64};
    Value h = hash_type::create();
    hash_type::set(h, "a", "1", lim);
    hash_type::set(h, "b", "x", lim);
    const std::string_view ok[] = {"c", std::string_view("0123456789012345678901234567890123456789"
                                                         "012345678901234567890123")};
    hash_type::try_conversion(h, ok, lim);
    EXPECT_EQ(h.encoding(), Encoding::Listpack);
    auto again = hash_type::from_listpack_bytes(hash_type::ListpackView(h)->span(), true);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(contents(*again), contents(h));
    const std::string long_value(65, 'v');
    const std::string_view too_long[] = {"c", long_value};
    hash_type::try_conversion(h, too_long, lim);
    EXPECT_EQ(h.encoding(), Encoding::Hashtable);
    EXPECT_EQ(hash_type::size(h), 2u);
    // One entry only: not field/value pairs.
    Listpack single;
    single.append("x");
    EXPECT_FALSE(hash_type::from_listpack_bytes(single.span(), true).has_value());
}

std::set<std::string> members(const Value& s) {
    std::set<std::string> out;
    set_type::for_each(
        s, [&](std::string_view m) { EXPECT_TRUE(out.emplace(m).second) << "duplicate member"; });
    return out;
}

TEST(SetType, RandomOperationsMatchModel) {
    set_type::register_ops();
    std::mt19937_64 rng(11);
    for (int round = 0; round < 40; ++round) {
        const size_t max_intset = 4 + rng() % 60;
        const bool strings = rng() % 2 == 0;
        std::string first = std::to_string(rng() % 100);
        Value s = set_type::create_for(first);
        ASSERT_EQ(s.encoding(), Encoding::Intset);
        std::set<std::string> model;
        bool converted = false;
        for (int op = 0; op < 400; ++op) {
            std::string m =
                strings && rng() % 20 == 0
                    ? random_text(rng, 6)
                    : std::to_string(static_cast<int64_t>(rng() % 3 == 0 ? rng() : rng() % 100));
            if (rng() % 3 != 0) {
                EXPECT_EQ(set_type::add(s, m, max_intset), model.insert(m).second);
                if (!parse_int64(m) || model.size() > max_intset) converted = true;
            } else {
                EXPECT_EQ(set_type::remove(s, m), model.erase(m) == 1);
            }
            ASSERT_EQ(s.encoding(), converted ? Encoding::Hashtable : Encoding::Intset);
            ASSERT_EQ(set_type::size(s), model.size());
            ASSERT_EQ(set_type::contains(s, m), model.count(m) == 1);
        }
        EXPECT_EQ(members(s), model);
        Value copy = s.clone();
        EXPECT_EQ(members(copy), model);
        if (!model.empty()) {
            set_type::TextBuf buf;
            EXPECT_TRUE(model.count(std::string(set_type::random_member(s, rng, buf))));
        }
    }
}

TEST(SetType, NonCanonicalIntegersAreStrings) {
    set_type::register_ops();
    for (const char* m : {"01", "+1", "-0", " 1", "1.0", "9223372036854775808"}) {
        Value s = set_type::create_for(m);
        EXPECT_EQ(s.encoding(), Encoding::Hashtable) << m;
        Value t = set_type::create_intset();
        set_type::add(t, "5", 512);
        EXPECT_FALSE(set_type::contains(t, m));
        set_type::add(t, m, 512);
        EXPECT_EQ(t.encoding(), Encoding::Hashtable) << m;
        EXPECT_TRUE(set_type::contains(t, "5"));
    }
    EXPECT_EQ(set_type::intset_limit(int64_t{1} << 40), size_t{1} << 30);
}

}  // namespace
}  // namespace snapstream
