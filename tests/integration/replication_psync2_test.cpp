// PSYNC2 identity through the binaries: partial resyncs after a replica or a primary restarts
// from its snapshot (repl-id / repl-offset aux fields), after a promotion (REPLICAOF NO ONE:
// replid2), along a chain of three; and a replica that stops reading is dropped by the output
// buffer limit instead of growing the primary's memory.
#include <signal.h>

#include <random>
#include <thread>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

std::unique_ptr<ServerProcess> start_node(const std::string& dir, int port,
                                          std::vector<std::string> args) {
    ServerProcess::Options o;
    o.binary = snapstream_binary();
    o.name = "snapstream";
    o.dir = dir;
    o.port = port;
    o.extra_args = std::move(args);
    return ServerProcess::start(std::move(o));
}

std::vector<std::string> replica_of(int port, std::vector<std::string> more = {}) {
    std::vector<std::string> a = {"--replicaof", "127.0.0.1", std::to_string(port)};
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

int64_t stat(RespClient& c, std::string_view f) {
    return info_int(c, "stats", f);
}

::testing::AssertionResult synced(RespClient& primary, RespClient& replica) {
    int64_t p = -1, r = -2;
    const bool ok = wait_until(
        [&] {
            if (info_field(info_text(replica, "replication"), "master_link_status") != "up")
                return false;
            p = info_int(primary, "replication", "master_repl_offset");
            r = info_int(replica, "replication", "slave_repl_offset");
            return p == r;
        },
        Ms(30000), Ms(5));
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "primary offset " << p << ", replica offset " << r;
}

void writes(RespClient& c, int n, const std::string& tag) {
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < n; ++i) {
        const std::string k = tag + std::to_string(i % 97);
        cmds.push_back({"SELECT", std::to_string(i % 3)});
        cmds.push_back({"INCR", k});
        cmds.push_back({"RPUSH", "l" + k, tag});
        cmds.push_back({"HSET", "h" + k, tag, std::to_string(i)});
    }
    c.pipeline(cmds);
    c.command({"SELECT", "0"});
}

void expect_same(RespClient& primary, RespClient& replica) {
    ASSERT_TRUE(synced(primary, replica));
    EXPECT_EQ(dataset(replica, false), dataset(primary, false));
}

TEST(ReplicationPsync2, ReplicaRestartFromItsSnapshotContinues) {
    TempDir pdir, rdir;
    const int pport = pick_free_port(), rport = pick_free_port();
    auto primary = start_node(pdir.path(), pport, {"--repl-diskless-sync-delay", "0"});
    auto replica = start_node(rdir.path(), rport, replica_of(pport));
    RespClient p(pport);
    writes(p, 300, "a");
    {
        RespClient r(rport);
        ASSERT_TRUE(synced(p, r));
        r.send_command({"SHUTDOWN", "SAVE"});
    }
    replica->wait_exit(Ms(10000));
    writes(p, 200, "b");  // while the replica is down: still in the backlog
    replica = start_node(rdir.path(), rport, replica_of(pport));
    RespClient r(rport);
    expect_same(p, r);
    EXPECT_EQ(stat(p, "sync_full"), 1);
    EXPECT_EQ(stat(p, "sync_partial_ok"), 1);
}

TEST(ReplicationPsync2, PrimaryRestartFromItsSnapshotContinues) {
    TempDir pdir, rdir;
    const int pport = pick_free_port(), rport = pick_free_port();
    auto primary = start_node(pdir.path(), pport, {"--repl-diskless-sync-delay", "0"});
    auto replica = start_node(rdir.path(), rport, replica_of(pport));
    std::string old_id;
    {
        RespClient p(pport);
        writes(p, 300, "a");
        RespClient r(rport);
        ASSERT_TRUE(synced(p, r));
        old_id = info_field(info_text(p, "replication"), "master_replid").value_or("");
        p.send_command({"SHUTDOWN", "SAVE"});
    }
    primary->wait_exit(Ms(10000));
    primary = start_node(pdir.path(), pport, {"--repl-diskless-sync-delay", "0"});
    RespClient p(pport);
    const std::string info = info_text(p, "replication");
    EXPECT_EQ(info_field(info, "master_replid2"), old_id);
    EXPECT_NE(info_field(info, "master_replid"), old_id);
    RespClient r(rport);
    ASSERT_TRUE(wait_until([&] { return stat(p, "sync_partial_ok") == 1; }, Ms(20000)))
        << primary->log_tail();
    writes(p, 100, "b");
    expect_same(p, r);
    EXPECT_EQ(stat(p, "sync_full"), 0);
    // The replica follows the new id.
    EXPECT_EQ(info_field(info_text(r, "replication"), "master_replid"),
              info_field(info_text(p, "replication"), "master_replid"));
}

// The primary dies; one replica is promoted, the other re-pointed at it continues.
TEST(ReplicationPsync2, PromotionKeepsSiblingsOnPartialResync) {
    auto primary = ServerProcess::start({.binary = snapstream_binary(),
                                         .extra_args = {"--repl-diskless-sync-delay", "0"},
                                         .name = "primary"});
    auto a = ServerProcess::start(
        {.binary = snapstream_binary(), .extra_args = replica_of(primary->port()), .name = "a"});
    auto b = ServerProcess::start(
        {.binary = snapstream_binary(), .extra_args = replica_of(primary->port()), .name = "b"});
    RespClient p(primary->port()), ca(a->port()), cb(b->port());
    writes(p, 400, "x");
    ASSERT_TRUE(synced(p, ca));
    ASSERT_TRUE(synced(p, cb));
    const std::vector<std::string> before = dataset(p, false);
    primary->kill_now();
    EXPECT_EQ(ca.command({"REPLICAOF", "NO", "ONE"}).str, "OK");
    EXPECT_EQ(cb.command({"REPLICAOF", "127.0.0.1", std::to_string(a->port())}).str, "OK");
    ASSERT_TRUE(wait_until([&] { return stat(ca, "sync_partial_ok") == 1; }, Ms(20000)))
        << a->log_tail();
    EXPECT_EQ(stat(ca, "sync_full"), 0);
    EXPECT_EQ(dataset(cb, false), before);
    writes(ca, 100, "y");  // the new primary's writes reach its replica
    expect_same(ca, cb);
}

// P → A → B: B gets P's stream through A, with P's offsets.
TEST(ReplicationPsync2, ChainOfThree) {
    auto primary = ServerProcess::start({.binary = snapstream_binary(),
                                         .extra_args = {"--repl-diskless-sync-delay", "0"},
                                         .name = "primary"});
    auto a = ServerProcess::start(
        {.binary = snapstream_binary(),
         .extra_args = replica_of(primary->port(), {"--repl-diskless-sync-delay", "0"}),
         .name = "a"});
    auto b = ServerProcess::start(
        {.binary = snapstream_binary(), .extra_args = replica_of(a->port()), .name = "b"});
    RespClient p(primary->port()), ca(a->port()), cb(b->port());
    writes(p, 300, "c");
    expect_same(p, cb);
    writes(p, 300, "d");
    expect_same(p, ca);
    expect_same(p, cb);
    const std::string pid = info_field(info_text(p, "replication"), "master_replid").value_or("");
    EXPECT_EQ(info_field(info_text(cb, "replication"), "master_replid"), pid);
    // A link drop in the middle of the chain: A continues with P, B with A.
    EXPECT_EQ(ca.command({"CLIENT", "KILL", "TYPE", "master"}).integer, 1);
    writes(p, 100, "e");
    ASSERT_TRUE(wait_until([&] { return stat(p, "sync_partial_ok") == 1; }, Ms(20000)));
    expect_same(p, cb);
    EXPECT_EQ(stat(p, "sync_full"), 1);
}

// A replica that stops reading is dropped at the hard limit; the primary's memory stays bounded,
// and the replica later resyncs.
TEST(ReplicationPsync2, StalledReplicaDroppedByOutputBufferLimit) {
    auto primary = ServerProcess::start(
        {.binary = snapstream_binary(),
         .extra_args = {"--repl-diskless-sync-delay", "0", "--client-output-buffer-limit",
                        "replica 4mb 2mb 2", "--repl-backlog-size", "1mb"},
         .name = "primary"});
    auto replica = ServerProcess::start(
        {.binary = snapstream_binary(), .extra_args = replica_of(primary->port()), .name = "r"});
    RespClient p(primary->port()), r(replica->port());
    writes(p, 100, "s");
    ASSERT_TRUE(synced(p, r));
    const int64_t mem_before = info_int(p, "memory", "used_memory");
    ASSERT_TRUE(replica->signal(SIGSTOP));
    const std::string big(16 * 1024, 'v');
    for (int i = 0; i < 3000; ++i)  // ~48 MB of stream, far past the limit
        p.command({"SET", "big" + std::to_string(i % 50), big});
    ASSERT_TRUE(
        wait_until([&] { return info_int(p, "replication", "connected_slaves") == 0; }, Ms(10000)));
    EXPECT_NE(primary->log_text().find("output buffer limits"), std::string::npos);
    // Bounded: the data (50 x 16 KB), the backlog and the limit, not the 48 MB of stream.
    EXPECT_LT(info_int(p, "memory", "used_memory") - mem_before, 16 * 1024 * 1024);
    ASSERT_TRUE(replica->signal(SIGCONT));
    expect_same(p, r);
    EXPECT_EQ(stat(p, "sync_full"), 2);
}

// With appendonly yes and no snapshot at all, a restarted replica and a restarted primary know
// their position from the AOF (#SO) and continue. The replica's new INCR file after a rewrite
// starts in the middle of its primary's stream (db 2, no SELECT there): its #XS SELECT keeps
// the replay in the right database.
TEST(ReplicationPsync2, RestartsFromTheAofContinue) {
    TempDir pdir, rdir;
    const int pport = pick_free_port(), rport = pick_free_port();
    const std::vector<std::string> aof = {"--appendonly", "yes", "--repl-diskless-sync-delay", "0"};
    auto primary = start_node(pdir.path(), pport, aof);
    auto replica = start_node(rdir.path(), rport, replica_of(pport, aof));
    std::optional<RespClient> p(std::in_place, pport);
    writes(*p, 200, "a");
    p->command({"SELECT", "2"});
    p->command({"SET", "in2", "before"});
    {
        RespClient r(rport);
        ASSERT_TRUE(synced(*p, r));
        ASSERT_TRUE(aof_rewrite_done(r));  // the rewrite that followed the full sync
        EXPECT_EQ(r.command({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
        ASSERT_TRUE(aof_rewrite_done(r));
    }
    p->command({"SET", "in2b", "after the replica's rewrite"});  // still db 2: no SELECT
    {
        RespClient r(rport);
        ASSERT_TRUE(synced(*p, r));
    }
    replica->kill_now();  // no SHUTDOWN save: only the AOF knows
    writes(*p, 100, "b");
    replica = start_node(rdir.path(), rport, replica_of(pport, aof));
    {
        RespClient r(rport);
        expect_same(*p, r);
        r.command({"SELECT", "2"});
        EXPECT_EQ(r.command({"GET", "in2b"}).str, "after the replica's rewrite");
    }
    EXPECT_EQ(stat(*p, "sync_full"), 1);
    EXPECT_EQ(stat(*p, "sync_partial_ok"), 1);
    // The primary restarts from its AOF (killed: no final save anywhere).
    p.reset();
    primary->kill_now();
    primary = start_node(pdir.path(), pport, aof);
    p.emplace(pport);
    ASSERT_TRUE(wait_until([&] { return stat(*p, "sync_partial_ok") == 1; }, Ms(20000)))
        << primary->log_tail();
    writes(*p, 100, "c");
    RespClient r(rport);
    expect_same(*p, r);
    EXPECT_EQ(stat(*p, "sync_full"), 0);
}

// A replica whose position left the in-memory backlog long ago is continued from the INCR
// files (repl-backlog-from-aof yes); without it, the same gap costs a full sync.
TEST(ReplicationPsync2, BacklogFromAofContinuesPastTheMemoryBacklog) {
    for (const bool from_aof : {true, false}) {
        SCOPED_TRACE(from_aof ? "repl-backlog-from-aof yes" : "no");
        auto primary = ServerProcess::start(
            {.binary = snapstream_binary(),
             .extra_args = {"--repl-diskless-sync-delay", "0", "--appendonly", "yes",
                            "--repl-backlog-size", "16384", "--repl-backlog-from-aof",
                            from_aof ? "yes" : "no"},
             .name = "primary"});
        auto replica = ServerProcess::start({.binary = snapstream_binary(),
                                             .extra_args = replica_of(primary->port()),
                                             .name = "r"});
        RespClient p(primary->port()), r(replica->port());
        writes(p, 100, "a");
        ASSERT_TRUE(synced(p, r));
        const int64_t stopped_at = info_int(r, "replication", "slave_repl_offset");
        ASSERT_TRUE(replica->signal(SIGSTOP));
        EXPECT_EQ(p.command({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
        writes(p, 3000, "gap");  // ~300 KB: far past the 16 KB backlog
        ASSERT_GT(info_int(p, "replication", "repl_backlog_first_byte_offset"), stopped_at + 1);
        ASSERT_TRUE(replica->signal(SIGCONT));
        ASSERT_TRUE(wait_until(
            [&] { return stat(p, "sync_partial_ok") + stat(p, "sync_full") == 2; }, Ms(20000)));
        EXPECT_EQ(stat(p, "sync_partial_ok"), from_aof ? 1 : 0);
        EXPECT_EQ(stat(p, "sync_full"), from_aof ? 1 : 2);
        expect_same(p, r);
    }
}

// Real Redis at either end of a chain through a snapstream replica: the relayed stream is
// Redis's own bytes, offsets equal along the chain.
TEST(ReplicationPsync2, ChainsThroughSnapstreamWithRedisAtBothEnds) {
    auto top = ServerProcess::start({.binary = redis_binary(),
                                     .extra_args = {"--repl-diskless-sync-delay", "0"},
                                     .name = "redis top"});
    auto mid = ServerProcess::start(
        {.binary = snapstream_binary(),
         .extra_args = replica_of(top->port(), {"--repl-diskless-sync-delay", "0"}),
         .name = "snapstream middle"});
    auto end = ServerProcess::start(
        {.binary = redis_binary(), .extra_args = replica_of(mid->port()), .name = "redis end"});
    RespClient t(top->port()), m(mid->port()), e(end->port());
    writes(t, 300, "r");
    expect_same(t, e);
    EXPECT_EQ(info_field(info_text(e, "replication"), "master_replid"),
              info_field(info_text(t, "replication"), "master_replid"));
    // A link drop between the top and the middle: both links continue.
    EXPECT_EQ(t.command({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
    writes(t, 100, "s");
    expect_same(t, m);
    expect_same(t, e);
    EXPECT_EQ(stat(t, "sync_full"), 1);
    EXPECT_EQ(stat(m, "sync_full"), 1);
}

// INFO replication of a primary with replicas: Redis's fields in Redis's order.
TEST(ReplicationPsync2, PrimaryInfoFieldsMatchRedis) {
    std::vector<std::vector<std::string>> names;
    for (const std::string& bin : {snapstream_binary(), redis_binary()}) {
        auto primary = ServerProcess::start(
            {.binary = bin, .extra_args = {"--repl-diskless-sync-delay", "0"}, .name = "primary"});
        auto replica = ServerProcess::start(
            {.binary = bin, .extra_args = replica_of(primary->port()), .name = "replica"});
        RespClient p(primary->port()), r(replica->port());
        writes(p, 10, "i");
        ASSERT_TRUE(synced(p, r));
        names.push_back(info_field_names(info_text(p, "replication")));
        std::vector<std::string> stats;
        for (const std::string& f : info_field_names(info_text(p, "stats")))
            if (f.starts_with("sync_")) stats.push_back(f);
        EXPECT_EQ(stats,
                  (std::vector<std::string>{"sync_full", "sync_partial_ok", "sync_partial_err"}));
    }
    EXPECT_EQ(names[0], names[1]);
}

}  // namespace
}  // namespace snapstream::test
