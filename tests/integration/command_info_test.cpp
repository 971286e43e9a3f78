// COMMAND INFO and COMMAND GETKEYS against Debian's redis-server: for every command (and
// subcommand) snapstream implements, the metadata clients and tools read must be Redis 7.0's:
// name, arity, flags, legacy key positions, ACL categories, and the keys GETKEYS finds (cluster
// clients such as ioredis route by them). Key specs are only checked for their number and find
// type (snapstream derives them from the legacy positions and the numkeys argument, Redis also
// gives access flags), and tips are not checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

std::set<std::string> string_set(const RespValue& v) {
    std::set<std::string> out;
    for (const auto& e : v.elems) out.insert(e.str);
    return out;
}

// The "find_keys" types of a COMMAND INFO key-spec array (RESP2: flat maps).
std::vector<std::string> find_key_types(const RespValue& specs) {
    std::vector<std::string> out;
    for (const auto& spec : specs.elems) {
        for (size_t i = 0; i + 1 < spec.elems.size(); i += 2) {
            if (spec.elems[i].str != "find_keys") continue;
            const RespValue& fk = spec.elems[i + 1];
            for (size_t j = 0; j + 1 < fk.elems.size(); j += 2)
                if (fk.elems[j].str == "type") out.push_back(fk.elems[j + 1].str);
        }
    }
    return out;
}

// Compares one COMMAND INFO entry (and its subcommands) of both servers; appends differences.
void compare_info(const RespValue& ref, const RespValue& sub, std::vector<std::string>& diffs) {
    if (!sub.is_array() || sub.elems.size() != 10) {
        diffs.push_back("malformed entry " + sub.to_string());
        return;
    }
    const std::string name = ref.elems[0].str;
    auto differ = [&](const char* what, const std::string& a, const std::string& b) {
        if (a != b) diffs.push_back(name + " " + what + ": redis " + a + ", snapstream " + b);
    };
    auto render = [](const std::set<std::string>& s) {
        std::string out;
        for (const auto& x : s) out += x + " ";
        return out;
    };
    differ("name", ref.elems[0].str, sub.elems[0].str);
    differ("arity", ref.elems[1].to_string(), sub.elems[1].to_string());
    differ("flags", render(string_set(ref.elems[2])), render(string_set(sub.elems[2])));
    differ("first key", ref.elems[3].to_string(), sub.elems[3].to_string());
    differ("last key", ref.elems[4].to_string(), sub.elems[4].to_string());
    differ("key step", ref.elems[5].to_string(), sub.elems[5].to_string());
    differ("acl categories", render(string_set(ref.elems[6])), render(string_set(sub.elems[6])));
    auto ref_types = find_key_types(ref.elems[8]), sub_types = find_key_types(sub.elems[8]);
    std::string rt, st;
    for (const auto& t : ref_types) rt += t + " ";
    for (const auto& t : sub_types) st += t + " ";
    differ("key spec find types", rt, st);
    // Subcommands that snapstream implements must match too.
    for (const auto& s : sub.elems[9].elems) {
        auto it = std::find_if(ref.elems[9].elems.begin(), ref.elems[9].elems.end(),
                               [&](const RespValue& r) { return r.elems[0] == s.elems[0]; });
        if (it == ref.elems[9].elems.end()) {
            diffs.push_back(name + ": subcommand " + s.elems[0].str + " unknown to redis");
            continue;
        }
        compare_info(*it, s, diffs);
    }
}

TEST(CommandInfo, EveryCommandMatchesRedis) {
    auto redis = start_redis();
    auto snap = start_snapstream();
    RespClient rc(redis->port()), sc(snap->port());
    RespValue all = sc.command({"COMMAND"});
    ASSERT_TRUE(all.is_array());
    ASSERT_GT(all.elems.size(), 150u);
    std::vector<std::string> diffs;
    for (const auto& entry : all.elems) {
        const std::string name = entry.elems.at(0).str;
        RespValue ref = rc.command({"COMMAND", "INFO", name});
        ASSERT_TRUE(ref.is_array() && ref.elems.size() == 1) << name;
        if (!ref.elems[0].is_array()) {
            diffs.push_back(name + ": unknown to redis");
            continue;
        }
        compare_info(ref.elems[0], entry, diffs);
    }
    std::string all_diffs;
    for (const auto& d : diffs) all_diffs += "  " + d + "\n";
    EXPECT_TRUE(diffs.empty()) << diffs.size() << " differences:\n" << all_diffs;
}

TEST(CommandInfo, GetkeysMatchesRedis) {
    auto redis = start_redis();
    auto snap = start_snapstream();
    RespClient rc(redis->port()), sc(snap->port());
    const std::vector<std::vector<std::string>> cases = {
        {"GET", "a"},
        {"MSET", "a", "1", "b", "2"},
        {"LMOVE", "src", "dst", "LEFT", "RIGHT"},
        {"BLPOP", "a", "b", "c", "0"},
        {"ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"},
        {"ZINTER", "3", "a", "b", "c"},
        {"ZDIFF", "1", "a", "WITHSCORES"},
        {"ZINTERCARD", "2", "a", "b", "LIMIT", "1"},
        {"SINTERCARD", "2", "a", "b"},
        {"LMPOP", "2", "a", "b", "LEFT"},
        {"BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "2"},
        {"ZMPOP", "1", "z", "MIN"},
        {"BZMPOP", "1", "2", "z1", "z2", "MAX"},
        {"ZUNIONSTORE", "dst", "5", "a", "b"},  // numkeys past the end
        {"ZUNION", "x", "a"},                   // numkeys not a number
        {"PING"},
        {"SMOVE", "a", "b", "m"},
        {"ZRANGESTORE", "dst", "src", "0", "-1"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> argv = {"COMMAND", "GETKEYS"};
        argv.insert(argv.end(), c.begin(), c.end());
        EXPECT_EQ(rc.command(argv), sc.command(argv)) << command_to_string(c);
    }
}

}  // namespace
}  // namespace snapstream::test
