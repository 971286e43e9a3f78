// Differential generators for the list commands. Keys come from the shared pool, so lists meet
// strings and the other types (WRONGTYPE) and each other (LMOVE, LMPOP over several keys).
// Bulk pushes of 100-700 elements (some longer than 64 bytes, a few of several KB) make lists
// span many quicklist nodes.
//
// The blocking commands must never block the differential connection, so they are only sent
//   - right after a push of at least two elements to one of their keys (the push is the
//     generated command and may be mutated; the blocking command is a follow-up, which is
//     not), so there is always something to serve or a WRONGTYPE to report; or
//   - inside MULTI/EXEC, where a blocking command on empty keys answers its timeout reply.
#include <string>
#include <vector>

#include "tests/differential/generator.h"

namespace snapstream::test::diff {
namespace {

using Args = std::vector<std::string>;

GeneratedCommand exact_cmd(Args args) {
    return {std::move(args), CompareMode::Exact};
}

// Elements that repeat often (so LREM, LPOS and LINSERT find them), mixed with any value.
std::string elem(GenContext& c) {
    static const std::vector<std::string> pool = {
        "a",
        "b",
        "c",
        "x",
        "1",
        "2",
        "-1",
        "10",
        "0",
        "",
        "hello",
        "12345678901",
        "-9223372036854775808",
        "3.14",
        std::string("\0\r\n", 3),
        "01",
    };
    if (c.rng().chance(0.6)) return c.rng().pick(pool);
    return c.value();
}

std::string text_of_len(Rng& r, size_t n) {
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789\0\r\n";
    std::string s(n, 'a');
    for (auto& ch : s) ch = chars[r.below(sizeof chars - 1)];
    return s;
}

// Elements for bulk pushes: mostly short, some past 64 bytes, a few of several KB.
std::string bulk_elem(GenContext& c) {
    Rng& r = c.rng();
    const uint64_t x = r.below(100);
    if (x < 45) return elem(c);
    if (x < 70) return std::to_string(r.range(-100000, 100000));
    if (x < 85) return text_of_len(r, r.below(64));
    if (x < 97) return text_of_len(r, 65 + r.below(300));
    return text_of_len(r, 1000 + r.below(7000));
}

std::string count_arg(GenContext& c) {
    static const std::vector<std::string> edges = {
        "0", "-1", "abc", "", "9223372036854775807", "-9223372036854775808", "1.5", "+2",
    };
    Rng& r = c.rng();
    if (r.chance(0.15)) return r.pick(edges);
    if (r.chance(0.2)) return std::to_string(r.range(0, 800));
    return std::to_string(r.range(1, 6));
}

std::string side(GenContext& c) {
    Rng& r = c.rng();
    if (r.chance(0.03)) return r.chance(0.5) ? "MIDDLE" : "";
    return c.opt(r.chance(0.5) ? "LEFT" : "RIGHT");
}

// Timeouts of blocking commands: valid ones (served or refused at once, never waited for), and
// invalid ones.
std::string timeout_arg(GenContext& c) {
    static const std::vector<std::string> forms = {
        "0",   "0.01", "1",    "0.5", "100", "1e1", "abc", "-1",   "-0.001",
        "inf", "",     "1e40", "+1",  ".5",  "0x1", "nan", "-inf",
    };
    return c.rng().pick(forms);
}

// A push of at least two elements to `key`; the caller appends the blocking follow-up.
GeneratedCommand push_first(GenContext& c, const std::string& key) {
    Args a{c.name(c.rng().chance(0.5) ? "RPUSH" : "LPUSH"), key};
    const int n = static_cast<int>(c.rng().range(2, 4));
    for (int i = 0; i < n; ++i) a.push_back(elem(c));
    return exact_cmd(std::move(a));
}

// Keys for a BLPOP/BRPOP/BLMPOP that include `key` somewhere.
std::vector<std::string> keys_with(GenContext& c, const std::string& key) {
    std::vector<std::string> keys = c.keys(0, 3);
    keys.insert(keys.begin() + static_cast<int64_t>(c.rng().below(keys.size() + 1)), key);
    return keys;
}

Args blpop_args(GenContext& c, const std::vector<std::string>& keys) {
    Args a{c.name(c.rng().chance(0.5) ? "BLPOP" : "BRPOP")};
    a.insert(a.end(), keys.begin(), keys.end());
    a.push_back(timeout_arg(c));
    return a;
}

// [COUNT n] sometimes, occasionally repeated or malformed.
void mpop_tail(GenContext& c, Args& a) {
    Rng& r = c.rng();
    const uint64_t x = r.below(10);
    if (x < 4) return;
    if (x < 8) {
        a.insert(a.end(), {c.opt("COUNT"), count_arg(c)});
    } else if (x < 9) {
        a.insert(a.end(), {c.opt("COUNT"), "2", c.opt("COUNT"), "3"});
    } else {
        a.push_back(r.chance(0.5) ? c.opt("COUNT") : "FOO");
    }
}

Args blmpop_args(GenContext& c, const std::vector<std::string>& keys) {
    Args a{c.name("BLMPOP"), timeout_arg(c), std::to_string(keys.size())};
    a.insert(a.end(), keys.begin(), keys.end());
    a.push_back(side(c));
    mpop_tail(c, a);
    return a;
}

Args blmove_args(GenContext& c, const std::string& src) {
    const std::string dst = c.rng().chance(0.2) ? src : c.key_for("l");
    if (c.rng().chance(0.3)) return {c.name("BRPOPLPUSH"), src, dst, timeout_arg(c)};
    return {c.name("BLMOVE"), src, dst, side(c), side(c), timeout_arg(c)};
}

std::string numkeys_arg(GenContext& c, size_t n) {
    Rng& r = c.rng();
    if (r.chance(0.9)) return std::to_string(n);
    static const std::vector<std::string> bad = {"0", "-1", "abc", "", "1.5"};
    if (r.chance(0.5)) return r.pick(bad);
    return std::to_string(n + 1 + r.below(3));  // runs past the arguments: syntax error
}

std::string lpos_rank(GenContext& c) {
    static const std::vector<std::string> edges = {"0", "abc", "9223372036854775807", "",
                                                   "-9223372036854775807"};
    Rng& r = c.rng();
    if (r.chance(0.1)) return r.pick(edges);
    return std::to_string(r.chance(0.5) ? r.range(1, 4) : -r.range(1, 4));
}

}  // namespace

CommandFamily list_family() {
    return CommandFamily{
        "lists",
        {
            {"LPUSH", 10,
             [](GenContext& c) {
                 Args a{c.name(c.rng().chance(0.5) ? "LPUSH" : "RPUSH"), c.key_for("l")};
                 const int n = static_cast<int>(c.rng().range(1, 5));
                 for (int i = 0; i < n; ++i) a.push_back(elem(c));
                 return exact_cmd(std::move(a));
             }},
            {"LPUSH-bulk", 2,
             [](GenContext& c) {
                 // Weighted towards a few keys so that some lists get big.
                 const std::string key = c.rng().chance(0.6) ? "k1" : c.key_for("l");
                 Args a{c.name(c.rng().chance(0.5) ? "RPUSH" : "LPUSH"), key};
                 const int n = static_cast<int>(c.rng().range(100, 700));
                 for (int i = 0; i < n; ++i) a.push_back(bulk_elem(c));
                 return exact_cmd(std::move(a));
             }},
            {"LPUSHX", 3,
             [](GenContext& c) {
                 Args a{c.name(c.rng().chance(0.5) ? "LPUSHX" : "RPUSHX"), c.key_for("l")};
                 const int n = static_cast<int>(c.rng().range(1, 3));
                 for (int i = 0; i < n; ++i) a.push_back(elem(c));
                 return exact_cmd(std::move(a));
             }},
            {"LPOP", 8,
             [](GenContext& c) {
                 Args a{c.name(c.rng().chance(0.5) ? "LPOP" : "RPOP"), c.key_for("l")};
                 if (c.rng().chance(0.5)) a.push_back(count_arg(c));
                 return exact_cmd(std::move(a));
             }},
            {"LLEN", 4,
             [](GenContext& c) {
                 return exact_cmd({c.name("LLEN"), c.key_for("l")});
             }},
            {"LRANGE", 8,
             [](GenContext& c) {
                 Args a{c.name("LRANGE"), c.key_for("l"), c.range_index(), c.range_index()};
                 if (c.rng().chance(0.2)) a[2] = "0", a[3] = "-1";
                 return exact_cmd(std::move(a));
             }},
            {"LINDEX", 6,
             [](GenContext& c) {
                 return exact_cmd({c.name("LINDEX"), c.key_for("l"), c.range_index()});
             }},
            {"LSET", 5,
             [](GenContext& c) {
                 return exact_cmd({c.name("LSET"), c.key_for("l"), c.range_index(), elem(c)});
             }},
            {"LINSERT", 6,
             [](GenContext& c) {
                 static const std::vector<std::string> where = {"BEFORE", "AFTER", "BEFORE",
                                                                "AFTER", "MIDDLE"};
                 return exact_cmd({c.name("LINSERT"), c.key_for("l"), c.opt(c.rng().pick(where)),
                                   elem(c), elem(c)});
             }},
            {"LREM", 5,
             [](GenContext& c) {
                 std::string n =
                     c.rng().chance(0.8) ? std::to_string(c.rng().range(-3, 3)) : c.int_arg();
                 return exact_cmd({c.name("LREM"), c.key_for("l"), n, elem(c)});
             }},
            {"LTRIM", 3,
             [](GenContext& c) {
                 return exact_cmd(
                     {c.name("LTRIM"), c.key_for("l"), c.range_index(), c.range_index()});
             }},
            {"LPOS", 6,
             [](GenContext& c) {
                 Args a{c.name("LPOS"), c.key_for("l"), elem(c)};
                 Rng& r = c.rng();
                 const int opts = static_cast<int>(r.below(4));
                 for (int i = 0; i < opts; ++i) {
                     switch (r.below(7)) {
                         case 0:
                         case 1:
                             a.insert(a.end(), {c.opt("RANK"), lpos_rank(c)});
                             break;
                         case 2:
                         case 3:
                             a.insert(a.end(),
                                      {c.opt("COUNT"), r.chance(0.9) ? std::to_string(r.range(0, 4))
                                                                     : count_arg(c)});
                             break;
                         case 4:
                         case 5:
                             a.insert(a.end(), {c.opt("MAXLEN"),
                                                r.chance(0.9) ? std::to_string(r.range(0, 50))
                                                              : count_arg(c)});
                             break;
                         default:
                             a.push_back(r.chance(0.5) ? c.opt("RANK") : "FOO");
                             break;
                     }
                 }
                 return exact_cmd(std::move(a));
             }},
            {"LMOVE", 5,
             [](GenContext& c) {
                 if (c.rng().chance(0.3))
                     return exact_cmd({c.name("RPOPLPUSH"), c.key_for("l"), c.key_for("l")});
                 return exact_cmd(
                     {c.name("LMOVE"), c.key_for("l"), c.key_for("l"), side(c), side(c)});
             }},
            {"LMPOP", 4,
             [](GenContext& c) {
                 std::vector<std::string> keys = c.keys(1, 4);
                 Args a{c.name("LMPOP"), numkeys_arg(c, keys.size())};
                 a.insert(a.end(), keys.begin(), keys.end());
                 a.push_back(side(c));
                 mpop_tail(c, a);
                 return exact_cmd(std::move(a));
             }},
            {"BLPOP-after-push", 4,
             [](GenContext& c) {
                 const std::string key = c.key_for("l");
                 GeneratedCommand g = push_first(c, key);
                 g.follow_up.push_back(blpop_args(c, keys_with(c, key)));
                 if (c.rng().chance(0.3)) g.follow_up.push_back({"LRANGE", key, "0", "-1"});
                 return g;
             }},
            {"BLMPOP-after-push", 3,
             [](GenContext& c) {
                 const std::string key = c.key_for("l");
                 GeneratedCommand g = push_first(c, key);
                 g.follow_up.push_back(blmpop_args(c, keys_with(c, key)));
                 return g;
             }},
            {"BLMOVE-after-push", 3,
             [](GenContext& c) {
                 const std::string key = c.key_for("l");
                 GeneratedCommand g = push_first(c, key);
                 g.follow_up.push_back(blmove_args(c, key));
                 return g;
             }},
            {"blocking-in-MULTI", 3,
             [](GenContext& c) {
                 // The generated command is a harmless read (mutations only touch it); the
                 // transaction follows, so the blocking commands never wait.
                 GeneratedCommand g = exact_cmd({c.name("LLEN"), c.key_for("l")});
                 g.follow_up.push_back({"MULTI"});
                 Rng& r = c.rng();
                 const int n = static_cast<int>(r.range(1, 4));
                 for (int i = 0; i < n; ++i) {
                     switch (r.below(5)) {
                         case 0:
                             g.follow_up.push_back(blpop_args(c, c.keys(1, 3)));
                             break;
                         case 1:
                             g.follow_up.push_back(blmpop_args(c, c.keys(1, 3)));
                             break;
                         case 2:
                             g.follow_up.push_back(blmove_args(c, c.key_for("l")));
                             break;
                         case 3:
                             g.follow_up.push_back({"RPUSH", c.key_for("l"), elem(c)});
                             break;
                         default:
                             g.follow_up.push_back({"LPOP", c.key_for("l")});
                             break;
                     }
                 }
                 g.follow_up.push_back({"EXEC"});
                 return g;
             }},
        }};
}

}  // namespace snapstream::test::diff
