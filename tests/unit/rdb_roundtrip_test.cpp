// Round trip property: a random keyspace (every type in each of its encodings, TTLs, several
// databases, binary and integer-looking strings, special scores) written by write_rdb and read
// back by read_rdb into a fresh keyspace is equal to the original — every key, value, encoding and
// expiry — with compression and checksums on and off. Also: the bytes are deterministic (the same
// keyspace gives the same file), and the writer's reported size is the file's size.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
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

std::string random_string(std::mt19937_64& rng) {
    switch (rng() % 6) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));  // integers
        case 1:
            return std::string(rng() % 3, 'a');  // "", "a", "aa"
        case 2: {
            std::string s(rng() % 40, '\0');
            for (char& c : s) c = static_cast<char>(rng());  // binary
            return s;
        }
        case 3:
            return std::string(21 + rng() % 300, static_cast<char>('a' + rng() % 3));  // LZF
        case 4:
            return "m" + std::to_string(rng() % 1000);
        default:
            return std::string(65 + rng() % 100, 'z') + std::to_string(rng());  // past 64 bytes
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
            return -0.0;
        default:
            return static_cast<double>(rng() % 100000) / 7.0;
    }
}

Value random_value(std::mt19937_64& rng) {
    const bool big = rng() % 4 == 0;
    const size_t n = big ? 130 + rng() % 700 : 1 + rng() % 20;
    switch (rng() % 5) {
        case 0:
            return Value::string(random_string(rng));
        case 1: {
            auto* ql = new QuickList(QuickList::kDefaultFill);
            for (size_t i = 0; i < n; ++i) ql->push_back(random_string(rng));
            return Value::object(ValueType::List, Encoding::Quicklist, ql);
        }
        case 2: {
            Value h = hash_type::create();
            for (size_t i = 0; i < n; ++i)
                hash_type::set(h, "f" + random_string(rng), random_string(rng), {});
            return h;
        }
        case 3: {
            // As SADD builds sets (an intset until a non-integer or the 513th member arrives), so
            // that the encoding is the one a load picks too.
            const bool ints = rng() % 2 == 0;
            auto member = [&] {
                return ints ? std::to_string(static_cast<int64_t>(rng() % 100000) - 500)
                            : random_string(rng);
            };
            const std::string first = member();
            Value s = set_type::create_for(first);
            set_type::add(s, first, 512);
            for (size_t i = 1; i < n; ++i) set_type::add(s, member(), 512);
            return s;
        }
        default: {
            Value z = zset::create_for_add("m", {});
            for (size_t i = 0; i < n; ++i) {
                int out = 0;
                (void)zset::add(z, random_score(rng), random_string(rng), 0, out, nullptr, {});
            }
            return z;
        }
    }
}

// One line per key: db, key, type, encoding, expiry and the elements in the representation's
// order where it is defined (lists, zsets, listpacks, intsets), sorted otherwise.
std::vector<std::string> describe(Keyspace& ks) {
    std::vector<std::string> out;
    for (int i = 0; i < ks.count(); ++i) {
        Database& db = ks.db(i);
        db.dict.for_each([&](const Entry* e) {
            const Value& v = e->value;
            std::string line = std::to_string(i) + "|" + std::string(e->key()) + "|" +
                               type_name(v.type()) + "|" + encoding_name(v) + "|" +
                               std::to_string(ks.expire_of(db, e)) + "|";
            std::vector<std::string> items;
            char buf[64];
            switch (v.type()) {
                case ValueType::String:
                    items.emplace_back(v.str(buf));
                    break;
                case ValueType::List: {
                    const auto* ql = static_cast<const QuickList*>(v.obj());
                    for (auto c = ql->front(); c; ql->next(c)) {
                        char b[Listpack::kIntBufSize];
                        items.emplace_back(ql->get_str(c, b));
                    }
                    line += "nodes=" + std::to_string(ql->node_count()) + "|";
                    break;
                }
                case ValueType::Hash:
                    hash_type::for_each(v, [&](std::string_view f, std::string_view x) {
                        items.push_back(std::string(f) + "=" + std::string(x));
                    });
                    if (v.encoding() != Encoding::Listpack) std::sort(items.begin(), items.end());
                    break;
                case ValueType::Set:
                    set_type::for_each(v, [&](std::string_view m) { items.emplace_back(m); });
                    std::sort(items.begin(), items.end());
                    break;
                case ValueType::ZSet:
                    zset::walk(v, 0, zset::length(v), false, [&](std::string_view m, double s) {
                        std::snprintf(buf, sizeof buf, "%.17g", s);
                        items.push_back(std::string(m) + "@" + buf);
                    });
                    break;
            }
            for (auto& s : items) line += s + ",";
            out.push_back(line);
        });
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Reports the first few differing lines (shortened), not two huge vectors.
void expect_same(const std::vector<std::string>& expected, const std::vector<std::string>& actual) {
    EXPECT_EQ(expected.size(), actual.size());
    int shown = 0;
    for (size_t i = 0; i < std::min(expected.size(), actual.size()) && shown < 3; ++i) {
        if (expected[i] == actual[i]) continue;
        ADD_FAILURE() << "expected " << expected[i].substr(0, 160) << "\n  actual "
                      << actual[i].substr(0, 160);
        ++shown;
    }
}

Keyspace random_keyspace(uint64_t seed, int64_t now_ms) {
    std::mt19937_64 rng(seed);
    Keyspace ks(16);
    ks.set_now(now_ms);
    for (int i = 0; i < 600; ++i) {
        Database& db = ks.db(static_cast<int>(rng() % 3) * 7);  // dbs 0, 7, 14
        const std::string key = random_string(rng) + "#" + std::to_string(i);
        Entry* e = ks.add(db, key, random_value(rng));
        if (rng() % 4 == 0)
            ks.set_expire(db, e, now_ms + 1000 + static_cast<int64_t>(rng() % 1000000));
    }
    return ks;
}

struct Mode {
    bool compress, checksum;
};

class RdbRoundTrip : public ::testing::TestWithParam<std::tuple<uint64_t, int>> {};

TEST_P(RdbRoundTrip, WriteThenReadGivesTheSameKeyspace) {
    const auto [seed, mode_index] = GetParam();
    const Mode mode{(mode_index & 1) != 0, (mode_index & 2) != 0};
    const int64_t now = wall_clock_ms();
    Keyspace original = random_keyspace(seed, now);

    RdbWriteOptions wopt;
    wopt.compress = mode.compress;
    wopt.checksum = mode.checksum;
    StringSink sink;
    Result<RdbWriteStats> w = write_rdb(original, RdbAux{}, wopt, sink);
    ASSERT_TRUE(w.ok()) << w.error();
    EXPECT_EQ(w->bytes, sink.data.size());
    EXPECT_EQ(w->keys, 600u);

    Keyspace loaded(16);
    KeyspaceLoadTarget target(loaded, now, /*drop_expired=*/true);
    RdbReadOptions ropt;
    ropt.deep_check = seed % 2 == 0;
    const auto* bytes = reinterpret_cast<const uint8_t*>(sink.data.data());
    RdbReadResult r = read_rdb({bytes, sink.data.size()}, ropt, target);
    ASSERT_TRUE(r.ok()) << r.error << " at " << r.error_offset;
    EXPECT_EQ(r.bytes, sink.data.size());
    EXPECT_EQ(r.checksum_checked, mode.checksum);
    expect_same(describe(original), describe(loaded));

    // Deterministic: writing the loaded keyspace gives the same bytes again (aux ctime/used-mem
    // are fixed by the caller here).
    RdbAux fixed;
    fixed.ctime = 1700000000;
    StringSink a, b;
    ASSERT_TRUE(write_rdb(original, fixed, wopt, a).ok());
    ASSERT_TRUE(write_rdb(original, fixed, wopt, b).ok());
    EXPECT_EQ(a.data, b.data);
}

INSTANTIATE_TEST_SUITE_P(SeedsAndModes, RdbRoundTrip,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 4u, 5u, 6u),
                                            ::testing::Values(0, 1, 2, 3)));

}  // namespace
}  // namespace snapstream
