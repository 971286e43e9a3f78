// Differential generators for the hash commands. Fields come from a small pool so that commands
// meet each other's fields; values come from GenContext::value() (ints, floats, binary, lengths
// around the 64-byte listpack limit, long values); bulk generators push hashes past
// hash-max-listpack-entries (512) and hash-max-listpack-value (64).
#include <string>
#include <vector>

#include "tests/differential/generator.h"

namespace snapstream::test::diff {
namespace {

using Args = std::vector<std::string>;

GeneratedCommand cmd(Args a, CompareMode m = CompareMode::Exact) {
    return {std::move(a), m};
}

std::string letters(Rng& r, size_t n) {
    std::string s(n, 'a');
    for (auto& ch : s) ch = static_cast<char>('a' + r.below(26));
    return s;
}

std::string field(GenContext& c) {
    Rng& r = c.rng();
    static const std::vector<std::string> odd = {
        "",
        "0",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "01",
        "1.5",
        " 1",
        "+1",
        "a b",
        std::string("f\0g", 3),
        "\r\n",
        "F0",
        "9223372036854775808",
    };
    const uint64_t k = r.below(100);
    if (k < 55) return "f" + std::to_string(r.below(8));
    if (k < 75) return std::to_string(r.range(-3, 12));
    if (k < 90) return r.pick(odd);
    if (k < 96) return letters(r, static_cast<size_t>(r.range(60, 70)));  // around 64 bytes
    return c.value();
}

std::string hash_value(GenContext& c) {
    Rng& r = c.rng();
    const uint64_t k = r.below(100);
    if (k < 25) return std::to_string(r.range(-100, 100));
    if (k < 35) return letters(r, static_cast<size_t>(r.range(62, 66)));
    return c.value();
}

// A HRANDFIELD count that the servers can answer quickly (huge negative counts would make
// Redis produce billions of elements), plus the errors.
std::string rand_count(GenContext& c) {
    Rng& r = c.rng();
    static const std::vector<std::string> edges = {"0",
                                                   "1",
                                                   "-1",
                                                   "9223372036854775807",
                                                   "-9223372036854775808",
                                                   "4611686018427387904",
                                                   "abc",
                                                   "",
                                                   "1.5",
                                                   "2000",
                                                   "-2000",
                                                   "700",
                                                   "-700"};
    if (r.chance(0.2)) return r.pick(edges);
    return std::to_string(r.range(-12, 12));
}

GeneratedCommand hset_like(GenContext& c, const char* name, int min_pairs, int max_pairs) {
    Args a{c.name(name), c.key_for("h")};
    const int64_t n = c.rng().range(min_pairs, max_pairs);
    for (int64_t i = 0; i < n; ++i) {
        a.push_back(field(c));
        a.push_back(hash_value(c));
    }
    return cmd(std::move(a));
}

// Many fields in one command: 100-700 pairs with short values, so that some hashes stay
// listpacks (<= 512 fields) and others convert.
GeneratedCommand hset_bulk(GenContext& c) {
    Rng& r = c.rng();
    Args a{c.name("HSET"), c.key_for("h")};
    const int64_t n = r.range(100, 700);
    const int64_t base = r.range(0, 300);
    for (int64_t i = 0; i < n; ++i) {
        a.push_back(r.chance(0.5) ? "b" + std::to_string(base + i) : std::to_string(base + i));
        a.push_back(r.chance(0.7) ? std::to_string(r.range(-1000, 1000)) : letters(r, r.below(20)));
    }
    return cmd(std::move(a));
}

GeneratedCommand fields_cmd(GenContext& c, const char* name, int min, int max) {
    Args a{c.name(name), c.key_for("h")};
    const int64_t n = c.rng().range(min, max);
    for (int64_t i = 0; i < n; ++i) a.push_back(field(c));
    return cmd(std::move(a));
}

GeneratedCommand hrandfield(GenContext& c) {
    Rng& r = c.rng();
    Args a{c.name("HRANDFIELD"), c.key_for("h")};
    const uint64_t form = r.below(10);
    if (form >= 2) a.push_back(rand_count(c));
    if (form >= 6) a.push_back(r.chance(0.9) ? c.opt("WITHVALUES") : c.opt("WITHVALUE"));
    if (form == 9 && r.chance(0.3)) a.push_back(c.opt("WITHVALUES"));
    return cmd(std::move(a), CompareMode::RandomMembers);
}

GeneratedCommand hscan(GenContext& c) {
    return collection_scan(c, "HSCAN", c.key_for("h"), {"f*", "*1*"});
}

}  // namespace

CommandFamily hash_family() {
    return CommandFamily{
        "hashes",
        {
            {"HSET", 14, [](GenContext& c) { return hset_like(c, "HSET", 1, 4); }},
            {"HSET-bulk", 2, hset_bulk},
            {"HMSET", 3, [](GenContext& c) { return hset_like(c, "HMSET", 1, 3); }},
            {"HSETNX", 4,
             [](GenContext& c) {
                 return cmd({c.name("HSETNX"), c.key_for("h"), field(c), hash_value(c)});
             }},
            {"HGET", 8,
             [](GenContext& c) {
                 return cmd({c.name("HGET"), c.key_for("h"), field(c)});
             }},
            {"HMGET", 4, [](GenContext& c) { return fields_cmd(c, "HMGET", 1, 5); }},
            {"HGETALL", 4,
             [](GenContext& c) {
                 return cmd({c.name("HGETALL"), c.key_for("h")}, CompareMode::SortedPairs);
             }},
            {"HDEL", 6, [](GenContext& c) { return fields_cmd(c, "HDEL", 1, 5); }},
            {"HEXISTS", 3,
             [](GenContext& c) {
                 return cmd({c.name("HEXISTS"), c.key_for("h"), field(c)});
             }},
            {"HLEN", 4,
             [](GenContext& c) {
                 return cmd({c.name("HLEN"), c.key_for("h")});
             }},
            {"HKEYS", 3,
             [](GenContext& c) {
                 return cmd({c.name("HKEYS"), c.key_for("h")}, CompareMode::SortedArray);
             }},
            {"HVALS", 3,
             [](GenContext& c) {
                 return cmd({c.name("HVALS"), c.key_for("h")}, CompareMode::SortedArray);
             }},
            {"HINCRBY", 5,
             [](GenContext& c) {
                 return cmd({c.name("HINCRBY"), c.key_for("h"), field(c), c.int_arg()});
             }},
            {"HINCRBYFLOAT", 4,
             [](GenContext& c) {
                 return cmd({c.name("HINCRBYFLOAT"), c.key_for("h"), field(c), c.float_arg()});
             }},
            {"HSTRLEN", 3,
             [](GenContext& c) {
                 return cmd({c.name("HSTRLEN"), c.key_for("h"), field(c)});
             }},
            {"HRANDFIELD", 6, hrandfield},
            {"HSCAN", 4, hscan},
        },
    };
}

}  // namespace snapstream::test::diff
