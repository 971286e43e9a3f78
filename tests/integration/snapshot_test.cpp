// RDB snapshots through the real binary: SAVE / BGSAVE / LASTSAVE / BGSAVE SCHEDULE, save points,
// SHUTDOWN and SIGTERM saves, DEBUG RELOAD, FLUSHALL, start-up loading, and the fault paths (a
// child killed mid-write, a file-size limit standing in for a full disk, a corrupt dump at
// start-up) — never losing or damaging the previous dump. Replies and INFO fields are compared
// with Debian's redis-server where it can tell.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> temp_rdb_files(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("temp-", 0) == 0) out.push_back(n);
    }
    return out;
}

bool bgsave_done(RespClient& c) {
    return persistence_field(c, "rdb_bgsave_in_progress") == "0";
}

// A small dataset over every type and encoding, in several databases, some keys with a TTL.
void fill_all_types(RespClient& c, int scale) {
    for (int db : {0, 3, 15}) {
        c.command({"SELECT", std::to_string(db)});
        for (int i = 0; i < scale; ++i) {
            const std::string n = std::to_string(i);
            c.command({"SET", "s:" + n, i % 3 == 0 ? n : std::string(30 + i % 50, 'a' + i % 26)});
            c.command({"RPUSH", "l:" + n, "a", n, std::string(100, 'x')});
            c.command({"HSET", "h:" + n, "f", n, "g", "text"});
            c.command({"SADD", "si:" + n, "1", "2", n});
            c.command({"SADD", "ss:" + n, "x", "y" + n});
            c.command({"ZADD", "z:" + n, "1.5", "a", "-inf", "b", n, "c"});
            if (i % 4 == 0) c.command({"PEXPIRE", "s:" + n, "3600000"});
        }
        std::vector<std::string> big_hash{"HSET", "bigh"}, big_set{"SADD", "bigs"},
            big_zset{"ZADD", "bigz"}, big_list{"RPUSH", "bigl"}, big_ints{"SADD", "bigi"};
        for (int i = 0; i < 700; ++i) {
            const std::string n = std::to_string(i);
            big_hash.insert(big_hash.end(), {"f" + n, "v" + n});
            big_set.push_back("m" + n);
            big_zset.insert(big_zset.end(), {std::to_string(i * 0.25), "m" + n});
            big_list.push_back("e" + n);
            big_ints.push_back(std::to_string(i * 1000003));
        }
        for (auto* cmd : {&big_hash, &big_set, &big_zset, &big_list, &big_ints}) c.command(*cmd);
    }
    c.command({"SELECT", "0"});
}

class Snapshot : public ::testing::Test {
  protected:
    void TearDown() override {
        if (HasFailure() && snap_) std::cout << "--- snapstream log ---\n" << snap_->log_tail();
    }
    // Declared before snap_ so that the server is stopped (and saves) before its dir goes.
    TempDir dir_;
    std::unique_ptr<ServerProcess> snap_;
};

// SAVE, BGSAVE, LASTSAVE and the errors while a BGSAVE runs, as redis-server answers them.
TEST_F(Snapshot, CommandsAndErrorsMatchRedis) {
    auto redis = start_redis({"--rdb-key-save-delay", "100000"});
    snap_ = start_snapstream({"--rdb-key-save-delay", "100000"});
    for (auto* p : {redis.get(), snap_.get()}) {
        SCOPED_TRACE(p->name());
        RespClient c(p->port());
        for (int i = 0; i < 12; ++i) c.command({"SET", "k" + std::to_string(i), "v"});
        const int64_t before = c.command({"LASTSAVE"}).integer;
        EXPECT_EQ(c.command({"BGSAVE", "NOW"}), RespValue::error("ERR syntax error"));
        EXPECT_EQ(c.command({"BGSAVE"}), RespValue::simple("Background saving started"));
        EXPECT_EQ(c.command({"BGSAVE"}),
                  RespValue::error("ERR Background save already in progress"));
        EXPECT_EQ(c.command({"BGSAVE", "SCHEDULE"}),
                  RespValue::error("ERR Background save already in progress"));
        EXPECT_EQ(c.command({"SAVE"}), RespValue::error("ERR Background save already in progress"));
        EXPECT_EQ(persistence_field(c, "rdb_bgsave_in_progress"), "1");
        EXPECT_NE(persistence_field(c, "rdb_current_bgsave_time_sec"), "-1");
        // Writes go on while the child works.
        EXPECT_EQ(c.command({"SET", "during", "x"}), RespValue::simple("OK"));
        ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(30000)));
        EXPECT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "ok");
        EXPECT_EQ(persistence_field(c, "rdb_changes_since_last_save"), "1");  // "during"
        EXPECT_GE(c.command({"LASTSAVE"}).integer, before);
        EXPECT_TRUE(fs::exists(p->dir() + "/dump.rdb"));
        EXPECT_TRUE(temp_rdb_files(p->dir()).empty());
        c.command({"CONFIG", "SET", "rdb-key-save-delay", "0"});
        EXPECT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
        EXPECT_EQ(persistence_field(c, "rdb_changes_since_last_save"), "0");
        EXPECT_EQ(persistence_field(c, "rdb_saves"), "2");
        EXPECT_NE(info_field(info_text(c, "stats"), "latest_fork_usec").value_or("0"), "0");
        // SAVE is refused inside MULTI; BGSAVE inside EXEC is scheduled and then runs.
        c.command({"MULTI"});
        EXPECT_EQ(c.command({"SAVE"}),
                  RespValue::error("ERR Command not allowed inside a transaction"));
        c.command({"DISCARD"});
        c.command({"MULTI"});
        c.command({"BGSAVE"});
        EXPECT_EQ(c.command({"EXEC"}),
                  RespValue::array({RespValue::simple("Background saving scheduled")}));
        ASSERT_TRUE(
            wait_until([&] { return persistence_field(c, "rdb_saves") == "3"; }, Ms(10000)));
        ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(30000)));
    }
}

// Every INFO persistence field Redis 7.0 reports is there, in the same order.
TEST_F(Snapshot, InfoPersistenceFieldsAreRedis) {
    auto redis = start_redis();
    snap_ = start_snapstream();
    RespClient r(redis->port()), s(snap_->port());
    EXPECT_EQ(info_field_names(info_text(s, "persistence")),
              info_field_names(info_text(r, "persistence")));
    for (const char* f : {"latest_fork_usec", "total_forks"})
        EXPECT_TRUE(info_field(info_text(s, "stats"), f)) << f;
}

// A save point fires a BGSAVE by itself once enough changes are old enough.
TEST_F(Snapshot, SavePointTriggersBgsave) {
    snap_ = start_snapstream({"--save", "1 3"});
    RespClient c(snap_->port());
    for (int i = 0; i < 3; ++i) c.command({"SET", "k" + std::to_string(i), "v"});
    ASSERT_TRUE(wait_until([&] { return persistence_field(c, "rdb_saves") == "1"; }, Ms(15000)));
    ASSERT_TRUE(wait_until(
        [&] {
            return bgsave_done(c) && persistence_field(c, "rdb_changes_since_last_save") == "0";
        },
        Ms(15000)));
    EXPECT_TRUE(fs::exists(snap_->dir() + "/dump.rdb"));
    EXPECT_NE(snap_->log_text().find("3 changes in 1 seconds. Saving..."), std::string::npos);
}

// FLUSHALL with save points saves the empty dataset at once (changes back to 0); without save
// points it only counts the deleted keys — as Redis 7.0.
TEST_F(Snapshot, FlushallDirtyCounterAsRedis) {
    for (const char* save : {"3600 1", ""}) {
        SCOPED_TRACE(std::string("save '") + save + "'");
        auto redis = start_redis({"--save", save});
        auto snap = start_snapstream({"--save", save});
        RespClient r(redis->port()), s(snap->port());
        for (auto* c : {&r, &s}) {
            c->command({"SET", "a", "1"});
            c->command({"SET", "b", "2"});
            c->command({"FLUSHALL"});
        }
        EXPECT_EQ(persistence_field(s, "rdb_changes_since_last_save"),
                  persistence_field(r, "rdb_changes_since_last_save"));
        EXPECT_EQ(fs::exists(snap->dir() + "/dump.rdb"), fs::exists(redis->dir() + "/dump.rdb"));
    }
}

// SHUTDOWN saves when save points exist, SHUTDOWN SAVE always, SHUTDOWN NOSAVE never; SIGTERM
// saves like a plain SHUTDOWN.
TEST_F(Snapshot, ShutdownAndSigtermSaves) {
    struct Case {
        std::string save;
        std::vector<std::string> how;  // empty: SIGTERM
        bool saves;
    };
    const std::vector<Case> cases = {{"3600 1", {"SHUTDOWN"}, true},
                                     {"", {"SHUTDOWN"}, false},
                                     {"", {"SHUTDOWN", "SAVE"}, true},
                                     {"3600 1", {"SHUTDOWN", "NOSAVE"}, false},
                                     {"3600 1", {}, true},
                                     {"", {}, false}};
    for (const Case& k : cases) {
        SCOPED_TRACE("save '" + k.save + "' " + command_to_string(k.how));
        TempDir dir;
        auto p = start_in(dir.path(), {"--save", k.save});
        {
            RespClient c(p->port());
            c.command({"SET", "key", "value"});
            if (k.how.empty()) {
                p->signal(SIGTERM);
            } else {
                c.send_command(k.how);
                EXPECT_TRUE(c.wait_closed(Ms(10000)));
            }
        }
        auto st = p->wait_exit(Ms(10000));
        ASSERT_TRUE(st.has_value());
        EXPECT_EQ(ServerProcess::describe_status(*st), "exited with code 0");
        EXPECT_EQ(fs::exists(dir.path() + "/dump.rdb"), k.saves);
        if (!k.saves) continue;
        // The next start loads it.
        auto again = start_in(dir.path(), {});
        RespClient c(again->port());
        EXPECT_EQ(c.command({"GET", "key"}), RespValue::bulk("value"));
        EXPECT_EQ(persistence_field(c, "rdb_last_load_keys_loaded"), "1");
    }
}

// A BGSAVE child killed mid-write: the previous dump is untouched, the temp file is gone, the
// status is err and (with save points and stop-writes-on-bgsave-error) writes and PING get
// -MISCONF until a save succeeds again.
TEST_F(Snapshot, KilledChildKeepsPreviousDumpAndDeniesWrites) {
    snap_ = start_in(dir_.path(), {"--save", "3600 1000000"});
    RespClient c(snap_->port());
    for (int i = 0; i < 200; ++i) c.command({"SET", "k" + std::to_string(i), "old"});
    ASSERT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
    const std::string dump = read_file(dir_.path() + "/dump.rdb");
    ASSERT_FALSE(dump.empty());
    for (int i = 0; i < 200; ++i) c.command({"SET", "k" + std::to_string(i), "new"});
    c.command({"CONFIG", "SET", "rdb-key-save-delay", "20000"});
    ASSERT_EQ(c.command({"BGSAVE"}), RespValue::simple("Background saving started"));
    std::vector<pid_t> kids;
    ASSERT_TRUE(wait_until(
        [&] {
            kids = children_of(snap_->pid());
            return !kids.empty() && !temp_rdb_files(dir_.path()).empty();
        },
        Ms(10000)));
    ASSERT_EQ(kids.size(), 1u);
    ASSERT_EQ(::kill(kids[0], SIGKILL), 0);
    ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(10000)));
    EXPECT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "err");
    EXPECT_EQ(read_file(dir_.path() + "/dump.rdb"), dump);
    EXPECT_TRUE(temp_rdb_files(dir_.path()).empty());
    const std::string misconf = c.command({"SET", "x", "1"}).str;
    EXPECT_EQ(misconf.rfind("MISCONF ", 0), 0u) << misconf;
    EXPECT_EQ(c.command({"PING"}).type, RespType::Error);
    EXPECT_EQ(c.command({"GET", "k1"}), RespValue::bulk("new"));  // reads still work
    // A queued write makes EXEC abort the transaction.
    c.command({"MULTI"});
    EXPECT_EQ(c.command({"SET", "x", "1"}).type, RespType::Error);
    EXPECT_EQ(c.command({"EXEC"}).str.rfind("EXECABORT", 0), 0u);
    c.command({"CONFIG", "SET", "rdb-key-save-delay", "0"});
    ASSERT_EQ(c.command({"BGSAVE"}), RespValue::simple("Background saving started"));
    ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(20000)));
    EXPECT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "ok");
    EXPECT_EQ(c.command({"SET", "x", "1"}), RespValue::simple("OK"));
    EXPECT_NE(read_file(dir_.path() + "/dump.rdb"), dump);
}

// A full disk, simulated by a file-size limit on the server (the child inherits it): both the
// BGSAVE child and a foreground SAVE fail cleanly, the previous dump stays as it was and no
// temp file is left behind; the server keeps running.
TEST_F(Snapshot, FileSizeLimitFailsSavesWithoutDamage) {
    snap_ = start_in(dir_.path(), {});
    RespClient c(snap_->port());
    c.command({"SET", "small", "1"});
    ASSERT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
    const std::string dump = read_file(dir_.path() + "/dump.rdb");
    const std::string big(1 << 20, 'x');
    for (int i = 0; i < 8; ++i) c.command({"SET", "big" + std::to_string(i) + "-" + big, big});
    c.command({"CONFIG", "SET", "rdbcompression", "no"});
    struct rlimit lim {};
    lim.rlim_cur = lim.rlim_max = 64 * 1024;
    ASSERT_EQ(::prlimit(snap_->pid(), RLIMIT_FSIZE, &lim, nullptr), 0) << std::strerror(errno);
    EXPECT_EQ(c.command({"SAVE"}), RespValue::error("ERR"));
    EXPECT_EQ(read_file(dir_.path() + "/dump.rdb"), dump);
    EXPECT_TRUE(temp_rdb_files(dir_.path()).empty());
    ASSERT_EQ(c.command({"BGSAVE"}), RespValue::simple("Background saving started"));
    ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(20000)));
    EXPECT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "err");
    EXPECT_EQ(read_file(dir_.path() + "/dump.rdb"), dump);
    EXPECT_TRUE(temp_rdb_files(dir_.path()).empty());
    EXPECT_NE(snap_->log_text().find("File too large"), std::string::npos);
    EXPECT_TRUE(c.command({"PING"}).is_string("PONG"));  // no save points: no MISCONF
}

// DEBUG RELOAD saves, empties and loads back: the dataset (values, encodings, TTLs, databases)
// is what it was; NOSAVE loads the file on disk as it is.
TEST_F(Snapshot, DebugReloadKeepsTheDataset) {
    snap_ = start_snapstream();
    RespClient c(snap_->port());
    fill_all_types(c, 40);
    const std::vector<std::string> before = dataset(c);
    ASSERT_EQ(c.command({"DEBUG", "RELOAD"}), RespValue::simple("OK"));
    EXPECT_EQ(dataset(c), before);
    c.command({"SET", "added-after-save", "1"});
    ASSERT_EQ(c.command({"DEBUG", "RELOAD", "NOSAVE"}), RespValue::simple("OK"));
    EXPECT_EQ(dataset(c), before);
    EXPECT_EQ(c.command({"DEBUG", "RELOAD", "BOGUS"}),
              RespValue::error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                               "options."));
}

// DEBUG RELOAD NOSAVE NOFLUSH MERGE adds the file's keys to the dataset, the file's value winning
// over an existing key, as redis-server does. (Without MERGE such a key makes Redis panic; we
// answer an error instead.)
TEST_F(Snapshot, DebugReloadMergeAsRedis) {
    auto redis = start_redis({"--enable-debug-command", "yes"});
    snap_ = start_snapstream();
    for (auto* p : {redis.get(), snap_.get()}) {
        SCOPED_TRACE(p->name());
        RespClient c(p->port());
        c.command({"SET", "x", "from-file"});
        c.command({"RPUSH", "l", "a", "b"});
        ASSERT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
        c.command({"SET", "x", "in-memory"});
        c.command({"SET", "y", "only-in-memory"});
        EXPECT_EQ(c.command({"DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"}),
                  RespValue::simple("OK"));
        EXPECT_EQ(c.command({"GET", "x"}), RespValue::bulk("from-file"));
        EXPECT_EQ(c.command({"GET", "y"}), RespValue::bulk("only-in-memory"));
        EXPECT_EQ(c.command({"LRANGE", "l", "0", "-1"}), RespValue::bulk_array({"a", "b"}));
        EXPECT_EQ(c.command({"DBSIZE"}), RespValue::integer_value(3));
    }
}

// Writes keep being served while the child writes, and the file holds exactly the dataset as it
// was at the fork: loaded by a second server, it shows none of the later changes.
TEST_F(Snapshot, BgsaveHoldsTheStateAtFork) {
    snap_ = start_in(dir_.path(), {"--rdb-key-save-delay", "2000"});
    RespClient c(snap_->port());
    fill_all_types(c, 60);
    const std::vector<std::string> at_fork = dataset(c);
    ASSERT_EQ(c.command({"BGSAVE"}), RespValue::simple("Background saving started"));
    int writes = 0;
    for (int i = 0; i < 400 && !bgsave_done(c); ++i) {
        const std::string n = std::to_string(i);
        c.command({"SET", "s:" + std::to_string(i % 60), "changed" + n});
        c.command({"DEL", "h:" + std::to_string(i % 60)});
        c.command({"ZADD", "bigz", "99", "new" + n});
        c.command({"RPUSH", "l:1", n});
        writes += 4;
    }
    EXPECT_GT(writes, 0);
    EXPECT_EQ(persistence_field(c, "rdb_bgsave_in_progress"), "1")
        << "the child finished before the writes; raise rdb-key-save-delay";
    ASSERT_TRUE(wait_until([&] { return bgsave_done(c); }, Ms(60000)));
    ASSERT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "ok");
    // The changes made while the child ran stay counted as unsaved.
    const int64_t unsaved = std::stoll(persistence_field(c, "rdb_changes_since_last_save"));
    EXPECT_GT(unsaved, 0);
    EXPECT_LE(unsaved, writes);
    TempDir copy;
    copy.write_file("dump.rdb", read_file(dir_.path() + "/dump.rdb"));
    auto second = start_in(copy.path(), {});
    RespClient c2(second->port());
    EXPECT_EQ(dataset(c2), at_fork);
}

// A dump that cannot be read stops start-up with a message naming the file and the offset, and
// the file is left exactly as it was (truncated at several points, one byte flipped).
TEST_F(Snapshot, StartupRefusesDamagedDumpAndKeepsIt) {
    TempDir dir;
    {
        auto p = start_in(dir.path(), {});
        RespClient c(p->port());
        fill_all_types(c, 10);
        ASSERT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
    }
    const std::string good = read_file(dir.path() + "/dump.rdb");
    ASSERT_GT(good.size(), 100u);
    std::vector<std::string> damaged = {good.substr(0, 5), good.substr(0, good.size() / 2),
                                        good.substr(0, good.size() - 1)};
    std::string flipped = good;
    flipped[good.size() / 3] = static_cast<char>(flipped[good.size() / 3] ^ 0x20);
    damaged.push_back(flipped);
    for (const std::string& bad : damaged) {
        SCOPED_TRACE("file of " + std::to_string(bad.size()) + " bytes");
        dir.write_file("dump.rdb", bad);
        ServerProcess::Options o;
        o.binary = snapstream_binary();
        o.dir = dir.path();
        o.wait_ready = false;
        o.extra_args = {"--save", "3600 1"};
        auto p = ServerProcess::start(std::move(o));
        auto st = p->wait_exit(Ms(20000));
        ASSERT_TRUE(st.has_value()) << "the server started on a damaged dump";
        EXPECT_NE(ServerProcess::describe_status(*st), "exited with code 0");
        const std::string log = p->log_text();
        EXPECT_NE(log.find("dump.rdb"), std::string::npos) << log;
        EXPECT_NE(log.find("offset"), std::string::npos) << log;
        EXPECT_EQ(read_file(dir.path() + "/dump.rdb"), bad);
    }
}

// A fork that fails (here: the server runs as nobody with RLIMIT_NPROC 1, room for its main
// thread only — worker threads start with their first job — through util-linux's setpriv and
// prlimit) is reported, not fatal: BGSAVE answers
// -ERR, the status is err, writes get -MISCONF (save points exist), and a foreground SAVE clears
// it. Needs root to switch users.
TEST_F(Snapshot, FailedForkIsReportedNotFatal) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the server as another user";
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0777), 0);
    ServerProcess::Options o;
    o.binary = find_in_path("setpriv");
    o.name = "snapstream (nproc 1)";
    o.dir = dir_.path();
    o.leading_args = {"--reuid=nobody",        "--regid=nogroup", "--clear-groups",
                      find_in_path("prlimit"), "--nproc=1",       snapstream_binary()};
    o.extra_args = {"--save", "3600 1"};
    snap_ = ServerProcess::start(std::move(o));
    RespClient c(snap_->port());
    c.command({"SET", "a", "1"});
    EXPECT_EQ(c.command({"BGSAVE"}), RespValue::error("ERR"));
    EXPECT_EQ(persistence_field(c, "rdb_bgsave_in_progress"), "0");
    EXPECT_EQ(persistence_field(c, "rdb_last_bgsave_status"), "err");
    EXPECT_EQ(c.command({"SET", "b", "2"}).str.rfind("MISCONF", 0), 0u);
    EXPECT_NE(snap_->log_text().find("Can't save in background: fork:"), std::string::npos);
    EXPECT_EQ(c.command({"SAVE"}), RespValue::simple("OK"));
    EXPECT_EQ(c.command({"SET", "b", "2"}), RespValue::simple("OK"));
    EXPECT_TRUE(fs::exists(dir_.path() + "/dump.rdb"));
}

}  // namespace
}  // namespace snapstream::test
