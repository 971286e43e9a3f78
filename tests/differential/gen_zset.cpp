// Differential generators for the sorted set commands: every command and option, edge scores
// (inf, -0, 1e308, 2^62, hex, unparsable, NaN), exclusive and lexicographic ranges, negative
// ranks and LIMITs, WRONGTYPE through the shared keys, and bulk adds that push keys past the
// listpack limits (count and member length).
//
// Lexicographic commands only make sense (and only agree between implementations) when every
// member of the key has the same score, so they work on their own keys (zl0..zl2), which only
// ever receive score 0 (or a string, for WRONGTYPE).
#include <string>
#include <vector>

#include "tests/differential/generator.h"

namespace snapstream::test::diff {
namespace {

using Args = std::vector<std::string>;

GeneratedCommand exact(Args a) {
    return GeneratedCommand{std::move(a), CompareMode::Exact, {}};
}

const std::vector<std::string> kScores = {
    "0",
    "1",
    "-1",
    "2",
    "3",
    "1.5",
    "-2.25",
    "10",
    "100",
    "0.1",
    "inf",
    "-inf",
    "+inf",
    "-0",
    "1e308",
    "-1e308",
    "1e-300",
    "3.0",
    "7",
    "42",
    "0x10",
    "1e3",
    "12345678901234567890",
    "4611686018427387904",
    "-4611686018427387904",
    "nan",
    "abc",
    "",
    " 1",
    "1 ",
    "(1",
    "5",
    "6",
    "8",
    "9",
};

const std::vector<std::string> kBounds = {
    "-inf",  "+inf", "inf", "0",   "1", "(1", "2.5", "(0",    "-1",  "(inf",
    "(-inf", "-0",   "10",  "(10", "5", "(5", "100", "1e308", "",    "(",
    "nan",   "x",    "3",   "(3",  "7", "42", "0x3", " 2",    "1.5", "(1.5",
};

const std::vector<std::string> kLexBounds = {
    "-", "+", "[a", "(a", "[b", "(b", "[m", "(m5", "[m5",  "[z",  "(z",
    "[", "(", "a",  "",   "+x", "-x", "[c", "(d",  "[m12", "(m1",
};

std::string member(GenContext& c) {
    switch (c.rng().below(12)) {
        case 0:
            return c.rng().pick(
                std::vector<std::string>{"", "1", "-1", "10", "007", "123456789012"});
        case 1:
            return std::string("\0\xff", 2);
        case 2:
            return std::string(65 + c.rng().below(10), 'L');
        default: {
            static const std::vector<std::string> kM = {"a",  "b",   "c", "d", "m1", "m2",
                                                        "m5", "m12", "x", "y", "z",  "A"};
            return c.rng().pick(kM);
        }
    }
}

std::string score(GenContext& c) {
    // Mostly valid numbers; the invalid ones make the whole command fail.
    if (c.rng().chance(0.9)) {
        static const std::vector<std::string> kOk = {"0",    "1",   "-1",    "2",
                                                     "3",    "1.5", "-2.25", "10",
                                                     "100",  "0.1", "inf",   "-inf",
                                                     "+inf", "-0",  "1e308", "-1e308",
                                                     "7",    "42",  "0x10",  "4611686018427387904",
                                                     "5",    "6"};
        return c.rng().pick(kOk);
    }
    return c.rng().pick(kScores);
}

std::string rank_arg(GenContext& c) {
    if (c.rng().chance(0.05))
        return c.rng().pick(std::vector<std::string>{"x", "1.5", "", "99999999999999999999"});
    return std::to_string(c.rng().range(-8, 12));
}

std::string lex_key(GenContext& c) {
    return "zl" + std::to_string(c.rng().below(3));
}

std::string lex_member(GenContext& c) {
    static const std::vector<std::string> kM = {"a",  "b", "c", "d",  "m",  "m1", "m12",
                                                "m5", "z", "",  "aa", "ab", "b\0"};
    return c.rng().pick(kM);
}

// A key for the multi-key commands: mostly shared keys, sometimes the same one twice.
std::vector<std::string> op_keys(GenContext& c, int max) {
    std::vector<std::string> ks;
    const int n = static_cast<int>(c.rng().range(1, max));
    for (int i = 0; i < n; ++i) ks.push_back(c.key_for("z"));
    return ks;
}

void add_limit(GenContext& c, Args& a) {
    a.push_back(c.opt("LIMIT"));
    a.push_back(std::to_string(c.rng().range(-2, 6)));
    a.push_back(std::to_string(c.rng().range(-2, 8)));
}

GeneratedCommand gen_zadd(GenContext& c) {
    Args a{c.name("ZADD"), c.key_for("z")};
    static const std::vector<std::string> kOpts = {"NX", "XX", "GT", "LT", "CH", "INCR"};
    if (c.rng().chance(0.5)) {
        const int n = static_cast<int>(c.rng().range(1, 3));
        for (int i = 0; i < n; ++i) a.push_back(c.opt(c.rng().pick(kOpts)));
    }
    const int pairs = c.rng().chance(0.3) ? 1 : static_cast<int>(c.rng().range(1, 6));
    for (int i = 0; i < pairs; ++i) {
        a.push_back(score(c));
        a.push_back(member(c));
    }
    if (c.rng().chance(0.03)) a.pop_back();  // odd count: syntax error
    return exact(std::move(a));
}

GeneratedCommand gen_zadd_bulk(GenContext& c) {
    Args a{c.name("ZADD"), c.key_for("z")};
    const int n = static_cast<int>(c.rng().range(100, 700));
    const bool equal = c.rng().chance(0.3);
    const bool long_member = c.rng().chance(0.3);
    for (int i = 0; i < n; ++i) {
        a.push_back(equal ? "1"
                          : std::to_string(c.rng().range(-500, 500)) +
                                (c.rng().chance(0.2) ? ".5" : ""));
        a.push_back("bm" + std::to_string(c.rng().below(1000)));
    }
    if (long_member) {
        a.push_back("3");
        a.push_back(std::string(100, 'q'));
    }
    return exact(std::move(a));
}

// A small zset that becomes a "skiplist" through one long member only.
GeneratedCommand gen_zadd_long(GenContext& c) {
    return exact({c.name("ZADD"), c.key_for("z"), score(c), std::string(64 + c.rng().below(3), 'w'),
                  score(c), member(c)});
}

GeneratedCommand gen_lex_zadd(GenContext& c) {
    Args a{c.name("ZADD"), lex_key(c)};
    const int n = c.rng().chance(0.1) ? static_cast<int>(c.rng().range(100, 200))
                                      : static_cast<int>(c.rng().range(1, 5));
    for (int i = 0; i < n; ++i) {
        a.push_back("0");
        a.push_back(n > 10 ? "lm" + std::to_string(c.rng().below(400)) : lex_member(c));
    }
    return exact(std::move(a));
}

GeneratedCommand gen_lex_range(GenContext& c) {
    const bool rev = c.rng().chance(0.5);
    Args a;
    switch (c.rng().below(3)) {
        case 0:
            a = {c.name(rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX"), lex_key(c),
                 c.rng().pick(kLexBounds), c.rng().pick(kLexBounds)};
            break;
        case 1:
            a = {c.name("ZRANGE"), lex_key(c), c.rng().pick(kLexBounds), c.rng().pick(kLexBounds),
                 c.opt("BYLEX")};
            if (rev) a.push_back(c.opt("REV"));
            if (c.rng().chance(0.05)) a.push_back(c.opt("WITHSCORES"));
            break;
        default:
            a = {c.name("ZRANGESTORE"),    lex_key(c),    lex_key(c), c.rng().pick(kLexBounds),
                 c.rng().pick(kLexBounds), c.opt("BYLEX")};
            if (rev) a.push_back(c.opt("REV"));
            break;
    }
    if (c.rng().chance(0.4)) add_limit(c, a);
    return exact(std::move(a));
}

GeneratedCommand gen_lex_misc(GenContext& c) {
    switch (c.rng().below(6)) {
        case 0:
            return exact({c.name("ZLEXCOUNT"), lex_key(c), c.rng().pick(kLexBounds),
                          c.rng().pick(kLexBounds)});
        case 1:
            return exact({c.name("ZREMRANGEBYLEX"), lex_key(c), c.rng().pick(kLexBounds),
                          c.rng().pick(kLexBounds)});
        case 2:
            return exact({c.name("ZREM"), lex_key(c), lex_member(c), lex_member(c)});
        case 3:
            // Lex commands on shared keys only when they cannot hold a zset with mixed scores:
            // here on a key that does not exist or holds a string (errors / empty replies).
            return exact({c.name("ZLEXCOUNT"), "zl-none", c.rng().pick(kLexBounds),
                          c.rng().pick(kLexBounds)});
        case 4:
            return exact({c.name("SET"), "zl2", "str"});
        default:
            return exact({c.name("DEL"), "zl2"});
    }
}

GeneratedCommand gen_zincrby(GenContext& c) {
    return exact({c.name("ZINCRBY"), c.key_for("z"), score(c), member(c)});
}

GeneratedCommand gen_zrem(GenContext& c) {
    Args a{c.name("ZREM"), c.key_for("z")};
    const int n = static_cast<int>(c.rng().range(1, 4));
    for (int i = 0; i < n; ++i) a.push_back(member(c));
    return exact(std::move(a));
}

GeneratedCommand gen_reads(GenContext& c) {
    switch (c.rng().below(8)) {
        case 0:
            return exact({c.name("ZSCORE"), c.key_for("z"), member(c)});
        case 1:
            return exact({c.name("ZMSCORE"), c.key_for("z"), member(c), member(c), member(c)});
        case 2:
            return exact({c.name("ZCARD"), c.key_for("z")});
        case 3:
            return exact(
                {c.name("ZCOUNT"), c.key_for("z"), c.rng().pick(kBounds), c.rng().pick(kBounds)});
        case 4:
            return exact({c.name("ZRANK"), c.key_for("z"), member(c)});
        case 5:
            return exact({c.name("ZREVRANK"), c.key_for("z"), member(c)});
        case 6:
            return exact(
                {c.name("ZRANK"), c.key_for("z"), "bm" + std::to_string(c.rng().below(1000))});
        default:
            return exact(
                {c.name("ZSCORE"), c.key_for("z"), "bm" + std::to_string(c.rng().below(1000))});
    }
}

GeneratedCommand gen_zrange(GenContext& c) {
    Args a;
    const unsigned kind = static_cast<unsigned>(c.rng().below(6));
    if (kind == 0) {
        a = {c.name("ZRANGE"), c.key_for("z"), rank_arg(c), rank_arg(c)};
        if (c.rng().chance(0.3)) a.push_back(c.opt("REV"));
    } else if (kind == 1) {
        a = {c.name("ZREVRANGE"), c.key_for("z"), rank_arg(c), rank_arg(c)};
    } else if (kind == 2) {
        a = {c.name("ZRANGE"), c.key_for("z"), c.rng().pick(kBounds), c.rng().pick(kBounds),
             c.opt("BYSCORE")};
        if (c.rng().chance(0.4)) a.push_back(c.opt("REV"));
    } else if (kind == 3) {
        a = {c.name("ZRANGEBYSCORE"), c.key_for("z"), c.rng().pick(kBounds), c.rng().pick(kBounds)};
    } else if (kind == 4) {
        a = {c.name("ZREVRANGEBYSCORE"), c.key_for("z"), c.rng().pick(kBounds),
             c.rng().pick(kBounds)};
    } else {
        // Large ranges of big keys.
        a = {c.name("ZRANGE"), c.key_for("z"), std::to_string(c.rng().range(-300, 300)),
             std::to_string(c.rng().range(-300, 700))};
    }
    if (c.rng().chance(0.5)) a.push_back(c.opt("WITHSCORES"));
    if (c.rng().chance(kind >= 2 && kind <= 4 ? 0.5 : 0.05)) add_limit(c, a);
    if (c.rng().chance(0.03)) a.push_back(c.opt(c.rng().chance(0.5) ? "BYLEX" : "FOO"));
    return exact(std::move(a));
}

GeneratedCommand gen_zrangestore(GenContext& c) {
    Args a{c.name("ZRANGESTORE"), c.key_for("z"), c.key_for("z")};
    if (c.rng().chance(0.5)) {
        a.push_back(rank_arg(c));
        a.push_back(c.rng().chance(0.3) ? "-1" : rank_arg(c));
    } else {
        a.push_back(c.rng().pick(kBounds));
        a.push_back(c.rng().pick(kBounds));
        a.push_back(c.opt("BYSCORE"));
        if (c.rng().chance(0.4)) add_limit(c, a);
    }
    if (c.rng().chance(0.3)) a.push_back(c.opt("REV"));
    if (c.rng().chance(0.03)) a.push_back(c.opt("WITHSCORES"));
    return exact(std::move(a));
}

GeneratedCommand gen_zremrange(GenContext& c) {
    if (c.rng().chance(0.5))
        return exact({c.name("ZREMRANGEBYRANK"), c.key_for("z"), rank_arg(c), rank_arg(c)});
    return exact(
        {c.name("ZREMRANGEBYSCORE"), c.key_for("z"), c.rng().pick(kBounds), c.rng().pick(kBounds)});
}

GeneratedCommand gen_zpop(GenContext& c) {
    Args a{c.name(c.rng().chance(0.5) ? "ZPOPMIN" : "ZPOPMAX"), c.key_for("z")};
    if (c.rng().chance(0.6))
        a.push_back(c.rng().chance(0.1) ? c.rng().pick(std::vector<std::string>{"-1", "x", "0"})
                                        : std::to_string(c.rng().range(0, 20)));
    if (c.rng().chance(0.02)) a.push_back("1");
    return exact(std::move(a));
}

// Blocking pops only where they cannot block: inside MULTI (they answer as timed out when
// nothing is there).
GeneratedCommand gen_bzpop(GenContext& c) {
    Args inner;
    switch (c.rng().below(3)) {
        case 0:
        case 1: {
            inner = {c.name(c.rng().chance(0.5) ? "BZPOPMIN" : "BZPOPMAX")};
            for (auto& k : op_keys(c, 3)) inner.push_back(k);
            inner.push_back(c.rng().pick(std::vector<std::string>{"0", "0.01", "1", "-1", "x"}));
            break;
        }
        default: {
            inner = {c.name("BZMPOP"), c.rng().pick(std::vector<std::string>{"0", "0.5", "-1"})};
            auto ks = op_keys(c, 3);
            inner.push_back(std::to_string(ks.size()));
            for (auto& k : ks) inner.push_back(k);
            inner.push_back(c.opt(c.rng().chance(0.5) ? "MIN" : "MAX"));
            if (c.rng().chance(0.5)) {
                inner.push_back(c.opt("COUNT"));
                inner.push_back(std::to_string(c.rng().range(0, 10)));
            }
            break;
        }
    }
    // The second MULTI opens the transaction should the first one have lost its arity to the
    // driver's mutations (inside a transaction it is a harmless error), so the pop never runs
    // outside MULTI, where it could block the connection.
    GeneratedCommand g = exact({"MULTI"});
    g.follow_up = {{"MULTI"}, inner, {"EXEC"}};
    return g;
}

GeneratedCommand gen_zmpop(GenContext& c) {
    Args a{c.name("ZMPOP")};
    auto ks = op_keys(c, 3);
    if (c.rng().chance(0.05))
        a.push_back(c.rng().pick(std::vector<std::string>{"0", "-1", "x", "9"}));
    else
        a.push_back(std::to_string(ks.size()));
    for (auto& k : ks) a.push_back(k);
    a.push_back(c.opt(c.rng().pick(std::vector<std::string>{"MIN", "MAX", "MIN", "MAX", "LEFT"})));
    if (c.rng().chance(0.5)) {
        a.push_back(c.opt("COUNT"));
        a.push_back(c.rng().chance(0.1) ? "0" : std::to_string(c.rng().range(1, 30)));
    }
    return exact(std::move(a));
}

GeneratedCommand gen_setop(GenContext& c) {
    static const char* kOps[] = {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZUNION",
                                 "ZINTER",      "ZDIFF",       "ZINTERCARD"};
    const std::string op = kOps[c.rng().below(7)];
    const bool store = op.size() > 6 && op.substr(op.size() - 5) == "STORE";
    Args a{c.name(op)};
    if (store) a.push_back(c.key_for("z"));
    auto ks = op_keys(c, 4);
    // Plain sets are inputs too (every member with score 1): the set family's own keys.
    for (auto& k : ks)
        if (c.rng().chance(0.25)) k = c.rng().pick(std::vector<std::string>{"s:a", "s:b", "s:c"});
    if (c.rng().chance(0.04))
        a.push_back(c.rng().pick(std::vector<std::string>{"0", "-1", "x", "7"}));
    else
        a.push_back(std::to_string(ks.size()));
    for (auto& k : ks) a.push_back(k);
    if (op != "ZDIFF" && op != "ZDIFFSTORE" && op != "ZINTERCARD") {
        if (c.rng().chance(0.4)) {
            a.push_back(c.opt("WEIGHTS"));
            for (size_t i = 0; i < ks.size(); ++i)
                a.push_back(c.rng().chance(0.05)
                                ? "w"
                                : c.rng().pick(std::vector<std::string>{"1", "2", "-1", "0", "0.5",
                                                                        "inf", "-inf", "1e308"}));
        }
        if (c.rng().chance(0.4)) {
            a.push_back(c.opt("AGGREGATE"));
            a.push_back(c.opt(c.rng().pick(std::vector<std::string>{"SUM", "MIN", "MAX", "AVG"})));
        }
    }
    if (!store && op != "ZINTERCARD" && c.rng().chance(0.5)) a.push_back(c.opt("WITHSCORES"));
    if (op == "ZINTERCARD" && c.rng().chance(0.5)) {
        a.push_back(c.opt("LIMIT"));
        a.push_back(std::to_string(c.rng().range(-1, 5)));
    }
    return exact(std::move(a));
}

GeneratedCommand gen_zrandmember(GenContext& c) {
    Args a{c.name("ZRANDMEMBER"), c.key_for("z")};
    if (c.rng().chance(0.8)) {
        a.push_back(c.rng().chance(0.05) ? c.rng().pick(std::vector<std::string>{
                                               "x", "-9223372036854775808", "9223372036854775807"})
                                         : std::to_string(c.rng().range(-20, 20)));
        if (c.rng().chance(0.5)) a.push_back(c.opt(c.rng().chance(0.95) ? "WITHSCORES" : "FOO"));
    }
    return GeneratedCommand{std::move(a), CompareMode::RandomMembers, {}};
}

GeneratedCommand gen_zscan(GenContext& c) {
    return collection_scan(c, "ZSCAN", c.key_for("z"), {"*", "m*", "bm1*", "?", "[a-c]"});
}

}  // namespace

CommandFamily zset_family() {
    return CommandFamily{"zset",
                         {
                             {"ZADD", 14, gen_zadd},
                             {"ZADD-bulk", 2, gen_zadd_bulk},
                             {"ZADD-long", 1, gen_zadd_long},
                             {"ZADD-lex", 3, gen_lex_zadd},
                             {"ZRANGE-lex", 4, gen_lex_range},
                             {"ZLEX-misc", 3, gen_lex_misc},
                             {"ZINCRBY", 3, gen_zincrby},
                             {"ZREM", 3, gen_zrem},
                             {"ZREADS", 8, gen_reads},
                             {"ZRANGE", 8, gen_zrange},
                             {"ZRANGESTORE", 2, gen_zrangestore},
                             {"ZREMRANGE", 2, gen_zremrange},
                             {"ZPOP", 3, gen_zpop},
                             {"BZPOP", 2, gen_bzpop},
                             {"ZMPOP", 2, gen_zmpop},
                             {"ZSETOP", 5, gen_setop},
                             {"ZRANDMEMBER", 2, gen_zrandmember},
                             {"ZSCAN", 2, gen_zscan},
                         }};
}

}  // namespace snapstream::test::diff
