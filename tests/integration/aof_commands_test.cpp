// The AOF through the real binary, compared with Debian's redis-server where it can tell:
// BGREWRITEAOF's replies and its rules with BGSAVE, INFO persistence's field list with the AOF
// on, switching appendonly at runtime, the automatic rewrite on growth, the multi-part files a
// rewrite leaves, and a failed write (a file-size limit standing in for a full disk): writes get
// -MISCONF, the reply of the write that could not be persisted waits, and once the disk takes
// it again everything acknowledged is there after a restart.
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

bool rewrite_done(RespClient& c) {
    const std::string info = info_text(c, "persistence");
    return info_field(info, "aof_rewrite_in_progress") == "0" &&
           info_field(info, "aof_rewrite_scheduled") == "0";
}

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(AofCommands, RewriteRepliesAndRulesMatchRedis) {
    const std::vector<std::string> args = {"--appendonly", "yes", "--rdb-key-save-delay", "20000"};
    auto redis = start_redis(args);
    auto snap = start_snapstream(args);
    for (auto* p : {redis.get(), snap.get()}) {
        SCOPED_TRACE(p->name());
        RespClient c(p->port());
        for (int i = 0; i < 30; ++i) c.command({"SET", "k" + std::to_string(i), "v"});
        EXPECT_EQ(c.command({"BGREWRITEAOF", "x"}),
                  RespValue::error("ERR wrong number of arguments for 'bgrewriteaof' command"));
        EXPECT_EQ(c.command({"BGREWRITEAOF"}),
                  RespValue::simple("Background append only file rewriting started"));
        EXPECT_EQ(
            c.command({"BGREWRITEAOF"}),
            RespValue::error("ERR Background append only file rewriting already in progress"));
        EXPECT_EQ(c.command({"BGSAVE"}),
                  RespValue::error("ERR Another child process is active (AOF?): can't BGSAVE "
                                   "right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE "
                                   "whenever possible."));
        EXPECT_EQ(c.command({"BGSAVE", "SCHEDULE"}),
                  RespValue::simple("Background saving scheduled"));
        EXPECT_EQ(persistence_field(c, "aof_rewrite_in_progress"), "1");
        EXPECT_NE(persistence_field(c, "aof_current_rewrite_time_sec"), "-1");
        EXPECT_EQ(c.command({"SET", "during", "x"}), RespValue::simple("OK"));
        // The scheduled BGSAVE runs once the rewrite is over; then BGREWRITEAOF during a
        // BGSAVE is scheduled in turn.
        ASSERT_TRUE(wait_until(
            [&] { return persistence_field(c, "rdb_bgsave_in_progress") == "1"; }, Ms(30000)));
        EXPECT_EQ(c.command({"BGREWRITEAOF"}),
                  RespValue::simple("Background append only file rewriting scheduled"));
        EXPECT_EQ(persistence_field(c, "aof_rewrite_scheduled"), "1");
        c.command({"CONFIG", "SET", "rdb-key-save-delay", "0"});
        ASSERT_TRUE(wait_until(
            [&] { return rewrite_done(c) && persistence_field(c, "aof_rewrites") == "2"; },
            Ms(30000)));
        EXPECT_EQ(persistence_field(c, "aof_last_bgrewrite_status"), "ok");
        // Inside EXEC a rewrite is scheduled, not started.
        c.command({"MULTI"});
        c.command({"BGREWRITEAOF"});
        EXPECT_EQ(c.command({"EXEC"}), RespValue::array({RespValue::simple(
                                           "Background append only file rewriting scheduled")}));
        ASSERT_TRUE(wait_until(
            [&] { return rewrite_done(c) && persistence_field(c, "aof_rewrites") == "3"; },
            Ms(30000)));
        // What a rewrite leaves: a manifest, one base, one incr — the history is gone.
        const std::vector<std::string> files = files_in(p->dir() + "/appendonlydir");
        ASSERT_EQ(files.size(), 3u) << ::testing::PrintToString(files);
        EXPECT_EQ(files[0], "appendonly.aof.4.base.rdb");
        EXPECT_EQ(files[1], "appendonly.aof.4.incr.aof");
        EXPECT_EQ(files[2], "appendonly.aof.manifest");
        EXPECT_EQ(read_file(p->dir() + "/appendonlydir/appendonly.aof.manifest"),
                  "file appendonly.aof.4.base.rdb seq 4 type b\n"
                  "file appendonly.aof.4.incr.aof seq 4 type i\n");
    }
}

TEST(AofCommands, InfoPersistenceFieldsAreRedis) {
    for (const char* on : {"yes", "no"}) {
        SCOPED_TRACE(std::string("appendonly ") + on);
        auto redis = start_redis({"--appendonly", on});
        auto snap = start_snapstream({"--appendonly", on});
        RespClient r(redis->port()), s(snap->port());
        EXPECT_EQ(info_field_names(info_text(s, "persistence")),
                  info_field_names(info_text(r, "persistence")));
        EXPECT_EQ(persistence_field(s, "aof_enabled"), persistence_field(r, "aof_enabled"));
    }
}

// appendonly switched on and off at runtime, as in Redis: the directory appears with a base
// holding the data so far, later writes go to the incr file, and a restart loads it all.
TEST(AofCommands, SwitchingAppendonlyAtRuntime) {
    TempDir dir;
    {
        auto s = start_in(dir.path(), {});
        RespClient c(s->port());
        c.command({"SET", "before", "1"});
        EXPECT_EQ(c.command({"CONFIG", "SET", "appendonly", "yes"}), RespValue::simple("OK"));
        EXPECT_EQ(persistence_field(c, "aof_enabled"), "1");
        ASSERT_TRUE(wait_until(
            [&] { return rewrite_done(c) && persistence_field(c, "aof_rewrites") == "1"; },
            Ms(30000)));
        c.command({"SET", "after", "2"});
        c.command({"RPUSH", "list", "a", "b"});
        EXPECT_EQ(read_file(dir.path() + "/appendonlydir/appendonly.aof.manifest"),
                  "file appendonly.aof.1.base.rdb seq 1 type b\n"
                  "file appendonly.aof.1.incr.aof seq 1 type i\n");
        s->stop();
    }
    {
        auto s = start_in(dir.path(), {"--appendonly", "yes"});
        RespClient c(s->port());
        EXPECT_EQ(c.command({"GET", "before"}).str, "1");
        EXPECT_EQ(c.command({"GET", "after"}).str, "2");
        EXPECT_EQ(c.command({"LLEN", "list"}).integer, 2);
        // Off: the files stay as they are, writes no longer go there.
        EXPECT_EQ(c.command({"CONFIG", "SET", "appendonly", "no"}), RespValue::simple("OK"));
        EXPECT_EQ(persistence_field(c, "aof_enabled"), "0");
        const std::string incr = read_file(dir.path() + "/appendonlydir/appendonly.aof.1.incr.aof");
        c.command({"SET", "off", "3"});
        EXPECT_EQ(read_file(dir.path() + "/appendonlydir/appendonly.aof.1.incr.aof"), incr);
        s->stop();
    }
}

// auto-aof-rewrite-percentage / -min-size start a rewrite by themselves.
TEST(AofCommands, AutomaticRewriteOnGrowth) {
    auto s = start_snapstream({"--appendonly", "yes", "--auto-aof-rewrite-min-size", "64kb",
                               "--auto-aof-rewrite-percentage", "100"});
    RespClient c(s->port());
    const std::string value(1000, 'v');
    for (int i = 0; i < 200 && persistence_field(c, "aof_rewrites") == "0"; ++i)
        c.command({"SET", "k" + std::to_string(i % 10), value});
    ASSERT_TRUE(wait_until([&] { return persistence_field(c, "aof_rewrites") != "0"; }, Ms(20000)));
    EXPECT_NE(s->log_text().find("Starting automatic rewriting of AOF on"), std::string::npos);
    ASSERT_TRUE(wait_until([&] { return rewrite_done(c); }, Ms(20000)));
    // After the rewrite the base holds 10 keys: far smaller than the 64 KB that triggered it.
    EXPECT_LT(std::stoll(persistence_field(c, "aof_current_size")), 64 * 1024);
}

// A write that cannot reach the file: -MISCONF for writes meanwhile, the pending reply waits,
// nothing acknowledged is lost, and the node recovers by itself once the disk takes data again.
TEST(AofCommands, FailedWriteHoldsRepliesAndRecovers) {
    TempDir dir;
    auto s = start_in(dir.path(), {"--appendonly", "yes", "--appendfsync", "always"});
    RespClient c(s->port()), other(s->port());
    c.command({"SET", "first", "1"});
    const std::string incr = dir.path() + "/appendonlydir/appendonly.aof.1.incr.aof";
    const auto size = fs::file_size(incr);
    struct rlimit lim {};
    ASSERT_EQ(::prlimit(s->pid(), RLIMIT_FSIZE, nullptr, &lim), 0) << std::strerror(errno);
    const rlim_t hard = lim.rlim_max;
    lim.rlim_cur = size + 100;  // the soft limit only, so that it can be raised again
    ASSERT_EQ(::prlimit(s->pid(), RLIMIT_FSIZE, &lim, nullptr), 0) << std::strerror(errno);
    c.send_command({"SET", "big", std::string(4096, 'x')});
    // The write failed: no reply yet, and writes from others are refused.
    EXPECT_FALSE(c.read_reply_for(Ms(300)).has_value());
    ASSERT_TRUE(wait_until(
        [&] { return persistence_field(other, "aof_last_write_status") == "err"; }, Ms(5000)));
    const RespValue refused = other.command({"SET", "other", "x"});
    EXPECT_EQ(refused.str.rfind("MISCONF Errors writing to the AOF file: File too large", 0), 0u)
        << refused.to_string();
    EXPECT_EQ(other.command({"GET", "first"}).str, "1");  // reads are served
    // The disk takes data again: the retry succeeds, the held reply arrives, writes resume.
    lim.rlim_cur = hard;
    ASSERT_EQ(::prlimit(s->pid(), RLIMIT_FSIZE, &lim, nullptr), 0) << std::strerror(errno);
    EXPECT_EQ(c.read_reply(), RespValue::simple("OK"));
    ASSERT_TRUE(wait_until(
        [&] { return persistence_field(other, "aof_last_write_status") == "ok"; }, Ms(5000)));
    EXPECT_EQ(other.command({"SET", "other", "x"}), RespValue::simple("OK"));
    EXPECT_NE(s->log_text().find("AOF write error looks solved"), std::string::npos);
    s->kill_now();
    s = start_in(dir.path(), {"--appendonly", "yes"});
    RespClient after(s->port());
    EXPECT_EQ(after.command({"STRLEN", "big"}).integer, 4096);
    EXPECT_EQ(after.command({"GET", "other"}).str, "x");
}

}  // namespace
}  // namespace snapstream::test
