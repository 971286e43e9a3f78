// snapstream-check-rdb on files written by redis-server: a good dump (exit 0, key counts equal
// to DBSIZE per database), a truncated copy and a byte-flipped copy (exit 1, an offset named),
// and usage / missing-file errors (exit 2).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"

namespace snapstream::test {
namespace {

ProcessResult check(const std::string& path) {
    return run_process({SNAPSTREAM_CHECK_RDB_BIN, path}, "", Ms(60000));
}

class CheckRdbTool : public ::testing::Test {
  protected:
    void SetUp() override {
        redis_ = start_redis();
        RespClient c(redis_->port(), Ms(60000));
        rdb_util::run_commands(c, rdb_util::workload(21));
        ASSERT_TRUE(c.command({"SAVE"}).is_string("OK"));
        for (int db : {0, 5, 15}) {
            c.command({"SELECT", std::to_string(db)});
            dbsize_[db] = c.command({"DBSIZE"}).integer;
        }
        dump_ = read_file(redis_->dir() + "/dump.rdb");
        ASSERT_GT(dump_.size(), 1000u);
    }
    std::unique_ptr<ServerProcess> redis_;
    std::map<int, int64_t> dbsize_;
    std::string dump_;
    TempDir dir_;
};

TEST_F(CheckRdbTool, RedisDumpLooksOk) {
    const ProcessResult r = check(redis_->dir() + "/dump.rdb");
    ASSERT_EQ(r.exit_code(), 0) << r.describe() << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("RDB looks OK"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("RDB version: 10"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("aux redis-ver = 7.0.15"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("aux ctime = "), std::string::npos) << r.out;
    for (const auto& [db, n] : dbsize_) {
        const std::string line = "db " + std::to_string(db) + ": " + std::to_string(n) + " keys";
        EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
    }
}

TEST_F(CheckRdbTool, TruncatedDumpFailsWithOffset) {
    const std::regex offset_re("error: .* at offset ([0-9]+) \\(file is ([0-9]+) bytes\\)");
    for (const size_t keep : {dump_.size() - 1, dump_.size() - 9, dump_.size() / 2, size_t{20}}) {
        const std::string path =
            dir_.write_file("cut" + std::to_string(keep) + ".rdb", dump_.substr(0, keep));
        const ProcessResult r = check(path);
        EXPECT_EQ(r.exit_code(), 1) << keep << ": " << r.describe() << "\n" << r.out << r.err;
        std::smatch m;
        ASSERT_TRUE(std::regex_search(r.out, m, offset_re)) << r.out;
        EXPECT_LE(std::stoull(m[1].str()), keep) << r.out;
        EXPECT_EQ(std::stoull(m[2].str()), keep) << r.out;
        EXPECT_EQ(r.out.find("RDB looks OK"), std::string::npos) << r.out;
    }
}

TEST_F(CheckRdbTool, FlippedByteFailsWithOffset) {
    // Bytes inside the key/value section and in the CRC trailer.
    for (const size_t at : {dump_.size() / 3, dump_.size() / 2, dump_.size() - 3}) {
        std::string bad = dump_;
        bad[at] = static_cast<char>(bad[at] ^ 0x20);
        const std::string path = dir_.write_file("flip" + std::to_string(at) + ".rdb", bad);
        const ProcessResult r = check(path);
        EXPECT_EQ(r.exit_code(), 1) << at << ": " << r.describe() << "\n" << r.out << r.err;
        EXPECT_NE(r.out.find(" at offset "), std::string::npos) << r.out;
    }
}

TEST(CheckRdbToolUsage, UsageAndMissingFile) {
    ProcessResult r = run_process({SNAPSTREAM_CHECK_RDB_BIN}, "", Ms(10000));
    EXPECT_EQ(r.exit_code(), 2) << r.describe();
    EXPECT_NE(r.err.find("usage"), std::string::npos) << r.err;
    r = run_process({SNAPSTREAM_CHECK_RDB_BIN, "/nonexistent/dir/dump.rdb"}, "", Ms(10000));
    EXPECT_EQ(r.exit_code(), 2) << r.describe();
    TempDir dir;
    r = run_process({SNAPSTREAM_CHECK_RDB_BIN, dir.path()}, "", Ms(10000));  // a directory
    EXPECT_EQ(r.exit_code(), 2) << r.describe() << r.out << r.err;
}

}  // namespace
}  // namespace snapstream::test
