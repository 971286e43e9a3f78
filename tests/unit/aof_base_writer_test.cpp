// write_aof_base: random keyspaces (every type in each of its encodings, TTLs including passed
// ones, several databases, binary keys and values, every kind of score) are written as
// commands, parsed back and replayed into a fresh keyspace, which must hold exactly the same
// keys, values, TTLs and databases; every collection is split into commands of 64 items (the
// last one taking the rest); the exact bytes of a small keyspace; sink errors; stats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
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
#include "persistence/aof_base_writer.h"
#include "persistence/byte_sink.h"
#include "tests/support/aof_commands.h"
#include "tests/support/random_keyspace.h"
#include "tests/support/value_items.h"

namespace snapstream {
namespace {

using test::Argv;

// Redis's default encoding limits, bigger collections, 70 KB strings, more expired keys.
void populate(Keyspace& ks, uint64_t seed, int64_t now) {
    test::RandomKeyspaceShape shape;
    shape.hash_limits = hash_type::Limits{512, 64};
    shape.hash_small = 130;
    shape.hash_big = 600;
    shape.set_small = 130;
    shape.zset_small = 100;
    shape.list_small = 150;
    shape.huge_strings = true;
    shape.expired_one_in = 30;
    test::populate_random_keyspace(ks, seed, now, shape);
}

std::string score_text(double s) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", s == 0 ? 0.0 : s);  // -0 and 0 are one score
    return buf;
}

// The value's contents (not its encoding).
std::string contents(const Value& v) {
    std::string s = std::string(type_name(v.type())) + ":";
    switch (v.type()) {
        case ValueType::String: {
            char buf[24];
            return s + std::string(v.str(buf));
        }
        case ValueType::Hash:
            for (const auto& [f, x] : test::hash_items(v)) s += f + "=" + x + ";";
            return s;
        case ValueType::Set:
            for (const auto& x : test::set_items(v)) s += x + ";";
            return s;
        case ValueType::ZSet:
            for (const auto& [m, sc] : test::zset_items(v)) s += m + "=" + score_text(sc) + ";";
            return s;
        case ValueType::List:
            for (const auto& x : test::list_items(v)) s += x + ",";
            return s;
    }
    return s;
}

// Every key of every database: "db key expire contents", sorted.
std::vector<std::string> dump(const Keyspace& ks) {
    std::vector<std::string> out;
    for (int db = 0; db < ks.count(); ++db) {
        const Database& d = ks.db(db);
        d.dict.for_each([&](const Entry* e) {
            out.push_back(std::to_string(db) + " " + std::string(e->key()) + " " +
                          std::to_string(ks.expire_of(d, e)) + " " + contents(e->value));
        });
    }
    std::sort(out.begin(), out.end());
    return out;
}

size_t item_count(const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            return 1;
        case ValueType::List:
            return static_cast<const QuickList*>(v.obj())->size();
        case ValueType::Set:
            return set_type::size(v);
        case ValueType::ZSet:
            return zset::length(v);
        case ValueType::Hash:
            return hash_type::size(v);
    }
    return 0;
}

const char* command_for(ValueType t) {
    switch (t) {
        case ValueType::String:
            return "SET";
        case ValueType::List:
            return "RPUSH";
        case ValueType::Set:
            return "SADD";
        case ValueType::ZSet:
            return "ZADD";
        case ValueType::Hash:
            return "HMSET";
    }
    return "?";
}

std::string write(const Keyspace& ks, AofBaseStats* stats = nullptr) {
    StringSink sink;
    auto r = write_aof_base(ks, sink);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    if (r.ok() && stats) *stats = *r;
    return sink.data;
}

TEST(AofBaseWriter, RandomKeyspacesReplayToTheSameData) {
    test::register_all_object_ops();
    const int64_t now = 1700000000000;
    for (uint64_t seed : {1u, 2u, 3u, 4u}) {
        Keyspace ks(16);
        ks.set_now(now);
        populate(ks, seed, now);

        std::set<std::string> encodings;
        size_t keys = 0;
        for (int db = 0; db < ks.count(); ++db)
            ks.db(db).dict.for_each([&](const Entry* e) {
                encodings.insert(std::string(type_name(e->value.type())) + "/" +
                                 encoding_name(e->value));
                ++keys;
            });
        ASSERT_EQ(encodings.size(), 10u) << "seed " << seed << " misses an encoding";

        AofBaseStats stats;
        const std::string out = write(ks, &stats);
        EXPECT_EQ(stats.keys, keys);
        EXPECT_EQ(stats.bytes, out.size());

        std::string err;
        auto cmds = test::parse_aof_commands(out, &err);
        ASSERT_TRUE(cmds) << err;
        Keyspace back(16);
        ASSERT_EQ(test::replay_aof_commands(*cmds, back), "");
        EXPECT_EQ(dump(back), dump(ks)) << "seed " << seed;

        // One SELECT per non-empty database, in order.
        std::vector<std::string> selects;
        for (const Argv& a : *cmds)
            if (a[0] == "SELECT") selects.push_back(a[1]);
        EXPECT_EQ(selects, (std::vector<std::string>{"0", "1", "7", "15"}));
    }
}

TEST(AofBaseWriter, CollectionsAreBatchedBy64Items) {
    test::register_all_object_ops();
    const int64_t now = 1700000000000;
    Keyspace ks(16);
    populate(ks, 9, now);
    // Boundary sizes, each in both encodings where the type has two.
    const hash_type::Limits hl{512, 64};
    const zset::Limits zl{128, 64};
    Database& d = ks.db(3);
    for (size_t n : {1u, 63u, 64u, 65u, 127u, 128u, 129u, 192u, 193u}) {
        const std::string sfx = std::to_string(n);
        auto* ql = new QuickList(QuickList::kDefaultFill);
        for (size_t i = 0; i < n; ++i) ql->push_back("i" + std::to_string(i));
        ks.add(d, "list" + sfx, Value::object(ValueType::List, Encoding::Quicklist, ql));
        Value si = set_type::create_intset(), sh = set_type::create_hashtable();
        Value hl_ = hash_type::create(), hh = hash_type::create_hashtable();
        Value zl_ = zset::create_listpack(), zb = zset::create_big();
        for (size_t i = 0; i < n; ++i) {
            const std::string m = std::to_string(i);
            set_type::add(si, m, 1000);
            set_type::add(sh, "m" + m, 1000);
            hash_type::set(hl_, "f" + m, m, {1000, 64});
            hash_type::set(hh, "f" + m, m, hl);
            int out;
            zset::add(zl_, static_cast<double>(i) / 3, "m" + m, 0, out, nullptr, {1000, 64});
            zset::add(zb, static_cast<double>(i) / 3, "m" + m, 0, out, nullptr, zl);
        }
        ks.add(d, "si" + sfx, std::move(si));
        ks.add(d, "sh" + sfx, std::move(sh));
        ks.add(d, "hl" + sfx, std::move(hl_));
        ks.add(d, "hh" + sfx, std::move(hh));
        ks.add(d, "zl" + sfx, std::move(zl_));
        ks.add(d, "zb" + sfx, std::move(zb));
    }

    const std::string out = write(ks);
    std::string err;
    auto cmds = test::parse_aof_commands(out, &err);
    ASSERT_TRUE(cmds) << err;
    const auto groups = test::group_by_key(*cmds);
    size_t checked = 0;
    for (const test::KeyGroup& g : groups) {
        const Entry* e = ks.db(g.db).dict.find(g.key);
        ASSERT_NE(e, nullptr) << g.key;
        const Value& v = e->value;
        const size_t width = v.type() == ValueType::ZSet || v.type() == ValueType::Hash ? 2 : 1;
        std::vector<Argv> body = g.cmds;
        if (e->has_expire()) {
            ASSERT_EQ(body.back().size(), 3u);
            EXPECT_EQ(body.back()[0], "PEXPIREAT");
            EXPECT_EQ(body.back()[2], std::to_string(ks.db(g.db).expires.get(e)));
            body.pop_back();
        }
        size_t total = 0;
        for (size_t i = 0; i < body.size(); ++i) {
            ASSERT_EQ(body[i][0], command_for(v.type())) << g.key;
            if (v.type() == ValueType::String) {
                EXPECT_EQ(body.size(), 1u);
                EXPECT_EQ(body[i].size(), 3u);
                total = 1;
                continue;
            }
            ASSERT_EQ((body[i].size() - 2) % width, 0u);
            const size_t items = (body[i].size() - 2) / width;
            if (i + 1 < body.size())
                EXPECT_EQ(items, 64u) << g.key;
            else
                EXPECT_TRUE(items >= 1 && items <= 64) << g.key;
            total += items;
        }
        EXPECT_EQ(total, item_count(v)) << g.key;
        ++checked;
    }
    size_t keys = 0;
    for (int db = 0; db < ks.count(); ++db) keys += ks.db(db).size();
    EXPECT_EQ(checked, keys);  // every key exactly one group, no key split across groups

    // The boundary keys in order: a list of 129 items is 64 + 64 + 1, in list order.
    for (const test::KeyGroup& g : groups) {
        if (g.key != "list129") continue;
        ASSERT_EQ(g.cmds.size(), 3u);
        EXPECT_EQ(g.cmds[0].size(), 66u);
        EXPECT_EQ(g.cmds[1].size(), 66u);
        EXPECT_EQ(g.cmds[2], (Argv{"RPUSH", "list129", "i128"}));
        EXPECT_EQ(g.cmds[0][2], "i0");
        EXPECT_EQ(g.cmds[1][2], "i64");
    }
}

TEST(AofBaseWriter, ExactBytes) {
    test::register_all_object_ops();
    Keyspace ks(16);
    Database& d0 = ks.db(0);
    Entry* s = ks.add(d0, "s", Value::string("-42"));
    ks.set_expire(d0, s, 1700000000123);
    Database& d5 = ks.db(5);
    Value z = zset::create_listpack();
    int out;
    const zset::Limits zl{128, 64};
    zset::add(z, 1.5, "a", 0, out, nullptr, zl);
    zset::add(z, 0.1, "12", 0, out, nullptr, zl);
    zset::add(z, -INFINITY, "n", 0, out, nullptr, zl);
    zset::add(z, 3, "b", 0, out, nullptr, zl);
    zset::add(z, 1e20, "c", 0, out, nullptr, zl);
    ks.add(d5, "z", std::move(z));

    const std::string expected =
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$3\r\n-42\r\n"
        "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\ns\r\n$13\r\n1700000000123\r\n"
        "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n"
        "*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n"
        "$4\r\n-inf\r\n$1\r\nn\r\n"
        "$19\r\n0.10000000000000001\r\n$2\r\n12\r\n"
        "$3\r\n1.5\r\n$1\r\na\r\n"
        "$1\r\n3\r\n$1\r\nb\r\n"
        "$5\r\n1e+20\r\n$1\r\nc\r\n";
    EXPECT_EQ(write(ks), expected);

    // A big zset formats its scores the same way.
    Keyspace big(16);
    Value zb = zset::create_big();
    zset::add(zb, INFINITY, "p", 0, out, nullptr, zl);
    zset::add(zb, -2.25, "q", 0, out, nullptr, zl);
    big.add(big.db(0), "zb", std::move(zb));
    EXPECT_EQ(write(big),
              "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
              "*6\r\n$4\r\nZADD\r\n$2\r\nzb\r\n$5\r\n-2.25\r\n$1\r\nq\r\n$3\r\ninf\r\n$1\r\np\r\n");
}

TEST(AofBaseWriter, EmptyKeyspaceWritesNothing) {
    test::register_all_object_ops();
    Keyspace ks(16);
    AofBaseStats stats;
    EXPECT_EQ(write(ks, &stats), "");
    EXPECT_EQ(stats.keys, 0u);
    EXPECT_EQ(stats.bytes, 0u);
}

class FailingSink final : public ByteSink {
  public:
    explicit FailingSink(size_t ok_writes) : ok_(ok_writes) {}
    Status write(std::span<const uint8_t> bytes) override {
        if (calls_++ >= ok_) return make_error("No space left on device");
        written += bytes.size();
        return Ok{};
    }
    size_t written = 0;

  private:
    size_t ok_;
    size_t calls_ = 0;
};

TEST(AofBaseWriter, SinkErrorIsReturned) {
    test::register_all_object_ops();
    Keyspace ks(16);
    populate(ks, 5, 1700000000000);
    for (size_t ok : {0u, 1u, 3u}) {
        FailingSink sink(ok);
        auto r = write_aof_base(ks, sink);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), "No space left on device");
    }
}

}  // namespace
}  // namespace snapstream
