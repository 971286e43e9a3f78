// Files written by redis-server, loaded here: a seeded workload over every type is run on
// Debian's redis-server, SAVEd, and dump.rdb is loaded in-process with load_rdb_file(). Every
// key of every database must then match what Redis holds: type, value, OBJECT ENCODING, TTL,
// list node count and DBSIZE.
//
// Redis is compared after DEBUG RELOAD NOSAVE, i.e. after it loaded the same file itself, so the
// encodings compared are both "as loaded" (a hashtable hash that shrank, for instance, comes
// back as a listpack in both).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "node/keyspace.h"
#include "persistence/rdb_load.h"
#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"

namespace snapstream::test {
namespace {

using rdb_util::compare_with_redis;
using rdb_util::join;

struct Variant {
    uint64_t seed;
    bool compression;
    bool checksum;
};

// Shown in test listings (gtest would otherwise dump the struct's bytes, padding included).
void PrintTo(const Variant& v, std::ostream* os) {
    *os << "seed " << v.seed << (v.compression ? "" : ", no compression")
        << (v.checksum ? "" : ", no checksum");
}

class RdbFromRedis : public ::testing::TestWithParam<Variant> {};

void load_and_compare(const Variant& v) {
    std::vector<std::string> args = {"--enable-debug-command", "yes"};
    if (!v.checksum) {  // not settable at run time
        args.push_back("--rdbchecksum");
        args.push_back("no");
    }
    auto redis = start_redis(args);
    RespClient c(redis->port(), std::chrono::milliseconds(60000));
    if (!v.compression) {
        ASSERT_TRUE(c.command({"CONFIG", "SET", "rdbcompression", "no"}).is_string("OK"));
    }
    rdb_util::run_commands(c, rdb_util::workload(v.seed));
    ASSERT_TRUE(c.command({"SAVE"}).is_string("OK"));
    ASSERT_TRUE(c.command({"DEBUG", "RELOAD", "NOSAVE"}).is_string("OK"));

    Keyspace ks(16);
    RdbReadOptions opt;  // Redis's default limits
    const int64_t now = wall_clock_ms();
    const RdbFileResult r = load_rdb_file(redis->dir() + "/dump.rdb", ks, opt, now, true);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.read.version, 10);
    EXPECT_EQ(r.read.checksum_checked, v.checksum);
    EXPECT_EQ(r.expired_dropped, 0u);
    EXPECT_EQ(r.aux.redis_ver, "7.0.15");
    EXPECT_TRUE(r.aux.ctime.has_value());
    uint64_t total = 0;
    for (int db = 0; db < 16; ++db) total += ks.db(db).size();
    EXPECT_EQ(total, r.keys_loaded);
    EXPECT_GT(ks.db(0).size(), 50u);
    EXPECT_GT(ks.db(5).size(), 50u);
    EXPECT_GT(ks.db(15).size(), 50u);
    EXPECT_EQ(r.db_keys[5], ks.db(5).size());

    // Every type/encoding pair occurs.
    std::set<std::string> seen;
    for (int db = 0; db < 16; ++db) {
        ks.db(db).dict.for_each([&](const Entry* e) {
            seen.insert(std::string(type_name(e->value.type())) + "/" + encoding_name(e->value));
        });
    }
    const std::set<std::string> all = {
        "string/int", "string/embstr", "string/raw",    "hash/listpack", "hash/hashtable",
        "set/intset", "set/hashtable", "zset/listpack", "zset/skiplist", "list/quicklist"};
    EXPECT_EQ(seen, all);

    const auto diffs = compare_with_redis(c, ks, now);
    EXPECT_TRUE(diffs.empty()) << join(diffs);

    // The comparison can fail: one changed string.
    Entry* e = nullptr;
    ks.db(0).dict.for_each([&](Entry* x) {
        if (!e && x->value.is_string()) e = x;
    });
    ASSERT_NE(e, nullptr);
    ks.overwrite(e, Value::string("changed by the test"));
    const auto broken = compare_with_redis(c, ks, now);
    EXPECT_FALSE(broken.empty());
}

TEST_P(RdbFromRedis, EveryKeyMatches) {
    load_and_compare(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Seeds, RdbFromRedis,
                         ::testing::Values(Variant{1, true, true}, Variant{2, true, true},
                                           Variant{3, true, true}, Variant{4, false, true},
                                           Variant{5, true, false}, Variant{6, false, false}),
                         [](const ::testing::TestParamInfo<Variant>& i) {
                             return "seed" + std::to_string(i.param.seed) +
                                    (i.param.compression ? "" : "_nocompression") +
                                    (i.param.checksum ? "" : "_nochecksum");
                         });

// Non-default limits on both sides: Redis loads with them and so do we.
TEST(RdbFromRedisLimits, SmallLimitsMatch) {
    auto redis = start_redis({"--enable-debug-command", "yes"});
    RespClient c(redis->port(), std::chrono::milliseconds(60000));
    rdb_util::run_commands(c, rdb_util::workload(11));
    ASSERT_TRUE(c.command({"SAVE"}).is_string("OK"));
    const std::vector<std::vector<std::string>> limits = {
        {"hash-max-listpack-entries", "8"}, {"hash-max-listpack-value", "16"},
        {"zset-max-listpack-entries", "6"}, {"zset-max-listpack-value", "10"},
        {"set-max-intset-entries", "30"},   {"list-max-listpack-size", "5"}};
    for (const auto& l : limits) {
        ASSERT_TRUE(c.command({"CONFIG", "SET", l[0], l[1]}).is_string("OK"));
    }
    ASSERT_TRUE(c.command({"DEBUG", "RELOAD", "NOSAVE"}).is_string("OK"));

    Keyspace ks(16);
    RdbReadOptions opt;
    opt.limits.hash_max_listpack_entries = 8;
    opt.limits.hash_max_listpack_value = 16;
    opt.limits.zset_max_listpack_entries = 6;
    opt.limits.zset_max_listpack_value = 10;
    opt.limits.set_max_intset_entries = 30;
    opt.limits.list_fill = 5;
    opt.deep_check = true;
    const int64_t now = wall_clock_ms();
    const RdbFileResult r = load_rdb_file(redis->dir() + "/dump.rdb", ks, opt, now, true);
    ASSERT_TRUE(r.ok()) << r.error;
    const auto diffs = compare_with_redis(c, ks, now);
    EXPECT_TRUE(diffs.empty()) << join(diffs);
}

TEST(RdbFromRedisFile, MissingFileIsNotAnError) {
    TempDir dir;
    Keyspace ks(16);
    const RdbFileResult r = load_rdb_file(dir.path() + "/dump.rdb", ks, {}, 0, true);
    EXPECT_TRUE(r.missing());
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(r.error.empty());
}

TEST(RdbFromRedisFile, EmptyAndTruncatedFilesNameFileAndOffset) {
    TempDir dir;
    Keyspace ks(16);
    const std::string empty = dir.write_file("empty.rdb", "");
    RdbFileResult r = load_rdb_file(empty, ks, {}, 0, true);
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.missing());
    EXPECT_EQ(r.error, empty + ": empty file");

    const std::string cut = dir.write_file("cut.rdb", "REDIS0010\xfa");
    r = load_rdb_file(cut, ks, {}, 0, true);
    EXPECT_EQ(r.error, cut + ": unexpected end of file at offset 10 (file is 10 bytes)");
}

TEST(RdbFromRedisFile, ExpiredKeysDroppedOnlyWhenAsked) {
    auto redis = start_redis();
    RespClient c(redis->port());
    c.command({"SET", "soon", "x", "PX", "1500"});
    c.command({"SET", "later", "y", "EX", "1000"});
    c.command({"SET", "never", "z"});
    ASSERT_TRUE(c.command({"SAVE"}).is_string("OK"));
    const std::string path = redis->dir() + "/dump.rdb";
    const int64_t future = wall_clock_ms() + 10000;  // as if loaded 10 s later
    {
        Keyspace ks(16);
        const RdbFileResult r = load_rdb_file(path, ks, {}, future, true);
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.expired_dropped, 1u);
        EXPECT_EQ(r.keys_loaded, 2u);
        EXPECT_EQ(ks.peek(ks.db(0), "soon"), nullptr);
    }
    {
        Keyspace ks(16);
        const RdbFileResult r = load_rdb_file(path, ks, {}, future, false);
        ASSERT_TRUE(r.ok()) << r.error;
        EXPECT_EQ(r.expired_dropped, 0u);
        EXPECT_EQ(r.keys_loaded, 3u);
        Entry* e = ks.peek(ks.db(0), "soon");
        ASSERT_NE(e, nullptr);
        EXPECT_GT(ks.expire_of(ks.db(0), e), 0);
    }
}

}  // namespace
}  // namespace snapstream::test
