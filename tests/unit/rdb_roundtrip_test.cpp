// write_rdb -> read_rdb: random keyspaces (every type and encoding, TTLs, several databases,
// binary data) come back equal, key by key: value, OBJECT ENCODING, list node layout and TTL.
// Then the loaded keyspace, written again, gives a file of the same size.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace snapstream {
namespace {

std::string random_bytes(std::mt19937_64& rng, size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    return s;
}

std::string random_element(std::mt19937_64& rng) {
    switch (rng() % 7) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng() % 1000) - 500);
        case 1:
            return std::to_string(static_cast<int64_t>(rng()));
        case 2:
            return random_bytes(rng, rng() % 16);
        case 3:
            return std::string(20 + rng() % 50, static_cast<char>('a' + rng() % 26));
        case 4:
            return "0" + std::to_string(rng() % 100);  // not canonical
        default:
            return "e" + std::to_string(rng() % 100000);
    }
}

double random_score(std::mt19937_64& rng) {
    switch (rng() % 6) {
        case 0:
            return INFINITY;
        case 1:
            return -INFINITY;
        case 2:
            return static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000);
        case 3:
            return static_cast<double>(rng() % 1000000) / 7.0;
        case 4:
            return -0.0;
        default:
            return static_cast<double>(rng() % 100);
    }
}

// Fills `ks` with a seeded mix of keys in databases 0, 1, 7 and 15.
void populate(Keyspace& ks, uint64_t seed, int64_t now) {
    std::mt19937_64 rng(seed);
    const hash_type::Limits hl{128, 64};
    const zset::Limits zl{128, 64};
    for (int db : {0, 1, 7, 15}) {
        Database& d = ks.db(db);
        const int keys = 50 + static_cast<int>(rng() % 100);
        for (int i = 0; i < keys; ++i) {
            std::string key = rng() % 10 == 0
                                  ? random_bytes(rng, 1 + rng() % 30)
                                  : "k" + std::to_string(seed) + ":" + std::to_string(i);
            if (d.dict.find(key)) continue;
            Value v;
            switch (rng() % 5) {
                case 0: {
                    const int kind = static_cast<int>(rng() % 4);
                    if (kind == 0) v = Value::string(std::to_string(static_cast<int64_t>(rng())));
                    if (kind == 1) v = Value::string(random_bytes(rng, rng() % 44));
                    if (kind == 2) v = Value::string(std::string(45 + rng() % 3000, 'z'));
                    if (kind == 3) v = Value::raw_string(random_bytes(rng, 45 + rng() % 300));
                    break;
                }
                case 1: {
                    v = hash_type::create();
                    const size_t n = rng() % 3 == 0 ? 200 : 1 + rng() % 20;
                    for (size_t f = 0; f < n; ++f)
                        hash_type::set(v, "f" + std::to_string(f) + random_element(rng),
                                       random_element(rng), hl);
                    break;
                }
                case 2: {
                    const size_t n = rng() % 3 == 0 ? 600 : 1 + rng() % 40;
                    const bool ints = rng() % 2;
                    std::string first = ints ? "1" : "x";
                    v = set_type::create_for(first);
                    set_type::add(v, first, 512);
                    for (size_t m = 0; m < n; ++m)
                        set_type::add(
                            v,
                            ints ? std::to_string(static_cast<int64_t>(rng()) >> (rng() % 63))
                                 : random_element(rng),
                            512);
                    break;
                }
                case 3: {
                    const size_t n = rng() % 3 == 0 ? 300 : 1 + rng() % 30;
                    const std::string first = random_element(rng);
                    v = zset::create_for_add(first, zl);
                    int out;
                    zset::add(v, random_score(rng), first, 0, out, nullptr, zl);
                    for (size_t m = 0; m < n; ++m)
                        zset::add(v, random_score(rng), random_element(rng), 0, out, nullptr, zl);
                    break;
                }
                default: {
                    auto* ql = new QuickList(QuickList::kDefaultFill);
                    const size_t n = rng() % 4 == 0 ? 3000 : 1 + rng() % 50;
                    for (size_t e = 0; e < n; ++e) {
                        if (rng() % 100 == 0)
                            ql->push(std::string(9000, 'L'), rng() % 2);
                        else
                            ql->push(random_element(rng), rng() % 2);
                    }
                    v = Value::object(ValueType::List, Encoding::Quicklist, ql);
                    break;
                }
            }
            Entry* e = ks.add(d, key, std::move(v));
            if (rng() % 4 == 0) ks.set_expire(d, e, now + static_cast<int64_t>(rng() % 100000000));
            if (rng() % 50 == 0) ks.set_expire(d, e, now - 1000);  // already expired: kept
        }
    }
}

std::string describe(const Value& v) {
    std::string s = std::string(type_name(v.type())) + "/" + encoding_name(v) + ":";
    switch (v.type()) {
        case ValueType::String: {
            char buf[24];
            return s + std::string(v.str(buf));
        }
        case ValueType::Hash: {
            std::map<std::string, std::string> m;
            hash_type::for_each(v,
                                [&](std::string_view f, std::string_view x) { m.emplace(f, x); });
            for (const auto& [f, x] : m) s += f + "=" + x + ";";
            return s;
        }
        case ValueType::Set: {
            std::set<std::string> m;
            set_type::for_each(v, [&](std::string_view x) { m.emplace(x); });
            for (const auto& x : m) s += x + ";";
            return s;
        }
        case ValueType::ZSet: {
            zset::walk(v, 0, zset::length(v), false, [&](std::string_view m, double sc) {
                char buf[40];
                std::snprintf(buf, sizeof buf, "%.17g", sc);
                s += std::string(m) + "=" + buf + ";";
            });
            return s;
        }
        case ValueType::List: {
            const auto* ql = static_cast<const QuickList*>(v.obj());
            for (const QuickList::Node* n = ql->head(); n; n = n->next) {
                s += "[";
                char buf[Listpack::kIntBufSize];
                for (Listpack::Pos p = n->lp.first(); p != Listpack::kNone; p = n->lp.next(p))
                    s += std::string(n->lp.get_str(p, buf)) + ",";
                s += "]";
            }
            return s;
        }
    }
    return s;
}

// Every key of every database: "db key expire value".
std::vector<std::string> dump(Keyspace& ks) {
    std::vector<std::string> out;
    for (int db = 0; db < ks.count(); ++db) {
        Database& d = ks.db(db);
        d.dict.for_each([&](const Entry* e) {
            out.push_back(std::to_string(db) + " " + std::string(e->key()) + " " +
                          std::to_string(ks.expire_of(d, e)) + " " + describe(e->value));
        });
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string write(const Keyspace& ks, const RdbWriteOptions& opt) {
    RdbAux aux;
    aux.ctime = 1700000000;
    aux.used_mem = 12345;
    StringSink sink;
    const auto r = write_rdb(ks, aux, opt, sink);
    EXPECT_TRUE(r.ok()) << r.error();
    return sink.data;
}

class RdbRoundTrip : public ::testing::TestWithParam<int> {};

TEST_P(RdbRoundTrip, KeyspaceComesBackEqual) {
    const int seed = GetParam();
    const int64_t now = wall_clock_ms();
    Keyspace ks(16);
    populate(ks, static_cast<uint64_t>(seed), now);
    const std::vector<std::string> before = dump(ks);
    ASSERT_GT(before.size(), 200u);
    std::set<std::string> kinds;
    for (int db = 0; db < ks.count(); ++db) {
        ks.db(db).dict.for_each([&](const Entry* e) {
            kinds.insert(std::string(type_name(e->value.type())) + "/" + encoding_name(e->value));
        });
    }
    EXPECT_EQ(kinds,
              (std::set<std::string>{"string/int", "string/embstr", "string/raw", "hash/listpack",
                                     "hash/hashtable", "set/intset", "set/hashtable",
                                     "zset/listpack", "zset/skiplist", "list/quicklist"}));
    for (const bool compress : {true, false}) {
        for (const bool checksum : {true, false}) {
            RdbWriteOptions wopt;
            wopt.compress = compress;
            wopt.checksum = checksum;
            const std::string file = write(ks, wopt);
            Keyspace back(16);
            KeyspaceLoadTarget target(back, now, false);
            const RdbReadResult r =
                read_rdb({reinterpret_cast<const uint8_t*>(file.data()), file.size()}, {}, target);
            ASSERT_TRUE(r.ok()) << r.error;
            EXPECT_EQ(r.bytes, file.size());
            EXPECT_EQ(r.checksum_checked, checksum);
            EXPECT_EQ(target.aux_info().ctime, 1700000000);
            const std::vector<std::string> after = dump(back);
            ASSERT_EQ(after.size(), before.size());
            for (size_t i = 0; i < before.size(); ++i)
                ASSERT_EQ(after[i], before[i])
                    << "compress=" << compress << " checksum=" << checksum;
            // Written again, the loaded keyspace gives a file of the same size (the bytes
            // differ only in the order of keys and hashtable members).
            EXPECT_EQ(write(back, wopt).size(), file.size());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RdbRoundTrip, ::testing::Values(1, 2, 3, 4, 5));

}  // namespace
}  // namespace snapstream
