// Unit tests for common/numeric. Expected values marked "redis" were confirmed against a real
// redis-server 7.0.15 (INCRBY / INCRBYFLOAT / ZADD+ZSCORE / XADD ids / CONFIG SET maxmemory).
#include "common/numeric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace snapstream {
namespace {

using namespace std::string_literals;

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// What INCRBYFLOAT replies for a key holding `a` incremented by `b` (nullopt: an error reply).
std::optional<std::string> incrbyfloat(std::string_view a, std::string_view b) {
    auto x = parse_long_double(a);
    auto y = parse_long_double(b);
    if (!x || !y) return std::nullopt;
    return long_double_to_human(*x + *y);
}

// ---------------------------------------------------------------------------------------------
// parse_int64 (string2ll)

TEST(ParseInt64, AcceptsCanonicalIntegers) {
    EXPECT_EQ(parse_int64("0"), 0);
    EXPECT_EQ(parse_int64("1"), 1);
    EXPECT_EQ(parse_int64("-1"), -1);
    EXPECT_EQ(parse_int64("10"), 10);
    EXPECT_EQ(parse_int64("1234567890"), 1234567890);
    EXPECT_EQ(parse_int64("-1234567890"), -1234567890);
    EXPECT_EQ(parse_int64("9223372036854775807"), kI64Max);
    EXPECT_EQ(parse_int64("-9223372036854775808"), kI64Min);
    EXPECT_EQ(parse_int64("9223372036854775806"), kI64Max - 1);
    EXPECT_EQ(parse_int64("-9223372036854775807"), kI64Min + 1);
}

TEST(ParseInt64, RejectsNonCanonicalForms) {
    EXPECT_FALSE(parse_int64(""));
    EXPECT_FALSE(parse_int64("-"));
    EXPECT_FALSE(parse_int64("+"));
    EXPECT_FALSE(parse_int64("-0"));
    EXPECT_FALSE(parse_int64("+0"));
    EXPECT_FALSE(parse_int64("+1"));
    EXPECT_FALSE(parse_int64("00"));
    EXPECT_FALSE(parse_int64("01"));
    EXPECT_FALSE(parse_int64("-01"));
    EXPECT_FALSE(parse_int64(" 1"));
    EXPECT_FALSE(parse_int64("1 "));
    EXPECT_FALSE(parse_int64("\t1"));
    EXPECT_FALSE(parse_int64("1a"));
    EXPECT_FALSE(parse_int64("a1"));
    EXPECT_FALSE(parse_int64("1.0"));
    EXPECT_FALSE(parse_int64("1e3"));
    EXPECT_FALSE(parse_int64("0x10"));
    EXPECT_FALSE(parse_int64("--1"));
    EXPECT_FALSE(parse_int64("1-"));
    EXPECT_FALSE(parse_int64("1\0"s));
    EXPECT_FALSE(
        parse_int64("\0"s
                    "1"));
}

TEST(ParseInt64, RejectsOverflow) {
    EXPECT_FALSE(parse_int64("9223372036854775808"));    // max + 1
    EXPECT_FALSE(parse_int64("-9223372036854775809"));   // min - 1
    EXPECT_FALSE(parse_int64("18446744073709551615"));   // fits uint64 only
    EXPECT_FALSE(parse_int64("18446744073709551616"));   // 2^64
    EXPECT_FALSE(parse_int64("99999999999999999999"));   // 20 digits, > 2^64
    EXPECT_FALSE(parse_int64("-99999999999999999999"));  // 21 characters
    EXPECT_FALSE(parse_int64("123456789012345678901"));  // 21 characters
    EXPECT_FALSE(parse_int64("100000000000000000000"));
}

TEST(ParseInt64, LengthLimit) {
    // 20 characters is the maximum length (the longest valid value is INT64_MIN).
    EXPECT_EQ(std::string("-9223372036854775808").size(), 20u);
    // Anything of 21 or more characters is refused before looking at it.
    EXPECT_FALSE(parse_int64(std::string(21, '1')));
    EXPECT_FALSE(parse_int64(std::string(100, '1')));
}

TEST(ParseInt64, RoundTripsRandomValues) {
    std::mt19937_64 rng(42);
    char buf[32];
    for (int i = 0; i < 100000; ++i) {
        const auto v = static_cast<int64_t>(rng()) >> (rng() % 64);
        const size_t n = format_int64(buf, v);
        ASSERT_EQ(parse_int64(std::string_view(buf, n)), v);
    }
}

// ---------------------------------------------------------------------------------------------
// parse_uint64 (string2ull: strict signed parse, then a lenient strtoull fallback)

TEST(ParseUint64, StrictForms) {
    EXPECT_EQ(parse_uint64("0"), 0u);
    EXPECT_EQ(parse_uint64("1"), 1u);
    EXPECT_EQ(parse_uint64("9223372036854775807"), 9223372036854775807ULL);
    EXPECT_EQ(parse_uint64("9223372036854775808"), 9223372036854775808ULL);
    EXPECT_EQ(parse_uint64("18446744073709551615"), kU64Max);
}

TEST(ParseUint64, Rejections) {
    EXPECT_FALSE(parse_uint64(""));
    EXPECT_FALSE(parse_uint64("-1"));  // parses as a negative int64 first
    EXPECT_FALSE(parse_uint64("-9223372036854775808"));
    EXPECT_FALSE(parse_uint64("18446744073709551616"));  // ERANGE
    EXPECT_FALSE(parse_uint64("99999999999999999999"));
    EXPECT_FALSE(parse_uint64("1-18446744073709551616"));
    EXPECT_FALSE(parse_uint64("-18446744073709551616"));  // ERANGE
    EXPECT_FALSE(parse_uint64("2 "));
    EXPECT_FALSE(parse_uint64(" "));
    EXPECT_FALSE(parse_uint64("0x1"));
    EXPECT_FALSE(parse_uint64("abc"));
    EXPECT_FALSE(parse_uint64("+-2"));
    EXPECT_FALSE(parse_uint64("1.5"));
}

TEST(ParseUint64, LenientFallbackLikeStrtoull) {
    // redis: XADD s <ms>-<seq> parses both parts with string2ull; these ids were accepted.
    EXPECT_EQ(parse_uint64("+1"), 1u);
    EXPECT_EQ(parse_uint64(" 1"), 1u);
    EXPECT_EQ(parse_uint64("\t3"), 3u);
    EXPECT_EQ(parse_uint64("  +7"), 7u);
    EXPECT_EQ(parse_uint64("01"), 1u);
    EXPECT_EQ(parse_uint64("00"), 0u);
    EXPECT_EQ(parse_uint64("-0"), 0u);
    // A '-' whose magnitude does not fit int64 reaches strtoull, which negates modulo 2^64.
    EXPECT_EQ(parse_uint64("-18446744073709551615"), 1u);  // redis: "1--1844..." -> 1-1
    EXPECT_EQ(parse_uint64("-9223372036854775809"), 9223372036854775807ULL);  // redis
}

TEST(ParseUint64, StopsAtEmbeddedNul) {
    // string2ull takes a C string.
    EXPECT_EQ(parse_uint64("12\0"s
                           "34"),
              12u);
    EXPECT_FALSE(
        parse_uint64("\0"s
                     "12"));
}

// ---------------------------------------------------------------------------------------------
// parse_long_double (string2ld)

TEST(ParseLongDouble, AcceptsWhatStrtoldAccepts) {
    EXPECT_EQ(parse_long_double("10.5"), 10.5L);
    EXPECT_EQ(parse_long_double("1e3"), 1000.0L);
    EXPECT_EQ(parse_long_double("1E3"), 1000.0L);
    EXPECT_EQ(parse_long_double(".5"), 0.5L);
    EXPECT_EQ(parse_long_double("5."), 5.0L);
    EXPECT_EQ(parse_long_double("+1"), 1.0L);
    EXPECT_EQ(parse_long_double("-2.5"), -2.5L);
    EXPECT_EQ(parse_long_double("01"), 1.0L);
    EXPECT_EQ(parse_long_double("0x10"), 16.0L);   // redis: INCRBYFLOAT k 0x10 -> 16
    EXPECT_EQ(parse_long_double("0x1p-1"), 0.5L);  // redis: -> 0.5
    EXPECT_EQ(parse_long_double("0.1"), 0.1L);     // long double precision, not double
    EXPECT_NE(*parse_long_double("0.1"), static_cast<long double>(0.1));
}

TEST(ParseLongDouble, NegativeZero) {
    auto v = parse_long_double("-0");
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 0.0L);
    EXPECT_TRUE(std::signbit(*v));
}

TEST(ParseLongDouble, InfinityIsAcceptedNanIsNot) {
    // INCRBYFLOAT k inf fails with "increment would produce NaN or Infinity", not with "value is
    // not a valid float": the parse succeeds.
    auto inf = parse_long_double("inf");
    ASSERT_TRUE(inf);
    EXPECT_TRUE(std::isinf(*inf));
    EXPECT_GT(*inf, 0);
    auto ninf = parse_long_double("-inf");
    ASSERT_TRUE(ninf);
    EXPECT_LT(*ninf, 0);
    EXPECT_TRUE(std::isinf(*ninf));
    EXPECT_TRUE(parse_long_double("infinity"));
    EXPECT_TRUE(parse_long_double("INF"));
    EXPECT_FALSE(parse_long_double("nan"));
    EXPECT_FALSE(parse_long_double("-nan"));
    EXPECT_FALSE(parse_long_double("NAN"));
    EXPECT_FALSE(parse_long_double("nan(123)"));
}

TEST(ParseLongDouble, Rejections) {
    EXPECT_FALSE(parse_long_double(""));
    EXPECT_FALSE(parse_long_double(" 1"));
    EXPECT_FALSE(parse_long_double("\t1"));
    EXPECT_FALSE(parse_long_double("\n1"));
    EXPECT_FALSE(parse_long_double("1 "));
    EXPECT_FALSE(parse_long_double("1.5e"));
    EXPECT_FALSE(parse_long_double("1.5x"));
    EXPECT_FALSE(parse_long_double("abc"));
    EXPECT_FALSE(parse_long_double("."));
    EXPECT_FALSE(parse_long_double("-"));
    EXPECT_FALSE(parse_long_double("1,5"));
    EXPECT_FALSE(parse_long_double("1\0"s));
    EXPECT_FALSE(
        parse_long_double("1\0"s
                          "2"));
}

TEST(ParseLongDouble, Range) {
    // Beyond the x87 long double range: overflow refused.
    EXPECT_FALSE(parse_long_double("1e5000"));
    EXPECT_FALSE(parse_long_double("-1e5000"));
    // Underflow to zero refused...
    EXPECT_FALSE(parse_long_double("1e-5000"));
    // ...but a denormal result is accepted (redis: INCRBYFLOAT k 1e-4940 -> 0).
    auto tiny = parse_long_double("1e-4940");
    ASSERT_TRUE(tiny);
    EXPECT_GT(*tiny, 0.0L);
    EXPECT_TRUE(parse_long_double("0x1p-16400"));
    // Far outside double's range but fine as long double.
    EXPECT_TRUE(parse_long_double("1e400"));
    EXPECT_TRUE(parse_long_double("1e4932"));
    EXPECT_TRUE(parse_long_double("-1e4932"));
    // A literal zero is not an underflow.
    EXPECT_EQ(parse_long_double("0e-5000"), 0.0L);
}

TEST(ParseLongDouble, LengthLimit) {
    // Up to 5119 characters are accepted, 5120 and more are refused.
    std::string s = "1." + std::string(5117, '0');
    ASSERT_EQ(s.size(), 5119u);
    EXPECT_EQ(parse_long_double(s), 1.0L);
    s.push_back('0');
    EXPECT_FALSE(parse_long_double(s));
}

// ---------------------------------------------------------------------------------------------
// long_double_to_human (ld2string LD_STR_HUMAN) and the INCRBYFLOAT replies built from it.

TEST(LongDoubleToHuman, Basics) {
    EXPECT_EQ(long_double_to_human(0.0L), "0");
    EXPECT_EQ(long_double_to_human(-0.0L), "0");
    EXPECT_EQ(long_double_to_human(1.0L), "1");
    EXPECT_EQ(long_double_to_human(-1.0L), "-1");
    EXPECT_EQ(long_double_to_human(100.0L), "100");
    EXPECT_EQ(long_double_to_human(1.5L), "1.5");
    EXPECT_EQ(long_double_to_human(-2.5L), "-2.5");
    EXPECT_EQ(long_double_to_human(1e17L), "100000000000000000");
    EXPECT_EQ(long_double_to_human(1e-17L), "0.00000000000000001");
    EXPECT_EQ(long_double_to_human(1e-18L), "0");
    EXPECT_EQ(long_double_to_human(-1e-18L), "0");  // "-0" is shown as "0"
    EXPECT_EQ(long_double_to_human(9223372036854775807.0L), "9223372036854775807");
}

TEST(LongDoubleToHuman, InfAndNanHaveNoText) {
    EXPECT_FALSE(long_double_to_human(std::numeric_limits<long double>::infinity()));
    EXPECT_FALSE(long_double_to_human(-std::numeric_limits<long double>::infinity()));
    EXPECT_FALSE(long_double_to_human(std::numeric_limits<long double>::quiet_NaN()));
}

TEST(LongDoubleToHuman, MatchesPrintfAndTrim) {
    // Cross-check against the C library's "%.17Lf" followed by the trimming rules.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> mant(-1.0, 1.0);
    char buf[6000];
    for (int i = 0; i < 20000; ++i) {
        long double v = static_cast<long double>(mant(rng)) *
                        std::pow(10.0L, static_cast<int>(rng() % 60) - 30);
        if (i % 3 == 0) v = static_cast<long double>(rng() % 100000000) / 1000.0L + 0.1L;
        if (i % 101 == 0) v = std::pow(10.0L, static_cast<int>(rng() % 9000) - 4500);
        int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
        ASSERT_GT(n, 0);
        std::string expected(buf, static_cast<size_t>(n));
        while (expected.back() == '0') expected.pop_back();
        if (expected.back() == '.') expected.pop_back();
        if (expected == "-0") expected = "0";
        ASSERT_EQ(long_double_to_human(v), expected) << buf;
    }
}

TEST(IncrByFloat, RepliesConfirmedAgainstRedis) {
    EXPECT_EQ(incrbyfloat("10.5", "0.1"), "10.6");
    EXPECT_EQ(incrbyfloat("0.1", "0.2"), "0.3");
    EXPECT_EQ(incrbyfloat("1.1", "2.2"), "3.3");
    EXPECT_EQ(incrbyfloat("5", "-5"), "0");
    EXPECT_EQ(incrbyfloat("0", "1e3"), "1000");
    EXPECT_EQ(incrbyfloat("0", ".5"), "0.5");
    EXPECT_EQ(incrbyfloat("0", "5."), "5");
    EXPECT_EQ(incrbyfloat("0", "+1"), "1");
    EXPECT_EQ(incrbyfloat("0", "0x10"), "16");
    EXPECT_EQ(incrbyfloat("-0", "-0"), "0");
    EXPECT_EQ(incrbyfloat("-0", "0"), "0");
    EXPECT_EQ(incrbyfloat("0", "1e-20"), "0");
    EXPECT_EQ(incrbyfloat("0", "-1e-18"), "0");
    EXPECT_EQ(incrbyfloat("0", "1e-17"), "0.00000000000000001");
    EXPECT_EQ(incrbyfloat("0", "1e-4940"), "0");
    EXPECT_EQ(incrbyfloat("0", "4.9e-324"), "0");
    EXPECT_EQ(incrbyfloat("0", "3.0000000000000000001"), "3");
    EXPECT_EQ(incrbyfloat("0", "0.000000000000000015"), "0.00000000000000002");
    EXPECT_EQ(incrbyfloat("0", "0.000000000000000025"), "0.00000000000000002");
    EXPECT_EQ(incrbyfloat("0", "0.000000000000000005"), "0");
    EXPECT_EQ(incrbyfloat("0", "-0.000000000000000005"), "0");
    EXPECT_EQ(incrbyfloat("0", "123456789.123456789"), "123456789.12345678899873747");
    EXPECT_EQ(incrbyfloat("0", "1e18"), "1000000000000000000");
    EXPECT_EQ(incrbyfloat("0", "9223372036854775807"), "9223372036854775807");
    EXPECT_EQ(incrbyfloat("0", "18446744073709551616"), "18446744073709551616");
}

TEST(IncrByFloat, HugeValuesPrintEveryIntegerDigit) {
    // redis: INCRBYFLOAT k 1e308 on a missing key.
    EXPECT_EQ(incrbyfloat("0", "1e308"),
              "999999999999999999966858796558456456605600998474155672077970479949217348688380618721"
              "001269218885393204467472250540132231521347495939605835974208144301964187679591000196"
              "031907786631096045071066679391533957889389145605435630612683649016186302170865892534"
              "44881623791300855757318142424510452728255046343928578048");
    EXPECT_EQ(incrbyfloat("1e308", "1e308")->substr(0, 60),
              "199999999999999999993371759311691291321120199694831134415594");
    EXPECT_EQ(incrbyfloat("0", "1e400")->substr(0, 40), "1000000000000000000028188068394758651458");
    EXPECT_EQ(incrbyfloat("0", "1e400")->size(), 401u);
    EXPECT_EQ(incrbyfloat("0", "1.7976931348623157e308")->substr(0, 40),
              "1797693134862315699959210467741044340483");
    // The largest magnitudes still fit (4933 integer digits).
    auto big = incrbyfloat("0", "1e4932");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->size(), 4933u);
    EXPECT_EQ(big->substr(0, 40), "1000000000000000000006018949387963891323");
    EXPECT_EQ(big->substr(big->size() - 9), "886622720");
    auto max = long_double_to_human(std::numeric_limits<long double>::max());
    ASSERT_TRUE(max);
    EXPECT_EQ(max->size(), 4933u);
    auto lowest = long_double_to_human(std::numeric_limits<long double>::lowest());
    ASSERT_TRUE(lowest);
    EXPECT_EQ(lowest->size(), 4934u);
    EXPECT_EQ((*lowest)[0], '-');
}

TEST(IncrByFloat, Errors) {
    // "value is not a valid float"
    EXPECT_FALSE(incrbyfloat("0", " 1"));
    EXPECT_FALSE(incrbyfloat("0", "1 "));
    EXPECT_FALSE(incrbyfloat("0", ""));
    EXPECT_FALSE(incrbyfloat("0", "nan"));
    EXPECT_FALSE(incrbyfloat("0", "1e-5000"));
    EXPECT_FALSE(incrbyfloat("0", "1e5000"));
    EXPECT_FALSE(incrbyfloat("abc", "1"));
    // "increment would produce NaN or Infinity": parses, but the sum has no text.
    EXPECT_TRUE(parse_long_double("inf"));
    EXPECT_FALSE(incrbyfloat("0", "inf"));
    EXPECT_FALSE(incrbyfloat("0", "-inf"));
    EXPECT_FALSE(incrbyfloat("0", "infinity"));
    EXPECT_FALSE(incrbyfloat("1e4932", "1e4932"));
}

// ---------------------------------------------------------------------------------------------
// parse_double (string2d)

TEST(ParseDouble, Accepts) {
    EXPECT_EQ(parse_double("0"), 0.0);
    EXPECT_EQ(parse_double("1.5"), 1.5);
    EXPECT_EQ(parse_double("-1.5"), -1.5);
    EXPECT_EQ(parse_double("+1.5"), 1.5);
    EXPECT_EQ(parse_double("1e3"), 1000.0);
    EXPECT_EQ(parse_double("1E3"), 1000.0);
    EXPECT_EQ(parse_double("1e+2"), 100.0);
    EXPECT_EQ(parse_double("1e-2"), 0.01);
    EXPECT_EQ(parse_double(".5"), 0.5);
    EXPECT_EQ(parse_double("+.5"), 0.5);
    EXPECT_EQ(parse_double("5."), 5.0);
    EXPECT_EQ(parse_double("00012"), 12.0);
    EXPECT_EQ(parse_double("0x10"), 16.0);
    EXPECT_EQ(parse_double("0x1p3"), 8.0);
    EXPECT_EQ(parse_double("0.1"), 0.1);
    EXPECT_EQ(parse_double("1.7976931348623157e308"), std::numeric_limits<double>::max());
    EXPECT_EQ(parse_double("9007199254740993"), 9007199254740992.0);
    EXPECT_EQ(parse_double("123456789012345678901234567890"), 1.2345678901234568e+29);
    auto nz = parse_double("-0");
    ASSERT_TRUE(nz);
    EXPECT_TRUE(std::signbit(*nz));
}

TEST(ParseDouble, Infinities) {
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(parse_double("inf"), inf);
    EXPECT_EQ(parse_double("+inf"), inf);
    EXPECT_EQ(parse_double("-inf"), -inf);
    EXPECT_EQ(parse_double("INF"), inf);
    EXPECT_EQ(parse_double("Infinity"), inf);
    EXPECT_EQ(parse_double("-infinity"), -inf);
}

TEST(ParseDouble, Rejections) {
    EXPECT_FALSE(parse_double(""));
    EXPECT_FALSE(parse_double(" 1"));
    EXPECT_FALSE(parse_double("\t1"));
    EXPECT_FALSE(parse_double("1 "));
    EXPECT_FALSE(parse_double("abc"));
    EXPECT_FALSE(parse_double("1.5e"));
    EXPECT_FALSE(parse_double("1_000"));
    EXPECT_FALSE(parse_double("nan"));
    EXPECT_FALSE(parse_double("-nan"));
    EXPECT_FALSE(parse_double("1e309"));   // overflow
    EXPECT_FALSE(parse_double("-1e309"));  // overflow
    EXPECT_FALSE(parse_double("1e-400"));  // underflow to zero
    EXPECT_FALSE(parse_double("1\0"s));    // embedded NUL
    EXPECT_FALSE(
        parse_double("\0"s
                     "1"));
}

TEST(ParseDouble, DenormalsAndLongInputs) {
    auto d = parse_double("1e-320");  // ERANGE but non-zero: accepted (redis: ZADD works)
    ASSERT_TRUE(d);
    EXPECT_GT(*d, 0.0);
    EXPECT_EQ(parse_double("4.9e-324"), std::numeric_limits<double>::denorm_min());
    // No length limit.
    EXPECT_EQ(parse_double("0." + std::string(300, '0') + "1"), 1e-301);
    EXPECT_EQ(parse_double("1" + std::string(300, '0')), 1e300);
    EXPECT_FALSE(parse_double("1" + std::string(300, '0') + " "));
}

// ---------------------------------------------------------------------------------------------
// double_to_string (addReplyDouble, RESP2)

TEST(DoubleToString, ConfirmedAgainstRedis) {
    // redis: ZADD z <v> m; ZSCORE z m (skiplist encoding for -0: listpack stores -0 as integer 0)
    EXPECT_EQ(double_to_string(0.0), "0");
    EXPECT_EQ(double_to_string(-0.0), "-0");
    EXPECT_EQ(double_to_string(1.5), "1.5");
    EXPECT_EQ(double_to_string(0.1), "0.10000000000000001");
    EXPECT_EQ(double_to_string(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(double_to_string(1e308), "1e+308");
    EXPECT_EQ(double_to_string(*parse_double("1e-320")), "9.9998886718268301e-321");
    EXPECT_EQ(double_to_string(1.2345678901234568e+29), "1.2345678901234568e+29");
    EXPECT_EQ(double_to_string(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(double_to_string(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(DoubleToString, PercentG17) {
    EXPECT_EQ(double_to_string(100.0), "100");
    EXPECT_EQ(double_to_string(-3.0), "-3");
    EXPECT_EQ(double_to_string(1e16), "10000000000000000");
    EXPECT_EQ(double_to_string(1e17), "1e+17");
    EXPECT_EQ(double_to_string(1e-4), "0.0001");
    EXPECT_EQ(double_to_string(1e-5), "1.0000000000000001e-05");
    EXPECT_EQ(double_to_string(2.5), "2.5");
    EXPECT_EQ(double_to_string(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
    EXPECT_EQ(double_to_string(std::numeric_limits<double>::denorm_min()),
              "4.9406564584124654e-324");
    EXPECT_EQ(double_to_string(std::numeric_limits<double>::quiet_NaN()), "nan");
    EXPECT_EQ(double_to_string(-std::numeric_limits<double>::quiet_NaN()), "-nan");

    std::mt19937_64 rng(11);
    char buf[64];
    for (int i = 0; i < 100000; ++i) {
        const uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, sizeof(v));
        if (std::isinf(v) || std::isnan(v)) continue;
        std::snprintf(buf, sizeof(buf), "%.17g", v);
        ASSERT_EQ(double_to_string(v), buf);
    }
}

// ---------------------------------------------------------------------------------------------
// format_int64 / int64_to_string

TEST(FormatInt64, Boundaries) {
    EXPECT_EQ(int64_to_string(0), "0");
    EXPECT_EQ(int64_to_string(-1), "-1");
    EXPECT_EQ(int64_to_string(9), "9");
    EXPECT_EQ(int64_to_string(10), "10");
    EXPECT_EQ(int64_to_string(99), "99");
    EXPECT_EQ(int64_to_string(100), "100");
    EXPECT_EQ(int64_to_string(-100), "-100");
    EXPECT_EQ(int64_to_string(kI64Max), "9223372036854775807");
    EXPECT_EQ(int64_to_string(kI64Min), "-9223372036854775808");
    EXPECT_EQ(int64_to_string(kI64Min + 1), "-9223372036854775807");
}

TEST(FormatInt64, ReturnsLengthAndWritesNothingBeyond) {
    char buf[32];
    std::memset(buf, 'x', sizeof(buf));
    EXPECT_EQ(format_int64(buf, kI64Min), 20u);
    EXPECT_EQ(std::string(buf, 20), "-9223372036854775808");
    EXPECT_EQ(buf[21], 'x');
    std::memset(buf, 'x', sizeof(buf));
    EXPECT_EQ(format_int64(buf, 7), 1u);
    EXPECT_EQ(buf[0], '7');
    EXPECT_EQ(buf[2], 'x');
}

TEST(FormatInt64, EveryPowerOfTenNeighbour) {
    int64_t p = 1;
    for (int i = 0; i < 19; ++i) {
        for (int64_t v : {p - 1, p, p + 1, -(p - 1), -p, -(p + 1)}) {
            ASSERT_EQ(int64_to_string(v), std::to_string(v));
        }
        if (i < 18) p *= 10;
    }
}

TEST(FormatInt64, MatchesToStringOnRandomValues) {
    std::mt19937_64 rng(3);
    for (int i = 0; i < 200000; ++i) {
        const auto v = static_cast<int64_t>(rng()) >> (rng() % 64);
        ASSERT_EQ(int64_to_string(v), std::to_string(v));
    }
}

// ---------------------------------------------------------------------------------------------
// parse_memory (memtoull) — all confirmed with CONFIG SET maxmemory / CONFIG GET maxmemory.

TEST(ParseMemory, Units) {
    EXPECT_EQ(parse_memory("123"), 123u);
    EXPECT_EQ(parse_memory("0"), 0u);
    EXPECT_EQ(parse_memory("7b"), 7u);
    EXPECT_EQ(parse_memory("7B"), 7u);
    EXPECT_EQ(parse_memory("10k"), 10000u);
    EXPECT_EQ(parse_memory("10K"), 10000u);
    EXPECT_EQ(parse_memory("10kb"), 10240u);
    EXPECT_EQ(parse_memory("10KB"), 10240u);
    EXPECT_EQ(parse_memory("10kB"), 10240u);
    EXPECT_EQ(parse_memory("5m"), 5000000u);
    EXPECT_EQ(parse_memory("5mb"), 5242880u);
    EXPECT_EQ(parse_memory("1g"), 1000000000u);
    EXPECT_EQ(parse_memory("1gb"), 1073741824u);
    EXPECT_EQ(parse_memory("1GB"), 1073741824u);
    EXPECT_EQ(parse_memory("1Gb"), 1073741824u);
    EXPECT_EQ(parse_memory("0gb"), 0u);
    EXPECT_EQ(parse_memory("05"), 5u);
}

TEST(ParseMemory, Rejections) {
    EXPECT_FALSE(parse_memory("-1"));
    EXPECT_FALSE(parse_memory("-1gb"));
    EXPECT_FALSE(parse_memory("abc"));
    EXPECT_FALSE(parse_memory("+5"));
    EXPECT_FALSE(parse_memory(" 5"));
    EXPECT_FALSE(parse_memory("5 "));
    EXPECT_FALSE(parse_memory("1.5gb"));
    EXPECT_FALSE(parse_memory("1tb"));
    EXPECT_FALSE(parse_memory("1kbb"));
    EXPECT_FALSE(parse_memory("1bk"));
    EXPECT_FALSE(parse_memory("1 gb"));
    EXPECT_FALSE(parse_memory(std::string(128, '1')));  // too many digits for Redis's buffer
}

TEST(ParseMemory, QuirksOfMemtoull) {
    // No digits at all is read as 0 (redis: CONFIG SET maxmemory "" and "gb" both succeed).
    EXPECT_EQ(parse_memory(""), 0u);
    EXPECT_EQ(parse_memory("gb"), 0u);
    EXPECT_EQ(parse_memory("k"), 0u);
    // Too large a number saturates instead of failing.
    EXPECT_EQ(parse_memory("18446744073709551615"), kU64Max);
    EXPECT_EQ(parse_memory("18446744073709551616"), kU64Max);
    EXPECT_EQ(parse_memory("99999999999999999999999"), kU64Max);
    EXPECT_EQ(parse_memory(std::string(127, '9')), kU64Max);
    // The unit multiplication wraps around.
    EXPECT_EQ(parse_memory("17179869184gb"), 0u);
    EXPECT_EQ(parse_memory("17179869183gb"), 18446744072635809792ULL);
    // C string semantics: an embedded NUL ends the text.
    EXPECT_EQ(parse_memory("5\0"s
                           "xyz"),
              5u);
    EXPECT_EQ(parse_memory("5mb\0"s
                           "xyz"),
              5242880u);
}

}  // namespace
}  // namespace snapstream
