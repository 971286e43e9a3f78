// Unit tests for node/listpack: exact bytes of every encoding and backlen width at its
// boundaries, Redis's integer-string rules, iteration both ways, seek, find, every mutation
// (checked against a reference encoder written from the format description and a std::deque
// model), the 65535 "unknown count" state, and from_bytes on corrupted input.
#include "node/listpack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream {
namespace {

using Bytes = std::vector<uint8_t>;
using Pos = Listpack::Pos;
constexpr Pos kNone = Listpack::kNone;

Bytes bytes_of(const Listpack& lp) {
    return Bytes(lp.data(), lp.data() + lp.bytes());
}

std::string text(const Listpack& lp, Pos pos) {
    char buf[Listpack::kIntBufSize];
    return std::string(lp.get_str(pos, buf));
}

std::vector<std::string> forward(const Listpack& lp) {
    std::vector<std::string> out;
    for (Pos p = lp.first(); p != kNone; p = lp.next(p)) out.push_back(text(lp, p));
    return out;
}

std::vector<std::string> backward(const Listpack& lp) {
    std::vector<std::string> out;
    for (Pos p = lp.last(); p != kNone; p = lp.prev(p)) out.push_back(text(lp, p));
    return std::vector<std::string>(out.rbegin(), out.rend());
}

// ---------------------------------------------------------------------------------------------
// Reference encoder, written from the format description (not from the class under test).

// Canonical decimal int64: parses completely and prints back to the same text.
bool canonical_int(const std::string& s, int64_t* out) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || std::to_string(v) != s) return false;
    *out = v;
    return true;
}

void ref_backlen(Bytes& out, uint64_t n) {
    // Widths by Redis's thresholds; groups of 7 bits, high group first, continuation bit on all
    // but the first byte.
    int width = n <= 127 ? 1 : n < 16383 ? 2 : n < 2097151 ? 3 : n < 268435455 ? 4 : 5;
    for (int i = width - 1; i >= 0; --i) {
        uint8_t group = (n >> (7 * i)) & 0x7F;
        out.push_back(i == width - 1 ? group : static_cast<uint8_t>(group | 0x80));
    }
}

Bytes ref_entry(const std::string& s) {
    Bytes e;
    int64_t v;
    if (canonical_int(s, &v)) {
        struct Range {
            int64_t lo, hi;
            uint8_t tag;
            int bytes;
        };
        static const Range kRanges[] = {
            {-32768, 32767, 0xF1, 2},
            {-(1 << 23), (1 << 23) - 1, 0xF2, 3},
            {INT32_MIN, INT32_MAX, 0xF3, 4},
            {INT64_MIN, INT64_MAX, 0xF4, 8},
        };
        if (v >= 0 && v <= 127) {
            e.push_back(static_cast<uint8_t>(v));
        } else if (v >= -4096 && v <= 4095) {
            uint16_t u = static_cast<uint16_t>(v) & 0x1FFF;
            e.push_back(static_cast<uint8_t>(0xC0 | (u >> 8)));
            e.push_back(static_cast<uint8_t>(u & 0xFF));
        } else {
            for (const Range& r : kRanges) {
                if (v < r.lo || v > r.hi) continue;
                e.push_back(r.tag);
                uint64_t u = static_cast<uint64_t>(v);
                for (int i = 0; i < r.bytes; ++i) e.push_back(static_cast<uint8_t>(u >> (8 * i)));
                break;
            }
        }
    } else if (s.size() < 64) {
        e.push_back(static_cast<uint8_t>(0x80 | s.size()));
        e.insert(e.end(), s.begin(), s.end());
    } else if (s.size() < 4096) {
        e.push_back(static_cast<uint8_t>(0xE0 | (s.size() >> 8)));
        e.push_back(static_cast<uint8_t>(s.size() & 0xFF));
        e.insert(e.end(), s.begin(), s.end());
    } else {
        e.push_back(0xF0);
        for (int i = 0; i < 4; ++i) e.push_back(static_cast<uint8_t>(s.size() >> (8 * i)));
        e.insert(e.end(), s.begin(), s.end());
    }
    ref_backlen(e, e.size());
    return e;
}

template <class Container>
Bytes ref_blob(const Container& items) {
    Bytes body;
    for (const std::string& s : items) {
        Bytes e = ref_entry(s);
        body.insert(body.end(), e.begin(), e.end());
    }
    Bytes out;
    const uint64_t total = 6 + body.size() + 1;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(total >> (8 * i)));
    const size_t n = items.size() >= 65535 ? 65535 : items.size();
    out.push_back(static_cast<uint8_t>(n & 0xFF));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.insert(out.end(), body.begin(), body.end());
    out.push_back(0xFF);
    return out;
}

// A listpack built by appending, checked against the reference and a deep re-validation.
Listpack build(const std::vector<std::string>& items) {
    Listpack lp;
    for (const auto& s : items) lp.append(s);
    return lp;
}

void expect_valid(const Listpack& lp) {
    auto copy = Listpack::from_bytes(lp.span(), true);
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(bytes_of(*copy), bytes_of(lp));
}

// ---------------------------------------------------------------------------------------------

TEST(Listpack, EmptyLayout) {
    static_assert(sizeof(Listpack) == 8);
    Listpack lp;
    EXPECT_EQ(bytes_of(lp), (Bytes{7, 0, 0, 0, 0, 0, 0xFF}));
    EXPECT_EQ(lp.bytes(), 7u);
    EXPECT_EQ(lp.size(), 0u);
    EXPECT_TRUE(lp.empty());
    EXPECT_EQ(lp.first(), kNone);
    EXPECT_EQ(lp.last(), kNone);
    EXPECT_EQ(lp.seek(0), kNone);
    EXPECT_EQ(lp.seek(-1), kNone);
    EXPECT_EQ(lp.find("x", lp.first(), 0), kNone);
    EXPECT_GE(lp.heap_bytes(), 7u);
    expect_valid(lp);
}

TEST(Listpack, SmallExactBytes) {
    Listpack lp;
    lp.append("a");
    lp.append("1");
    lp.append("-1");
    EXPECT_EQ(bytes_of(lp), (Bytes{0x0F, 0, 0, 0, 3, 0,  //
                                   0x81, 'a', 0x02,      // "a"
                                   0x01, 0x01,           // 1
                                   0xDF, 0xFF, 0x02,     // -1 as int13
                                   0xFF}));
}

TEST(Listpack, StringLengthBoundaries) {
    struct Case {
        size_t len;
        Bytes head;       // encoding bytes before the string data
        size_t back_len;  // backlen width
    };
    // Encoding + data sizes 127/128, 16382/16383 and 2097150/2097151 are where the backlen
    // widens (Redis's thresholds: <=127, <16383, <2097151).
    const Case cases[] = {
        {0, {0x80}, 1},
        {1, {0x81}, 1},
        {63, {0xBF}, 1},
        {64, {0xE0, 0x40}, 1},
        {125, {0xE0, 0x7D}, 1},  // enc size 127
        {126, {0xE0, 0x7E}, 2},  // enc size 128
        {4095, {0xEF, 0xFF}, 2},
        {4096, {0xF0, 0x00, 0x10, 0x00, 0x00}, 2},
        {16377, {0xF0, 0xF9, 0x3F, 0x00, 0x00}, 2},  // enc size 16382
        {16378, {0xF0, 0xFA, 0x3F, 0x00, 0x00}, 3},  // enc size 16383: 3 bytes, as Redis
        {70000, {0xF0, 0x70, 0x11, 0x01, 0x00}, 3},
        {2097145, {0xF0, 0xF9, 0xFF, 0x1F, 0x00}, 3},  // enc size 2097150
        {2097146, {0xF0, 0xFA, 0xFF, 0x1F, 0x00}, 4},  // enc size 2097151
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.len);
        std::string s(c.len, 'x');
        if (!s.empty()) s[0] = 'a';
        Listpack lp;
        lp.append("before");
        const Pos pos = lp.append(s);
        lp.append("after");
        const Bytes all = bytes_of(lp);
        const Bytes head(all.begin() + pos, all.begin() + pos + c.head.size());
        EXPECT_EQ(head, c.head);
        const size_t enc = c.head.size() + c.len;
        EXPECT_EQ(lp.next(pos) - pos, enc + c.back_len);
        EXPECT_EQ(Listpack::entry_size(s), enc + c.back_len);
        EXPECT_EQ(all, ref_blob(std::vector<std::string>{"before", s, "after"}));
        Listpack::Item it = lp.get(pos);
        EXPECT_FALSE(it.is_int);
        EXPECT_EQ(it.str, s);
        // Backward iteration crosses the backlen.
        EXPECT_EQ(lp.prev(lp.last()), pos);
        EXPECT_EQ(lp.prev(pos), lp.first());
        EXPECT_TRUE(lp.equals(pos, s));
        EXPECT_EQ(lp.find(s, lp.first(), 0), pos);
        expect_valid(lp);
    }
}

TEST(Listpack, IntegerBoundaries) {
    struct Case {
        int64_t v;
        Bytes enc;
    };
    const Case cases[] = {
        {0, {0x00}},
        {1, {0x01}},
        {127, {0x7F}},
        {128, {0xC0, 0x80}},
        {-1, {0xDF, 0xFF}},
        {4095, {0xCF, 0xFF}},
        {-4096, {0xD0, 0x00}},
        {4096, {0xF1, 0x00, 0x10}},
        {-4097, {0xF1, 0xFF, 0xEF}},
        {32767, {0xF1, 0xFF, 0x7F}},
        {-32768, {0xF1, 0x00, 0x80}},
        {32768, {0xF2, 0x00, 0x80, 0x00}},
        {-32769, {0xF2, 0xFF, 0x7F, 0xFF}},
        {8388607, {0xF2, 0xFF, 0xFF, 0x7F}},
        {-8388608, {0xF2, 0x00, 0x00, 0x80}},
        {8388608, {0xF3, 0x00, 0x00, 0x80, 0x00}},
        {-8388609, {0xF3, 0xFF, 0xFF, 0x7F, 0xFF}},
        {INT32_MAX, {0xF3, 0xFF, 0xFF, 0xFF, 0x7F}},
        {INT32_MIN, {0xF3, 0x00, 0x00, 0x00, 0x80}},
        {int64_t{INT32_MAX} + 1, {0xF4, 0x00, 0x00, 0x00, 0x80, 0, 0, 0, 0}},
        {int64_t{INT32_MIN} - 1, {0xF4, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF}},
        {INT64_MAX, {0xF4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}},
        {INT64_MIN, {0xF4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.v);
        const std::string s = std::to_string(c.v);
        Listpack a, b;
        a.append(s);
        b.append_int(c.v);
        Bytes expected = c.enc;
        expected.push_back(static_cast<uint8_t>(c.enc.size()));  // backlen
        const Bytes all = bytes_of(a);
        EXPECT_EQ(Bytes(all.begin() + 6, all.end() - 1), expected);
        EXPECT_EQ(all, bytes_of(b));
        EXPECT_EQ(all, ref_blob(std::vector<std::string>{s}));
        EXPECT_EQ(Listpack::entry_size(s), expected.size());
        EXPECT_EQ(Listpack::entry_size_int(c.v), expected.size());
        Listpack::Item it = a.get(a.first());
        EXPECT_TRUE(it.is_int);
        EXPECT_EQ(it.num, c.v);
        EXPECT_EQ(text(a, a.first()), s);
        EXPECT_EQ(a.get_int_or(a.first(), 42), c.v);
        EXPECT_TRUE(a.equals(a.first(), s));
        EXPECT_FALSE(a.equals(a.first(), s + "0"));
        expect_valid(a);
    }
}

TEST(Listpack, NonCanonicalIntegerTextStaysString) {
    const std::vector<std::string> texts = {
        "-0",
        "01",
        " 1",
        "+1",
        "1 ",
        "",
        "-",
        "00",
        "1.0",
        "0x10",
        "1e3",
        "--1",
        "-01",
        "\t1",
        "1\n",
        "1a",
        "a1",
        "١",
        "0 ",
        "9223372036854775808",    // INT64_MAX + 1
        "-9223372036854775809",   // INT64_MIN - 1
        "18446744073709551616",   // 2^64
        "99999999999999999999",   // 20 digits, overflows
        "-0000000000000000001",   // 20 chars, leading zeros
        "100000000000000000000",  // 21 chars
        std::string("1\0", 2),
    };
    for (const auto& s : texts) {
        SCOPED_TRACE("'" + s + "'");
        Listpack lp;
        const Pos pos = lp.append(s);
        Listpack::Item it = lp.get(pos);
        EXPECT_FALSE(it.is_int);
        EXPECT_EQ(it.str, s);
        EXPECT_EQ(lp.get_int_or(pos, 42), 42);
        EXPECT_EQ(bytes_of(lp), ref_blob(std::vector<std::string>{s}));
        EXPECT_TRUE(lp.equals(pos, s));
        EXPECT_EQ(lp.find(s, lp.first(), 0), pos);
    }
    // The 20-character extremes that are canonical become integers.
    for (const std::string s : {"-9223372036854775808", "9223372036854775807", "0", "-1"}) {
        Listpack lp;
        EXPECT_TRUE(lp.get(lp.append(s)).is_int) << s;
    }
}

TEST(Listpack, IntegersCompareNumericallyOnlyWithCanonicalText) {
    Listpack lp;
    const Pos one = lp.append("1");
    const Pos str_one = lp.append("01");
    EXPECT_TRUE(lp.equals(one, "1"));
    EXPECT_FALSE(lp.equals(one, "01"));
    EXPECT_FALSE(lp.equals(one, "+1"));
    EXPECT_FALSE(lp.equals(one, "1.0"));
    EXPECT_FALSE(lp.equals(one, ""));
    EXPECT_TRUE(lp.equals(str_one, "01"));
    EXPECT_FALSE(lp.equals(str_one, "1"));
    EXPECT_EQ(lp.find("01", lp.first(), 0), str_one);
    EXPECT_EQ(lp.find("1", lp.first(), 0), one);
    EXPECT_EQ(lp.find("1", str_one, 0), kNone);
}

TEST(Listpack, IterationBothWays) {
    std::vector<std::string> items;
    for (int i = 0; i < 300; ++i) {
        switch (i % 5) {
            case 0:
                items.push_back(std::to_string(i * 7919 - 100000));
                break;
            case 1:
                items.push_back(std::string(static_cast<size_t>(i % 70), 'a' + i % 26));
                break;
            case 2:
                items.push_back(std::string(static_cast<size_t>(i * 13 % 5000), 'z'));
                break;
            case 3:
                items.push_back(std::to_string(int64_t{1} << (i % 63)));
                break;
            default:
                items.push_back("-" + std::to_string(i));
                break;
        }
    }
    Listpack lp = build(items);
    EXPECT_EQ(lp.size(), items.size());
    EXPECT_EQ(lp.header_count(), items.size());
    EXPECT_EQ(forward(lp), items);
    EXPECT_EQ(backward(lp), items);
    EXPECT_EQ(bytes_of(lp), ref_blob(items));
    expect_valid(lp);
}

TEST(Listpack, SeekPositiveAndNegative) {
    std::vector<std::string> items;
    for (int i = 0; i < 41; ++i)
        items.push_back(i % 2 ? "s" + std::to_string(i) : std::to_string(i));
    Listpack lp = build(items);
    const auto n = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < n; ++i) {
        ASSERT_NE(lp.seek(i), kNone) << i;
        EXPECT_EQ(text(lp, lp.seek(i)), items[static_cast<size_t>(i)]) << i;
        EXPECT_EQ(lp.seek(i - n), lp.seek(i)) << i;
    }
    EXPECT_EQ(lp.seek(n), kNone);
    EXPECT_EQ(lp.seek(n + 100), kNone);
    EXPECT_EQ(lp.seek(-n - 1), kNone);
    EXPECT_EQ(lp.seek(INT64_MIN), kNone);
    EXPECT_EQ(lp.seek(INT64_MAX), kNone);
    EXPECT_EQ(lp.seek(0), lp.first());
    EXPECT_EQ(lp.seek(-1), lp.last());
}

TEST(Listpack, InsertAndEraseAtHeadMiddleTail) {
    Listpack lp;
    std::deque<std::string> model;
    auto check = [&] {
        EXPECT_EQ(forward(lp), std::vector<std::string>(model.begin(), model.end()));
        EXPECT_EQ(bytes_of(lp), ref_blob(model));
    };
    EXPECT_EQ(lp.prepend("b"), 6u);  // prepend into an empty listpack
    model.push_front("b");
    lp.prepend_int(-5);
    model.push_front("-5");
    lp.append_int(1000);
    model.push_back("1000");
    check();
    // Before/after the middle element.
    Pos mid = lp.seek(1);
    Pos ins = lp.insert(mid, "x", false);
    model.insert(model.begin() + 1, "x");
    EXPECT_EQ(text(lp, ins), "x");
    mid = lp.seek(2);
    ins = lp.insert(mid, "12345678901", true);
    model.insert(model.begin() + 3, "12345678901");
    EXPECT_EQ(text(lp, ins), "12345678901");
    check();
    // After the tail, before the head, kNone = append.
    lp.insert(lp.last(), std::string(100, 't'), true);
    model.push_back(std::string(100, 't'));
    lp.insert(lp.first(), "h", false);
    model.push_front("h");
    lp.insert(kNone, "end", false);
    model.push_back("end");
    lp.insert_int(lp.seek(2), 77, true);
    model.insert(model.begin() + 3, "77");
    check();

    // Erase: middle, head, tail; the returned position is what followed.
    Pos after = lp.erase(lp.seek(2));
    model.erase(model.begin() + 2);
    EXPECT_EQ(text(lp, after), model[2]);
    after = lp.erase(lp.first());
    model.pop_front();
    EXPECT_EQ(after, lp.first());
    EXPECT_EQ(lp.erase(lp.last()), kNone);
    model.pop_back();
    check();
    // Several at once, running past the end.
    after = lp.erase(lp.seek(1), 2);
    model.erase(model.begin() + 1, model.begin() + 3);
    EXPECT_EQ(text(lp, after), model[1]);
    check();
    EXPECT_EQ(lp.erase(lp.seek(1), 1000), kNone);
    model.erase(model.begin() + 1, model.end());
    check();
    EXPECT_EQ(lp.erase(lp.first(), 0), lp.first());
    EXPECT_EQ(lp.erase(kNone), kNone);
    EXPECT_EQ(lp.erase(lp.first()), kNone);
    EXPECT_TRUE(lp.empty());
    EXPECT_EQ(bytes_of(lp), (Bytes{7, 0, 0, 0, 0, 0, 0xFF}));
}

TEST(Listpack, ReplaceGrowsAndShrinks) {
    std::deque<std::string> model = {"a", "b", "c"};
    Listpack lp = build({"a", "b", "c"});
    const std::vector<std::string> values = {std::string(5000, 'L'), "1", "-70000",
                                             std::string(64, 'm'),   "",  "c"};
    for (const auto& v : values) {
        for (int i = 0; i < 3; ++i) {
            Pos p = lp.seek(i);
            EXPECT_EQ(lp.replace(p, v), p);
            model[static_cast<size_t>(i)] = v;
            EXPECT_EQ(forward(lp), std::vector<std::string>(model.begin(), model.end()));
            EXPECT_EQ(bytes_of(lp), ref_blob(model));
        }
    }
    lp.replace_int(lp.seek(1), INT64_MIN);
    model[1] = std::to_string(INT64_MIN);
    EXPECT_EQ(bytes_of(lp), ref_blob(model));
    EXPECT_EQ(lp.size(), 3u);
}

TEST(Listpack, EraseRange) {
    std::vector<std::string> items;
    for (int i = 0; i < 20; ++i) items.push_back("e" + std::to_string(i));
    struct Case {
        int64_t start;
        uint32_t count;
    };
    for (const Case c :
         {Case{0, 1}, Case{0, 20}, Case{0, 100}, Case{5, 3}, Case{-1, 1}, Case{-3, 10},
          Case{-20, 2}, Case{19, 5}, Case{20, 1}, Case{-21, 5}, Case{3, 0}, Case{10, 10}}) {
        SCOPED_TRACE(std::to_string(c.start) + "," + std::to_string(c.count));
        Listpack lp = build(items);
        std::vector<std::string> model = items;
        const int64_t n = static_cast<int64_t>(model.size());
        int64_t s = c.start < 0 ? c.start + n : c.start;
        if (s >= 0 && s < n) {
            const int64_t e = std::min<int64_t>(n, s + c.count);
            model.erase(model.begin() + s, model.begin() + e);
        }
        lp.erase_range(c.start, c.count);
        EXPECT_EQ(forward(lp), model);
        EXPECT_EQ(bytes_of(lp), ref_blob(model));
    }
}

TEST(Listpack, FindWithSkipMatchesOnlyFields) {
    // A hash laid out as field, value, field, value, ...
    Listpack lp;
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {"name", "value"}, {"value", "name"}, {"10", "20"},
        {"20", "10"},      {"-5", "big"},     {std::string(300, 'f'), "x"}};
    for (const auto& [f, v] : pairs) {
        lp.append(f);
        lp.append(v);
    }
    for (size_t i = 0; i < pairs.size(); ++i) {
        const Pos p = lp.find(pairs[i].first, lp.first(), 1);
        ASSERT_NE(p, kNone) << pairs[i].first;
        EXPECT_EQ(p, lp.seek(static_cast<int64_t>(2 * i)));
        EXPECT_EQ(text(lp, lp.next(p)), pairs[i].second);
    }
    EXPECT_EQ(lp.find("big", lp.first(), 1), kNone);  // only a value
    EXPECT_EQ(lp.find("x", lp.first(), 1), kNone);
    EXPECT_EQ(lp.find("big", lp.first(), 0), lp.seek(9));
    EXPECT_EQ(lp.find("nope", lp.first(), 0), kNone);
    // Starting from a value position with skip 1 compares the values instead.
    EXPECT_EQ(lp.find("name", lp.seek(1), 1), lp.seek(3));
    EXPECT_EQ(lp.find("20", lp.seek(1), 1), lp.seek(5));
    EXPECT_EQ(lp.find("name", kNone, 1), kNone);
}

TEST(Listpack, AppendAllMatchesOneByOne) {
    const std::vector<std::string> items = {
        "f1", "1", "-1", std::string(5000, 'q'), "", "9223372036854775807", "x y", "0"};
    std::vector<std::string_view> views(items.begin(), items.end());
    Listpack a;
    a.append("start");
    const Pos first = a.append_all(views);
    EXPECT_EQ(text(a, first), "f1");
    Listpack b;
    b.append("start");
    for (const auto& s : items) b.append(s);
    EXPECT_EQ(bytes_of(a), bytes_of(b));
    EXPECT_EQ(a.size(), items.size() + 1);
    EXPECT_EQ(a.append_all({}), kNone);
    EXPECT_EQ(bytes_of(a), bytes_of(b));
}

TEST(Listpack, ArgumentsMayPointIntoTheListpack) {
    Listpack lp;
    lp.append(std::string(3000, 'a'));
    lp.append("tail");
    std::deque<std::string> model = {std::string(3000, 'a'), "tail"};
    // Each of these reads its argument from the blob it is about to move.
    for (int i = 0; i < 10; ++i) {
        lp.append(lp.get(lp.first()).str);
        model.push_back(model.front());
        lp.prepend(lp.get(lp.last()).str);
        model.push_front(model.back());
        lp.insert(lp.seek(1), lp.get(lp.first()).str, true);
        model.insert(model.begin() + 2, model.front());
        lp.replace(lp.seek(1), lp.get(lp.seek(1)).str.substr(1));
        model[1] = model[1].substr(1);
    }
    std::string_view big = lp.get(lp.seek(2)).str;
    std::string_view views[] = {big, big.substr(10), lp.get(lp.last()).str};
    lp.append_all(views);
    model.push_back(model[2]);
    model.push_back(model[2].substr(10));
    model.push_back(model[model.size() - 3]);
    EXPECT_EQ(forward(lp), std::vector<std::string>(model.begin(), model.end()));
    EXPECT_EQ(bytes_of(lp), ref_blob(model));
}

TEST(Listpack, CloneMoveReleaseAdopt) {
    Listpack a = build({"one", "2", "three"});
    Listpack b = a.clone();
    EXPECT_EQ(bytes_of(a), bytes_of(b));
    EXPECT_NE(a.data(), b.data());
    b.append("four");
    EXPECT_EQ(a.size(), 3u);
    const uint8_t* raw = b.data();
    Listpack c(std::move(b));
    EXPECT_EQ(c.data(), raw);
    Listpack d;
    d = std::move(c);
    EXPECT_EQ(d.data(), raw);
    EXPECT_EQ(forward(d), (std::vector<std::string>{"one", "2", "three", "four"}));
    uint8_t* owned = d.release();
    Listpack e = Listpack::adopt(owned);
    EXPECT_EQ(e.size(), 4u);
    d = std::move(e);  // assigning to a released (moved-from) listpack
    EXPECT_EQ(d.size(), 4u);
}

TEST(Listpack, SafeToAddAndEntrySize) {
    EXPECT_TRUE(Listpack::safe_to_add(7, (size_t{1} << 30) - 7));
    EXPECT_FALSE(Listpack::safe_to_add(7, (size_t{1} << 30) - 6));
    EXPECT_FALSE(Listpack::safe_to_add(size_t{1} << 30, 1));
    Listpack lp;
    const std::string big(4096, 'x');
    for (const std::string& s : {std::string(), std::string("a"), std::string("127"),
                                 std::string("128"), std::string("-4097"), big}) {
        const size_t before = lp.bytes();
        lp.append(s);
        EXPECT_EQ(lp.bytes() - before, Listpack::entry_size(s)) << s;
    }
}

TEST(Listpack, CountSaturatesAt65535) {
    Listpack lp;
    std::vector<std::string_view> batch;
    std::vector<std::string> storage;
    for (int i = 0; i < 65534; ++i) storage.push_back(std::to_string(i % 3 ? i : -i) + "v");
    batch.assign(storage.begin(), storage.end());
    lp.append_all(batch);
    EXPECT_EQ(lp.header_count(), 65534);
    EXPECT_EQ(lp.size(), 65534u);
    lp.append("x");
    EXPECT_EQ(lp.header_count(), 65535);  // unknown from here on
    EXPECT_EQ(lp.size(), 65535u);
    for (int i = 0; i < 1000; ++i) lp.append_int(i);
    EXPECT_EQ(lp.header_count(), 65535);
    EXPECT_EQ(lp.size(), 66535u);
    // Seek with an unknown count: forward for non-negative, backward for negative indexes.
    EXPECT_EQ(lp.get(lp.seek(-1)).num, 999);
    EXPECT_EQ(text(lp, lp.seek(65534)), "x");
    EXPECT_EQ(text(lp, lp.seek(-1001)), "x");
    EXPECT_EQ(text(lp, lp.seek(3)), "-3v");
    EXPECT_EQ(lp.seek(66535), kNone);
    EXPECT_EQ(lp.seek(-66536), kNone);
    expect_valid(lp);
    // Erasing keeps it unknown (as Redis) until a recount.
    lp.erase_range(-1000, 1000);
    lp.erase(lp.last());
    lp.erase(lp.last());
    EXPECT_EQ(lp.header_count(), 65535);
    EXPECT_EQ(lp.size(), 65533u);
    lp.refresh_count();
    EXPECT_EQ(lp.header_count(), 65533);
    EXPECT_EQ(lp.size(), 65533u);
    expect_valid(lp);
    // A count that does not match the entries is rejected unless it is 65535.
    Bytes blob = bytes_of(lp);
    blob[4] = 0xFC;  // 65532
    EXPECT_FALSE(Listpack::from_bytes(blob, true).has_value());
    blob[4] = 0xFF;  // 65535
    EXPECT_TRUE(Listpack::from_bytes(blob, true).has_value());
}

TEST(Listpack, RandomizedAgainstDeque) {
    std::mt19937_64 rng(20240607);
    auto pick = [&](uint64_t n) { return static_cast<size_t>(rng() % n); };
    auto random_value = [&]() -> std::string {
        switch (pick(10)) {
            case 0:
                return std::to_string(static_cast<int64_t>(rng()));
            case 1:
                return std::to_string(static_cast<int64_t>(rng() % 9000) - 4500);
            case 2:
                return std::to_string(static_cast<int64_t>(rng() >> pick(64)) - 1000);
            case 3:
                return "0" + std::to_string(pick(100));  // leading zero: a string
            case 4:
                return std::string(pick(5000), static_cast<char>('a' + pick(26)));
            case 5:
                return "";
            default: {
                std::string s(pick(80), ' ');
                for (char& ch : s) ch = static_cast<char>(pick(256));
                return s;
            }
        }
    };
    Listpack lp;
    std::deque<std::string> model;
    for (int op = 0; op < 4000; ++op) {
        const size_t n = model.size();
        const size_t choice = pick(n > 60 ? 12 : 8);
        if (choice == 0) {
            std::string v = random_value();
            lp.append(v);
            model.push_back(v);
        } else if (choice == 1) {
            std::string v = random_value();
            lp.prepend(v);
            model.push_front(v);
        } else if (choice == 2 && n > 0) {
            const size_t i = pick(n);
            const bool after = pick(2);
            std::string v = random_value();
            const Pos p = lp.insert(lp.seek(static_cast<int64_t>(i)), v, after);
            model.insert(model.begin() + static_cast<long>(i + after), v);
            ASSERT_EQ(text(lp, p), model[i + after]);
        } else if (choice == 3 && n > 0) {
            const size_t i = pick(n);
            std::string v = random_value();
            lp.replace(lp.seek(-static_cast<int64_t>(n - i)), v);
            model[i] = v;
        } else if (choice == 4) {
            const int64_t v = static_cast<int64_t>(rng()) >> pick(64);
            lp.append_int(v);
            model.push_back(std::to_string(v));
        } else if (choice == 5) {
            std::vector<std::string> vs(pick(5));
            for (auto& v : vs) v = random_value();
            std::vector<std::string_view> views(vs.begin(), vs.end());
            lp.append_all(views);
            model.insert(model.end(), vs.begin(), vs.end());
        } else if (n > 0 && (choice == 6 || choice == 8 || choice == 9)) {
            const size_t i = pick(n);
            const uint32_t count = static_cast<uint32_t>(1 + pick(3));
            const Pos next = lp.erase(lp.seek(static_cast<int64_t>(i)), count);
            model.erase(model.begin() + static_cast<long>(i),
                        model.begin() + static_cast<long>(std::min(n, i + count)));
            if (i < model.size()) {
                ASSERT_NE(next, kNone);
                ASSERT_EQ(text(lp, next), model[i]);
            } else {
                ASSERT_EQ(next, kNone);
            }
        } else if (n > 0 && (choice == 7 || choice == 10 || choice == 11)) {
            const int64_t start = static_cast<int64_t>(pick(2 * n + 2)) - static_cast<int64_t>(n);
            const uint32_t count = static_cast<uint32_t>(pick(6));
            lp.erase_range(start, count);
            const int64_t s = start < 0 ? start + static_cast<int64_t>(n) : start;
            if (s >= 0 && s < static_cast<int64_t>(n) && count > 0) {
                const size_t e = std::min(n, static_cast<size_t>(s) + count);
                model.erase(model.begin() + s, model.begin() + static_cast<long>(e));
            }
        }
        ASSERT_EQ(lp.size(), model.size()) << "op " << op;
        if (op % 50 == 0 || model.size() < 5) {
            ASSERT_EQ(bytes_of(lp), ref_blob(model)) << "op " << op;
            ASSERT_EQ(backward(lp), std::vector<std::string>(model.begin(), model.end()));
            expect_valid(lp);
        }
        if (!model.empty()) {
            const size_t i = pick(model.size());
            const Pos p = lp.seek(static_cast<int64_t>(i));
            ASSERT_TRUE(lp.equals(p, model[i]));
            ASSERT_EQ(lp.find(model[i], lp.first(), 0),
                      lp.seek(static_cast<int64_t>(std::find(model.begin(), model.end(), model[i]) -
                                                   model.begin())));
        }
    }
    EXPECT_EQ(bytes_of(lp), ref_blob(model));
}

// ---------------------------------------------------------------------------------------------
// from_bytes

Bytes with_header(Bytes b) {
    const uint32_t n = static_cast<uint32_t>(b.size());
    for (int i = 0; i < 4; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
    return b;
}

TEST(Listpack, FromBytesChecksHeader) {
    const Bytes good = bytes_of(build({"a", "100", std::string(70, 'b')}));
    EXPECT_TRUE(Listpack::from_bytes(good, true).has_value());
    EXPECT_TRUE(Listpack::from_bytes(good, false).has_value());
    EXPECT_FALSE(Listpack::from_bytes({}, false).has_value());
    EXPECT_FALSE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 0, 0}, false).has_value());
    EXPECT_TRUE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 0, 0, 0xFF}, true).has_value());
    EXPECT_FALSE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 0, 0, 0xFE}, false).has_value());
    EXPECT_FALSE(Listpack::from_bytes(Bytes{8, 0, 0, 0, 0, 0, 0xFF}, false).has_value());
    EXPECT_FALSE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 1, 0, 0xFF}, true).has_value());
    EXPECT_TRUE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 1, 0, 0xFF}, false).has_value());
    EXPECT_TRUE(Listpack::from_bytes(Bytes{7, 0, 0, 0, 0xFF, 0xFF, 0xFF}, true).has_value());
    Bytes extra = good;
    extra.push_back(0xFF);
    EXPECT_FALSE(Listpack::from_bytes(extra, false).has_value());
}

TEST(Listpack, FromBytesChecksEntries) {
    // Hand-made blobs: header fixed up, count 65535 unless given.
    auto blob = [](Bytes entries, uint16_t count = 65535) {
        Bytes b = {0, 0, 0, 0, static_cast<uint8_t>(count), static_cast<uint8_t>(count >> 8)};
        b.insert(b.end(), entries.begin(), entries.end());
        b.push_back(0xFF);
        return with_header(b);
    };
    EXPECT_TRUE(Listpack::from_bytes(blob({0x05, 0x01}), true).has_value());
    EXPECT_TRUE(Listpack::from_bytes(blob({0x05, 0x01}, 1), true).has_value());
    EXPECT_FALSE(Listpack::from_bytes(blob({0x05, 0x01}, 2), true).has_value());
    EXPECT_FALSE(Listpack::from_bytes(blob({0x05, 0x02}), true).has_value());  // backlen
    EXPECT_FALSE(Listpack::from_bytes(blob({0x05}), true).has_value());        // no backlen
    for (int tag = 0xF5; tag <= 0xFE; ++tag)
        EXPECT_FALSE(Listpack::from_bytes(blob({static_cast<uint8_t>(tag), 0x01}), true)) << tag;
    EXPECT_FALSE(Listpack::from_bytes(blob({0xFF, 0x01}), true).has_value());  // early EOF
    // A string whose length runs past the end.
    EXPECT_FALSE(Listpack::from_bytes(blob({0x85, 'a', 'b', 0x06}), true).has_value());
    EXPECT_FALSE(Listpack::from_bytes(blob({0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), true));
    EXPECT_FALSE(Listpack::from_bytes(blob({0xF0, 0xFB, 0xFF, 0xFF, 0xFF, 0x01}), true));
    EXPECT_FALSE(Listpack::from_bytes(blob({0xE0}), true).has_value());
    // Non-minimal encodings are valid (Redis accepts them too): 5 as int64, "ab" as str12.
    auto wide = Listpack::from_bytes(blob({0xF4, 5, 0, 0, 0, 0, 0, 0, 0, 0x09}, 1), true);
    ASSERT_TRUE(wide.has_value());
    EXPECT_EQ(wide->get(wide->first()).num, 5);
    auto str12 = Listpack::from_bytes(blob({0xE0, 0x02, 'a', 'b', 0x04, 0x7F, 0x01}, 2), true);
    ASSERT_TRUE(str12.has_value());
    EXPECT_EQ(forward(*str12), (std::vector<std::string>{"ab", "127"}));
    EXPECT_EQ(backward(*str12), (std::vector<std::string>{"ab", "127"}));
    EXPECT_TRUE(str12->equals(str12->first(), "ab"));
}

// Every entry reachable both ways with consistent counts: what a caller may rely on after
// from_bytes(..., true).
void exercise(const Listpack& lp) {
    size_t n = 0;
    size_t total = 0;
    char buf[Listpack::kIntBufSize];
    for (Pos p = lp.first(); p != kNone; p = lp.next(p)) {
        ++n;
        total += lp.get_str(p, buf).size();
        ASSERT_LT(p, lp.bytes());
    }
    size_t m = 0;
    for (Pos p = lp.last(); p != kNone; p = lp.prev(p)) ++m;
    ASSERT_EQ(n, m);
    ASSERT_EQ(n, lp.size());
    if (n) {
        ASSERT_EQ(lp.seek(-1), lp.last());
        ASSERT_EQ(lp.seek(0), lp.first());
    }
    lp.find("needle", lp.first(), 1);
    (void)total;
}

TEST(Listpack, FromBytesSurvivesTruncationAndCorruption) {
    std::vector<Bytes> seeds = {
        bytes_of(build({"a", "1", "-1", "300", "70000", "5000000000", std::string(70, 'x'), ""})),
        bytes_of(build({std::string(200, 'y'), "-4096", std::string(5000, 'z'), "k"})),
        bytes_of(build({"1", "2", "3", "4", "5", "6", "7", "8"})),
    };
    size_t accepted = 0;
    // Every truncation, raw and with the header and terminator patched to look right.
    for (const Bytes& seed : seeds) {
        for (size_t k = 0; k < seed.size(); ++k) {
            Bytes cut(seed.begin(), seed.begin() + static_cast<long>(k));
            EXPECT_FALSE(Listpack::from_bytes(cut, true).has_value()) << k;
            if (k >= 7) {
                cut.back() = 0xFF;
                cut = with_header(cut);
                if (auto lp = Listpack::from_bytes(cut, true)) {
                    ++accepted;
                    exercise(*lp);
                }
                Listpack::from_bytes(cut, false);
            }
        }
    }
    // Random byte flips (header total kept right half of the time).
    std::mt19937 rng(7);
    for (int round = 0; round < 30000; ++round) {
        Bytes b = seeds[static_cast<size_t>(round) % seeds.size()];
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int f = 0; f < flips; ++f) {
            const size_t at = rng() % b.size();
            b[at] = (rng() % 2) ? static_cast<uint8_t>(rng())
                                : static_cast<uint8_t>(b[at] ^ (1u << (rng() % 8)));
        }
        if (rng() % 2) b = with_header(b);
        if (auto lp = Listpack::from_bytes(b, true)) {
            ++accepted;
            exercise(*lp);
        }
    }
    EXPECT_GT(accepted, 0u);  // some corruptions (inside string data) stay valid
}

}  // namespace
}  // namespace snapstream
