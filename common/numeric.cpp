// Number <-> text conversions reproducing Redis 7.0.15's observable behaviour.
//
// Notes on the approach:
//  * Integer parsing/formatting is hand written (it sits on the hot path of every reply).
//  * Floating point parsing deliberately goes through strtod/strtold: Redis accepts whatever
//    the C library accepts there (hex floats, "infinity", denormals, ...) and the exact rounding
//    must agree with it.
//  * Floating point formatting uses std::to_chars, which the standard defines to produce exactly
//    what printf would for the same conversion and precision, without depending on the locale.
#include "common/numeric.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace snapstream {

namespace {

// Redis refuses integer texts of this length or more (its LONG_STR_SIZE).
constexpr size_t kMaxIntegerTextLen = 21;

// string2ld copies the input into a buffer of this many bytes (its MAX_LONG_DOUBLE_CHARS),
// so the input must be strictly shorter.
constexpr size_t kLongDoubleBufSize = 5 * 1024;

// memtoull copies the digits into a 128 byte buffer; 128 or more digits is an error.
constexpr size_t kMemoryDigitsBufSize = 128;

constexpr char kDigitPairs[] =
    "00010203040506070809"
    "10111213141516171819"
    "20212223242526272829"
    "30313233343536373839"
    "40414243444546474849"
    "50515253545556575859"
    "60616263646566676869"
    "70717273747576777879"
    "80818283848586878889"
    "90919293949596979899";

inline bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool equals_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

// The C string functions Redis uses stop at the first NUL byte; mirror that.
inline std::string_view up_to_nul(std::string_view s) {
    size_t nul = s.find('\0');
    return nul == std::string_view::npos ? s : s.substr(0, nul);
}

inline unsigned decimal_length(uint64_t v) {
    unsigned n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

inline size_t format_uint64(char* buf, uint64_t v) {
    const unsigned len = decimal_length(v);
    char* p = buf + len;
    while (v >= 100) {
        const unsigned idx = static_cast<unsigned>(v % 100) * 2;
        v /= 100;
        *--p = kDigitPairs[idx + 1];
        *--p = kDigitPairs[idx];
    }
    if (v >= 10) {
        const unsigned idx = static_cast<unsigned>(v) * 2;
        *--p = kDigitPairs[idx + 1];
        *--p = kDigitPairs[idx];
    } else {
        *--p = static_cast<char>('0' + v);
    }
    return len;
}

// Runs strtoull over a NUL terminated copy of s, reporting errno and where parsing stopped.
struct StrtoullResult {
    unsigned long long value;
    int err;
    size_t consumed;
};

StrtoullResult run_strtoull(std::string_view s) {
    std::string copy(s);
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(copy.c_str(), &end, 10);
    const int err = errno;
    return {v, err, static_cast<size_t>(end - copy.c_str())};
}

}  // namespace

std::optional<int64_t> parse_int64(std::string_view s) {
    const size_t n = s.size();
    if (n == 0 || n >= kMaxIntegerTextLen) return std::nullopt;
    if (n == 1 && s[0] == '0') return 0;

    size_t i = 0;
    const bool negative = s[0] == '-';
    if (negative) {
        i = 1;
        if (n == 1) return std::nullopt;
    }
    // Leading digit must be non-zero: "0" alone was handled above, "-0" and "01" are rejected.
    if (s[i] < '1' || s[i] > '9') return std::nullopt;

    // At most 20 characters, so at most 20 digits: accumulate in unsigned 64-bit with an
    // explicit overflow check (20 digits can exceed 2^64-1).
    uint64_t acc = static_cast<uint64_t>(s[i] - '0');
    constexpr uint64_t kMaxU = std::numeric_limits<uint64_t>::max();
    for (++i; i < n; ++i) {
        const char c = s[i];
        if (!is_digit(c)) return std::nullopt;
        const auto d = static_cast<uint64_t>(c - '0');
        if (acc > kMaxU / 10) return std::nullopt;
        acc *= 10;
        if (acc > kMaxU - d) return std::nullopt;
        acc += d;
    }

    constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (negative) {
        if (acc > kMaxPositive + 1) return std::nullopt;
        return static_cast<int64_t>(0 - acc);  // well defined: modular conversion (C++20)
    }
    if (acc > kMaxPositive) return std::nullopt;
    return static_cast<int64_t>(acc);
}

std::optional<uint64_t> parse_uint64(std::string_view s) {
    // string2ull works on a C string: the strict signed parser first, then a fallback to
    // strtoull, which is far more lenient (leading blanks, '+', leading zeros, values above
    // INT64_MAX, and even a '-' sign whose magnitude does not fit int64 — strtoull negates it).
    s = up_to_nul(s);
    if (auto v = parse_int64(s)) {
        if (*v < 0) return std::nullopt;
        return static_cast<uint64_t>(*v);
    }
    if (s.empty()) return std::nullopt;
    const StrtoullResult r = run_strtoull(s);
    if (r.err == EINVAL || r.err == ERANGE || r.consumed != s.size()) return std::nullopt;
    return static_cast<uint64_t>(r.value);
}

std::optional<long double> parse_long_double(std::string_view s) {
    const size_t n = s.size();
    if (n == 0 || n >= kLongDoubleBufSize) return std::nullopt;
    if (is_c_space(s[0])) return std::nullopt;

    char buf[kLongDoubleBufSize];
    std::memcpy(buf, s.data(), n);
    buf[n] = '\0';

    char* end = nullptr;
    errno = 0;
    const long double v = std::strtold(buf, &end);
    const int err = errno;
    // An embedded NUL also stops strtold early, which makes this check fail as in Redis.
    if (static_cast<size_t>(end - buf) != n) return std::nullopt;
    if (err == EINVAL) return std::nullopt;
    // Out of range: overflow to infinity and underflow to zero are refused, while a result that
    // became denormal (ERANGE but non-zero and finite) is accepted.
    if (err == ERANGE && (std::isinf(v) || v == 0.0L)) return std::nullopt;
    if (std::isnan(v)) return std::nullopt;
    return v;
}

std::optional<double> parse_double(std::string_view s) {
    const size_t n = s.size();
    if (n == 0 || is_c_space(s[0])) return std::nullopt;

    char small[128];
    std::string large;
    const char* text;
    if (n < sizeof(small)) {
        std::memcpy(small, s.data(), n);
        small[n] = '\0';
        text = small;
    } else {
        large.assign(s);
        text = large.c_str();
    }

    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text, &end);
    const int err = errno;
    if (static_cast<size_t>(end - text) != n) return std::nullopt;
    if (err == ERANGE && (std::isinf(v) || v == 0.0)) return std::nullopt;
    if (std::isnan(v)) return std::nullopt;
    return v;
}

size_t format_int64(char* buf, int64_t v) {
    if (v < 0) {
        buf[0] = '-';
        // Magnitude computed in unsigned arithmetic so INT64_MIN needs no special case.
        return 1 + format_uint64(buf + 1, 0 - static_cast<uint64_t>(v));
    }
    return format_uint64(buf, static_cast<uint64_t>(v));
}

std::string int64_to_string(int64_t v) {
    char buf[24];
    return std::string(buf, format_int64(buf, v));
}

std::optional<std::string> long_double_to_human(long double v) {
    if (std::isinf(v) || std::isnan(v)) return std::nullopt;

    // Fixed notation with 17 fractional digits. The largest finite x87 long double has 4933
    // integer digits, so this always fits.
    char buf[kLongDoubleBufSize + 64];
    const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 17);
    if (res.ec != std::errc()) return std::nullopt;  // cannot happen given the buffer size
    size_t len = static_cast<size_t>(res.ptr - buf);

    // The text always contains a '.', since 17 fractional digits were requested. Drop trailing
    // zeros of the fraction and then the '.' itself if nothing is left after it.
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
    // Tiny negative values (and -0.0) collapse to "-0", which is shown as "0".
    if (len == 2 && buf[0] == '-' && buf[1] == '0') return std::string("0");
    return std::string(buf, len);
}

std::string double_to_string(double v) {
    if (std::isinf(v)) return v > 0 ? std::string("inf") : std::string("-inf");
    // "%.17g" semantics. NaN prints as glibc's printf does: "nan", or "-nan" when the sign bit
    // is set (what a real redis-server would send).
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
    return std::string(buf, static_cast<size_t>(res.ptr - buf));
}

std::optional<uint64_t> parse_memory(std::string_view s) {
    // memtoull works on a C string: digits, then the whole remainder must be a unit.
    s = up_to_nul(s);
    if (!s.empty() && s[0] == '-') return std::nullopt;

    size_t ndigits = 0;
    while (ndigits < s.size() && is_digit(s[ndigits])) ++ndigits;
    const std::string_view unit = s.substr(ndigits);

    uint64_t mul;
    if (unit.empty() || equals_nocase(unit, "b")) {
        mul = 1;
    } else if (equals_nocase(unit, "k")) {
        mul = 1000;
    } else if (equals_nocase(unit, "kb")) {
        mul = 1024;
    } else if (equals_nocase(unit, "m")) {
        mul = 1000 * 1000;
    } else if (equals_nocase(unit, "mb")) {
        mul = 1024 * 1024;
    } else if (equals_nocase(unit, "g")) {
        mul = 1000ULL * 1000 * 1000;
    } else if (equals_nocase(unit, "gb")) {
        mul = 1024ULL * 1024 * 1024;
    } else {
        return std::nullopt;
    }
    if (ndigits >= kMemoryDigitsBufSize) return std::nullopt;

    // Redis hands the digit run to strtoull and ignores ERANGE: an empty run means 0 (so "" and
    // "gb" are accepted as 0), too many digits saturate at UINT64_MAX, and the multiplication by
    // the unit wraps around modulo 2^64.
    constexpr uint64_t kMaxU = std::numeric_limits<uint64_t>::max();
    uint64_t val = 0;
    for (size_t i = 0; i < ndigits; ++i) {
        const auto d = static_cast<uint64_t>(s[i] - '0');
        if (val > (kMaxU - d) / 10) {
            val = kMaxU;
            break;
        }
        val = val * 10 + d;
    }
    return val * mul;
}

}  // namespace snapstream
