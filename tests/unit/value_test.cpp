// Unit tests for node/value: string encodings as Redis chooses them (OBJECT ENCODING), make_raw
// growth, clone and moves.
#include "node/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace snapstream {
namespace {

using namespace std::string_literals;

std::string text(const Value& v) {
    char scratch[24];
    return std::string(v.str(scratch));
}

TEST(ValueEncoding, StrictIntegersAreIntEncoded) {
    for (const auto& [s, n] : std::initializer_list<std::pair<const char*, int64_t>>{
             {"0", 0},
             {"1", 1},
             {"-1", -1},
             {"12345", 12345},
             {"9223372036854775807", std::numeric_limits<int64_t>::max()},
             {"-9223372036854775808", std::numeric_limits<int64_t>::min()}}) {
        Value v = Value::string(s);
        EXPECT_EQ(v.encoding(), Encoding::Int) << s;
        EXPECT_TRUE(v.is_int()) << s;
        EXPECT_TRUE(v.is_string()) << s;
        EXPECT_EQ(v.type(), ValueType::String);
        EXPECT_EQ(v.int_value(), n) << s;
        EXPECT_EQ(text(v), s);
        EXPECT_EQ(v.str_len(), std::string(s).size());
        EXPECT_STREQ(encoding_name(v), "int");
        EXPECT_EQ(v.heap_bytes(), 0u);
    }
}

TEST(ValueEncoding, NonCanonicalNumbersAreNotInt) {
    for (const std::string& s :
         {"01"s, "-0"s, " 1"s, "1 "s, "+1"s, "00"s, "-"s, ""s, "1.0"s, "1e3"s, "0x10"s, "1\0"s,
          "9223372036854775808"s, "-9223372036854775809"s, "12345678901234567890"s,
          "-09223372036854775808"s, "123456789012345678901"s}) {
        Value v = Value::string(s);
        EXPECT_EQ(v.encoding(), Encoding::Embstr) << "'" << s << "'";
        EXPECT_EQ(text(v), s);
        EXPECT_EQ(v.str_len(), s.size());
        EXPECT_STREQ(encoding_name(v), "embstr");
    }
}

TEST(ValueEncoding, EmbstrUpTo44BytesThenRaw) {
    std::string s44(44, 'a');
    std::string s45(45, 'a');
    Value a = Value::string(s44);
    Value b = Value::string(s45);
    EXPECT_EQ(a.encoding(), Encoding::Embstr);
    EXPECT_EQ(b.encoding(), Encoding::Raw);
    EXPECT_STREQ(encoding_name(b), "raw");
    EXPECT_EQ(text(a), s44);
    EXPECT_EQ(text(b), s45);
    EXPECT_EQ(a.str_len(), 44u);
    EXPECT_EQ(b.str_len(), 45u);
    EXPECT_GE(a.heap_bytes(), 44u);
    EXPECT_GE(b.heap_bytes(), 45u);
    // A long run of digits is a string, never an int.
    EXPECT_EQ(Value::string(std::string(30, '1')).encoding(), Encoding::Embstr);
    EXPECT_EQ(Value::string(std::string(50, '1')).encoding(), Encoding::Raw);
    // Binary content.
    const std::string bin = "\0\r\n\xff"s;
    Value c = Value::string(bin);
    EXPECT_EQ(text(c), bin);
    EXPECT_EQ(c.str_len(), 4u);
    const std::string big(100000, 'z');
    EXPECT_EQ(text(Value::string(big)), big);
}

TEST(ValueEncoding, PlainAndRawConstructors) {
    Value p = Value::plain_string("123");  // never int
    EXPECT_EQ(p.encoding(), Encoding::Embstr);
    EXPECT_EQ(text(p), "123");
    EXPECT_EQ(Value::plain_string(std::string(45, 'x')).encoding(), Encoding::Raw);
    EXPECT_EQ(Value::plain_string("").encoding(), Encoding::Embstr);

    Value r = Value::raw_string("abc");
    EXPECT_EQ(r.encoding(), Encoding::Raw);
    EXPECT_EQ(text(r), "abc");
    EXPECT_EQ(Value::raw_string("42").encoding(), Encoding::Raw);
    EXPECT_EQ(Value::raw_string("").str_len(), 0u);

    Value i = Value::integer(-77);
    EXPECT_EQ(i.encoding(), Encoding::Int);
    EXPECT_EQ(text(i), "-77");
    EXPECT_EQ(i.str_len(), 3u);

    Value d;  // default: the integer 0
    EXPECT_TRUE(d.is_int());
    EXPECT_EQ(text(d), "0");
}

TEST(ValueNames, TypeAndEncodingNames) {
    EXPECT_STREQ(type_name(ValueType::String), "string");
    EXPECT_STREQ(type_name(ValueType::List), "list");
    EXPECT_STREQ(type_name(ValueType::Set), "set");
    EXPECT_STREQ(type_name(ValueType::ZSet), "zset");
    EXPECT_STREQ(type_name(ValueType::Hash), "hash");
}

// ---------------------------------------------------------------------------------------------
// make_raw

TEST(ValueMakeRaw, GrowthKeepsBytesAndZeroFills) {
    Value v = Value::string("hello");
    ASSERT_EQ(v.encoding(), Encoding::Embstr);
    char* p = v.make_raw(100);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(v.encoding(), Encoding::Raw);
    EXPECT_EQ(v.str_len(), 100u);
    EXPECT_EQ(std::string(p, 5), "hello");
    EXPECT_EQ(std::string(p + 5, 95), std::string(95, '\0'));
    EXPECT_EQ(text(v), "hello" + std::string(95, '\0'));
    // The returned buffer is the value's storage.
    std::memcpy(p + 5, " world", 6);
    EXPECT_EQ(text(v).substr(0, 11), "hello world");
}

TEST(ValueMakeRaw, ZeroFillWithinExistingCapacity) {
    // The allocation behind a 3-byte string is larger than 3 bytes and holds garbage (filled with
    // a pattern under AddressSanitizer); growing into it must still give zeroes.
    Value v = Value::raw_string("abc");
    char* p = v.make_raw(20);
    EXPECT_EQ(std::string(p, 3), "abc");
    EXPECT_EQ(std::string(p + 3, 17), std::string(17, '\0'));
    EXPECT_EQ(v.str_len(), 20u);
}

TEST(ValueMakeRaw, FromInt) {
    Value v = Value::string("12345");
    ASSERT_TRUE(v.is_int());
    char* p = v.make_raw(8);
    EXPECT_EQ(v.encoding(), Encoding::Raw);
    EXPECT_EQ(std::string(p, 8), "12345\0\0\0"s);
    EXPECT_EQ(v.str_len(), 8u);

    Value n = Value::integer(std::numeric_limits<int64_t>::min());
    p = n.make_raw(25);
    EXPECT_EQ(std::string(p, 25), "-9223372036854775808\0\0\0\0\0"s);

    // Same length: the digits as a raw string (APPEND of an empty string).
    Value s = Value::integer(-42);
    p = s.make_raw(3);
    EXPECT_EQ(s.encoding(), Encoding::Raw);
    EXPECT_EQ(text(s), "-42");
}

TEST(ValueMakeRaw, RepeatedAppendsKeepContent) {
    // What APPEND does: make_raw(old + add) then copy the addition at the old end.
    Value v = Value::string("x");
    std::string model = "x";
    for (int i = 0; i < 3000; ++i) {
        std::string add = std::to_string(i) + ",";
        if (i % 500 == 0) add += std::string(5000, static_cast<char>('a' + i % 26));
        const size_t old = v.str_len();
        char* p = v.make_raw(old + add.size());
        std::memcpy(p + old, add.data(), add.size());
        model += add;
        ASSERT_EQ(v.str_len(), model.size());
    }
    EXPECT_EQ(text(v), model);
    EXPECT_GE(v.heap_bytes(), model.size());
}

TEST(ValueMakeRaw, LargeGrowth) {
    // Past the 1 MiB geometric limit.
    Value v = Value::raw_string("start");
    char* p = v.make_raw(3u << 20);
    EXPECT_EQ(std::string(p, 5), "start");
    EXPECT_EQ(v.str_len(), 3u << 20);
    bool all_zero = true;
    for (size_t i = 5; i < (3u << 20); ++i) all_zero &= p[i] == 0;
    EXPECT_TRUE(all_zero);
    p[(3u << 20) - 1] = 'e';
    p = v.make_raw((3u << 20) + 10);
    EXPECT_EQ(p[(3u << 20) - 1], 'e');
    EXPECT_EQ(std::string(p + (3u << 20), 10), std::string(10, '\0'));
}

TEST(ValueMakeRaw, SetRangePattern) {
    // SETRANGE: make_raw(max(old, offset + len)) then write at offset.
    Value v = Value::string("Hello World");
    const size_t old = v.str_len();
    char* p = v.make_raw(old);  // write inside the current length
    std::memcpy(p + 6, "Redis", 5);
    EXPECT_EQ(text(v), "Hello Redis");
    EXPECT_EQ(v.encoding(), Encoding::Raw);
    p = v.make_raw(20);
    std::memcpy(p + 18, "!!", 2);
    EXPECT_EQ(text(v), "Hello Redis\0\0\0\0\0\0\0!!"s);
}

// ---------------------------------------------------------------------------------------------
// clone and moves

TEST(ValueClone, KeepsEncodingAndBytes) {
    const std::string long_text(100, 'q');
    std::vector<Value> sources;
    sources.push_back(Value::string("123"));
    sources.push_back(Value::string("-9223372036854775808"));
    sources.push_back(Value::string("abc"));
    sources.push_back(Value::string(long_text));
    sources.push_back(Value::raw_string("ab"));  // short but raw: stays raw
    sources.push_back(Value::plain_string("77"));
    sources.push_back(Value::string(""));
    sources.push_back(Value::string("a\0b"s));
    for (size_t i = 0; i < sources.size(); ++i) {
        const std::string expected = text(sources[i]);
        const Encoding enc = sources[i].encoding();
        Value c = sources[i].clone();
        EXPECT_EQ(c.encoding(), enc) << i;
        EXPECT_EQ(c.type(), ValueType::String);
        EXPECT_EQ(text(c), expected) << i;
        EXPECT_EQ(c.str_len(), expected.size());
        sources[i] = Value();  // free the source: the clone must not share its bytes
        EXPECT_EQ(text(c), expected) << i;
    }
}

TEST(ValueClone, IsIndependent) {
    Value a = Value::string("abcdef");
    Value b = a.clone();
    char* p = b.make_raw(10);
    p[0] = 'X';
    EXPECT_EQ(text(a), "abcdef");
    EXPECT_EQ(a.encoding(), Encoding::Embstr);
    EXPECT_EQ(text(b), "Xbcdef\0\0\0\0"s);
}

TEST(ValueMove, MoveLeavesIntZero) {
    Value a = Value::string(std::string(60, 'm'));
    Value b(std::move(a));
    EXPECT_EQ(text(b), std::string(60, 'm'));
    EXPECT_EQ(b.encoding(), Encoding::Raw);
    EXPECT_TRUE(a.is_int());  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(text(a), "0");

    Value c = Value::string("short");
    c = std::move(b);  // frees "short"
    EXPECT_EQ(text(c), std::string(60, 'm'));
    c = Value::integer(5);  // frees the raw buffer
    EXPECT_EQ(text(c), "5");
    Value& self = c;
    c = std::move(self);  // self-move is harmless
    EXPECT_EQ(text(c), "5");
}

}  // namespace
}  // namespace snapstream
