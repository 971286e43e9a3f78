// AOF directories between snapstream and Debian's redis-server 7.0, both ways, end to end
// through the binaries: a seeded workload over every type (several databases, TTLs), a
// BGREWRITEAOF in the middle so the directory has a BASE (RDB preamble or commands) and INCR
// files with content, more writes after it; then the other server is started on the
// directory and must hold exactly the same dataset, and redis-check-aof must accept ours.
#include <filesystem>

#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;
using rdb_util::Command;
using rdb_util::run_commands;
using rdb_util::workload;

void wait_rewrite_done(RespClient& c) {
    ASSERT_TRUE(wait_until(
        [&] {
            const std::string info = info_text(c, "persistence");
            return info_field(info, "aof_rewrite_in_progress") == "0" &&
                   info_field(info, "aof_rewrite_scheduled") == "0";
        },
        Ms(60000)));
}

// Writes with `writer`, restarts the directory in `reader`, compares.
void roundtrip(const std::string& writer, const std::string& reader, bool preamble, uint64_t seed) {
    SCOPED_TRACE("seed " + std::to_string(seed) + (preamble ? " preamble" : " commands"));
    TempDir dir;
    const std::vector<std::string> args = {"--appendonly",           "yes",
                                           "--aof-use-rdb-preamble", preamble ? "yes" : "no",
                                           "--aof-checksums",        "yes"};
    std::vector<std::string> wargs = args;
    if (writer == redis_binary()) wargs.resize(4);  // Redis has no aof-checksums
    std::vector<std::string> before;
    {
        auto w = start_in(dir.path(), wargs, true, writer, "writer");
        RespClient c(w->port());
        const auto cmds = workload(seed);
        const size_t half = cmds.size() / 2;
        run_commands(c, std::vector<Command>(cmds.begin(), cmds.begin() + static_cast<long>(half)));
        EXPECT_EQ(c.command({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
        wait_rewrite_done(c);
        // The second half lands in the INCR file (a SELECT first: it starts in db 0 again).
        c.command({"SELECT", "0"});
        run_commands(c, std::vector<Command>(cmds.begin() + static_cast<long>(half), cmds.end()));
        c.command({"SELECT", "3"});
        c.command({"SET", "after-rewrite", "x"});
        c.command({"INCRBYFLOAT", "float", "2.5"});
        c.command({"SELECT", "0"});
        before = dataset(c, false);
        w->stop();
        ASSERT_TRUE(w->exit_status() && WIFEXITED(*w->exit_status())) << w->log_tail();
    }
    const std::string manifest = dir.path() + "/appendonlydir/appendonly.aof.manifest";
    ASSERT_TRUE(fs::exists(manifest));
    if (writer != redis_binary()) {
        ProcessResult check =
            run_process({find_in_path("redis-check-aof"), manifest}, "", Ms(60000));
        EXPECT_EQ(check.exit_code(), 0) << check.out << check.err;
        EXPECT_NE(check.out.find("is valid"), std::string::npos) << check.out;
    }
    std::vector<std::string> rargs = args;
    if (reader == redis_binary()) rargs.resize(4);
    auto r = start_in(dir.path(), rargs, true, reader, "reader");
    RespClient c(r->port());
    const std::vector<std::string> after = dataset(c, false);
    EXPECT_EQ(after.size(), before.size());
    EXPECT_TRUE(after == before)
        << "first difference at line "
        << (std::mismatch(before.begin(), before.end(), after.begin(), after.end()).first -
            before.begin());
}

TEST(AofInterop, OurDirectoryLoadsInRedis) {
    for (uint64_t seed : {1, 2}) {
        roundtrip(snapstream_binary(), redis_binary(), true, seed);
        roundtrip(snapstream_binary(), redis_binary(), false, seed);
    }
}

TEST(AofInterop, RedisDirectoryLoadsInSnapstream) {
    for (uint64_t seed : {3, 4}) {
        roundtrip(redis_binary(), snapstream_binary(), true, seed);
        roundtrip(redis_binary(), snapstream_binary(), false, seed);
    }
}

TEST(AofInterop, OurDirectoryReloadsInSnapstream) {
    roundtrip(snapstream_binary(), snapstream_binary(), true, 5);
    roundtrip(snapstream_binary(), snapstream_binary(), false, 6);
}

}  // namespace
}  // namespace snapstream::test
