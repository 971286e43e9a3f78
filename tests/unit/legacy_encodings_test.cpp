// Unit tests for persistence/legacy_encodings: ziplists and zipmaps made by the test-side
// encoders (tests/support/legacy_blobs.h, written from the format description) decode to the
// listpack Redis's conversion would build (same elements, same bytes as appending them one by
// one); every integer encoding at its boundaries; the legal-but-unusual forms Redis leaves
// behind; each validation rule of Redis's deep checks; every truncation and many byte flips
// (nullopt or a well-formed listpack, never a read outside the blob: each input is copied into
// an exactly-sized heap buffer so that AddressSanitizer sees any over-read).
#include "persistence/legacy_encodings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/legacy_blobs.h"

namespace snapstream {
namespace {

using test::encode_intset;
using test::encode_ziplist;
using test::encode_zipmap;
using test::ziplist_encoding_for;
using test::ziplist_entry_offsets;
using test::ZiplistOptions;
using test::ZipmapOptions;
using test::ZlEnc;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Decodes from an exactly-sized heap copy (an over-read is a heap-buffer-overflow under ASan).
std::optional<Listpack> zl(std::string_view blob) {
    const std::vector<uint8_t> copy(blob.begin(), blob.end());
    return ziplist_to_listpack(copy);
}
std::optional<Listpack> zm(std::string_view blob) {
    const std::vector<uint8_t> copy(blob.begin(), blob.end());
    return zipmap_to_listpack(copy);
}

std::vector<std::string> elements(const Listpack& lp) {
    std::vector<std::string> out;
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp.first(); p != Listpack::kNone; p = lp.next(p))
        out.emplace_back(lp.get_str(p, buf));
    return out;
}

// What Redis's conversion builds: the elements appended one by one.
Listpack reference(const std::vector<std::string>& items) {
    Listpack lp;
    for (const std::string& s : items) lp.append(s);
    return lp;
}

std::vector<std::string> flatten(const Pairs& pairs) {
    std::vector<std::string> out;
    for (const auto& [k, v] : pairs) {
        out.push_back(k);
        out.push_back(v);
    }
    return out;
}

// The decoded listpack holds exactly `items` and has the bytes Redis's conversion produces.
void expect_decodes_to(const std::optional<Listpack>& got, const std::vector<std::string>& items,
                       const std::string& what) {
    ASSERT_TRUE(got.has_value()) << what;
    EXPECT_EQ(elements(*got), items) << what;
    const Listpack ref = reference(items);
    ASSERT_EQ(got->bytes(), ref.bytes()) << what;
    EXPECT_TRUE(std::equal(got->span().begin(), got->span().end(), ref.span().begin())) << what;
    EXPECT_EQ(got->header_count(), ref.header_count()) << what;
}

// Anything a decoder returns must be a well-formed listpack.
void expect_well_formed(const std::optional<Listpack>& lp) {
    if (!lp) return;
    EXPECT_TRUE(Listpack::from_bytes(lp->span(), true).has_value());
}

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s.push_back(static_cast<char>(x));
    return s;
}

void put_le(std::string& s, size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s[at + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
}

// ---------------------------------------------------------------------------------------------
// Known blobs

TEST(LegacyEncodings, ZiplistFromTheFormatDescription) {
    // zlbytes 15, zltail 12, zllen 2, entries "2" (0xF3) and "5" (prevlen 2, 0xF6), end.
    const std::string blob = bytes({0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 2, 0, 0, 0xf3, 2, 0xf6, 0xff});
    EXPECT_EQ(encode_ziplist({"2", "5"}), blob);  // the test encoder agrees
    expect_decodes_to(zl(blob), {"2", "5"}, "two small ints");
}

TEST(LegacyEncodings, ZipmapFromTheFormatDescription) {
    const std::string blob(
        "\x02\x03"
        "foo"
        "\x03\x00"
        "bar"
        "\x05"
        "hello"
        "\x05\x00"
        "world"
        "\xff",
        24);
    EXPECT_EQ(encode_zipmap({{"foo", "bar"}, {"hello", "world"}}), blob);
    expect_decodes_to(zm(blob), {"foo", "bar", "hello", "world"}, "two pairs");
}

TEST(LegacyEncodings, EmptyZiplistIsAnEmptyListpack) {
    const std::string blob = encode_ziplist({});
    EXPECT_EQ(blob, bytes({11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff}));
    expect_decodes_to(zl(blob), {}, "empty");
}

// ---------------------------------------------------------------------------------------------
// Encodings at their boundaries

struct Boundary {
    std::string element;
    ZlEnc enc;
};

std::vector<Boundary> boundaries() {
    const auto s = [](int64_t v) { return std::to_string(v); };
    constexpr int64_t i64min = std::numeric_limits<int64_t>::min();
    constexpr int64_t i64max = std::numeric_limits<int64_t>::max();
    return {
        {"0", ZlEnc::Imm},
        {"12", ZlEnc::Imm},
        {"13", ZlEnc::Int8},
        {"-1", ZlEnc::Int8},
        {"127", ZlEnc::Int8},
        {"-128", ZlEnc::Int8},
        {"128", ZlEnc::Int16},
        {"-129", ZlEnc::Int16},
        {"32767", ZlEnc::Int16},
        {"-32768", ZlEnc::Int16},
        {"32768", ZlEnc::Int24},
        {"-32769", ZlEnc::Int24},
        {"8388607", ZlEnc::Int24},
        {"-8388608", ZlEnc::Int24},
        {"8388608", ZlEnc::Int32},
        {"-8388609", ZlEnc::Int32},
        {s(INT32_MAX), ZlEnc::Int32},
        {s(INT32_MIN), ZlEnc::Int32},
        {s(int64_t{INT32_MAX} + 1), ZlEnc::Int64},
        {s(int64_t{INT32_MIN} - 1), ZlEnc::Int64},
        {s(i64max), ZlEnc::Int64},
        {s(i64min), ZlEnc::Int64},
        // Not canonical integers: strings.
        {"9223372036854775808", ZlEnc::Str6},
        {"-9223372036854775809", ZlEnc::Str6},
        {"007", ZlEnc::Str6},
        {"-0", ZlEnc::Str6},
        {"+1", ZlEnc::Str6},
        {" 1", ZlEnc::Str6},
        {"1 ", ZlEnc::Str6},
        {"1.0", ZlEnc::Str6},
        {"", ZlEnc::Str6},
        {std::string(63, 'a'), ZlEnc::Str6},
        {std::string(64, 'b'), ZlEnc::Str14},
        {std::string(16383, 'c'), ZlEnc::Str14},
        {std::string(16384, 'd'), ZlEnc::Str32},
        {std::string(70000, 'e'), ZlEnc::Str32},
    };
}

TEST(LegacyEncodings, EveryZiplistEncodingAtItsBoundaries) {
    std::vector<std::string> all;
    for (const Boundary& b : boundaries()) {
        EXPECT_EQ(ziplist_encoding_for(b.element), b.enc) << b.element.substr(0, 30);
        expect_decodes_to(zl(encode_ziplist({b.element})), {b.element},
                          "alone: " + b.element.substr(0, 30));
        expect_decodes_to(zl(encode_ziplist({"x", b.element, "y"})), {"x", b.element, "y"},
                          "between: " + b.element.substr(0, 30));
        all.push_back(b.element);
    }
    expect_decodes_to(zl(encode_ziplist(all)), all, "all together");
}

TEST(LegacyEncodings, IntegersAreIntegerEntriesInTheListpack) {
    // A ziplist integer entry becomes a listpack integer entry; a string that is not a canonical
    // integer stays a string (Redis's lpAppend decides the same way).
    const auto lp = zl(encode_ziplist({"-5", "1000000", "007", "abc"}));
    ASSERT_TRUE(lp);
    Listpack::Pos p = lp->first();
    EXPECT_TRUE(lp->get(p).is_int);
    EXPECT_EQ(lp->get(p).num, -5);
    p = lp->next(p);
    EXPECT_TRUE(lp->get(p).is_int);
    EXPECT_EQ(lp->get(p).num, 1000000);
    p = lp->next(p);
    EXPECT_FALSE(lp->get(p).is_int);
    EXPECT_EQ(lp->get(p).str, "007");
}

TEST(LegacyEncodings, StringFormIntegersBecomeIntegerEntries) {
    // Hand-made ziplists may hold integer text as strings; the listpack holds them as integers,
    // exactly as if they had been integer entries.
    const std::vector<std::string> items = {"5", "-70000", "9223372036854775807", "x"};
    ZiplistOptions o;
    o.no_int_encoding = true;
    const std::string blob = encode_ziplist(items, o);
    EXPECT_EQ(static_cast<uint8_t>(blob[11]), 1u);  // "5" stored as a 1-byte string
    expect_decodes_to(zl(blob), items, "ints as strings");
    ZiplistOptions one;
    one.as_string = {1};
    const std::string mixed = encode_ziplist({"5", "5"}, one);
    EXPECT_EQ(mixed.substr(10), std::string("\x00\xf6\x02\x01"
                                            "5\xff",
                                            6));
    expect_decodes_to(zl(mixed), {"5", "5"}, "one int as a string");
}

TEST(LegacyEncodings, FiveBytePrevlenFromEntriesOf254Bytes) {
    // A 251-byte string entry takes 1 + 2 + 251 = 254 bytes: the next prevlen needs five bytes.
    // A 250-byte one takes 253: one byte is enough.
    for (size_t len : {size_t{250}, size_t{251}, size_t{300}, size_t{20000}}) {
        const std::vector<std::string> items = {std::string(len, 'z'), "next", "7"};
        const std::string blob = encode_ziplist(items);
        const auto offsets = ziplist_entry_offsets(blob);
        ASSERT_EQ(offsets.size(), 3u);
        const bool big = 1 + (len <= 63 ? 1 : len <= 16383 ? 2 : 5) + len >= 254;
        EXPECT_EQ(static_cast<uint8_t>(blob[offsets[1]]) == 0xFE, big) << len;
        expect_decodes_to(zl(blob), items, "prevlen after " + std::to_string(len));
    }
}

TEST(LegacyEncodings, FiveBytePrevlenForSmallSizesIsAccepted) {
    const std::vector<std::string> items = {"a", "17", std::string(100, 'q'), "-3"};
    ZiplistOptions o;
    o.always_big_prevlen = true;
    const std::string blob = encode_ziplist(items, o);
    EXPECT_EQ(static_cast<uint8_t>(blob[10]), 0xFEu);
    expect_decodes_to(zl(blob), items, "big prevlens");
}

TEST(LegacyEncodings, UnknownCounts) {
    ZiplistOptions o;
    o.unknown_count = true;
    expect_decodes_to(zl(encode_ziplist({"a", "b", "c"}, o)), {"a", "b", "c"}, "zllen 65535");
    expect_decodes_to(zl(encode_ziplist({}, o)), {}, "empty, zllen 65535");
    ZipmapOptions m;
    m.unknown_count = true;
    expect_decodes_to(zm(encode_zipmap({{"k", "v"}}, m)), {"k", "v"}, "zmlen 254");
}

TEST(LegacyEncodings, ZiplistOf70000Entries) {
    std::vector<std::string> items;
    for (int i = 0; i < 70000; ++i)
        items.push_back(i % 3 ? std::to_string(i * 7) : "s" + std::to_string(i));
    const std::string blob = encode_ziplist(items);
    EXPECT_EQ(static_cast<uint8_t>(blob[8]), 0xFFu);
    EXPECT_EQ(static_cast<uint8_t>(blob[9]), 0xFFu);
    const auto lp = zl(blob);
    ASSERT_TRUE(lp);
    EXPECT_EQ(lp->header_count(), Listpack::kUnknownCount);
    EXPECT_EQ(lp->size(), 70000u);
    expect_decodes_to(lp, items, "70000");
}

TEST(LegacyEncodings, ZipmapLengthsAndFreeBytes) {
    const Pairs pairs = {{"", ""},
                         {"k253", std::string(253, 'v')},
                         {std::string(254, 'K'), std::string(254, 'V')},
                         {"n", "12345"},
                         {"007", "-0"},
                         {std::string(70000, 'L'), "x"}};
    for (uint8_t free : {uint8_t{0}, uint8_t{1}, uint8_t{4}, uint8_t{255}}) {
        ZipmapOptions o;
        o.free_bytes = free;
        o.free_fill = static_cast<char>(0xFF);  // free bytes are skipped, even terminator-like
        const std::string blob = encode_zipmap(pairs, o);
        expect_decodes_to(zm(blob), flatten(pairs), "free " + std::to_string(free));
    }
}

TEST(LegacyEncodings, ZipmapOf300Pairs) {
    Pairs pairs;
    for (int i = 0; i < 300; ++i) pairs.emplace_back("f" + std::to_string(i), std::to_string(i));
    const std::string blob = encode_zipmap(pairs);
    EXPECT_EQ(static_cast<uint8_t>(blob[0]), 254u);
    expect_decodes_to(zm(blob), flatten(pairs), "300 pairs");
}

TEST(LegacyEncodings, IntsetEncoder) {
    // Not decoded here (node/intset reads it), but the RDB tests rely on the test encoder.
    EXPECT_EQ(encode_intset({3, 1, 2, 1}), bytes({2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0}));
    EXPECT_EQ(encode_intset({-40000}).substr(0, 8), bytes({4, 0, 0, 0, 1, 0, 0, 0}));
    EXPECT_EQ(encode_intset({int64_t{1} << 40}).size(), 16u);
}

// ---------------------------------------------------------------------------------------------
// Validation rules (each as Redis's deep check states it)

TEST(LegacyEncodings, ZiplistHeaderRules) {
    const std::string good = encode_ziplist({"a", "bb", "300"});
    ASSERT_TRUE(zl(good));
    EXPECT_FALSE(zl(""));
    EXPECT_FALSE(zl(good.substr(0, 10)));  // shorter than header + terminator
    std::string b = good;
    put_le(b, 0, good.size() + 1, 4);  // zlbytes larger than the blob
    EXPECT_FALSE(zl(b));
    put_le(b, 0, good.size() - 1, 4);  // smaller
    EXPECT_FALSE(zl(b));
    EXPECT_FALSE(zl(good + "\xff"));  // a byte after the terminator (zlbytes then mismatches)
    std::string t = good + "\xff";
    put_le(t, 0, t.size(), 4);  // zlbytes fixed: the walk then stops before the last byte
    EXPECT_FALSE(zl(t));
    b = good;
    b.back() = 0;  // no terminator
    EXPECT_FALSE(zl(b));
}

TEST(LegacyEncodings, ZiplistTailAndCountRules) {
    const std::string good = encode_ziplist({"a", "bb", "300"});
    const auto offsets = ziplist_entry_offsets(good);
    ASSERT_EQ(offsets.size(), 3u);
    std::string b = good;
    for (size_t tail : {offsets[0], offsets[1], offsets[2] + 1, good.size() - 1, good.size(),
                        size_t{0xFFFFFFFF}}) {
        b = good;
        put_le(b, 4, tail, 4);
        EXPECT_FALSE(zl(b)) << tail;
    }
    // An empty ziplist's zltail is only bounded by the terminator, as in Redis.
    std::string empty = encode_ziplist({});
    put_le(empty, 4, 3, 4);
    EXPECT_TRUE(zl(empty));
    put_le(empty, 4, 11, 4);
    EXPECT_FALSE(zl(empty));

    for (int count : {0, 2, 4, 65534}) {
        b = good;
        put_le(b, 8, static_cast<uint64_t>(count), 2);
        EXPECT_FALSE(zl(b)) << count;
    }
    b = good;
    put_le(b, 8, 65535, 2);
    EXPECT_TRUE(zl(b));
}

TEST(LegacyEncodings, ZiplistPrevlenRules) {
    const std::string good = encode_ziplist({"a", "bb", "300"});
    const auto offsets = ziplist_entry_offsets(good);
    for (size_t i = 0; i < offsets.size(); ++i) {
        for (int delta : {-1, 1}) {
            std::string b = good;
            b[offsets[i]] = static_cast<char>(static_cast<uint8_t>(b[offsets[i]]) + delta);
            EXPECT_FALSE(zl(b)) << "entry " << i << " delta " << delta;
        }
    }
    // A five-byte prevlen must hold the same value.
    ZiplistOptions o;
    o.always_big_prevlen = true;
    const std::string big = encode_ziplist({"a", "bb"}, o);
    const auto big_offsets = ziplist_entry_offsets(big);
    std::string b = big;
    put_le(b, big_offsets[1] + 1, 4, 4);  // the first entry is 5 + 1 + 1 = 7 bytes, not 4
    EXPECT_FALSE(zl(b));
    put_le(b, big_offsets[1] + 1, 7, 4);
    EXPECT_TRUE(zl(b));
    put_le(b, big_offsets[1] + 1, 7 + (uint64_t{1} << 32) - 8, 4);
    EXPECT_FALSE(zl(b));
}

TEST(LegacyEncodings, ZiplistEncodingBytes) {
    // One entry [prevlen 0][encoding e] and nothing else: valid only for the immediate
    // integers, which need no data; a string of length 0 too (00xxxxxx with L = 0).
    int accepted = 0;
    for (int e = 0; e < 256; ++e) {
        std::string b = bytes({13, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, e, 0xff});
        const auto lp = zl(b);
        const bool expect = (e >= 0xF1 && e <= 0xFD) || e == 0x00;
        EXPECT_EQ(lp.has_value(), expect) << e;
        if (lp && e >= 0xF1) {
            EXPECT_EQ(elements(*lp), std::vector<std::string>{std::to_string(e - 0xF1)});
        }
        accepted += lp.has_value();
    }
    EXPECT_EQ(accepted, 14);
    // Unused encoding bytes of the integer space are rejected even with room for data.
    for (int e : {0xC1, 0xCF, 0xD5, 0xE8, 0xEF, 0xFF}) {
        std::string b = bytes({21, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, e, 1, 2, 3, 4, 5, 6, 7, 8, 0xff});
        EXPECT_FALSE(zl(b)) << e;
    }
    // The low six bits of a 32-bit string length's first byte are ignored, as in Redis.
    std::string b = bytes({17, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0xBF, 0, 0, 0, 1, 'x', 0xff});
    put_le(b, 0, b.size(), 4);
    expect_decodes_to(zl(b), {"x"}, "0xBF string");
}

TEST(LegacyEncodings, ZiplistEntriesMustStayInside) {
    // A string whose length runs into or past the terminator.
    std::string b = bytes({16, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 4, 'a', 'b', 'c', 0xff});
    EXPECT_FALSE(zl(b));
    b[11] = 3;
    EXPECT_TRUE(zl(b));
    // Huge 32-bit lengths never wrap around.
    b = bytes({17, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xff});
    EXPECT_FALSE(zl(b));
    // An int64 entry cut short.
    b = bytes({17, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0xE0, 1, 2, 3, 4, 0xff});
    EXPECT_FALSE(zl(b));
    // A five-byte prevlen with no room for the encoding.
    b = bytes({16, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0xFE, 0, 0, 0, 0, 0xff});
    EXPECT_FALSE(zl(b));
}

TEST(LegacyEncodings, ZipmapRules) {
    const Pairs pairs = {{"a", "1"}, {"bb", "two"}};
    const std::string good = encode_zipmap(pairs);
    ASSERT_TRUE(zm(good));
    EXPECT_FALSE(zm(""));
    EXPECT_FALSE(zm("\xff"));
    EXPECT_FALSE(zm(std::string("\x00\xff", 2)));  // no pairs
    EXPECT_FALSE(zm(good.substr(0, good.size() - 1)));
    std::string b = good;
    b.back() = 0;
    EXPECT_FALSE(zm(b));
    for (int count : {0, 1, 3, 255}) {
        b = good;
        b[0] = static_cast<char>(count);
        EXPECT_FALSE(zm(b)) << count;
    }
    // Whatever follows the first terminator is ignored as long as the blob ends with 0xFF.
    expect_decodes_to(zm(good + "junk\xff"), flatten(pairs), "trailing bytes");
    EXPECT_FALSE(zm(good + "junk"));
    // A key or value length running past the end; free bytes running past the end.
    b = good;
    b[1] = 10;
    EXPECT_FALSE(zm(b));
    b = good;
    b[3] = 10;  // value length of "1"
    EXPECT_FALSE(zm(b));
    b = good;
    b[4] = 10;  // free bytes after "1"
    EXPECT_FALSE(zm(b));
    // A value length whose first byte is 255 is a five-byte length, as in Redis.
    std::string v = encode_zipmap({{"k", std::string(300, 'v')}});
    ASSERT_EQ(static_cast<uint8_t>(v[3]), 0xFEu);
    v[3] = static_cast<char>(0xFF);
    expect_decodes_to(zm(v), {"k", std::string(300, 'v')}, "0xFF value length");
    // Huge lengths never wrap around.
    b = good;
    b[3] = static_cast<char>(0xFE);
    b.insert(4, bytes({0xFF, 0xFF, 0xFF, 0xFF}));
    EXPECT_FALSE(zm(b));
}

// ---------------------------------------------------------------------------------------------
// Random round trips, truncations, byte flips

std::string random_element(std::mt19937_64& rng) {
    static const std::vector<Boundary> edges = boundaries();
    switch (rng() % 8) {
        case 0: {  // an integer encoding's boundary, or one past it
            const Boundary& b = edges[rng() % 22];
            return b.element;
        }
        case 1:
            return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
        case 2:
            return std::to_string(static_cast<int64_t>(rng() % 40) - 20);
        case 3: {  // 0..300 random bytes
            std::string s(rng() % 301, '\0');
            for (char& c : s) c = static_cast<char>(rng());
            return s;
        }
        case 4: {  // around the 6/14-bit string length and 254-byte entry boundaries
            static const size_t lens[] = {0, 1, 62, 63, 64, 65, 249, 250, 251, 252, 253, 254, 255};
            return std::string(lens[rng() % 13], static_cast<char>('a' + rng() % 26));
        }
        case 5:
            return rng() % 2 ? "007" : "-0";
        case 6:
            return "k" + std::to_string(rng() % 1000);
        default:
            return std::string(1 + rng() % 5, static_cast<char>(0xFF));  // terminator-like bytes
    }
}

TEST(LegacyEncodings, RandomZiplistRoundTrips) {
    for (uint64_t seed = 1; seed <= 1000; ++seed) {
        std::mt19937_64 rng(seed);
        std::vector<std::string> items(rng() % 4 == 0 ? rng() % 300 : rng() % 30);
        for (auto& s : items) s = random_element(rng);
        ZiplistOptions o;
        o.always_big_prevlen = rng() % 8 == 0;
        o.unknown_count = rng() % 8 == 0;
        o.no_int_encoding = rng() % 8 == 0;
        expect_decodes_to(zl(encode_ziplist(items, o)), items, "seed " + std::to_string(seed));
        if (HasFailure()) return;
    }
}

TEST(LegacyEncodings, RandomZipmapRoundTrips) {
    for (uint64_t seed = 1; seed <= 1000; ++seed) {
        std::mt19937_64 rng(seed);
        Pairs pairs(1 + (rng() % 4 == 0 ? rng() % 300 : rng() % 20));
        for (auto& [k, v] : pairs) {
            k = random_element(rng);
            v = random_element(rng);
        }
        ZipmapOptions o;
        o.free_bytes = static_cast<uint8_t>(rng() % 3 == 0 ? rng() % 6 : 0);
        o.free_fill = static_cast<char>(rng());
        o.unknown_count = rng() % 8 == 0;
        expect_decodes_to(zm(encode_zipmap(pairs, o)), flatten(pairs),
                          "seed " + std::to_string(seed));
        if (HasFailure()) return;
    }
}

// Blobs with a bit of everything, for the corruption tests.
std::vector<std::string> sample_ziplists() {
    std::vector<std::string> out;
    out.push_back(encode_ziplist({"a", "17", "-300", std::string(260, 'x'), "5", "1234567890123"}));
    ZiplistOptions big;
    big.always_big_prevlen = true;
    out.push_back(encode_ziplist({"70000", "", std::string(70, 'y'), "-1"}, big));
    std::mt19937_64 rng(99);
    for (int i = 0; i < 6; ++i) {
        std::vector<std::string> items(1 + rng() % 12);
        for (auto& s : items) s = random_element(rng);
        out.push_back(encode_ziplist(items));
    }
    return out;
}

std::vector<std::string> sample_zipmaps() {
    std::vector<std::string> out;
    ZipmapOptions free;
    free.free_bytes = 3;
    out.push_back(encode_zipmap({{"a", "1"}, {std::string(260, 'k'), "v"}, {"n", "-42"}}, free));
    std::mt19937_64 rng(77);
    for (int i = 0; i < 6; ++i) {
        Pairs pairs(1 + rng() % 6);
        for (auto& [k, v] : pairs) {
            k = random_element(rng);
            v = random_element(rng);
        }
        out.push_back(encode_zipmap(pairs));
    }
    return out;
}

TEST(LegacyEncodings, EveryTruncationIsRejectedOrWellFormed) {
    for (const std::string& blob : sample_ziplists()) {
        for (size_t n = 0; n < blob.size(); ++n) {
            // zlbytes no longer matches: every truncated ziplist is rejected.
            EXPECT_FALSE(zl(std::string_view(blob).substr(0, n))) << n;
        }
    }
    for (const std::string& blob : sample_zipmaps()) {
        for (size_t n = 0; n < blob.size(); ++n) {
            const auto lp = zm(std::string_view(blob).substr(0, n));
            expect_well_formed(lp);  // a prefix ending in 0xFF may still be a zipmap
        }
    }
}

TEST(LegacyEncodings, ByteFlipsAreRejectedOrWellFormed) {
    size_t accepted = 0, rejected = 0;
    auto check = [&](const std::optional<Listpack>& lp) {
        expect_well_formed(lp);
        ++(lp ? accepted : rejected);
    };
    // Every byte of small blobs set to every value.
    const std::string small_zl = encode_ziplist({"a", "300", "-2", std::string(70, 'q')});
    const std::string small_zm = encode_zipmap({{"a", "300"}, {"bc", std::string(70, 'q')}});
    for (size_t i = 0; i < small_zl.size(); ++i) {
        for (int v = 0; v < 256; ++v) {
            std::string b = small_zl;
            b[i] = static_cast<char>(v);
            check(zl(b));
        }
    }
    for (size_t i = 0; i < small_zm.size(); ++i) {
        for (int v = 0; v < 256; ++v) {
            std::string b = small_zm;
            b[i] = static_cast<char>(v);
            check(zm(b));
        }
    }
    // Random multi-byte flips of the samples.
    std::mt19937_64 rng(4242);
    for (const std::string& blob : sample_ziplists()) {
        for (int k = 0; k < 3000; ++k) {
            std::string b = blob;
            for (uint64_t f = 1 + rng() % 3; f > 0; --f)
                b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
            check(zl(b));
        }
    }
    for (const std::string& blob : sample_zipmaps()) {
        for (int k = 0; k < 3000; ++k) {
            std::string b = blob;
            for (uint64_t f = 1 + rng() % 3; f > 0; --f)
                b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
            check(zm(b));
        }
    }
    // Both outcomes happen (string bytes can change freely; headers cannot).
    EXPECT_GT(accepted, 1000u);
    EXPECT_GT(rejected, 10000u);
}

}  // namespace
}  // namespace snapstream
