// Old-format RDB files (versions 3..9: plain lists/sets/hashes, text-score sorted sets, zipmaps,
// ziplists, intsets, quicklists of ziplists, second-resolution expires), written by the test-side
// writer (tests/support/legacy_rdb.h), loaded both by Debian's redis-server 7.0 (started on a
// copy with --dir/--dbfilename) and by our reader (load_rdb_file). Everything Redis holds
// afterwards (per database: TYPE, value, OBJECT ENCODING, PEXPIRETIME, quicklist node count) is
// dumped through the protocol and must equal what our keyspace holds, and also the model the
// generator wrote (which checks the generator itself). Malformed files must be refused by both.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/numeric.h"
#include "node/keyspace.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_load.h"
#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"
#include "tests/support/legacy_blobs.h"
#include "tests/support/legacy_rdb.h"

namespace snapstream::test {
namespace {

using Pairs = LegacyRdbWriter::Pairs;
using Scored = LegacyRdbWriter::Scored;
using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// A database snapshot in one canonical form, whichever side it comes from.

struct Dumped {
    std::string type;
    std::string encoding;
    int64_t expire_ms = -1;  // absolute unix ms, -1 = none
    // string: {value}; list: elements; set: sorted members; hash: field, value... sorted by
    // field; zset: member, score text... in ZRANGE order.
    Strings value;
    size_t list_nodes = 0;  // quicklist nodes (0 = not known, e.g. in the model)
};

using Dump = std::map<std::pair<int, std::string>, Dumped>;  // (db, key)

std::string where(const std::pair<int, std::string>& k) {
    return "db " + std::to_string(k.first) + " key " + escape_bytes(k.second, 60);
}

std::string show(const Strings& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + escape_bytes(v[i], 30);
    if (v.size() > 8) s += ", ... (" + std::to_string(v.size()) + ")";
    return s + "]";
}

// Differences between `expected` and `got` (at most 30 lines).
std::vector<std::string> compare(const Dump& expected, const Dump& got, const std::string& a,
                                 const std::string& b, bool compare_nodes) {
    std::vector<std::string> diffs;
    auto diff = [&](std::string d) {
        if (diffs.size() < 30) diffs.push_back(std::move(d));
    };
    for (const auto& [k, e] : expected) {
        auto it = got.find(k);
        if (it == got.end()) {
            diff(where(k) + ": in " + a + ", missing in " + b);
            continue;
        }
        const Dumped& g = it->second;
        if (e.type != g.type) diff(where(k) + ": type " + e.type + " vs " + g.type);
        if (e.encoding != g.encoding)
            diff(where(k) + ": encoding " + e.encoding + " vs " + g.encoding);
        if (e.expire_ms != g.expire_ms)
            diff(where(k) + ": expire " + std::to_string(e.expire_ms) + " vs " +
                 std::to_string(g.expire_ms));
        if (e.value != g.value)
            diff(where(k) + ": value " + show(e.value) + " vs " + show(g.value));
        if (compare_nodes && e.list_nodes != g.list_nodes)
            diff(where(k) + ": quicklist nodes " + std::to_string(e.list_nodes) + " vs " +
                 std::to_string(g.list_nodes));
    }
    for (const auto& [k, g] : got) {
        if (!expected.count(k)) diff(where(k) + ": in " + b + ", missing in " + a);
    }
    return diffs;
}

Strings sorted_pairs(const std::map<std::string, std::string>& m) {
    Strings out;
    for (const auto& [f, v] : m) {
        out.push_back(f);
        out.push_back(v);
    }
    return out;
}

// Everything redis-server holds, through the protocol.
Dump dump_redis(RespClient& c) {
    Dump d;
    for (int db = 0; db < 16; ++db) {
        EXPECT_TRUE(c.command({"SELECT", std::to_string(db)}).is_string("OK"));
        const RespValue keys = c.command({"KEYS", "*"});
        for (const RespValue& kv : keys.elems) {
            const std::string& key = kv.str;
            const auto r =
                c.pipeline({{"TYPE", key}, {"OBJECT", "ENCODING", key}, {"PEXPIRETIME", key}});
            Dumped x;
            x.type = r[0].str;
            x.encoding = r[1].str;
            x.expire_ms = r[2].integer;
            if (x.type == "string") {
                x.value = {c.command({"GET", key}).str};
            } else if (x.type == "list") {
                for (const auto& e : c.command({"LRANGE", key, "0", "-1"}).elems)
                    x.value.push_back(e.str);
                const std::string dbg = c.command({"DEBUG", "OBJECT", key}).str;
                const size_t at = dbg.find("ql_nodes:");
                EXPECT_NE(at, std::string::npos) << dbg;
                if (at != std::string::npos)
                    x.list_nodes = std::strtoull(dbg.c_str() + at + 9, nullptr, 10);
            } else if (x.type == "set") {
                for (const auto& e : c.command({"SMEMBERS", key}).elems) x.value.push_back(e.str);
                std::sort(x.value.begin(), x.value.end());
            } else if (x.type == "hash") {
                std::map<std::string, std::string> m;
                const RespValue all = c.command({"HGETALL", key});
                for (size_t i = 0; i + 1 < all.elems.size(); i += 2)
                    m.emplace(all.elems[i].str, all.elems[i + 1].str);
                x.value = sorted_pairs(m);
            } else if (x.type == "zset") {
                for (const auto& e : c.command({"ZRANGE", key, "0", "-1", "WITHSCORES"}).elems)
                    x.value.push_back(e.str);
            }
            d[{db, key}] = std::move(x);
        }
    }
    return d;
}

// Everything our keyspace holds.
Dump dump_ours(Keyspace& ks) {
    Dump d;
    for (int db = 0; db < ks.count(); ++db) {
        Database& database = ks.db(db);
        database.dict.for_each([&](const Entry* e) {
            const Value& v = e->value;
            Dumped x;
            x.type = type_name(v.type());
            x.encoding = encoding_name(v);
            x.expire_ms = ks.expire_of(database, e);
            const rdb_util::Rendered r = rdb_util::render(v);
            switch (v.type()) {
                case ValueType::String:
                    x.value = {r.str};
                    break;
                case ValueType::List:
                    x.value = r.list;
                    x.list_nodes = r.list_nodes;
                    break;
                case ValueType::Set:
                    x.value.assign(r.set.begin(), r.set.end());
                    break;
                case ValueType::Hash:
                    x.value = sorted_pairs(r.hash);
                    break;
                case ValueType::ZSet:
                    for (const auto& [m, s] : r.zset) {
                        x.value.push_back(m);
                        x.value.push_back(double_to_string(s));
                    }
                    break;
            }
            d[{db, std::string(e->key())}] = std::move(x);
        });
    }
    return d;
}

// ---------------------------------------------------------------------------------------------
// The generator: writes keys of every old type and records what Redis 7.0 should hold after
// loading them with its default limits.

constexpr size_t kHashEntries = 512, kHashValue = 64;  // hash-max-listpack-* (defaults)
constexpr size_t kZsetEntries = 128, kZsetValue = 64;  // zset-max-listpack-* (defaults)
constexpr size_t kIntsetEntries = 512;                 // set-max-intset-entries

bool is_int(const std::string& s) {
    return parse_int64(s).has_value();
}

// Whether Redis keeps a hash of these pairs as a listpack under the default limits.
bool fits_hash_listpack(const Pairs& p) {
    if (p.size() > kHashEntries) return false;
    for (const auto& [f, v] : p)
        if (f.size() > kHashValue || v.size() > kHashValue) return false;
    return true;
}

class Generator {
  public:
    Generator(uint64_t seed, int version, bool compress, int64_t now_ms)
        : rng_(seed), w_(version, compress), now_ms_(now_ms) {}

    LegacyRdbWriter& writer() { return w_; }
    Dump& model() { return model_; }
    std::mt19937_64& rng() { return rng_; }

    void select(int db) {
        db_ = db;
        w_.select_db(static_cast<uint64_t>(db));
        if (w_.version() >= 7) w_.resize_db(64, 16);  // hints only
    }

    // A random expiry (or none) written before the next key; returns what the model expects
    // (-1: no expiry; -2: already expired, the key must not be loaded).
    int64_t maybe_expire() {
        switch (rng_() % 12) {
            case 0: {
                const auto s = static_cast<uint32_t>(now_ms_ / 1000 + 3600 + rng_() % 100000);
                w_.expire_seconds(s);
                return int64_t{s} * 1000;
            }
            case 1:
            case 2: {
                const int64_t ms = now_ms_ + 3600000 + static_cast<int64_t>(rng_() % 100000000);
                w_.expire_ms(ms);
                return ms;
            }
            case 3:
                if (rng_() % 3 == 0) {
                    if (rng_() % 2)
                        w_.expire_seconds(static_cast<uint32_t>(now_ms_ / 1000 - 1000));
                    else
                        w_.expire_ms(now_ms_ - 5000);
                    return -2;
                }
                return -1;
            default:
                return -1;
        }
    }

    void add(const std::string& key, Dumped d, int64_t expire) {
        if (expire == -2) return;  // expired at load: Redis (a primary) drops it
        d.expire_ms = expire;
        model_[{db_, key}] = std::move(d);
    }

    std::string element() {
        switch (rng_() % 10) {
            case 0:
                return std::to_string(static_cast<int64_t>(rng_() % 2000) - 1000);
            case 1:
                return std::to_string(static_cast<int64_t>(rng_()) >> (rng_() % 64));
            case 2: {
                std::string s(rng_() % 20, '\0');
                for (char& ch : s) ch = static_cast<char>(rng_());
                return s;
            }
            case 3:
                return std::string(rng_() % 2 ? 250 + rng_() % 10 : 20 + rng_() % 40,
                                   static_cast<char>('a' + rng_() % 26));
            case 4:
                return rng_() % 2 ? "007" : "-0";
            case 5:
                return std::to_string(rng_() % 13);
            default:
                return "e" + std::to_string(rng_() % 100000);
        }
    }

    // Distinct elements no longer than max_elem.
    Strings distinct(size_t n, size_t max_elem) {
        std::set<std::string> seen;
        Strings out;
        while (out.size() < n) {
            std::string s = element();
            if (s.size() > max_elem) s.resize(max_elem);
            if (seen.insert(s).second) out.push_back(std::move(s));
        }
        return out;
    }

    double score() {
        switch (rng_() % 8) {
            case 0:
                return std::numeric_limits<double>::infinity();
            case 1:
                return -std::numeric_limits<double>::infinity();
            case 2:
                return static_cast<double>(static_cast<int64_t>(rng_() % 2000) - 1000);
            case 3:
                return static_cast<double>(rng_() % 1000000) / 7.0 - 50000.0;
            case 4:
                return 1e300 * static_cast<double>(1 + rng_() % 5);
            case 5:
                return 0.1 * static_cast<double>(rng_() % 100);
            default:
                return static_cast<double>(rng_() % 10);
        }
    }

    // Sizes: mostly small, sometimes just below / above the listpack limit, sometimes large.
    size_t count(size_t limit) {
        switch (rng_() % 6) {
            case 0:
                return limit;
            case 1:
                return limit + 1;
            case 2:
                return 150 + rng_() % 300;
            default:
                return 1 + rng_() % 20;
        }
    }

    void string_key(const std::string& k) {
        std::string v;
        switch (strings_++ % 6) {  // every kind in every file
            case 0:
                v = std::to_string(static_cast<int64_t>(rng_()) >> (rng_() % 64));
                break;
            case 1:
                v = element();
                break;
            case 2:
                v = std::string(45 + rng_() % 500, 'x');  // compressible, raw
                break;
            case 3:
                v = "";
                break;
            default:
                v = std::string(1 + rng_() % 44, static_cast<char>('A' + rng_() % 26));
        }
        const int64_t exp = maybe_expire();
        w_.string_key(k, v);
        Dumped d{"string", "", -1, {v}, 0};
        d.encoding = v.size() <= 20 && is_int(v) ? "int" : v.size() <= 44 ? "embstr" : "raw";
        add(k, d, exp);
    }

    void plain_list_key(const std::string& k) {  // type 1
        Strings v(rng_() % 5 == 0 ? 500 + rng_() % 1500 : 1 + rng_() % 30);
        for (auto& s : v) s = element();
        const int64_t exp = maybe_expire();
        w_.list_key(k, v);
        add(k, {"list", "quicklist", -1, v, 0}, exp);
    }

    void ziplist_list_key(const std::string& k) {  // type 10
        Strings v(rng_() % 5 == 0 ? 300 + rng_() % 1000 : rng_() % 30);
        for (auto& s : v) s = element();
        const int64_t exp = maybe_expire();
        w_.ziplist_list_key(k, v, options());
        if (v.empty()) return;  // an empty ziplist: Redis skips the key
        add(k, {"list", "quicklist", -1, v, 0}, exp);
    }

    void quicklist_key(const std::string& k) {  // type 14
        std::vector<Strings> nodes(1 + rng_() % 6);
        Strings all;
        for (auto& node : nodes) {
            node.resize(rng_() % 8 == 0 ? 0 : 1 + rng_() % 120);  // empty nodes are skipped
            for (auto& s : node) {
                s = element();
                all.push_back(s);
            }
        }
        const int64_t exp = maybe_expire();
        w_.quicklist_key(k, nodes, options());
        if (all.empty()) return;
        add(k, {"list", "quicklist", -1, all, 0}, exp);
    }

    void plain_set_key(const std::string& k) {  // type 2
        Strings v;
        const bool ints = rng_() % 2;
        const size_t n = count(kIntsetEntries);
        std::set<std::string> seen;
        while (v.size() < n) {
            std::string s =
                ints ? std::to_string(static_cast<int64_t>(rng_()) >> (rng_() % 64)) : element();
            if (seen.insert(s).second) v.push_back(s);
        }
        const bool all_ints = std::all_of(v.begin(), v.end(), is_int);
        const int64_t exp = maybe_expire();
        w_.set_key(k, v);
        std::sort(v.begin(), v.end());
        add(k, {"set", all_ints && v.size() <= kIntsetEntries ? "intset" : "hashtable", -1, v, 0},
            exp);
    }

    void intset_key(const std::string& k) {  // type 11
        std::set<int64_t> values;
        const size_t n = count(kIntsetEntries);
        const int shift = static_cast<int>(rng_() % 3);  // 16, 32 or 64-bit intsets
        while (values.size() < n) {
            const auto r = static_cast<int64_t>(rng_());
            values.insert(shift == 0 ? r >> 49 : shift == 1 ? r >> 33 : r >> (rng_() % 40));
        }
        const std::vector<int64_t> list(values.begin(), values.end());
        const int64_t exp = maybe_expire();
        w_.intset_key(k, list);
        Strings v;
        for (int64_t x : list) v.push_back(std::to_string(x));
        std::sort(v.begin(), v.end());
        add(k, {"set", list.size() <= kIntsetEntries ? "intset" : "hashtable", -1, v, 0}, exp);
    }

    Pairs pairs(size_t n, size_t max_elem) {
        Pairs p;
        for (std::string& f : distinct(n, max_elem)) {
            std::string v = element();
            if (v.size() > max_elem) v.resize(max_elem);
            p.emplace_back(std::move(f), std::move(v));
        }
        return p;
    }

    // Pairs with one field or value of exactly `len` bytes (around the 64-byte limit).
    Pairs pairs_with_long(size_t n, size_t len) {
        Pairs p = pairs(n, 40);
        if (rng_() % 2)
            p[0].second = std::string(len, 'v');
        else
            p[0].first = std::string(len, 'F');
        return p;
    }

    static Dumped hash_model(const Pairs& p, const char* encoding) {
        std::map<std::string, std::string> m(p.begin(), p.end());
        return {"hash", encoding, -1, sorted_pairs(m), 0};
    }

    Pairs some_pairs() {
        const int kind = static_cast<int>(rng_() % 4);
        if (kind == 0) return pairs_with_long(1 + rng_() % 10, kHashValue + rng_() % 2);
        if (kind == 1) return pairs_with_long(1 + rng_() % 10, 100 + rng_() % 300);
        return pairs(count(kHashEntries), 300);
    }

    void plain_hash_key(const std::string& k) {  // type 4
        const Pairs p = some_pairs();
        const bool small = fits_hash_listpack(p);
        const int64_t exp = maybe_expire();
        w_.hash_key(k, p);
        add(k, hash_model(p, small ? "listpack" : "hashtable"), exp);
    }

    void zipmap_key(const std::string& k) {  // type 9: the count and the lengths both convert
        const Pairs p = some_pairs();
        const bool small = fits_hash_listpack(p);
        ZipmapOptions o;
        o.free_bytes = static_cast<uint8_t>(rng_() % 3 == 0 ? rng_() % 5 : 0);
        o.free_fill = static_cast<char>(rng_());
        o.unknown_count = rng_() % 6 == 0;
        const int64_t exp = maybe_expire();
        w_.zipmap_hash_key(k, p, o);
        add(k, hash_model(p, small ? "listpack" : "hashtable"), exp);
    }

    void ziplist_hash_key(const std::string& k) {  // type 13: only the count converts
        const Pairs p = some_pairs();
        const int64_t exp = maybe_expire();
        w_.ziplist_hash_key(k, p, options());
        add(k, hash_model(p, p.size() <= kHashEntries ? "listpack" : "hashtable"), exp);
    }

    Scored scored(size_t n, size_t max_elem) {
        Scored out;
        for (std::string& m : distinct(n, max_elem)) out.emplace_back(std::move(m), score());
        return out;
    }

    Scored some_scored() {
        const int kind = static_cast<int>(rng_() % 4);
        Scored s = scored(kind <= 1 ? 1 + rng_() % 10 : count(kZsetEntries), 40);
        if (kind == 0) s[0].first = std::string(kZsetValue + rng_() % 2, 'M');
        if (kind == 1) s[0].first = std::string(100 + rng_() % 200, 'M');
        return s;
    }

    static Dumped zset_model(Scored s, const char* encoding) {
        std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second < b.second : a.first < b.first;
        });
        Dumped d{"zset", encoding, -1, {}, 0};
        for (const auto& [m, sc] : s) {
            d.value.push_back(m);
            d.value.push_back(double_to_string(sc));
        }
        return d;
    }

    void text_zset_key(const std::string& k) {  // type 3: the count and the lengths both convert
        const Scored s = some_scored();
        size_t longest = 0;
        for (const auto& [m, sc] : s) longest = std::max(longest, m.size());
        const bool small = s.size() <= kZsetEntries && longest <= kZsetValue;
        const int64_t exp = maybe_expire();
        w_.zset_key(k, s);
        add(k, zset_model(s, small ? "listpack" : "skiplist"), exp);
    }

    void ziplist_zset_key(const std::string& k) {  // type 12: only the count converts
        // Redis kept ziplist sorted sets in (score, member) order, and 7.0 trusts that order
        // when it keeps the listpack.
        Scored s = some_scored();
        std::sort(s.begin(), s.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second < b.second : a.first < b.first;
        });
        const int64_t exp = maybe_expire();
        w_.ziplist_zset_key(k, s, options());
        add(k, zset_model(s, s.size() <= kZsetEntries ? "listpack" : "skiplist"), exp);
    }

    ZiplistOptions options() {
        ZiplistOptions o;
        o.always_big_prevlen = rng_() % 8 == 0;
        o.unknown_count = rng_() % 8 == 0;
        o.no_int_encoding = rng_() % 8 == 0;
        return o;
    }

  private:
    std::mt19937_64 rng_;
    LegacyRdbWriter w_;
    Dump model_;
    int64_t now_ms_;
    int db_ = 0;
    int strings_ = 0;
};

struct LegacyFile {
    std::string bytes;
    Dump model;
};

LegacyFile generate(uint64_t seed, int version, bool compress, int64_t now_ms, int per_kind) {
    Generator g(seed, version, compress, now_ms);
    if (version >= 7) g.writer().aux("redis-ver", "6.2.6").aux("redis-bits", "64");
    using Make = void (Generator::*)(const std::string&);
    const std::vector<std::pair<const char*, Make>> kinds = {
        {"str", &Generator::string_key},          {"list1", &Generator::plain_list_key},
        {"list10", &Generator::ziplist_list_key}, {"list14", &Generator::quicklist_key},
        {"set2", &Generator::plain_set_key},      {"set11", &Generator::intset_key},
        {"hash4", &Generator::plain_hash_key},    {"hash9", &Generator::zipmap_key},
        {"hash13", &Generator::ziplist_hash_key}, {"zset3", &Generator::text_zset_key},
        {"zset12", &Generator::ziplist_zset_key}};
    for (int db : {0, 3, 15}) {
        g.select(db);
        for (int i = 0; i < per_kind; ++i) {
            for (const auto& [name, make] : kinds) {
                (g.*make)(std::string(name) + ":" + std::to_string(seed) + ":" +
                          std::to_string(db) + ":" + std::to_string(i));
            }
        }
    }
    return {g.writer().finish(), std::move(g.model())};
}

// ---------------------------------------------------------------------------------------------
// Loading on both sides

struct Loaded {
    Dump redis;
    Dump ours;
    std::string our_error;
    std::string redis_log;
};

// Starts redis-server on a copy of `file` and dumps it; loads the same file here.
Loaded load_both(const std::string& file) {
    Loaded out;
    TempDir tmp;
    const std::string path = tmp.write_file("legacy.rdb", file);
    {
        auto redis = start_redis(
            {"--dir", tmp.path(), "--dbfilename", "legacy.rdb", "--enable-debug-command", "yes"});
        RespClient c(redis->port(), Ms(60000));
        out.redis = dump_redis(c);
        out.redis_log = redis->log_text();
    }
    Keyspace ks(16);
    const RdbFileResult r =
        load_rdb_file(tmp.path() + "/legacy.rdb", ks, RdbReadOptions{}, wall_clock_ms(), true);
    if (!r.ok()) out.our_error = r.error;
    out.ours = dump_ours(ks);
    return out;
}

// Whether redis-server refuses to start on `file` (exits with an error instead of serving).
bool redis_refuses(const std::string& file, std::string* log) {
    TempDir tmp;
    tmp.write_file("bad.rdb", file);
    const ProcessResult r =
        run_process({redis_binary(), "--port", std::to_string(pick_free_port()), "--bind",
                     "127.0.0.1", "--dir", tmp.path(), "--dbfilename", "bad.rdb", "--save", "",
                     "--appendonly", "no", "--daemonize", "no"},
                    "", Ms(20000));
    *log = r.out + r.err;
    return !r.timed_out && r.exit_code() != 0;
}

std::string join(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

std::set<std::string> encodings_of(const Dump& d) {
    std::set<std::string> seen;
    for (const auto& [k, v] : d) seen.insert(v.type + "/" + v.encoding);
    return seen;
}

// ---------------------------------------------------------------------------------------------
// Seeded files of every old type

struct Variant {
    int version;
    uint64_t seed;
    bool compress;
};

class RdbLegacy : public ::testing::TestWithParam<Variant> {};

TEST_P(RdbLegacy, RedisAndWeLoadTheSame) {
    const Variant v = GetParam();
    const LegacyFile f = generate(v.seed, v.version, v.compress, wall_clock_ms(), 3);
    const Loaded l = load_both(f.bytes);
    ASSERT_EQ(l.our_error, "");
    EXPECT_NE(l.redis_log.find("Done loading RDB"), std::string::npos) << l.redis_log;

    const auto ours = compare(l.redis, l.ours, "redis", "ours", true);
    EXPECT_TRUE(ours.empty()) << join(ours);
    const auto model = compare(f.model, l.redis, "model", "redis", false);
    EXPECT_TRUE(model.empty()) << join(model);

    // The file exercised every representation Redis 7.0 can load these types into.
    const std::set<std::string> all = {
        "string/int", "string/embstr", "string/raw",    "hash/listpack", "hash/hashtable",
        "set/intset", "set/hashtable", "zset/listpack", "zset/skiplist", "list/quicklist"};
    EXPECT_EQ(encodings_of(l.redis), all);
    EXPECT_GT(l.redis.size(), 60u);
}

INSTANTIATE_TEST_SUITE_P(Versions, RdbLegacy,
                         ::testing::Values(Variant{3, 1, false}, Variant{4, 2, true},
                                           Variant{6, 3, false}, Variant{6, 4, true},
                                           Variant{7, 5, true}, Variant{8, 6, false},
                                           Variant{9, 7, true}, Variant{9, 8, false}),
                         [](const ::testing::TestParamInfo<Variant>& i) {
                             return "v" + std::to_string(i.param.version) + "_seed" +
                                    std::to_string(i.param.seed) + (i.param.compress ? "_lzf" : "");
                         });

TEST(RdbLegacyCompare, DetectsDifferences) {
    // The comparison can fail: a model with one value, type, encoding or expiry changed.
    const LegacyFile f = generate(42, 9, false, wall_clock_ms(), 1);
    ASSERT_GT(f.model.size(), 5u);
    EXPECT_TRUE(compare(f.model, f.model, "a", "b", true).empty());
    for (int what = 0; what < 5; ++what) {
        Dump changed = f.model;
        Dumped& d = changed.begin()->second;
        switch (what) {
            case 0:
                d.value.push_back("extra");
                break;
            case 1:
                d.type = "other";
                break;
            case 2:
                d.encoding = "other";
                break;
            case 3:
                d.expire_ms += 1;
                break;
            default:
                changed.erase(changed.begin());
                break;
        }
        EXPECT_FALSE(compare(f.model, changed, "a", "b", true).empty()) << what;
    }
}

// ---------------------------------------------------------------------------------------------
// Boundaries of the conversions, and unusual but valid blobs

TEST(RdbLegacyEdges, ConversionLimitsAndUnusualBlobs) {
    const int64_t now = wall_clock_ms();
    LegacyRdbWriter w(9);
    auto n_pairs = [](size_t n, size_t value_len) {
        Pairs p;
        for (size_t i = 0; i < n; ++i)
            p.emplace_back("f" + std::to_string(i), std::string(value_len, 'v'));
        return p;
    };
    auto n_scored = [](size_t n, size_t member_len) {
        Scored s;
        for (size_t i = 0; i < n; ++i)
            s.emplace_back(std::to_string(i) + std::string(member_len, 'm'),
                           static_cast<double>(i) / 3);
        return s;
    };
    w.select_db(0);
    // Counts at the limit and one past it, for every pair type.
    // (hash-max-listpack-entries is 512 by default, zset-max-listpack-entries 128.)
    w.ziplist_hash_key("zlhash512", n_pairs(512, 3)).ziplist_hash_key("zlhash513", n_pairs(513, 3));
    w.ziplist_hash_key("zlhash200", n_pairs(200, 3)).ziplist_hash_key("zlhash900", n_pairs(900, 3));
    w.zipmap_hash_key("zmhash512", n_pairs(512, 3)).zipmap_hash_key("zmhash513", n_pairs(513, 3));
    w.hash_key("hash512", n_pairs(512, 3)).hash_key("hash513", n_pairs(513, 3));
    w.ziplist_zset_key("zlzset128", n_scored(128, 1))
        .ziplist_zset_key("zlzset129", n_scored(129, 1));
    w.zset_key("zset128", n_scored(128, 1)).zset_key("zset129", n_scored(129, 1));
    {
        std::vector<int64_t> v512, v513;
        for (int64_t i = 0; i < 512; ++i) v512.push_back(i * 1000);
        v513 = v512;
        v513.push_back(-1);
        w.intset_key("intset512", v512).intset_key("intset513", v513);
        Strings s512, s513;
        for (int64_t x : v512) s512.push_back(std::to_string(x));
        s513 = s512;
        s513.push_back("-1");
        w.set_key("set512", s512).set_key("set513", s513);
    }
    // Element lengths at the limit and past it: only types 3, 4 and 9 look at them.
    w.ziplist_hash_key("zlhash_long", n_pairs(3, 100));
    w.zipmap_hash_key("zmhash64", n_pairs(3, 64)).zipmap_hash_key("zmhash65", n_pairs(3, 65));
    w.hash_key("hash64", n_pairs(3, 64)).hash_key("hash65", n_pairs(3, 65));
    w.ziplist_zset_key("zlzset_long", n_scored(3, 100));
    w.zset_key("zset64", n_scored(3, 63)).zset_key("zset65", n_scored(3, 64));

    // Unusual blobs Redis leaves behind or accepts.
    ZiplistOptions big;
    big.always_big_prevlen = true;
    big.unknown_count = true;
    w.ziplist_list_key("zl_bigprevlen", {"a", "1", std::string(300, 'x'), "-77"}, big);
    w.ziplist_hash_key("zlhash_bigprevlen", {{"a", "1"}, {"b", std::string(260, 'y')}}, big);
    ZiplistOptions strings;
    strings.no_int_encoding = true;
    w.ziplist_zset_key("zlzset_textscores", {{"a", 1.5}, {"b", -3}, {"c", 1e200}}, strings);
    w.ziplist_zset_key("zlzset_inf", {{"lo", -INFINITY}, {"hi", INFINITY}, {"mid", 0.25}});
    ZipmapOptions free;
    free.free_bytes = 4;
    free.free_fill = static_cast<char>(0xFF);
    free.unknown_count = true;
    w.zipmap_hash_key("zm_free", {{"a", "1"}, {"bb", std::string(300, 'z')}}, free);
    w.blob_key(rdb::kTypeHashZipmap, "zm_trailing",
               encode_zipmap({{"k", "v"}, {"n", "5"}}) + "junk\xff");
    w.ziplist_list_key("zl_empty", {});                        // skipped by Redis
    w.quicklist_key("ql_empty", {{}, {}});                     // skipped
    w.quicklist_key("ql_holes", {{"a"}, {}, {"b", "c"}, {}});  // empty nodes dropped
    w.quicklist_key("ql_big", {Strings(600, std::string(30, 'q')), {"tail"}});
    w.list_key("list_big_elements", {std::string(9000, 'L'), "x", std::string(20000, 'M')});
    // Expiry forms.
    w.expire_seconds(static_cast<uint32_t>(now / 1000 + 7200)).string_key("exp_s", "1");
    w.expire_ms(now + 7200123).string_key("exp_ms", "2");
    w.expire_ms(now - 1).string_key("expired_ms", "3");
    w.expire_seconds(static_cast<uint32_t>(now / 1000 - 10)).string_key("expired_s", "4");
    // Redis looks for duplicate fields of a small type-4 hash only with sanitize-dump-payload
    // yes, so by default it loads this one as it stands (a listpack holding "a" twice).
    w.hash_key("hash4_dup", {{"a", "1"}, {"b", "2"}, {"a", "3"}});
    w.select_db(7);
    w.zset_key("db7", {{"x", -0.5}});

    const Loaded l = load_both(w.finish());
    ASSERT_EQ(l.our_error, "");
    const auto diffs = compare(l.redis, l.ours, "redis", "ours", true);
    EXPECT_TRUE(diffs.empty()) << join(diffs);

    // The cases above do what they are meant to (as Redis decides).
    auto enc = [&](const std::string& k, int db = 0) {
        auto it = l.redis.find({db, k});
        return it == l.redis.end() ? std::string("<absent>") : it->second.encoding;
    };
    EXPECT_EQ(enc("zlhash512"), "listpack");
    EXPECT_EQ(enc("zlhash513"), "hashtable");
    EXPECT_EQ(enc("zlhash200"), "listpack");
    EXPECT_EQ(enc("zlhash900"), "hashtable");
    EXPECT_EQ(enc("zmhash512"), "listpack");
    EXPECT_EQ(enc("zmhash513"), "hashtable");
    EXPECT_EQ(enc("hash512"), "listpack");
    EXPECT_EQ(enc("hash513"), "hashtable");
    EXPECT_EQ(enc("hash4_dup"), "listpack");
    EXPECT_EQ(enc("zlzset128"), "listpack");
    EXPECT_EQ(enc("zlzset129"), "skiplist");
    EXPECT_EQ(enc("zset128"), "listpack");
    EXPECT_EQ(enc("zset129"), "skiplist");
    EXPECT_EQ(enc("intset512"), "intset");
    EXPECT_EQ(enc("intset513"), "hashtable");
    EXPECT_EQ(enc("set512"), "intset");
    EXPECT_EQ(enc("set513"), "hashtable");
    EXPECT_EQ(enc("zlhash_long"), "listpack");
    EXPECT_EQ(enc("zmhash64"), "listpack");
    EXPECT_EQ(enc("zmhash65"), "hashtable");
    EXPECT_EQ(enc("hash64"), "listpack");
    EXPECT_EQ(enc("hash65"), "hashtable");
    EXPECT_EQ(enc("zlzset_long"), "listpack");
    EXPECT_EQ(enc("zset64"), "listpack");
    EXPECT_EQ(enc("zset65"), "skiplist");
    EXPECT_EQ(enc("zl_empty"), "<absent>");
    EXPECT_EQ(enc("ql_empty"), "<absent>");
    EXPECT_EQ(enc("expired_ms"), "<absent>");
    EXPECT_EQ(enc("expired_s"), "<absent>");
    EXPECT_EQ(enc("zm_trailing"), "listpack");
    EXPECT_EQ(enc("db7", 7), "listpack");
    const auto exp_s = l.redis.find({0, "exp_s"});
    ASSERT_NE(exp_s, l.redis.end());
    EXPECT_EQ(exp_s->second.expire_ms, (now / 1000 + 7200) * 1000);
    const auto holes = l.redis.find({0, "ql_holes"});
    ASSERT_NE(holes, l.redis.end());
    EXPECT_EQ(holes->second.list_nodes, 2u);
}

TEST(RdbLegacyEdges, TextScoreForms) {
    // Redis reads a type-3 score with sscanf("%lg"): leading spaces, a sign, hex, "inf" text,
    // overflow to infinity and trailing garbage after a number all pass.
    LegacyRdbWriter w(6);
    w.select_db(0);
    const std::vector<std::string> texts = {"1.5abc", " 2",  "+5",        ".5",     "0x10",
                                            "1e400",  "inf", "-Infinity", "1e-320", "3."};
    for (size_t i = 0; i < texts.size(); ++i) {
        w.key(rdb::kTypeZSet, "z" + std::to_string(i))
            .length(2)
            .string("a")
            .text_score_raw(texts[i]);
        w.string("b").text_score(1);
    }
    const Loaded l = load_both(w.finish());
    ASSERT_EQ(l.our_error, "");
    EXPECT_EQ(l.redis.size(), texts.size());
    const auto diffs = compare(l.redis, l.ours, "redis", "ours", true);
    EXPECT_TRUE(diffs.empty()) << join(diffs);
}

// ---------------------------------------------------------------------------------------------
// Files both must refuse

struct BadCase {
    std::string name;
    std::string file;
};

std::vector<BadCase> bad_cases() {
    std::vector<BadCase> out;
    auto file = [](const std::function<void(LegacyRdbWriter&)>& body, int version = 9) {
        LegacyRdbWriter w(version);
        w.select_db(0).string_key("good", "value");
        body(w);
        return w.finish();
    };
    const std::string zl = encode_ziplist({"a", "bb", "300", "dd"});
    const auto offsets = ziplist_entry_offsets(zl);
    auto corrupt = [&](size_t at, int value) {
        std::string b = zl;
        b[at] = static_cast<char>(value);
        return b;
    };
    out.push_back({"ziplist hash with a duplicate field", file([](auto& w) {
                       w.ziplist_hash_key("h", {{"a", "1"}, {"a", "2"}});
                   })});
    out.push_back({"ziplist hash: integer and string forms of one field", file([](auto& w) {
                       ZiplistOptions o;
                       o.as_string = {2};  // the integer entry 5, then the string "5"
                       w.ziplist_hash_key("h", {{"5", "x"}, {"5", "y"}}, o);
                   })});
    out.push_back({"ziplist zset with a duplicate member", file([](auto& w) {
                       w.ziplist_zset_key("z", {{"m", 1}, {"n", 2}, {"m", 3}});
                   })});
    out.push_back({"ziplist hash with an odd number of entries", file([](auto& w) {
                       w.blob_key(rdb::kTypeHashZiplist, "h", encode_ziplist({"a", "1", "b"}));
                   })});
    out.push_back({"ziplist zset with an odd number of entries", file([](auto& w) {
                       w.blob_key(rdb::kTypeZSetZiplist, "z", encode_ziplist({"a", "1", "b"}));
                   })});
    out.push_back({"zipmap with a duplicate field", file([](auto& w) {
                       w.zipmap_hash_key("h", {{"f", "1"}, {"g", "2"}, {"f", "3"}});
                   })});
    out.push_back({"zipmap with a wrong count", file([](auto& w) {
                       std::string zm = encode_zipmap({{"f", "1"}, {"g", "2"}});
                       zm[0] = 3;
                       w.blob_key(rdb::kTypeHashZipmap, "h", zm);
                   })});
    out.push_back({"empty zipmap", file([](auto& w) {
                       w.blob_key(rdb::kTypeHashZipmap, "h", std::string("\x00\xff", 2));
                   })});
    out.push_back({"ziplist list with a wrong prevlen",
                   file([&](auto& w) { w.blob_key(10, "l", corrupt(offsets[2], 9)); })});
    out.push_back({"ziplist list with a wrong zltail",
                   file([&](auto& w) { w.blob_key(10, "l", corrupt(4, offsets[2] & 0xFF)); })});
    out.push_back({"ziplist list with a wrong zllen",
                   file([&](auto& w) { w.blob_key(10, "l", corrupt(8, 3)); })});
    out.push_back({"ziplist list with an invalid encoding",
                   file([&](auto& w) { w.blob_key(10, "l", corrupt(offsets[0] + 1, 0xC5)); })});
    out.push_back({"ziplist list truncated",
                   file([&](auto& w) { w.blob_key(10, "l", zl.substr(0, zl.size() - 1)); })});
    out.push_back({"quicklist node with a wrong zlbytes", file([&](auto& w) {
                       w.key(rdb::kTypeListQuicklist, "q")
                           .length(2)
                           .string(zl)
                           .string(corrupt(0, static_cast<int>(zl.size() + 1)));
                   })});
    out.push_back({"ziplist hash with a wrong zllen", file([](auto& w) {
                       std::string b = encode_ziplist({"a", "1", "b", "2"});
                       b[8] = 2;
                       w.blob_key(rdb::kTypeHashZiplist, "h", b);
                   })});
    out.push_back({"text zset score nan", file([](auto& w) {
                       w.key(rdb::kTypeZSet, "z").length(1).string("m").byte(253);
                   })});
    out.push_back({"text zset score as nan text", file([](auto& w) {
                       w.key(rdb::kTypeZSet, "z").length(1).string("m").text_score_raw("nan");
                   })});
    out.push_back({"text zset empty score", file([](auto& w) {
                       w.key(rdb::kTypeZSet, "z").length(1).string("m").text_score_raw("");
                   })});
    out.push_back({"text zset score not a number", file([](auto& w) {
                       w.key(rdb::kTypeZSet, "z").length(1).string("m").text_score_raw("abc");
                   })});
    out.push_back({"text zset duplicate member", file([](auto& w) {
                       w.zset_key("z", {{"m", 1}, {"m", 2}});
                   })});
    out.push_back({"plain set duplicate member", file([](auto& w) {
                       w.set_key("s", {"a", "b", "a"});
                   })});
    out.push_back({"wrong CRC", [] {
                       LegacyRdbWriter w(6);
                       w.select_db(0).string_key("k", "v");
                       std::string f = w.finish();
                       f.back() = static_cast<char>(f.back() ^ 1);
                       return f;
                   }()});
    out.push_back({"file cut before the CRC", [] {
                       LegacyRdbWriter w(6);
                       w.select_db(0).string_key("k", "v");
                       std::string f = w.finish();
                       return f.substr(0, f.size() - 8);
                   }()});
    return out;
}

TEST(RdbLegacyErrors, FilesRedisRefusesWeRefuse) {
    for (const BadCase& c : bad_cases()) {
        SCOPED_TRACE(c.name);
        std::string log;
        EXPECT_TRUE(redis_refuses(c.file, &log)) << "redis-server loaded it:\n" << log;
        TempDir tmp;
        const std::string path = tmp.write_file("bad.rdb", c.file);
        Keyspace ks(16);
        const RdbFileResult r = load_rdb_file(path, ks, RdbReadOptions{}, wall_clock_ms(), true);
        EXPECT_FALSE(r.ok()) << "we loaded it";
    }
}

TEST(RdbLegacyErrors, ChecksumForms) {
    // A zero trailer means "not computed" (accepted); version 4 and older have no trailer.
    for (int version : {4, 5, 9}) {
        SCOPED_TRACE(version);
        LegacyRdbWriter w(version);
        w.select_db(0).string_key("k", "v").ziplist_list_key("l", {"a", "1"});
        const std::string file = w.finish(false);
        const Loaded l = load_both(file);
        EXPECT_EQ(l.our_error, "");
        EXPECT_EQ(l.redis.size(), 2u);
        const auto diffs = compare(l.redis, l.ours, "redis", "ours", true);
        EXPECT_TRUE(diffs.empty()) << join(diffs);
    }
}

}  // namespace
}  // namespace snapstream::test
