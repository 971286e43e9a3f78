// Differential generators for the set commands. Members are mostly integers of every intset
// width (so sets stay intsets for a while), with non-canonical integer spellings and strings
// mixed in to force conversions; bulk generators push intsets past set-max-intset-entries (512).
#include <string>
#include <vector>

#include "tests/differential/generator.h"

namespace snapstream::test::diff {
namespace {

using Args = std::vector<std::string>;

GeneratedCommand cmd(Args a, CompareMode m = CompareMode::Exact) {
    return {std::move(a), m};
}

std::string member(GenContext& c) {
    Rng& r = c.rng();
    static const std::vector<std::string> ints = {
        "0",
        "-1",
        "32767",
        "-32768",
        "32768",
        "-32769",
        "2147483647",
        "-2147483648",
        "70000",
        "5000000000",
        "9223372036854775807",
        "-9223372036854775808",
    };
    static const std::vector<std::string> odd = {
        "01",
        "+1",
        "-0",
        " 1",
        "1.0",
        "1e2",
        "9223372036854775808",
        "",
        "a",
        "b",
        "c",
        std::string("x\0y", 3),
    };
    const uint64_t k = r.below(100);
    if (k < 55) return std::to_string(r.range(-5, 25));
    if (k < 70) return r.pick(ints);
    if (k < 85) return r.pick(odd);
    return c.value();
}

std::string count_arg(GenContext& c, bool allow_negative) {
    Rng& r = c.rng();
    static const std::vector<std::string> edges = {
        "0",
        "1",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "abc",
        "",
        "1.5",
        "1000",
        "-1000",
        "+3",
        "03",
    };
    if (r.chance(0.15)) {
        std::string s = r.pick(edges);
        if (!allow_negative && s == "-1000") s = "1000";
        return s;
    }
    if (r.chance(0.1)) return std::to_string(r.range(400, 650));  // SPOP's rebuild case on big sets
    return std::to_string(allow_negative ? r.range(-10, 10) : r.range(0, 10));
}

GeneratedCommand members_cmd(GenContext& c, const char* name, int min, int max) {
    Args a{c.name(name), c.key_for("s")};
    const int64_t n = c.rng().range(min, max);
    for (int64_t i = 0; i < n; ++i) a.push_back(member(c));
    return cmd(std::move(a));
}

// 400-700 integers (often crossing 512) and sometimes a string, in one SADD.
GeneratedCommand sadd_bulk(GenContext& c) {
    Rng& r = c.rng();
    Args a{c.name("SADD"), c.key_for("s")};
    const int64_t n = r.range(400, 700);
    const int64_t base = r.range(-1000, 1000);
    const int64_t step = r.range(1, 3);
    for (int64_t i = 0; i < n; ++i) a.push_back(std::to_string(base + i * step));
    if (r.chance(0.2)) a.push_back(member(c));
    return cmd(std::move(a));
}

// 100-700 members mixing integers and strings.
GeneratedCommand sadd_mixed(GenContext& c) {
    Rng& r = c.rng();
    Args a{c.name("SADD"), c.key_for("s")};
    const int64_t n = r.range(100, 700);
    for (int64_t i = 0; i < n; ++i)
        a.push_back(r.chance(0.8) ? std::to_string(r.range(0, 800)) : "m" + std::to_string(i));
    return cmd(std::move(a));
}

GeneratedCommand multi_key(GenContext& c, const char* name, bool store, CompareMode m) {
    Args a{c.name(name)};
    if (store) a.push_back(c.key_for("s"));
    const int64_t n = c.rng().range(1, 4);
    for (int64_t i = 0; i < n; ++i) a.push_back(c.key_for("s"));
    return cmd(std::move(a), m);
}

GeneratedCommand sintercard(GenContext& c) {
    Rng& r = c.rng();
    std::vector<std::string> keys;
    const int64_t n = r.range(1, 4);
    for (int64_t i = 0; i < n; ++i) keys.push_back(c.key_for("s"));
    Args a{c.name("SINTERCARD")};
    if (r.chance(0.1)) {
        static const std::vector<std::string> bad = {"0", "-1", "abc", "5", "9223372036854775807"};
        a.push_back(r.pick(bad));
    } else {
        a.push_back(std::to_string(keys.size()));
    }
    for (auto& k : keys) a.push_back(k);
    if (r.chance(0.4)) {
        a.push_back(c.opt("LIMIT"));
        static const std::vector<std::string> limits = {"0", "1", "2", "5", "-1", "abc", ""};
        a.push_back(r.pick(limits));
    } else if (r.chance(0.05)) {
        a.push_back(c.opt("LIMIT"));
    }
    return cmd(std::move(a));
}

GeneratedCommand sscan(GenContext& c) {
    return collection_scan(c, "SSCAN", c.key_for("s"), {"1*", "*[0-3]"});
}

}  // namespace

CommandFamily set_family() {
    return CommandFamily{
        "sets",
        {
            {"SADD", 14, [](GenContext& c) { return members_cmd(c, "SADD", 1, 4); }},
            {"SADD-bulk", 2, sadd_bulk},
            {"SADD-mixed", 1, sadd_mixed},
            {"SREM", 6, [](GenContext& c) { return members_cmd(c, "SREM", 1, 4); }},
            {"SMEMBERS", 4,
             [](GenContext& c) {
                 return cmd({c.name("SMEMBERS"), c.key_for("s")}, CompareMode::SortedArray);
             }},
            {"SISMEMBER", 4,
             [](GenContext& c) {
                 return cmd({c.name("SISMEMBER"), c.key_for("s"), member(c)});
             }},
            {"SMISMEMBER", 3, [](GenContext& c) { return members_cmd(c, "SMISMEMBER", 1, 4); }},
            {"SCARD", 4,
             [](GenContext& c) {
                 return cmd({c.name("SCARD"), c.key_for("s")});
             }},
            {"SPOP", 5,
             [](GenContext& c) {
                 Args a{c.name("SPOP"), c.key_for("s")};
                 if (c.rng().chance(0.6)) a.push_back(count_arg(c, false));
                 if (c.rng().chance(0.03)) a.push_back("1");
                 return cmd(std::move(a), CompareMode::RandomPop);
             }},
            {"SRANDMEMBER", 5,
             [](GenContext& c) {
                 Args a{c.name("SRANDMEMBER"), c.key_for("s")};
                 if (c.rng().chance(0.7)) a.push_back(count_arg(c, true));
                 if (c.rng().chance(0.03)) a.push_back("1");
                 return cmd(std::move(a), CompareMode::RandomMembers);
             }},
            {"SMOVE", 4,
             [](GenContext& c) {
                 return cmd({c.name("SMOVE"), c.key_for("s"), c.key_for("s"), member(c)});
             }},
            {"SINTER", 3,
             [](GenContext& c) { return multi_key(c, "SINTER", false, CompareMode::SortedArray); }},
            {"SUNION", 3,
             [](GenContext& c) { return multi_key(c, "SUNION", false, CompareMode::SortedArray); }},
            {"SDIFF", 3,
             [](GenContext& c) { return multi_key(c, "SDIFF", false, CompareMode::SortedArray); }},
            {"SINTERSTORE", 3,
             [](GenContext& c) { return multi_key(c, "SINTERSTORE", true, CompareMode::Exact); }},
            {"SUNIONSTORE", 3,
             [](GenContext& c) { return multi_key(c, "SUNIONSTORE", true, CompareMode::Exact); }},
            {"SDIFFSTORE", 3,
             [](GenContext& c) { return multi_key(c, "SDIFFSTORE", true, CompareMode::Exact); }},
            {"SINTERCARD", 3, sintercard},
            {"SSCAN", 4, sscan},
        },
    };
}

}  // namespace snapstream::test::diff
