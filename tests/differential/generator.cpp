#include "tests/differential/generator.h"

#include <algorithm>
#include <cctype>

namespace snapstream::test::diff {

// ---------------------------------------------------------------------------------------------
// Rng

namespace {

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

}  // namespace

Rng::Rng(uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

// ---------------------------------------------------------------------------------------------
// Argument pools

namespace {

const std::vector<std::string> kKeys = {
    "k0", "k1", "k2", "k3", "k4", "K0", "", std::string("b\0\r\n", 4), "{t}k",
};

const std::vector<std::string> kIntValues = {
    "0",
    "1",
    "-1",
    "10",
    "123",
    "9999",
    "10000",
    "-10000",
    "12345678901",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775806",
    "-9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "99999999999999999999999",
    "00",
    "01",
    "+1",
    "  1",
    "1 ",
    "0x1f",
    "1e3",
    "-0",
    "4611686018427387904",
};

const std::vector<std::string> kFloatValues = {
    "0.1",    "-0",      "0",     "1e308", "-1e308", "1.7976931348623157e308",
    "inf",    "-inf",    "+inf",  "nan",   "NaN",    "1.5",
    "3.0",    "1e-320",  ".5",    "5.",    "1e",     "  1.5",
    "2.5e-5", "-1.1",    "1e400", "0x10",  "3.0e2",  "+1",
    "01",     "abc",     "",      "1.5 ",  "12.34",  "-123.45",
    "1e-10",  "100.001",
};

const std::vector<std::string> kPatterns = {
    "*",         "k*",
    "k?",        "k[0-2]",
    "k[^0]",     "K*",
    "*k*",       "?",
    "",          "\\*",
    "k[",        "[",
    "[a-z]*",    "\\",
    "k\\",       "{t}*",
    "*1",        "k[1-]",
    "[]",        "[^]",
    "k[!0]",     "*0",
    "??",        "b*",
    "k[\\]0-2]", std::string("*\0*", 3),
    "[k]?",      "*[0-9]",
    "K[0-9]",    "{*",
    "k[2-0]",
};

}  // namespace

GenContext::GenContext(uint64_t seed, int64_t now_unix_seconds)
    : rng_(seed), now_s_(now_unix_seconds) {}

std::string GenContext::key() {
    return rng_.pick(kKeys);
}

std::string GenContext::key_for(std::string_view prefix) {
    if (rng_.chance(0.5)) return key();
    return std::string(prefix) + ":" + static_cast<char>('a' + rng_.below(3));
}

std::vector<std::string> GenContext::keys(int min, int max) {
    int n = static_cast<int>(rng_.range(min, max));
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(key());
    return out;
}

std::string GenContext::random_bytes(size_t n, bool binary) {
    static const std::string alnum =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string s(n, '\0');
    for (auto& ch : s) {
        if (binary) {
            // Bias towards the bytes that break naive protocol handling.
            static const char special[] = {'\0', '\r', '\n', '$', '*', ' ', '"', '\\', '\xff'};
            ch = rng_.chance(0.3) ? special[rng_.below(sizeof special)]
                                  : static_cast<char>(rng_.below(256));
        } else {
            ch = alnum[rng_.below(alnum.size())];
        }
    }
    return s;
}

std::string GenContext::value() {
    uint64_t r = rng_.below(1000);
    if (r < 280)
        return rng_.chance(0.5) ? rng_.pick(kIntValues) : std::to_string(rng_.range(-20000, 20000));
    if (r < 400) return rng_.pick(kFloatValues);
    if (r < 700) return random_bytes(rng_.below(21), false);
    if (r < 800) return random_bytes(rng_.below(31), true);
    if (r < 950) {
        // Around the embstr/raw boundary (44 bytes) and a little beyond.
        static const std::vector<size_t> lens = {43, 44, 45, 46, 63, 64, 65, 100};
        return random_bytes(rng_.pick(lens), rng_.chance(0.2));
    }
    if (r < 980) return "";
    // Long values, 1..64 KiB.
    return random_bytes(1024 + rng_.below(63 * 1024 + 1), rng_.chance(0.5));
}

std::string GenContext::int_arg() {
    if (rng_.chance(0.4)) return std::to_string(rng_.range(-1000, 1000));
    return rng_.pick(kIntValues);
}

std::string GenContext::float_arg() {
    uint64_t r = rng_.below(10);
    if (r < 3)
        return std::to_string(rng_.range(-1000, 1000)) + "." + std::to_string(rng_.below(1000));
    if (r < 5) {
        // Scientific notation with up to 19 significant digits: stresses the long double
        // formatting of INCRBYFLOAT results.
        std::string mant = std::to_string(rng_.below(10)) + "." +
                           std::to_string(rng_.next() % 10000000000000000000ull);
        return (rng_.chance(0.3) ? "-" : "") + mant + "e" + std::to_string(rng_.range(-30, 30));
    }
    return rng_.pick(kFloatValues);
}

std::string GenContext::range_index() {
    static const std::vector<std::string> edges = {
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc", "", "+1",
        "2147483648",          "-2147483649",
    };
    if (rng_.chance(0.08)) return rng_.pick(edges);
    if (rng_.chance(0.1)) return std::to_string(rng_.range(-70000, 70000));
    return std::to_string(rng_.range(-60, 60));
}

std::string GenContext::setrange_offset() {
    static const std::vector<std::string> edges = {
        "-1", "536870912", "536870913", "9223372036854775807", "abc", "", "1.5", "4294967296",
    };
    if (rng_.chance(0.1)) return rng_.pick(edges);
    if (rng_.chance(0.15)) return std::to_string(rng_.below(100000));
    return std::to_string(rng_.below(80));
}

std::string GenContext::pattern() {
    return rng_.pick(kPatterns);
}

std::string GenContext::db_index() {
    static const std::vector<std::string> edges = {
        "15", "16", "-1", "abc", "1.0", "01", " 1", "100000000000000000000", "",
    };
    if (rng_.chance(0.1)) return rng_.pick(edges);
    return std::to_string(rng_.below(4));
}

// Relative TTLs: base + command index seconds, base from far-apart values. Two relative expiries
// of the same key are then strictly ordered by index (>= 500 ms apart beyond the real time
// between the commands), so GT/LT/NX/XX decisions never depend on timing.
std::string GenContext::rel_seconds() {
    static const int64_t bases[] = {100, 20000, 3000000};
    return std::to_string(bases[rng_.below(3)] + index);
}

std::string GenContext::rel_millis() {
    static const int64_t bases[] = {100, 20000, 3000000};
    return std::to_string((bases[rng_.below(3)] + index) * 1000 + (rng_.chance(0.5) ? 500 : 0));
}

std::string GenContext::abs_seconds(bool allow_past) {
    if (allow_past && rng_.chance(0.3))
        return std::to_string(now_s_ - 1 - static_cast<int64_t>(rng_.below(1000000)));
    return std::to_string(now_s_ + 100000000 + static_cast<int64_t>(rng_.below(1000)));
}

std::string GenContext::abs_millis(bool allow_past) {
    if (allow_past && rng_.chance(0.3)) {
        return std::to_string((now_s_ - 1 - static_cast<int64_t>(rng_.below(1000000))) * 1000 +
                              static_cast<int64_t>(rng_.below(1000)));
    }
    return std::to_string((now_s_ + 100000000 + static_cast<int64_t>(rng_.below(1000))) * 1000 +
                          static_cast<int64_t>(rng_.below(1000)));
}

std::string GenContext::expire_arg(bool millis, bool absolute, bool allow_past) {
    // Edge values whose outcome does not depend on the moment the command runs: invalid,
    // overflowing, zero/negative (delete now / error), or absolute.
    static const std::vector<std::string> rel_s = {
        "0",
        "-1",
        "-100",
        "abc",
        "1.5",
        "",
        "+100",
        " 100",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "9223372036854770",
    };
    static const std::vector<std::string> rel_ms = {
        "0",   "-1", "abc", "9223372036854775807", "9223372036854775000", "-9223372036854775808",
        "1e5", "",
    };
    static const std::vector<std::string> abs_s = {
        "0", "-1", "1", "abc", "9223372036854775807", "9223372036854775", "-9223372036854775808",
    };
    static const std::vector<std::string> abs_ms = {
        "0", "-1", "abc", "9223372036854775807", "-9223372036854775808", "1",
    };
    // Without past times: invalid ones ("0", "-1" are errors for SET) and far-future ones only.
    static const std::vector<std::string> abs_s_future = {
        "0", "-1", "abc", "9223372036854775807", "9223372036854775", "-9223372036854775808", "",
    };
    static const std::vector<std::string> abs_ms_future = {
        "0", "-1", "abc", "9223372036854775807", "-9223372036854775808", "1.5",
    };
    if (rng_.chance(0.15)) {
        if (absolute && allow_past) return rng_.pick(millis ? abs_ms : abs_s);
        if (absolute) return rng_.pick(millis ? abs_ms_future : abs_s_future);
        return rng_.pick(millis ? rel_ms : rel_s);
    }
    if (absolute) return millis ? abs_millis(allow_past) : abs_seconds(allow_past);
    return millis ? rel_millis() : rel_seconds();
}

std::string GenContext::opt(std::string_view keyword) {
    std::string s(keyword);
    uint64_t r = rng_.below(10);
    if (r < 5) return s;
    if (r < 8) {
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    }
    for (auto& ch : s) {
        if (rng_.chance(0.5)) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return s;
}

std::string GenContext::name(std::string_view command) {
    return opt(command);
}

// ---------------------------------------------------------------------------------------------
// Generators

namespace {

using Args = std::vector<std::string>;

GeneratedCommand exact(Args args) {
    return {std::move(args), CompareMode::Exact};
}

void append(Args& a, std::initializer_list<std::string> more) {
    a.insert(a.end(), more);
}

// A random option list for SET.
void set_options(GenContext& c, Args& a) {
    Rng& r = c.rng();
    if (r.chance(0.7)) {
        // Mostly-valid combinations.
        if (r.chance(0.3)) a.push_back(c.opt(r.chance(0.5) ? "NX" : "XX"));
        uint64_t e = r.below(7);
        switch (e) {
            case 0:
                append(a, {c.opt("EX"), c.expire_arg(false, false)});
                break;
            case 1:
                append(a, {c.opt("PX"), c.expire_arg(true, false)});
                break;
            case 2:
                append(a, {c.opt("EXAT"), c.expire_arg(false, true, false)});
                break;
            case 3:
                append(a, {c.opt("PXAT"), c.expire_arg(true, true, false)});
                break;
            case 4:
                a.push_back(c.opt("KEEPTTL"));
                break;
            default:
                break;
        }
        if (r.chance(0.3)) a.push_back(c.opt("GET"));
        // Options in any order.
        if (a.size() > 4 && r.chance(0.3)) std::swap(a[3], a[a.size() - 1]);
        return;
    }
    int n = static_cast<int>(r.range(1, 3));
    for (int i = 0; i < n; ++i) {
        switch (r.below(11)) {
            case 0:
                a.push_back(c.opt("NX"));
                break;
            case 1:
                a.push_back(c.opt("XX"));
                break;
            case 2:
                a.push_back(c.opt("GET"));
                break;
            case 3:
                a.push_back(c.opt("KEEPTTL"));
                break;
            case 4:
                append(a, {c.opt("EX"), c.expire_arg(false, false)});
                break;
            case 5:
                append(a, {c.opt("PX"), c.expire_arg(true, false)});
                break;
            case 6:
                append(a, {c.opt("EXAT"), c.expire_arg(false, true, false)});
                break;
            case 7:
                append(a, {c.opt("PXAT"), c.expire_arg(true, true, false)});
                break;
            case 8:
                a.push_back(c.opt("FOO"));
                break;
            case 9:
                a.push_back(c.opt("EX"));
                break;  // missing its value
            default:
                a.push_back(c.opt("PERSIST"));
                break;
        }
    }
}

void getex_options(GenContext& c, Args& a) {
    Rng& r = c.rng();
    uint64_t e = r.below(10);
    auto one = [&](uint64_t which) {
        switch (which) {
            case 0:
                append(a, {c.opt("EX"), c.expire_arg(false, false)});
                break;
            case 1:
                append(a, {c.opt("PX"), c.expire_arg(true, false)});
                break;
            case 2:
                append(a, {c.opt("EXAT"), c.expire_arg(false, true)});
                break;
            case 3:
                append(a, {c.opt("PXAT"), c.expire_arg(true, true)});
                break;
            case 4:
                a.push_back(c.opt("PERSIST"));
                break;
            case 5:
                a.push_back(c.opt("KEEPTTL"));
                break;
            case 6:
                a.push_back(c.opt("EX"));
                break;
            default:
                a.push_back(c.opt("NX"));
                break;
        }
    };
    if (e < 3) return;
    if (e < 8) return one(r.below(5));
    one(r.below(8));
    one(r.below(8));
}

void expire_flags(GenContext& c, Args& a) {
    static const char* flags[] = {"NX", "XX", "GT", "LT"};
    Rng& r = c.rng();
    uint64_t e = r.below(10);
    if (e < 5) return;
    if (e < 9) {
        a.push_back(c.opt(flags[r.below(4)]));
        return;
    }
    int n = static_cast<int>(r.range(1, 3));
    for (int i = 0; i < n; ++i)
        a.push_back(r.chance(0.2) ? c.opt("FOO") : c.opt(flags[r.below(4)]));
}

GeneratedCommand expire_cmd(GenContext& c, const char* cmd, bool millis, bool absolute) {
    Args a{c.name(cmd), c.key(), c.expire_arg(millis, absolute)};
    expire_flags(c, a);
    return exact(std::move(a));
}

GeneratedCommand mset_like(GenContext& c, const char* cmd) {
    Args a{c.name(cmd)};
    int pairs = static_cast<int>(c.rng().range(1, 4));
    for (int i = 0; i < pairs; ++i) append(a, {c.key(), c.value()});
    return exact(std::move(a));
}

const CommandFamily& strings_family() {
    static const CommandFamily f{
        "strings",
        {
            {"GET", 12,
             [](GenContext& c) {
                 return exact({c.name("GET"), c.key()});
             }},
            {"SET", 12,
             [](GenContext& c) {
                 Args a{c.name("SET"), c.key(), c.value()};
                 set_options(c, a);
                 return exact(std::move(a));
             }},
            {"SET-past-expiry", 1,
             [](GenContext& c) {
                 Rng& r = c.rng();
                 std::string key = c.key();
                 int64_t past_s = c.now_s() - 1 - static_cast<int64_t>(r.below(1000000));
                 Args a{c.name("SET"), key, c.value()};
                 if (r.chance(0.5)) {
                     append(a, {c.opt("EXAT"), std::to_string(past_s)});
                 } else {
                     append(a,
                            {c.opt("PXAT"),
                             std::to_string(past_s * 1000 + static_cast<int64_t>(r.below(1000)))});
                 }
                 if (r.chance(0.3)) a.push_back(c.opt(r.chance(0.5) ? "NX" : "XX"));
                 if (r.chance(0.3)) a.push_back(c.opt("GET"));
                 GeneratedCommand cmd = exact(std::move(a));
                 cmd.follow_up.push_back({"GET", key});
                 return cmd;
             }},
            {"SET-plain", 6,
             [](GenContext& c) {
                 return exact({c.name("SET"), c.key(), c.value()});
             }},
            {"SETNX", 3,
             [](GenContext& c) {
                 return exact({c.name("SETNX"), c.key(), c.value()});
             }},
            {"SETEX", 3,
             [](GenContext& c) {
                 return exact({c.name("SETEX"), c.key(), c.expire_arg(false, false), c.value()});
             }},
            {"PSETEX", 3,
             [](GenContext& c) {
                 return exact({c.name("PSETEX"), c.key(), c.expire_arg(true, false), c.value()});
             }},
            {"MGET", 4,
             [](GenContext& c) {
                 Args a{c.name("MGET")};
                 for (auto& k : c.keys(1, 5)) a.push_back(k);
                 return exact(std::move(a));
             }},
            {"MSET", 3, [](GenContext& c) { return mset_like(c, "MSET"); }},
            {"MSETNX", 3, [](GenContext& c) { return mset_like(c, "MSETNX"); }},
            {"GETSET", 3,
             [](GenContext& c) {
                 return exact({c.name("GETSET"), c.key(), c.value()});
             }},
            {"GETDEL", 3,
             [](GenContext& c) {
                 return exact({c.name("GETDEL"), c.key()});
             }},
            {"GETEX", 5,
             [](GenContext& c) {
                 Args a{c.name("GETEX"), c.key()};
                 getex_options(c, a);
                 return exact(std::move(a));
             }},
            {"APPEND", 5,
             [](GenContext& c) {
                 return exact({c.name("APPEND"), c.key(), c.value()});
             }},
            {"STRLEN", 3,
             [](GenContext& c) {
                 return exact({c.name("STRLEN"), c.key()});
             }},
            {"INCR", 5,
             [](GenContext& c) {
                 return exact({c.name("INCR"), c.key()});
             }},
            {"DECR", 3,
             [](GenContext& c) {
                 return exact({c.name("DECR"), c.key()});
             }},
            {"INCRBY", 5,
             [](GenContext& c) {
                 return exact({c.name("INCRBY"), c.key(), c.int_arg()});
             }},
            {"DECRBY", 3,
             [](GenContext& c) {
                 return exact({c.name("DECRBY"), c.key(), c.int_arg()});
             }},
            {"INCRBYFLOAT", 5,
             [](GenContext& c) {
                 return exact({c.name("INCRBYFLOAT"), c.key(), c.float_arg()});
             }},
            {"GETRANGE", 5,
             [](GenContext& c) {
                 return exact({c.name("GETRANGE"), c.key(), c.range_index(), c.range_index()});
             }},
            {"SETRANGE", 5,
             [](GenContext& c) {
                 return exact({c.name("SETRANGE"), c.key(), c.setrange_offset(),
                               c.rng().chance(0.1) ? std::string() : c.value()});
             }},
        }};
    return f;
}

const CommandFamily& keyspace_family() {
    static const CommandFamily f{
        "keyspace",
        {
            {"DEL", 4,
             [](GenContext& c) {
                 Args a{c.name("DEL")};
                 for (auto& k : c.keys(1, 3)) a.push_back(k);
                 return exact(std::move(a));
             }},
            {"UNLINK", 2,
             [](GenContext& c) {
                 Args a{c.name("UNLINK")};
                 for (auto& k : c.keys(1, 3)) a.push_back(k);
                 return exact(std::move(a));
             }},
            {"EXISTS", 4,
             [](GenContext& c) {
                 Args a{c.name("EXISTS")};
                 std::string k = c.key();
                 for (auto& x : c.keys(0, 3)) a.push_back(x);
                 // Repeats count once each.
                 for (int i = 0, n = static_cast<int>(c.rng().range(1, 3)); i < n; ++i)
                     a.push_back(k);
                 return exact(std::move(a));
             }},
            {"TYPE", 3,
             [](GenContext& c) {
                 return exact({c.name("TYPE"), c.key()});
             }},
            {"TOUCH", 2,
             [](GenContext& c) {
                 Args a{c.name("TOUCH")};
                 for (auto& k : c.keys(1, 3)) a.push_back(k);
                 return exact(std::move(a));
             }},
            {"KEYS", 3,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("KEYS"), c.pattern()}, CompareMode::SortedArray};
             }},
            {"SCAN", 3,
             [](GenContext& c) {
                 static const std::vector<std::string> cursors = {
                     "abc", "1.5", " 0", "18446744073709551616", "", "+0", "-0", "0x0",
                 };
                 static const std::vector<std::string> counts = {"1",    "2", "3",  "10", "100",
                                                                 "1000", "0", "-1", "abc"};
                 static const std::vector<std::string> types = {"string", "STRING", "list", "none",
                                                                "hash",   "set",    "zset", "foo"};
                 Rng& r = c.rng();
                 Args a{c.name("SCAN"), r.chance(0.9) ? std::string("0") : r.pick(cursors)};
                 int n = static_cast<int>(r.below(4));
                 for (int i = 0; i < n; ++i) {
                     switch (r.below(7)) {
                         case 0:
                         case 1:
                             append(a, {c.opt("MATCH"), c.pattern()});
                             break;
                         case 2:
                         case 3:
                             append(a, {c.opt("COUNT"), r.pick(counts)});
                             break;
                         case 4:
                         case 5:
                             append(a, {c.opt("TYPE"), r.pick(types)});
                             break;
                         default:
                             a.push_back(r.chance(0.5) ? c.opt("FOO") : c.opt("MATCH"));
                             break;
                     }
                 }
                 return GeneratedCommand{std::move(a), CompareMode::Scan};
             }},
            {"RANDOMKEY", 2,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("RANDOMKEY")}, CompareMode::RandomKey};
             }},
            {"RENAME", 3,
             [](GenContext& c) {
                 return exact({c.name("RENAME"), c.key(), c.key()});
             }},
            {"RENAMENX", 2,
             [](GenContext& c) {
                 return exact({c.name("RENAMENX"), c.key(), c.key()});
             }},
            {"COPY", 4,
             [](GenContext& c) {
                 Rng& r = c.rng();
                 Args a{c.name("COPY"), c.key(), c.key()};
                 uint64_t e = r.below(10);
                 if (e < 3) {
                     // no options
                 } else if (e < 5) {
                     append(a, {c.opt("DB"), c.db_index()});
                 } else if (e < 7) {
                     a.push_back(c.opt("REPLACE"));
                 } else if (e < 9) {
                     if (r.chance(0.5)) {
                         append(a, {c.opt("DB"), c.db_index(), c.opt("REPLACE")});
                     } else {
                         append(a, {c.opt("REPLACE"), c.opt("DB"), c.db_index()});
                     }
                 } else {
                     // Broken: DB without a value, unknown option, repeated option.
                     static const std::vector<std::vector<std::string>> bad = {
                         {"DB"}, {"FOO"}, {"REPLACE", "REPLACE"}, {"DB", "1", "DB", "2"}};
                     for (auto& o : r.pick(bad)) a.push_back(c.opt(o));
                 }
                 return exact(std::move(a));
             }},
            {"OBJECT-ENCODING", 6,
             [](GenContext& c) {
                 return exact({c.name("OBJECT"), c.opt("ENCODING"), c.key()});
             }},
            {"OBJECT-bad", 1,
             [](GenContext& c) {
                 static const std::vector<Args> bad = {{"OBJECT", "ENCODING"},
                                                       {"OBJECT", "FOO", "k0"},
                                                       {"OBJECT"},
                                                       {"OBJECT", "ENCODING", "k0", "k1"},
                                                       {"OBJECT", "FREQ", "k0"}};
                 Args a = c.rng().pick(bad);
                 for (auto& x : a) x = c.opt(x);
                 return exact(std::move(a));
             }},
            {"unknown-command", 1,
             [](GenContext& c) {
                 static const std::vector<std::string> names = {"GETX",  "sett", "FOO",
                                                                "xyzzy", "GET_", "EXPIRES"};
                 Args a{c.rng().pick(names)};
                 for (auto& k : c.keys(0, 3)) a.push_back(k);
                 return exact(std::move(a));
             }},
        }};
    return f;
}

const CommandFamily& expiry_family() {
    static const CommandFamily f{
        "expiry",
        {
            {"EXPIRE", 5, [](GenContext& c) { return expire_cmd(c, "EXPIRE", false, false); }},
            {"PEXPIRE", 4, [](GenContext& c) { return expire_cmd(c, "PEXPIRE", true, false); }},
            {"EXPIREAT", 4, [](GenContext& c) { return expire_cmd(c, "EXPIREAT", false, true); }},
            {"PEXPIREAT", 4, [](GenContext& c) { return expire_cmd(c, "PEXPIREAT", true, true); }},
            {"TTL", 5,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("TTL"), c.key()}, CompareMode::TtlSeconds};
             }},
            {"PTTL", 5,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("PTTL"), c.key()}, CompareMode::TtlMillis};
             }},
            {"EXPIRETIME", 3,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("EXPIRETIME"), c.key()}, CompareMode::TtlSeconds};
             }},
            {"PEXPIRETIME", 3,
             [](GenContext& c) {
                 return GeneratedCommand{{c.name("PEXPIRETIME"), c.key()}, CompareMode::TtlMillis};
             }},
            {"PERSIST", 4,
             [](GenContext& c) {
                 return exact({c.name("PERSIST"), c.key()});
             }},
        }};
    return f;
}

const CommandFamily& databases_family() {
    static const CommandFamily f{
        "databases",
        {
            {"SELECT", 4,
             [](GenContext& c) {
                 return exact({c.name("SELECT"), c.db_index()});
             }},
            {"SWAPDB", 2,
             [](GenContext& c) {
                 return exact({c.name("SWAPDB"), c.db_index(), c.db_index()});
             }},
            {"MOVE", 4,
             [](GenContext& c) {
                 return exact({c.name("MOVE"), c.key(), c.db_index()});
             }},
            {"DBSIZE", 3, [](GenContext& c) { return exact({c.name("DBSIZE")}); }},
            {"DEBUG RELOAD", 1,
             [](GenContext& c) {
                 // Rare: save the RDB, empty the keyspace, load it back — mid-stream, so every
                 // later reply (and the final keyspace, encodings included) depends on both
                 // servers writing and reading their snapshots the same way.
                 Rng& r = c.rng();
                 if (!r.chance(0.3)) return exact({c.name("DBSIZE")});
                 return exact({c.name("DEBUG"), c.opt("RELOAD")});
             }},
            {"DEBUG LOADAOF", 1,
             [](GenContext& c) {
                 // Rare: empty the keyspace and replay the AOF (both servers run with
                 // appendonly yes) — every later reply and the final keyspace then depend on
                 // every write having been propagated in a form that replays to the same state
                 // (SPOP as SREM, INCRBYFLOAT as SET, relative TTLs as absolute, ...).
                 Rng& r = c.rng();
                 if (!r.chance(0.3)) return exact({c.name("DBSIZE")});
                 return exact({c.name("DEBUG"), c.opt("LOADAOF")});
             }},
            {"FLUSHDB", 1,
             [](GenContext& c) {
                 // Rare: one in ~three of these runs at all (the weight is already the lowest).
                 Rng& r = c.rng();
                 if (!r.chance(0.35)) return exact({c.name("DBSIZE")});
                 static const std::vector<Args> forms = {
                     {"FLUSHDB"}, {"FLUSHDB", "ASYNC"}, {"FLUSHDB", "SYNC"}, {"FLUSHDB", "FOO"}};
                 Args a = r.pick(forms);
                 for (auto& x : a) x = c.opt(x);
                 return exact(std::move(a));
             }},
        }};
    return f;
}

const CommandFamily& connection_family() {
    static const CommandFamily f{"connection",
                                 {
                                     {"PING", 2,
                                      [](GenContext& c) {
                                          Args a{c.name("PING")};
                                          if (c.rng().chance(0.5)) a.push_back(c.value());
                                          return exact(std::move(a));
                                      }},
                                     {"ECHO", 2,
                                      [](GenContext& c) {
                                          return exact({c.name("ECHO"), c.value()});
                                      }},
                                 }};
    return f;
}

}  // namespace

const std::vector<CommandFamily>& all_families() {
    static const std::vector<CommandFamily> families = {
        strings_family(),   keyspace_family(),   expiry_family(),
        databases_family(), connection_family(), list_family(),
        hash_family(),      set_family(),        zset_family(),
    };
    return families;
}

GeneratedCommand collection_scan(GenContext& c, std::string_view command, std::string key,
                                 const std::vector<std::string>& patterns) {
    Rng& r = c.rng();
    std::vector<std::string> a{c.name(command), std::move(key), "0"};
    if (r.chance(0.08)) {
        static const std::vector<std::string> cursors = {"abc", "+x", " 1", "1x",
                                                         "18446744073709551616"};
        a[2] = r.pick(cursors);
        return {std::move(a), CompareMode::Exact};
    }
    if (r.chance(0.4)) {
        a.push_back(c.opt("MATCH"));
        a.push_back(r.chance(0.5) ? c.pattern() : r.pick(patterns));
    }
    if (r.chance(0.5)) {
        a.push_back(c.opt("COUNT"));
        static const std::vector<std::string> edges = {"0", "-1", "abc", "1000", ""};
        a.push_back(r.chance(0.1) ? r.pick(edges) : std::to_string(r.range(1, 50)));
    }
    if (r.chance(0.05)) a.push_back(c.opt(r.pick(std::vector<std::string>{"TYPE", "NOVALUES"})));
    return {std::move(a), CompareMode::CollectionScan};
}

GeneratedCommand generate(GenContext& ctx, const std::vector<std::string>& skip) {
    struct Entry {
        const CommandGenerator* gen;
        int64_t cumulative;
    };
    // The table depends only on `skip`, which is fixed for a run; rebuilt when it changes.
    static std::vector<Entry> table;
    static std::vector<std::string> table_skip;
    static bool built = false;
    if (!built || table_skip != skip) {
        table.clear();
        int64_t total = 0;
        for (const auto& fam : all_families()) {
            for (const auto& g : fam.generators) {
                bool skipped = std::find(skip.begin(), skip.end(), g.name) != skip.end() ||
                               std::find(skip.begin(), skip.end(), fam.name) != skip.end();
                if (skipped || g.weight <= 0) continue;
                total += g.weight;
                table.push_back({&g, total});
            }
        }
        table_skip = skip;
        built = true;
    }
    Rng& r = ctx.rng();
    int64_t pick = static_cast<int64_t>(r.below(static_cast<uint64_t>(table.back().cumulative)));
    auto it = std::upper_bound(table.begin(), table.end(), pick,
                               [](int64_t v, const Entry& e) { return v < e.cumulative; });
    GeneratedCommand cmd = it->gen->make(ctx);
    // Wrong arity now and then: drop the last argument or add one.
    uint64_t m = r.below(1000);
    if (m < 15 && cmd.args.size() > 1) {
        cmd.args.pop_back();
    } else if (m < 30 && cmd.mode != CompareMode::RandomMembers &&
               cmd.mode != CompareMode::RandomPop) {
        // (Not for random draws: an appended value could be a count like -2^63+1.)
        cmd.args.push_back(r.chance(0.5) ? ctx.key() : ctx.value());
    }
    return cmd;
}

}  // namespace snapstream::test::diff
