// Files from our RDB writer, read by the real Redis 7.0 tools: a random in-process keyspace (all
// five types in both encodings each, TTLs, several databases, binary and boundary-case strings,
// every kind of score) is written to dump.rdb, checked with Debian's redis-check-rdb, loaded by
// Debian's redis-server at start-up, and every key of every database is compared through RESP
// with what the keyspace holds: type, full value, OBJECT ENCODING, PTTL and the database sizes.
//
// The keyspace is built with Redis's default encoding limits (hash 512/64, set-max-intset 512,
// zset 128/64, list fill -2) so that a value loaded by Redis has the encoding it had here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/numeric.h"
#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_writer.h"
#include "tests/integration/integration_util.h"
#include "tests/support/value_items.h"

namespace snapstream::test {
namespace {

constexpr size_t kHashMaxEntries = 512, kHashMaxValue = 64;
constexpr size_t kSetMaxIntset = 512;
constexpr size_t kZsetMaxEntries = 128, kZsetMaxValue = 64;

const char* const kBoundaryInts[] = {"0",
                                     "1",
                                     "-1",
                                     "127",
                                     "128",
                                     "-128",
                                     "-129",
                                     "255",
                                     "256",
                                     "32767",
                                     "32768",
                                     "-32768",
                                     "-32769",
                                     "65535",
                                     "2147483647",
                                     "2147483648",
                                     "-2147483648",
                                     "-2147483649",
                                     "4294967296",
                                     "9223372036854775807",
                                     "-9223372036854775808",
                                     "9223372036854775808",
                                     "007",
                                     "-0",
                                     "+5",
                                     "1.5",
                                     " 12",
                                     "12 ",
                                     "99999999999"};

class Gen {
  public:
    explicit Gen(uint64_t seed) : rng(seed) {}
    std::mt19937_64 rng;

    size_t below(size_t n) { return static_cast<size_t>(rng() % n); }
    bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }

    std::string random_bytes(size_t n) {
        std::string s(n, '\0');
        for (auto& c : s) c = static_cast<char>(rng());
        return s;
    }
    std::string compressible(size_t n) {
        static const std::string parts[] = {"abc", "hello world ", "\r\n",
                                            std::string("\0\0\x01", 3)};
        std::string s;
        const std::string unit = parts[below(4)] + std::to_string(below(100));
        while (s.size() < n) s += unit;
        s.resize(n);
        return s;
    }
    std::string binary_short() {
        static const std::string pieces[] = {
            std::string("\0", 1), "\r\n", "\r", "\n", "x", "\xff", " "};
        std::string s;
        for (size_t i = 0, n = below(12); i < n; ++i) s += pieces[below(7)];
        return s;
    }
    std::string int_text() {
        switch (below(4)) {
            case 0:
                return kBoundaryInts[below(std::size(kBoundaryInts))];
            case 1:
                return std::to_string(static_cast<int64_t>(rng()));
            case 2:
                return std::to_string(static_cast<int64_t>(below(20000)) - 10000);
            default:
                return std::to_string(static_cast<int64_t>(rng()) >> below(64));
        }
    }
    // A string element of at most max_len bytes (max_len >= 64 allows the long kinds).
    std::string element(size_t max_len) {
        std::string s;
        switch (below(9)) {
            case 0:
            case 1:
                s = int_text();
                break;
            case 2:
                s = binary_short();
                break;
            case 3:
                s = "";
                break;
            case 4:
                s = "elem:" + std::to_string(below(100000));
                break;
            case 5:
                s = compressible(21 + below(300));
                break;
            case 6:
                s = random_bytes(21 + below(120));
                break;
            case 7:
                s = "3.14" + std::to_string(below(10));
                break;
            default:
                s = random_bytes(below(30));
                break;
        }
        if (s.size() > max_len) s.resize(max_len);
        return s;
    }
    std::string long_string() {
        switch (below(4)) {
            case 0:
                return compressible(45 + below(5000));
            case 1:
                return random_bytes(45 + below(2000));
            case 2:
                return compressible(70000 + below(30000));  // past the writer's buffer
            default:
                return std::string(21 + below(40), 'a');
        }
    }
    double score() {
        const double inf = std::numeric_limits<double>::infinity();
        switch (below(12)) {
            case 0:
                return inf;
            case 1:
                return -inf;
            case 2:
                return -0.0;
            case 3:
                return 0.0;
            case 4:
                return 1.0 / 3.0;
            case 5:
                return static_cast<double>(static_cast<int64_t>(rng()) >> below(64));
            case 6:
                return std::ldexp(1.0, 62) + (chance(50) ? 2048.0 : 0.0);
            case 7:
                return 1e-300 * static_cast<double>(below(1000));
            case 8:
                return std::numeric_limits<double>::max() * (chance(50) ? 1 : -1);
            case 9:
                return static_cast<double>(below(10));  // ties: ordered by member
            default:
                return (static_cast<double>(rng() % 2000001) - 1e6) / 1000.0;
        }
    }
};

Value make_string(Gen& g) {
    if (g.chance(30)) return Value::string(g.long_string());
    return Value::string(g.element(44));
}

Value make_list(Gen& g) {
    auto* ql = new QuickList(QuickList::kDefaultFill);
    size_t n = 1 + g.below(20);
    if (g.chance(25)) n = 100 + g.below(1500);  // several 8 KiB nodes
    for (size_t i = 0; i < n; ++i) {
        const std::string e = g.chance(3) ? g.long_string().substr(0, 3000) : g.element(300);
        ql->push(e, g.chance(30));
    }
    return Value::object(ValueType::List, Encoding::Quicklist, ql);
}

Value make_set(Gen& g) {
    const int kind = static_cast<int>(g.below(3));
    Value s = set_type::create_intset();
    if (kind == 0) {  // intset
        for (size_t i = 0, n = 1 + g.below(60); i < n; ++i)
            set_type::add(s, std::to_string(static_cast<int64_t>(g.rng()) >> g.below(64)),
                          kSetMaxIntset);
    } else if (kind == 1) {  // hashtable from too many integers
        for (size_t i = 0, n = kSetMaxIntset + 1 + g.below(200); i < n; ++i)
            set_type::add(s, std::to_string(i * 7), kSetMaxIntset);
    } else {  // hashtable from a non-integer member
        for (size_t i = 0, n = 1 + g.below(80); i < n; ++i)
            set_type::add(s, g.element(200), kSetMaxIntset);
        set_type::add(s, "member:" + std::to_string(g.below(10)), kSetMaxIntset);
    }
    return s;
}

Value make_zset(Gen& g) {
    const zset::Limits lim{kZsetMaxEntries, kZsetMaxValue};
    const int kind = static_cast<int>(g.below(3));
    size_t n = 1 + g.below(40);
    if (kind == 1) n = kZsetMaxEntries + 1 + g.below(150);
    const std::string first =
        kind == 2 ? g.compressible(kZsetMaxValue + 1 + g.below(50)) : g.element(kZsetMaxValue);
    Value z = zset::create_for_add(first, lim);
    int out = 0;
    zset::add(z, g.score(), first, 0, out, nullptr, lim);
    for (size_t i = 1; i < n; ++i)
        zset::add(z, g.score(), g.element(kZsetMaxValue), 0, out, nullptr, lim);
    return z;
}

Value make_hash(Gen& g) {
    const hash_type::Limits lim{kHashMaxEntries, kHashMaxValue};
    const int kind = static_cast<int>(g.below(3));
    Value h = hash_type::create();
    size_t n = 1 + g.below(40);
    if (kind == 1) n = kHashMaxEntries + 1 + g.below(100);
    for (size_t i = 0; i < n; ++i) {
        std::string f = g.element(kHashMaxValue);
        if (kind == 1) f += ":" + std::to_string(i);
        if (f.size() > kHashMaxValue) f.resize(kHashMaxValue);
        hash_type::set(h, f, g.element(kHashMaxValue), lim);
    }
    if (kind == 2) hash_type::set(h, "long", g.long_string(), lim);
    return h;
}

std::string make_key(Gen& g, size_t i) {
    const std::string id = std::to_string(i);
    switch (g.below(6)) {
        case 0:
            return id;  // an integer key (written in the integer form)
        case 1:
            return std::string("bin\0\r\n", 6) + id + "\r\n";
        case 2:
            return g.compressible(30 + g.below(100)) + id;
        case 3:
            return std::string(1, static_cast<char>(g.rng())) + id;
        default:
            return "key:" + id;
    }
}

struct Built {
    int64_t now_ms = 0;
    size_t keys = 0;
};

Built build_keyspace(Keyspace& ks, uint64_t seed, size_t keys) {
    Gen g(seed);
    Built b;
    b.now_ms = wall_clock_ms();
    const int dbs[] = {0, 3, 15};
    for (size_t i = 0; i < keys; ++i) {
        Database& db = ks.db(dbs[g.below(3)]);
        const std::string key = (i == 0) ? std::string() : make_key(g, i);
        Value v;
        switch (g.below(5)) {
            case 0:
                v = make_string(g);
                break;
            case 1:
                v = make_list(g);
                break;
            case 2:
                v = make_set(g);
                break;
            case 3:
                v = make_zset(g);
                break;
            default:
                v = make_hash(g);
                break;
        }
        Entry* e = ks.set(db, key, std::move(v));
        if (g.chance(30))
            ks.set_expire(db, e, b.now_ms + 100000 + static_cast<int64_t>(g.below(100000000)));
    }
    for (int i = 0; i < ks.count(); ++i) b.keys += ks.db(i).size();  // ids may collide
    return b;
}

// --- What the keyspace holds, in the shapes the replies have -------------------------------

uint64_t bits_of(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}

// Scores by their bits (so -0.0, inf and nan are told apart exactly).
std::vector<std::pair<std::string, uint64_t>> zset_bits(const Value& v) {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (auto& [m, sc] : zset_items(v)) out.emplace_back(std::move(m), bits_of(sc));
    return out;
}

std::vector<std::string> strings_of(const RespValue& r) {
    std::vector<std::string> out;
    for (const auto& e : r.elems) out.push_back(e.str);
    return out;
}

std::vector<std::string> value_command(const Entry* e) {
    const std::string key(e->key());
    switch (e->value.type()) {
        case ValueType::String:
            return {"GET", key};
        case ValueType::List:
            return {"LRANGE", key, "0", "-1"};
        case ValueType::Set:
            return {"SMEMBERS", key};
        case ValueType::ZSet:
            return {"ZRANGE", key, "0", "-1", "WITHSCORES"};
        case ValueType::Hash:
            return {"HGETALL", key};
    }
    return {};
}

// Compares the value reply; returns "" when equal, else a description.
std::string compare_value(const Value& v, const RespValue& r) {
    switch (v.type()) {
        case ValueType::String: {
            char buf[24];
            const std::string want(v.str(buf));
            if (r.type != RespType::Bulk || r.str != want)
                return "GET: want " + escape_bytes(want) + " got " + r.to_string();
            return "";
        }
        case ValueType::List:
            if (!r.is_array() || strings_of(r) != list_items(v))
                return "LRANGE differs (" + std::to_string(r.elems.size()) + " vs " +
                       std::to_string(list_items(v).size()) + " items)";
            return "";
        case ValueType::Set: {
            const auto got = strings_of(r);
            if (!r.is_array() || std::set<std::string>(got.begin(), got.end()) != set_items(v) ||
                got.size() != set_items(v).size())
                return "SMEMBERS differs";
            return "";
        }
        case ValueType::Hash: {
            std::map<std::string, std::string> got;
            for (size_t i = 0; i + 1 < r.elems.size(); i += 2)
                got.emplace(r.elems[i].str, r.elems[i + 1].str);
            if (!r.is_array() || got != hash_items(v) || r.elems.size() != 2 * got.size())
                return "HGETALL differs";
            return "";
        }
        case ValueType::ZSet: {
            std::vector<std::pair<std::string, uint64_t>> got;
            for (size_t i = 0; i + 1 < r.elems.size(); i += 2) {
                const std::string& t = r.elems[i + 1].str;
                const double d = t == "inf"    ? std::numeric_limits<double>::infinity()
                                 : t == "-inf" ? -std::numeric_limits<double>::infinity()
                                               : std::strtod(t.c_str(), nullptr);
                got.emplace_back(r.elems[i].str, bits_of(d));
            }
            const auto want = zset_bits(v);
            if (!r.is_array() || got != want) {
                for (size_t i = 0; i < std::min(got.size(), want.size()); ++i)
                    if (got[i] != want[i])
                        return "ZRANGE differs at rank " + std::to_string(i) + ": want " +
                               escape_bytes(want[i].first) + " " + std::to_string(want[i].second) +
                               " got " + escape_bytes(got[i].first) + " " +
                               std::to_string(got[i].second);
                return "ZRANGE differs in length";
            }
            return "";
        }
    }
    return "unknown type";
}

struct Case {
    uint64_t seed;
    bool compress;
    bool checksum;
};

class RdbWriterInterop : public ::testing::TestWithParam<Case> {};

TEST_P(RdbWriterInterop, RandomKeyspaceLoadsInRedis) {
    hash_type::register_ops();
    set_type::register_ops();
    zset::register_ops();
    register_list_object_ops();

    const Case c = GetParam();
    Keyspace ks(16);
    const Built built = build_keyspace(ks, c.seed, 2500);

    // Every encoding of every type is present.
    std::set<std::pair<int, std::string>> kinds;
    for (int i = 0; i < ks.count(); ++i)
        ks.db(i).dict.for_each([&](const Entry* e) {
            kinds.emplace(static_cast<int>(e->value.type()), encoding_name(e->value));
        });
    EXPECT_EQ(kinds.size(), 10u);  // int/embstr/raw, quicklist, 2 per set/zset/hash
    size_t multi_node_lists = 0;
    ks.db(0).dict.for_each([&](const Entry* e) {
        if (e->value.type() == ValueType::List &&
            static_cast<const QuickList*>(e->value.obj())->node_count() >= 3)
            ++multi_node_lists;
    });
    EXPECT_GT(multi_node_lists, 0u);

    TempDir dir;
    const std::string path = dir.path() + "/dump.rdb";
    {
        FILE* f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        FdSink sink(fileno(f));
        RdbAux aux;
        aux.used_mem = 123456789;
        RdbWriteOptions opt;
        opt.compress = c.compress;
        opt.checksum = c.checksum;
        auto r = write_rdb(ks, aux, opt, sink);
        std::fclose(f);
        ASSERT_TRUE(r.ok()) << r.error();
        EXPECT_EQ(r->keys, built.keys);
        EXPECT_EQ(r->bytes, sink.written());
    }

    // (a) redis-check-rdb accepts the file.
    const ProcessResult check = run_process({"/usr/bin/redis-check-rdb", path}, "", Ms(60000));
    EXPECT_EQ(check.exit_code(), 0) << check.describe() << check.out << check.err;
    EXPECT_NE(check.out.find("RDB looks OK"), std::string::npos) << check.out << check.err;

    // (b) redis-server loads it at start-up; every key compares equal.
    auto redis = start_redis({"--dir", dir.path(), "--dbfilename", "dump.rdb"});
    RespClient cl(redis->port(), Ms(30000));
    size_t failures = 0;
    auto fail = [&](const std::string& what) {
        if (++failures <= 20) ADD_FAILURE() << what;
    };
    const std::string keyspace_info = info_text(cl, "keyspace");
    for (int i = 0; i < ks.count(); ++i) {
        const Database& db = ks.db(i);
        ASSERT_TRUE(cl.command({"SELECT", std::to_string(i)}).is_string("OK"));
        const RespValue size = cl.command({"DBSIZE"});
        if (size.integer != static_cast<int64_t>(db.size()))
            fail("db " + std::to_string(i) + ": DBSIZE " + size.to_string() + ", want " +
                 std::to_string(db.size()));
        if (db.size() > 0) {
            const auto line = info_field(keyspace_info, "db" + std::to_string(i));
            const std::string want = "keys=" + std::to_string(db.size()) +
                                     ",expires=" + std::to_string(db.expires.size()) + ",";
            if (!line || line->rfind(want, 0) != 0)
                fail("db " + std::to_string(i) + ": INFO keyspace " + line.value_or("(none)") +
                     ", want " + want);
        }

        std::vector<const Entry*> entries;
        db.dict.for_each([&](const Entry* e) { entries.push_back(e); });
        constexpr size_t kBatch = 100;
        for (size_t at = 0; at < entries.size(); at += kBatch) {
            const size_t end = std::min(entries.size(), at + kBatch);
            std::vector<std::vector<std::string>> cmds;
            for (size_t k = at; k < end; ++k) {
                const std::string key(entries[k]->key());
                cmds.push_back({"TYPE", key});
                cmds.push_back({"OBJECT", "ENCODING", key});
                cmds.push_back({"PTTL", key});
                cmds.push_back(value_command(entries[k]));
            }
            const std::vector<RespValue> replies = cl.pipeline(cmds);
            const int64_t now = wall_clock_ms();
            for (size_t k = at; k < end; ++k) {
                const Entry* e = entries[k];
                const RespValue* r = &replies[4 * (k - at)];
                const std::string where =
                    "db " + std::to_string(i) + " key " + escape_bytes(e->key()) + ": ";
                if (!r[0].is_string(type_name(e->value.type())))
                    fail(where + "TYPE " + r[0].to_string());
                if (!r[1].is_string(encoding_name(e->value)))
                    fail(where + "OBJECT ENCODING " + r[1].to_string() + ", want " +
                         encoding_name(e->value));
                const int64_t exp = ks.expire_of(db, e);
                if (exp < 0) {
                    if (r[2].integer != -1) fail(where + "PTTL " + r[2].to_string() + ", want -1");
                } else if (r[2].type != RespType::Integer ||
                           std::llabs(r[2].integer - (exp - now)) > 3000) {
                    fail(where + "PTTL " + r[2].to_string() + ", want about " +
                         std::to_string(exp - now));
                }
                const std::string diff = compare_value(e->value, r[3]);
                if (!diff.empty()) fail(where + diff);
            }
        }
    }
    EXPECT_EQ(failures, 0u);
    redis->stop();
}

INSTANTIATE_TEST_SUITE_P(Seeds, RdbWriterInterop,
                         ::testing::Values(Case{1, true, true}, Case{2, false, true},
                                           Case{3, true, false}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             return "seed" + std::to_string(info.param.seed) +
                                    (info.param.compress ? "" : "_nocompress") +
                                    (info.param.checksum ? "" : "_nochecksum");
                         });

}  // namespace
}  // namespace snapstream::test
