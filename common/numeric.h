// Number <-> text conversions with Redis 7.0's exact rules. Replies, INCR*, config values and
// (later) scores all go through these so that every command formats numbers the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace snapstream {

// Strict decimal int64 as Redis's string2ll: optional leading '-', no '+', no spaces, no leading
// zeros (except "0" itself), no empty string, at most 20 characters, no overflow.
std::optional<int64_t> parse_int64(std::string_view s);

// As string2ull: strict unsigned decimal.
std::optional<uint64_t> parse_uint64(std::string_view s);

// As Redis's string2ld (used by INCRBYFLOAT): strtold over the whole string; rejects empty
// input, leading whitespace, trailing garbage, NaN, and lengths over 5*1024 chars.
std::optional<long double> parse_long_double(std::string_view s);

// As Redis's string2d / getDoubleFromObject (used by later score parsing): strtod over the whole
// string, rejects leading space, trailing garbage and NaN; accepts "inf", "-inf", "+inf".
std::optional<double> parse_double(std::string_view s);

// Decimal text of v into buf (at least 21 bytes); returns the number of characters written.
size_t format_int64(char* buf, int64_t v);
std::string int64_to_string(int64_t v);

// Redis's ld2string in LD_STR_HUMAN mode (INCRBYFLOAT replies and stored values): "%.17Lf" with
// trailing zeros and a trailing '.' removed, "-0" printed as "0". Empty optional for inf/nan.
std::optional<std::string> long_double_to_human(long double v);

// Redis's addReplyDouble text for RESP2 (scores, later): "inf", "-inf", "nan" or "%.17g".
std::string double_to_string(double v);

// Memory sizes as Redis's memtoull: a number with an optional unit b, k, kb, m, mb, g, gb
// (case-insensitive; k = 1000, kb = 1024, ...). Negative numbers and garbage are rejected.
std::optional<uint64_t> parse_memory(std::string_view s);

}  // namespace snapstream
