// The command-format AOF base against Debian's redis-server 7.0:
//
// (a) Same commands as Redis's rewrite. A seeded workload (rdb_util::workload: every type in
//     both encodings, shrunk hashtables/skiplists, long lists, TTLs, databases 0/5/15) plus keys
//     whose TTL has already passed (active expiry off, never touched) goes to a redis-server
//     with appendonly yes and aof-use-rdb-preamble no; BGREWRITEAOF writes its base file, SAVE
//     its dump.rdb. The dump is loaded in-process (so our keyspace holds exactly Redis's data,
//     listpacks and intsets byte for byte) and written with write_aof_base. Both files must hold
//     the same per-key command groups: the same commands with the same arguments, in the same
//     order, with the same batching. The only normalisation besides key order: for keys that
//     are hashtable sets/hashes or skiplist zsets in Redis or here (Redis's rewrite walks such a
//     value in its randomly seeded hash-table order; a small skiplist loads as a listpack), the
//     items are compared as a multiset while the command shapes (name, argument count, in
//     order) must still be equal.
//
// (b) Loaded by Redis. Our file for that keyspace, checked by redis-check-aof, is placed as a
//     single appendonly.aof in a fresh directory; redis-server started there with appendonly
//     yes upgrades it to the multi-part layout and must hold exactly our keys: type, contents,
//     PTTL (within a tolerance), database sizes; the keys that had expired are gone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "node/keyspace.h"
#include "node/value.h"
#include "persistence/aof_base_writer.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_load.h"
#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"
#include "tests/support/aof_commands.h"

namespace snapstream::test {
namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The value of field `name` in an INFO reply ("" if absent).
std::string info_field(const std::string& info, const std::string& name) {
    const std::string tag = name + ":";
    size_t at = info.find("\r\n" + tag);
    if (at == std::string::npos) {
        if (info.rfind(tag, 0) != 0) return "";
        at = 0;
    } else {
        at += 2;
    }
    at += tag.size();
    return info.substr(at, info.find("\r\n", at) - at);
}

bool rewrite_idle(RespClient& c) {
    const std::string info = c.command({"INFO", "persistence"}).str;
    return info_field(info, "aof_rewrite_in_progress") == "0" &&
           info_field(info, "aof_rewrite_scheduled") == "0";
}

// The base file named in a Redis 7.0 manifest ("file <name> seq <n> type b").
std::string manifest_base(const std::string& manifest) {
    size_t start = 0;
    while (start < manifest.size()) {
        size_t end = manifest.find('\n', start);
        if (end == std::string::npos) end = manifest.size();
        const std::string line = manifest.substr(start, end - start);
        if (line.size() > 7 && line.rfind("file ", 0) == 0 &&
            line.find(" type b") != std::string::npos)
            return line.substr(5, line.find(' ', 5) - 5);
        start = end + 1;
    }
    return "";
}

// Whether a value of this type and OBJECT ENCODING is walked in hash-table order.
bool unordered_encoding(ValueType t, std::string_view enc) {
    return (t == ValueType::Set && enc == "hashtable") ||
           (t == ValueType::Hash && enc == "hashtable") ||
           (t == ValueType::ZSet && enc == "skiplist");
}

// One key's commands as a comparable text: verbatim, or for unordered encodings the command
// shapes followed by the sorted items (pairs kept together).
std::string normalise(const KeyGroup& g, const Value& v, bool unordered) {
    std::string s = "db " + std::to_string(g.db) + " key " + rdb_util::show(g.key) + "\n";
    if (!unordered) {
        for (const Argv& a : g.cmds) s += command_to_string(a, 1u << 20) + "\n";
        return s;
    }
    const size_t width = v.type() == ValueType::Set ? 1 : 2;
    std::vector<std::string> items;
    for (const Argv& a : g.cmds) {
        s += a[0] + " argc " + std::to_string(a.size()) + "\n";
        if (a[0] == "PEXPIREAT") {
            s += command_to_string(a) + "\n";
            continue;
        }
        for (size_t i = 2; i + width <= a.size(); i += width)
            items.push_back(width == 1 ? a[i] : a[i] + std::string(1, '\0') + a[i + 1]);
    }
    std::sort(items.begin(), items.end());
    for (const auto& it : items) s += rdb_util::show(it) + "\n";
    return s;
}

// Commands per "db key", normalised; `unordered` holds the "db key"s whose items were written
// in hash-table order by either side.
std::map<std::string, std::string> groups_of(std::string_view file, Keyspace& ks,
                                             const std::set<std::string>& unordered,
                                             std::string* error) {
    std::map<std::string, std::string> out;
    auto cmds = parse_aof_commands(file, error);
    if (!cmds) return out;
    for (const KeyGroup& g : group_by_key(*cmds)) {
        const std::string id = std::to_string(g.db) + " " + g.key;
        const Entry* e = g.db >= 0 && g.db < ks.count() ? ks.db(g.db).dict.find(g.key) : nullptr;
        if (!e) {
            *error = "key not in the keyspace: " + id;
            return {};
        }
        if (!out.emplace(id, normalise(g, e->value, unordered.count(id) > 0)).second) {
            *error = "key in two groups: " + id;
            return {};
        }
    }
    return out;
}

// Compares what Redis (on `c`) holds with `ks` by content: keys whose TTL passed before
// `now` must be gone, all others equal with PTTLs within 10 s.
std::vector<std::string> compare_contents(RespClient& c, Keyspace& ks, int64_t now) {
    std::vector<std::string> diffs;
    for (int db = 0; db < ks.count() && diffs.size() < 20; ++db) {
        c.command({"SELECT", std::to_string(db)});
        Database& ours = ks.db(db);
        size_t live = 0;
        ours.dict.for_each([&](const Entry* e) {
            if (diffs.size() >= 20) return;
            const std::string key(e->key());
            const std::string where = "db " + std::to_string(db) + " key " + rdb_util::show(key);
            const Value& v = e->value;
            const int64_t expire = ks.expire_of(ours, e);
            if (expire >= 0 && expire < now) {
                if (c.command({"EXISTS", key}).integer != 0)
                    diffs.push_back(where + ": expired key still there");
                return;
            }
            ++live;
            const auto r = c.pipeline({{"TYPE", key}, {"PTTL", key}});
            if (r[0].str != type_name(v.type())) {
                diffs.push_back(where + ": TYPE " + r[0].str);
                return;
            }
            if ((r[1].integer < 0) != (expire < 0) ||
                (expire >= 0 && std::llabs(expire - now - r[1].integer) > 10000))
                diffs.push_back(where + ": PTTL " + std::to_string(r[1].integer) + " vs expire " +
                                std::to_string(expire));
            const rdb_util::Rendered want = rdb_util::render(v);
            switch (v.type()) {
                case ValueType::String:
                    if (c.command({"GET", key}).str != want.str) diffs.push_back(where + ": GET");
                    break;
                case ValueType::Hash: {
                    const RespValue got = c.command({"HGETALL", key});
                    std::map<std::string, std::string> m;
                    for (size_t i = 0; i + 1 < got.elems.size(); i += 2)
                        m.emplace(got.elems[i].str, got.elems[i + 1].str);
                    if (m != want.hash) diffs.push_back(where + ": HGETALL");
                    break;
                }
                case ValueType::Set: {
                    std::set<std::string> m;
                    for (const auto& x : c.command({"SMEMBERS", key}).elems) m.insert(x.str);
                    if (m != want.set) diffs.push_back(where + ": SMEMBERS");
                    break;
                }
                case ValueType::ZSet: {
                    const RespValue got = c.command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
                    bool same = got.elems.size() == 2 * want.zset.size();
                    for (size_t i = 0; same && i < want.zset.size(); ++i)
                        same = got.elems[2 * i].str == want.zset[i].first &&
                               std::strtod(got.elems[2 * i + 1].str.c_str(), nullptr) ==
                                   want.zset[i].second;
                    if (!same) diffs.push_back(where + ": ZRANGE");
                    break;
                }
                case ValueType::List: {
                    std::vector<std::string> m;
                    for (const auto& x : c.command({"LRANGE", key, "0", "-1"}).elems)
                        m.push_back(x.str);
                    if (m != want.list) diffs.push_back(where + ": LRANGE");
                    break;
                }
            }
        });
        // Expired keys were removed by the EXISTS probes above.
        const int64_t dbsize = c.command({"DBSIZE"}).integer;
        if (static_cast<size_t>(dbsize) != live)
            diffs.push_back("db " + std::to_string(db) + ": DBSIZE " + std::to_string(dbsize) +
                            " vs " + std::to_string(live));
    }
    c.command({"SELECT", "0"});
    return diffs;
}

TEST(AofBaseInterop, SameCommandsAsRedisRewriteAndRedisLoadsOurs) {
    register_all_object_ops();
    auto redis = start_redis(
        {"--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--enable-debug-command", "yes"});
    RespClient c(redis->port());
    // Redis creates an empty base at start-up; let that finish first.
    ASSERT_TRUE(wait_until([&] { return rewrite_idle(c); }, Ms(20000)));
    ASSERT_TRUE(c.command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}).is_string("OK"));

    rdb_util::run_commands(c, rdb_util::workload(20240601));
    if (HasFatalFailure()) return;
    // Keys whose TTL passes before the rewrite (never read afterwards, so still stored).
    for (int db : {0, 5}) {
        c.command({"SELECT", std::to_string(db)});
        c.command({"SET", "gone:str:" + std::to_string(db), "v"});
        c.command({"RPUSH", "gone:list:" + std::to_string(db), "a", "b", "1"});
        c.command({"PEXPIRE", "gone:str:" + std::to_string(db), "1"});
        c.command({"PEXPIRE", "gone:list:" + std::to_string(db), "1"});
    }
    c.command({"SELECT", "0"});
    const int64_t expired_at = now_ms() + 5;
    ASSERT_TRUE(wait_until([&] { return now_ms() > expired_at; }, Ms(2000), Ms(2)));

    const RespValue started = c.command({"BGREWRITEAOF"});
    ASSERT_FALSE(started.is_error()) << started.to_string();
    ASSERT_TRUE(wait_until([&] { return rewrite_idle(c); }, Ms(60000)));
    const std::string info = c.command({"INFO", "persistence"}).str;
    ASSERT_EQ(info_field(info, "aof_last_bgrewrite_status"), "ok");
    const std::string aofdir = redis->dir() + "/appendonlydir";
    const std::string base = manifest_base(read_file(aofdir + "/appendonly.aof.manifest"));
    ASSERT_FALSE(base.empty());
    ASSERT_EQ(base.substr(base.size() - 9), ".base.aof") << base;
    const std::string theirs = read_file(aofdir + "/" + base);
    ASSERT_FALSE(theirs.empty());
    ASSERT_TRUE(c.command({"SAVE"}).is_string("OK"));

    Keyspace ks(16);
    const int64_t load_now = now_ms();
    const RdbFileResult loaded =
        load_rdb_file(redis->dir() + "/dump.rdb", ks, RdbReadOptions{}, load_now, false);
    ASSERT_TRUE(loaded.ok()) << loaded.error;
    ASSERT_NE(ks.db(0).dict.find("gone:str:0"), nullptr);  // passed TTLs are part of the data
    ASSERT_NE(ks.db(5).dict.find("gone:list:5"), nullptr);

    StringSink sink;
    const auto written = write_aof_base(ks, sink);
    ASSERT_TRUE(written.ok()) << written.error();
    EXPECT_EQ(written->bytes, sink.data.size());
    EXPECT_EQ(written->keys, loaded.keys_loaded);
    const std::string& ours = sink.data;

    // (a) the same per-key command groups. Which keys are in hash-table order: Redis's
    // encoding (its rewrite walked that) or ours (a small skiplist loads as a listpack here).
    std::set<std::string> unordered;
    for (int db = 0; db < ks.count(); ++db) {
        c.command({"SELECT", std::to_string(db)});
        ks.db(db).dict.for_each([&](const Entry* e) {
            const std::string key(e->key());
            const RespValue enc = c.command({"OBJECT", "ENCODING", key});
            if (unordered_encoding(e->value.type(), encoding_name(e->value)) ||
                (!enc.is_null() && unordered_encoding(e->value.type(), enc.str)))
                unordered.insert(std::to_string(db) + " " + key);
        });
    }
    c.command({"SELECT", "0"});
    EXPECT_GT(unordered.size(), 0u);
    std::string err;
    const auto want = groups_of(theirs, ks, unordered, &err);
    ASSERT_TRUE(err.empty()) << "redis's base: " << err;
    const auto got = groups_of(ours, ks, unordered, &err);
    ASSERT_TRUE(err.empty()) << "our base: " << err;
    EXPECT_EQ(got.size(), loaded.keys_loaded);
    EXPECT_EQ(got.size(), want.size());
    size_t diffs = 0;
    for (const auto& [id, text] : want) {
        auto it = got.find(id);
        if (it == got.end()) {
            ADD_FAILURE() << "missing in ours: " << id;
        } else if (it->second != text) {
            ADD_FAILURE() << "differs: " << rdb_util::show(id) << "\nredis:\n"
                          << text.substr(0, 2000) << "\nours:\n"
                          << it->second.substr(0, 2000);
        } else {
            continue;
        }
        if (++diffs == 5) break;
    }
    // Both files select the same databases in the same order.
    auto select_order = [](std::string_view f) {
        std::vector<std::string> dbs;
        const auto cmds = parse_aof_commands(f, nullptr);
        if (!cmds) return dbs;
        for (const Argv& a : *cmds)
            if (a[0] == "SELECT") dbs.push_back(a[1]);
        return dbs;
    };
    EXPECT_EQ(select_order(ours), select_order(theirs));
    EXPECT_EQ(select_order(ours), (std::vector<std::string>{"0", "5", "15"}));
    redis->stop();

    // (b) Redis loads our file as a single (pre-7.0 style) appendonly.aof.
    TempDir dir;
    const std::string path = dir.write_file("appendonly.aof", ours);
    const ProcessResult check = run_process({find_in_path("redis-check-aof"), path}, "", Ms(30000));
    EXPECT_TRUE(check.exited_ok()) << check.describe() << check.out << check.err;
    EXPECT_NE(check.out.find("is valid"), std::string::npos) << check.out;

    ServerProcess::Options opt;
    opt.binary = redis_binary();
    opt.name = "redis";
    opt.dir = dir.path();
    opt.extra_args = {"--appendonly", "yes", "--aof-use-rdb-preamble", "no"};
    auto loader = ServerProcess::start(opt);
    RespClient lc(loader->port());
    ASSERT_TRUE(wait_until(
        [&] {
            return info_field(lc.command({"INFO", "persistence"}).str, "loading") == "0";
        },
        Ms(20000)));
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/appendonlydir/appendonly.aof.manifest"))
        << loader->log_tail();
    const auto d = compare_contents(lc, ks, now_ms());
    EXPECT_TRUE(d.empty()) << rdb_util::join(d);
    loader->stop();
}

}  // namespace
}  // namespace snapstream::test
