// Shared by the RDB tests that run against redis-server: a seeded workload over the five types
// (small and large encodings, TTLs, several databases) and a comparison of a loaded Keyspace
// with the Redis that wrote the file, through the protocol.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"
#include "tests/support/resp_client.h"
#include "tests/support/value_items.h"

namespace snapstream::test::rdb_util {

using Command = std::vector<std::string>;

inline std::string random_bytes(std::mt19937_64& rng, size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    return s;
}

// Text that LZF compresses well (repeated words).
inline std::string compressible(std::mt19937_64& rng, size_t n) {
    static const char* kWords[] = {"alpha ", "beta ", "gamma ", "delta "};
    std::string s;
    while (s.size() < n) s += kWords[rng() % 4];
    s.resize(n);
    return s;
}

inline std::string random_element(std::mt19937_64& rng) {
    switch (rng() % 8) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
        case 1:
            return std::to_string(static_cast<int64_t>(rng()));
        case 2:
            return random_bytes(rng, rng() % 12);
        case 3:
            return compressible(rng, 20 + rng() % 60);
        case 4:
            return "e" + std::to_string(rng() % 100000);
        case 5:
            return std::to_string(rng() % 100) + ".5";
        default:
            return "m:" + std::to_string(rng());
    }
}

inline std::string random_score(std::mt19937_64& rng) {
    switch (rng() % 10) {
        case 0:
            return "inf";
        case 1:
            return "-inf";
        case 2:
            return std::to_string(static_cast<int64_t>(rng() % 1000) - 500);
        case 3: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.17g",
                          static_cast<double>(rng() % 1000000) / 7.0 - 50000.0);
            return buf;
        }
        case 4:
            return "0.1";
        case 5:
            return "1e300";
        case 6:
            return std::to_string(rng() % 10);  // ties broken by member
        default: {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(rng() % 10000000) / 1000.0);
            return buf;
        }
    }
}

// A seeded workload: commands for databases 0, 5 and 15 (SELECT included). `scale` multiplies
// the number of keys of each kind.
inline std::vector<Command> workload(uint64_t seed, int scale = 1) {
    std::mt19937_64 rng(seed);
    std::vector<Command> out;
    const int dbs[] = {0, 5, 15};
    for (int db : dbs) {
        out.push_back({"SELECT", std::to_string(db)});
        int n = 0;
        auto key = [&](const char* kind) {
            return std::string(kind) + ":" + std::to_string(seed) + ":" + std::to_string(n++);
        };
        auto maybe_ttl = [&](const std::string& k) {
            if (rng() % 4 == 0)
                out.push_back({"PEXPIRE", k, std::to_string(100000 + rng() % 100000000)});
        };
        for (int i = 0; i < 30 * scale; ++i) {  // strings
            std::string k = key("str"), v;
            switch (rng() % 9) {
                case 0:
                    v = std::to_string(static_cast<int64_t>(rng() % 256) - 128);
                    break;
                case 1:
                    v = std::to_string(static_cast<int64_t>(rng()));
                    break;
                case 2:
                    v = std::to_string(rng() % 100000000000ull);  // > 32 bits: raw in the file
                    break;
                case 3:
                    v = random_bytes(rng, rng() % 44);
                    break;
                case 4:
                    v = compressible(rng, 21 + rng() % 24);  // LZF in the file, embstr here
                    break;
                case 5:
                    v = compressible(rng, 100 + rng() % 5000);
                    break;
                case 6:
                    v = random_bytes(rng, 45 + rng() % 2000);
                    break;
                case 7:
                    v = rng() % 2 ? "007" : "-0";
                    break;
                default:
                    v = "";
                    break;
            }
            out.push_back({"SET", k, v});
            maybe_ttl(k);
        }
        for (int i = 0; i < 12 * scale; ++i) {  // hashes
            const std::string k = key("hash");
            const int kind = static_cast<int>(rng() % 5);
            const size_t fields = kind == 0 ? 3 : kind == 1 ? 300 : 1 + rng() % 40;
            Command c = {"HSET", k};
            for (size_t f = 0; f < fields; ++f) {
                c.push_back("f" + std::to_string(f) + random_element(rng).substr(0, 8));
                c.push_back(kind == 2 && f == 0 ? compressible(rng, 100) : random_element(rng));
            }
            out.push_back(c);
            if (kind == 3) {
                // Converted by a long value, then shrunk: a hashtable that a reload turns back
                // into a listpack.
                out.push_back({"HSET", k, "long", compressible(rng, 200)});
                out.push_back({"HDEL", k, "long"});
            }
            maybe_ttl(k);
        }
        for (int i = 0; i < 12 * scale; ++i) {  // sets
            const std::string k = key("set");
            const int kind = static_cast<int>(rng() % 6);
            Command c = {"SADD", k};
            const size_t members = kind == 0   ? 1 + rng() % 20
                                   : kind == 1 ? 400 + rng() % 112  // big intset
                                   : kind == 2 ? 600                // ints, hashtable
                                               : 1 + rng() % 100;
            for (size_t m = 0; m < members; ++m) {
                if (kind <= 2)
                    c.push_back(std::to_string(static_cast<int64_t>(rng()) >> (rng() % 60)));
                else
                    c.push_back(random_element(rng));
            }
            out.push_back(c);
            if (kind == 5) {
                // A string member added and removed: a hashtable of integers, an intset after
                // a reload.
                out.push_back({"SADD", k, "x-string"});
                out.push_back({"SREM", k, "x-string"});
            }
            maybe_ttl(k);
        }
        for (int i = 0; i < 12 * scale; ++i) {  // sorted sets
            const std::string k = key("zset");
            const int kind = static_cast<int>(rng() % 5);
            const size_t members = kind == 0 ? 5 : kind == 1 ? 500 : 1 + rng() % 150;
            Command c = {"ZADD", k};
            for (size_t m = 0; m < members; ++m) {
                c.push_back(random_score(rng));
                c.push_back(kind == 2 && m == 0 ? compressible(rng, 80) : random_element(rng));
            }
            out.push_back(c);
            if (kind == 3) out.push_back({"ZREMRANGEBYRANK", k, "0", "-11"});  // shrunk skiplist
            maybe_ttl(k);
        }
        for (int i = 0; i < 12 * scale; ++i) {  // lists
            const std::string k = key("list");
            const int kind = static_cast<int>(rng() % 5);
            const size_t elements = kind == 0   ? 1
                                    : kind == 1 ? 5000
                                    : kind == 2 ? 1 + rng() % 300
                                                : 1 + rng() % 2000;
            Command c = {rng() % 2 ? "RPUSH" : "LPUSH", k};
            for (size_t e = 0; e < elements; ++e) {
                if (kind == 4 && rng() % 50 == 0)
                    c.push_back(compressible(rng, 9000 + rng() % 3000));  // a node of its own
                else
                    c.push_back(random_element(rng));
            }
            out.push_back(c);
            if (kind == 3 && elements > 10) out.push_back({"LTRIM", k, "3", "-4"});
            maybe_ttl(k);
        }
    }
    return out;
}

inline void run_commands(RespClient& c, const std::vector<Command>& cmds) {
    for (size_t i = 0; i < cmds.size(); i += 200) {
        std::vector<Command> batch(
            cmds.begin() + static_cast<ptrdiff_t>(i),
            cmds.begin() + static_cast<ptrdiff_t>(std::min(cmds.size(), i + 200)));
        const auto replies = c.pipeline(batch);
        for (size_t k = 0; k < replies.size(); ++k)
            ASSERT_FALSE(replies[k].is_error())
                << command_to_string(batch[k]) << " -> " << replies[k].to_string();
    }
}

// Our value rendered as Redis's reply to the type's full read command (HGETALL / SMEMBERS as
// sorted maps/sets, ZRANGE WITHSCORES and LRANGE in order).
struct Rendered {
    std::string str;
    std::map<std::string, std::string> hash;
    std::set<std::string> set;
    std::vector<std::pair<std::string, double>> zset;
    std::vector<std::string> list;
    size_t list_nodes = 0;
};

inline Rendered render(const Value& v) {
    Rendered r;
    switch (v.type()) {
        case ValueType::String: {
            char buf[24];
            r.str = std::string(v.str(buf));
            break;
        }
        case ValueType::Hash:
            r.hash = hash_items(v);
            break;
        case ValueType::Set:
            r.set = set_items(v);
            break;
        case ValueType::ZSet:
            r.zset = zset_items(v);
            break;
        case ValueType::List:
            r.list = list_items(v);
            r.list_nodes = list_nodes(v);
            break;
    }
    return r;
}

inline std::string show(std::string_view s) {
    return escape_bytes(s, 60);
}

// Compares every database of `ks` with what Redis (on `c`) holds; returns the differences
// (at most `max_diffs`). Lists are also compared node by node count (DEBUG OBJECT ql_nodes),
// which needs redis-server started with --enable-debug-command yes.
inline std::vector<std::string> compare_with_redis(RespClient& c, Keyspace& ks, int64_t now_ms,
                                                   size_t max_diffs = 20) {
    std::vector<std::string> diffs;
    auto diff = [&](std::string d) {
        if (diffs.size() < max_diffs) diffs.push_back(std::move(d));
    };
    for (int db = 0; db < ks.count() && db < 16; ++db) {
        c.command({"SELECT", std::to_string(db)});
        const RespValue dbsize = c.command({"DBSIZE"});
        Database& ours = ks.db(db);
        if (static_cast<size_t>(dbsize.integer) != ours.size())
            diff("db " + std::to_string(db) + ": DBSIZE " + std::to_string(dbsize.integer) +
                 " vs ours " + std::to_string(ours.size()));
        const RespValue keys = c.command({"KEYS", "*"});
        for (const RespValue& kv : keys.elems) {
            const std::string& key = kv.str;
            const std::string where = "db " + std::to_string(db) + " key " + show(key);
            Entry* e = ks.peek(ours, key);
            if (!e) {
                diff(where + ": missing here");
                continue;
            }
            const Value& v = e->value;
            const auto replies =
                c.pipeline({{"TYPE", key}, {"OBJECT", "ENCODING", key}, {"PTTL", key}});
            if (replies[0].str != type_name(v.type()))
                diff(where + ": TYPE " + replies[0].str + " vs ours " + type_name(v.type()));
            if (replies[1].str != encoding_name(v))
                diff(where + ": OBJECT ENCODING " + replies[1].str + " vs ours " +
                     encoding_name(v));
            const int64_t expire = ks.expire_of(ours, e);
            const int64_t pttl = replies[2].integer;
            if ((pttl < 0) != (expire < 0)) {
                diff(where + ": PTTL " + std::to_string(pttl) + " vs expire " +
                     std::to_string(expire));
            } else if (expire >= 0 && std::llabs((expire - now_ms) - pttl) > 10000) {
                diff(where + ": PTTL " + std::to_string(pttl) + " vs ours " +
                     std::to_string(expire - now_ms));
            }
            const Rendered r = render(v);
            switch (v.type()) {
                case ValueType::String: {
                    const RespValue got = c.command({"GET", key});
                    if (got.str != r.str)
                        diff(where + ": GET " + show(got.str) + " vs ours " + show(r.str));
                    break;
                }
                case ValueType::Hash: {
                    const RespValue got = c.command({"HGETALL", key});
                    std::map<std::string, std::string> theirs;
                    for (size_t i = 0; i + 1 < got.elems.size(); i += 2)
                        theirs.emplace(got.elems[i].str, got.elems[i + 1].str);
                    if (theirs != r.hash)
                        diff(where + ": HGETALL differs (" + std::to_string(theirs.size()) +
                             " vs ours " + std::to_string(r.hash.size()) + " fields)");
                    break;
                }
                case ValueType::Set: {
                    const RespValue got = c.command({"SMEMBERS", key});
                    std::set<std::string> theirs;
                    for (const auto& m : got.elems) theirs.insert(m.str);
                    if (theirs != r.set)
                        diff(where + ": SMEMBERS differs (" + std::to_string(theirs.size()) +
                             " vs ours " + std::to_string(r.set.size()) + " members)");
                    break;
                }
                case ValueType::ZSet: {
                    const RespValue got = c.command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
                    bool same = got.elems.size() == 2 * r.zset.size();
                    for (size_t i = 0; same && i < r.zset.size(); ++i) {
                        const double s = std::strtod(got.elems[2 * i + 1].str.c_str(), nullptr);
                        same = got.elems[2 * i].str == r.zset[i].first && s == r.zset[i].second;
                        if (!same)
                            diff(where + ": ZRANGE element " + std::to_string(i) + " " +
                                 show(got.elems[2 * i].str) + "=" + got.elems[2 * i + 1].str +
                                 " vs ours " + show(r.zset[i].first));
                    }
                    if (got.elems.size() != 2 * r.zset.size())
                        diff(where + ": ZRANGE length differs");
                    break;
                }
                case ValueType::List: {
                    const RespValue got = c.command({"LRANGE", key, "0", "-1"});
                    std::vector<std::string> theirs;
                    for (const auto& m : got.elems) theirs.push_back(m.str);
                    if (theirs != r.list)
                        diff(where + ": LRANGE differs (" + std::to_string(theirs.size()) +
                             " vs ours " + std::to_string(r.list.size()) + " elements)");
                    const RespValue dbg = c.command({"DEBUG", "OBJECT", key});
                    const size_t at = dbg.str.find("ql_nodes:");
                    if (at == std::string::npos) {
                        diff(where + ": DEBUG OBJECT has no ql_nodes: " + dbg.str);
                    } else {
                        const size_t nodes = std::strtoull(dbg.str.c_str() + at + 9, nullptr, 10);
                        if (nodes != r.list_nodes)
                            diff(where + ": ql_nodes " + std::to_string(nodes) + " vs ours " +
                                 std::to_string(r.list_nodes));
                    }
                    break;
                }
            }
        }
    }
    c.command({"SELECT", "0"});
    return diffs;
}

inline std::string join(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

}  // namespace snapstream::test::rdb_util
