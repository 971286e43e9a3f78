// Snapshots crossing between snapstream and Debian's redis-server 7.0, end to end through the
// real binaries: a seeded workload over every type (small and large encodings, TTLs, several
// databases) runs on one server, SAVE writes dump.rdb, and the other server started on that file
// must hold exactly the same dataset — every key, type, value, TTL and database. Encodings are
// compared between loaders: snapstream and redis-server started on the same file must report the
// same OBJECT ENCODING for every key (a load may legitimately change an encoding, e.g. a small
// hashtable hash comes back as a listpack, and must change it the way Redis does). Our files must
// also pass redis-check-rdb.
#include <filesystem>
#include <fstream>

#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

void copy_dump(const std::string& from_dir, const std::string& to_dir) {
    fs::copy_file(from_dir + "/dump.rdb", to_dir + "/dump.rdb",
                  fs::copy_options::overwrite_existing);
}

void diff_datasets(const std::vector<std::string>& expected,
                   const std::vector<std::string>& actual) {
    EXPECT_EQ(expected.size(), actual.size());
    size_t shown = 0;
    for (size_t i = 0; i < std::max(expected.size(), actual.size()) && shown < 10; ++i) {
        const std::string e = i < expected.size() ? expected[i] : "<none>";
        const std::string a = i < actual.size() ? actual[i] : "<none>";
        if (e != a) {
            ADD_FAILURE() << "expected " << e.substr(0, 300) << "\n  actual " << a.substr(0, 300);
            ++shown;
        }
    }
}

class RdbInterop : public ::testing::TestWithParam<int> {};

// snapstream writes, redis-check-rdb accepts, redis-server loads the same dataset.
TEST_P(RdbInterop, OurDumpLoadsIntoRedis) {
    TempDir ours, theirs;
    auto snap = start_in(ours.path(), {}, true, snapstream_binary(), "snapstream");
    RespClient s(snap->port());
    rdb_util::run_commands(s, rdb_util::workload(static_cast<uint64_t>(GetParam()), 2));
    if (GetParam() % 2 == 0) s.command({"CONFIG", "SET", "rdbcompression", "no"});
    ASSERT_EQ(s.command({"SAVE"}), RespValue::simple("OK"));
    const std::vector<std::string> expected = dataset(s, false);
    ASSERT_GT(expected.size(), 100u);

    ProcessResult check =
        run_process({find_in_path("redis-check-rdb"), ours.path() + "/dump.rdb"}, "", Ms(60000));
    EXPECT_TRUE(check.exited_ok()) << check.describe() << check.out << check.err;
    EXPECT_NE(check.out.find("RDB looks OK"), std::string::npos) << check.out;

    copy_dump(ours.path(), theirs.path());
    auto redis = start_in(theirs.path(), {}, true, redis_binary(), "redis");
    RespClient r(redis->port());
    diff_datasets(expected, dataset(r, false));
    // Loaded by both: the same encodings.
    TempDir again;
    copy_dump(ours.path(), again.path());
    auto snap2 = start_in(again.path(), {}, true, snapstream_binary(), "snapstream");
    RespClient s2(snap2->port());
    diff_datasets(dataset(r), dataset(s2));
}

// redis-server writes, snapstream loads the same dataset at start-up.
TEST_P(RdbInterop, RedisDumpLoadsIntoUs) {
    TempDir ours, theirs;
    auto redis = start_in(theirs.path(), {}, true, redis_binary(), "redis");
    RespClient r(redis->port());
    rdb_util::run_commands(r, rdb_util::workload(static_cast<uint64_t>(GetParam()) + 100, 2));
    if (GetParam() % 2 == 0) r.command({"CONFIG", "SET", "rdbcompression", "no"});
    ASSERT_EQ(r.command({"SAVE"}), RespValue::simple("OK"));
    const std::vector<std::string> expected = dataset(r, false);
    ASSERT_GT(expected.size(), 100u);

    copy_dump(theirs.path(), ours.path());
    auto snap = start_in(ours.path(), {}, true, snapstream_binary(), "snapstream");
    RespClient s(snap->port());
    diff_datasets(expected, dataset(s, false));
    // Loaded by both: the same encodings.
    TempDir again;
    copy_dump(theirs.path(), again.path());
    auto redis2 = start_in(again.path(), {}, true, redis_binary(), "redis");
    RespClient r2(redis2->port());
    diff_datasets(dataset(r2), dataset(s));
    EXPECT_EQ(info_int(s, "persistence", "rdb_last_load_keys_loaded"),
              static_cast<int64_t>(expected.size()));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RdbInterop, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace snapstream::test
