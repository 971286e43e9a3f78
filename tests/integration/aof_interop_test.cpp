// AOF directories between snapstream and Debian's redis-server 7.0, both ways, end to end
// through the binaries: a seeded workload over every type (several databases, TTLs), a
// BGREWRITEAOF in the middle so the directory has a BASE (RDB preamble or commands) and INCR
// files with content, more writes after it; then the other server is started on the
// directory and must hold exactly the same dataset, and redis-check-aof must accept ours.
#include <filesystem>
#include <fstream>

#include "tests/integration/integration_util.h"
#include "tests/integration/rdb_test_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;
using rdb_util::Command;
using rdb_util::run_commands;
using rdb_util::workload;

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
        ASSERT_TRUE(aof_rewrite_done(c));
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

namespace snapstream::test {
namespace {

// The stream bytes of an INCR file (annotation lines skipped) and its #SO line's fields.
struct IncrFile {
    uint64_t origin = 0;
    std::string replid;
    uint64_t stream_bytes = 0;
};
IncrFile read_incr(const std::string& path) {
    const std::string data = read_file(path);
    IncrFile out;
    size_t p = 0;
    while (p < data.size()) {
        const size_t nl = data.find('\n', p);
        const size_t end = nl == std::string::npos ? data.size() : nl + 1;
        const std::string line = data.substr(p, end - p);
        if (line.rfind("#SO:", 0) == 0) {
            const size_t colon = line.find(':', 4);
            out.origin = std::stoull(line.substr(4, colon - 4));
            out.replid = line.substr(colon + 1, 40);
        } else if (line[0] != '#') {
            out.stream_bytes += line.size();
        }
        p = end;
    }
    return out;
}

// The write stream's position survives restarts: every INCR file starts with #SO naming the
// offset its first byte has, and a restarted node continues the stream from the offset where the
// previous file ended — what lets replication resume from an AOF. As a primary restarted from a
// snapshot with a recorded position does in Redis, it takes a new replid and keeps the recorded
// one as replid2 (valid up to that offset), so replicas on that history continue.
TEST(AofOffsets, StreamPositionContinuesAcrossRestartsAndRewrites) {
    TempDir dir;
    const std::vector<std::string> args = {"--appendonly", "yes", "--aof-checksums", "yes"};
    auto s = start_in(dir.path(), args);
    {
        RespClient c(s->port());
        for (int i = 0; i < 50; ++i) c.command({"SET", "k" + std::to_string(i), "v"});
    }
    const std::string first_path = aof_last_incr_path(dir.path());
    const IncrFile first = read_incr(first_path);
    EXPECT_EQ(first.origin, 0u);
    ASSERT_EQ(first.replid.size(), 40u);
    ASSERT_GT(first.stream_bytes, 50u * 20);
    s->stop();
    // Restarted: appends continue in the same file; a rewrite's new INCR file starts where the
    // stream stood.
    s = start_in(dir.path(), args);
    std::string second_id;
    {
        RespClient c(s->port());
        const std::string info = info_text(c, "replication");
        EXPECT_EQ(info_field(info, "master_replid2"), first.replid);
        EXPECT_EQ(info_field(info, "second_repl_offset"), std::to_string(first.stream_bytes + 1));
        EXPECT_EQ(info_field(info, "master_repl_offset"), std::to_string(first.stream_bytes));
        second_id = info_field(info, "master_replid").value_or("");
        c.command({"SELECT", "2"});
        c.command({"RPUSH", "list", "a", "b"});
        EXPECT_EQ(c.command({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
        ASSERT_TRUE(wait_until(
            [&] { return persistence_field(c, "aof_rewrite_in_progress") == "0"; }, Ms(20000)));
        c.command({"SET", "after", "1"});
    }
    const std::string second_path = aof_last_incr_path(dir.path());
    ASSERT_NE(second_path, first_path);
    const IncrFile second = read_incr(second_path);
    EXPECT_EQ(second.replid, second_id);
    EXPECT_NE(second.replid, first.replid);
    // The old file is history (deleted); its length is known from what was written to it:
    // the first run's bytes plus SELECT 2 and the RPUSH (RESP sizes).
    const uint64_t select2 = std::string("*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n").size();
    const uint64_t rpush =
        std::string("*4\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$1\r\na\r\n$1\r\nb\r\n").size();
    EXPECT_EQ(second.origin, first.stream_bytes + select2 + rpush);
    s->stop();
    s = start_in(dir.path(), args);
    {
        RespClient c(s->port());
        c.command({"SET", "third", "1"});
        EXPECT_EQ(c.command({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
        ASSERT_TRUE(wait_until(
            [&] { return persistence_field(c, "aof_rewrite_in_progress") == "0"; }, Ms(20000)));
    }
    const IncrFile third = read_incr(aof_last_incr_path(dir.path()));
    EXPECT_NE(third.replid, second.replid);  // shifted again at the restart
    const uint64_t set_third =
        std::string(
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$5\r\nthird\r\n$1\r\n1\r\n")
            .size();
    EXPECT_EQ(third.origin, second.origin + second.stream_bytes + set_third);
}

// A pre-7.0 single appendonly.aof in `dir` (plain commands, or an RDB preamble followed by
// commands) is taken into appendonlydir as its BASE on start, as Redis 7.0 does, and both
// servers load the same data from it.
TEST(AofInterop, SingleFileAofIsUpgradedAsRedisDoes) {
    // The file: our own directory's RDB base (a real preamble) + a tail of commands.
    TempDir src;
    {
        auto s = start_in(src.path(), {"--appendonly", "yes"});
        RespClient c(s->port());
        run_commands(c, workload(7));
        EXPECT_EQ(c.command({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
        ASSERT_TRUE(wait_until(
            [&] { return persistence_field(c, "aof_rewrite_in_progress") == "0"; }, Ms(20000)));
        s->stop();
    }
    std::string base;
    for (const auto& e : fs::directory_iterator(src.path() + "/appendonlydir"))
        if (e.path().string().find(".base.rdb") != std::string::npos) base = read_file(e.path());
    ASSERT_EQ(base.substr(0, 5), "REDIS");
    const std::string tail =
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$4\r\ntail\r\n$2\r\nok\r\n"
        "*3\r\n$4\r\nSADD\r\n$2\r\nst\r\n$1\r\nx\r\n";
    for (const bool preamble : {true, false}) {
        SCOPED_TRACE(preamble ? "RDB preamble + commands" : "commands only");
        const std::string file = preamble ? base + tail : tail;
        std::vector<std::string> got[2];
        int i = 0;
        for (const std::string& bin : {snapstream_binary(), redis_binary()}) {
            TempDir d;
            {
                std::ofstream out(d.path() + "/appendonly.aof", std::ios::binary);
                out << file;
            }
            auto s = start_in(d.path(), {"--appendonly", "yes"}, true, bin, "server");
            RespClient c(s->port());
            got[i++] = dataset(c, false);
            EXPECT_FALSE(fs::exists(d.path() + "/appendonly.aof"));
            EXPECT_EQ(read_file(d.path() + "/appendonlydir/appendonly.aof"), file);
            EXPECT_EQ(read_file(d.path() + "/appendonlydir/appendonly.aof.manifest"),
                      "file appendonly.aof seq 1 type b\n"
                      "file appendonly.aof.1.incr.aof seq 1 type i\n");
        }
        EXPECT_EQ(got[0].size(), got[1].size());
        EXPECT_TRUE(got[0] == got[1]);
        EXPECT_GE(got[0].size(), preamble ? 100u : 2u);
    }
}

}  // namespace
}  // namespace snapstream::test
