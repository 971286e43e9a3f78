// Replication end to end through the binaries: snapstream → snapstream, Debian's redis-server
// as our replica and as our primary. A seeded random write workload over every type (several
// databases, TTLs short enough to expire during the run, MULTI/EXEC blocks, SPOP and other
// commands propagated in rewritten form) runs on the primary; once the replica's offset equals
// the primary's, both datasets must be identical. Link drops (CLIENT KILL on either side, a
// stopped replica) must end in partial resyncs (sync_partial_ok grows, sync_full does not), and
// a backlog the replica fell out of in a full resync.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

const std::vector<std::string> kPrimaryArgs = {"--repl-diskless-sync-delay", "0"};

std::vector<std::string> replica_args(int primary_port, std::vector<std::string> more = {}) {
    std::vector<std::string> a = {"--replicaof", "127.0.0.1", std::to_string(primary_port)};
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

std::unique_ptr<ServerProcess> start(const std::string& binary, std::vector<std::string> args) {
    ServerProcess::Options o;
    o.binary = binary;
    o.name = binary == redis_binary() ? "redis" : "snapstream";
    o.extra_args = std::move(args);
    return ServerProcess::start(std::move(o));
}

int64_t repl_int(RespClient& c, std::string_view field) {
    return info_int(c, "replication", field);
}

// Waits until the replica's link is up and its offset equals the primary's.
::testing::AssertionResult in_sync(RespClient& primary, RespClient& replica,
                                   Ms timeout = Ms(30000)) {
    int64_t p = -1, r = -2;
    std::string link;
    const bool ok = wait_until(
        [&] {
            const std::string info = info_text(replica, "replication");
            link = info_field(info, "master_link_status").value_or("?");
            if (link != "up") return false;
            p = repl_int(primary, "master_repl_offset");
            r = repl_int(replica, "slave_repl_offset");
            return p == r;
        },
        timeout, Ms(5));
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "not in sync: link " << link << ", primary offset " << p << ", replica offset " << r;
}

// One random write (or a MULTI block of them) in a random database.
std::vector<std::vector<std::string>> random_writes(std::mt19937_64& rng) {
    auto pick = [&](uint64_t n) { return static_cast<int>(rng() % n); };
    auto key = [&](const char* prefix) { return std::string(prefix) + std::to_string(pick(40)); };
    auto val = [&] {
        return std::string(static_cast<size_t>(1 + pick(30)), static_cast<char>('a' + pick(26)));
    };
    auto one = [&]() -> std::vector<std::string> {
        switch (pick(22)) {
            case 0:
                return {"SET", key("s"), val()};
            case 1:
                return {"SET", key("s"), val(), "PX", std::to_string(1 + pick(40))};
            case 2:
                return {"SET", key("s"), val(), "EX", std::to_string(100 + pick(100))};
            case 3:
                return {"INCRBY", key("n"), std::to_string(pick(1000))};
            case 4:
                return {"INCRBYFLOAT", key("f"), "1.5"};
            case 5:
                return {"APPEND", key("s"), val()};
            case 6:
                return {"RPUSH", key("l"), val(), val()};
            case 7:
                return {"LPOP", key("l")};
            case 8:
                return {"LMOVE", key("l"), key("l"), "LEFT", "RIGHT"};
            case 9:
                return {"HSET", key("h"), val(), val()};
            case 10:
                return {"HDEL", key("h"), val()};
            case 11:
                return {"HINCRBYFLOAT", key("h"), "x", "0.25"};
            case 12:
                return {"SADD", key("t"), std::to_string(pick(50)), val()};
            case 13:
                return {"SPOP", key("t")};
            case 14:
                return {"SREM", key("t"), std::to_string(pick(50))};
            case 15:
                return {"ZADD", key("z"), std::to_string(pick(100)), val()};
            case 16:
                return {"ZINCRBY", key("z"), "2", val()};
            case 17:
                return {"ZPOPMIN", key("z")};
            case 18:
                return {"DEL", key("s"), key("l")};
            case 19:
                return {"PEXPIRE", key("h"), std::to_string(1 + pick(30))};
            case 20:
                return {"EXPIRE", key("z"), std::to_string(200)};
            default:
                return {"GETEX", key("s"), "PX", std::to_string(1 + pick(30))};
        }
    };
    std::vector<std::vector<std::string>> out;
    out.push_back({"SELECT", std::to_string(pick(3))});
    if (pick(8) == 0) {
        out.push_back({"MULTI"});
        for (int i = 0, n = 2 + pick(4); i < n; ++i) out.push_back(one());
        out.push_back({"EXEC"});
    } else {
        out.push_back(one());
    }
    return out;
}

void run_workload(RespClient& c, uint64_t seed, int steps) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < steps; ++i) c.pipeline(random_writes(rng));
    c.command({"SELECT", "0"});
}

// Both datasets after every short TTL has passed (the primary's reads delete what expired and
// propagate the DELs, then the replica catches up).
void expect_same_data(RespClient& primary, RespClient& replica) {
    std::this_thread::sleep_for(Ms(60));  // longer than the workload's longest short TTL
    const std::vector<std::string> want = dataset(primary, /*with_encoding=*/false);
    ASSERT_TRUE(in_sync(primary, replica));
    const std::vector<std::string> got = dataset(replica, /*with_encoding=*/false);
    ASSERT_GT(want.size(), 20u);
    EXPECT_EQ(got, want);
}

struct Pair {
    std::unique_ptr<ServerProcess> primary, replica;
    std::optional<RespClient> p, r;
};

Pair start_pair(const std::string& primary_bin, const std::string& replica_bin, uint64_t seed,
                std::vector<std::string> primary_more = {},
                std::vector<std::string> replica_more = {}) {
    Pair x;
    std::vector<std::string> pa = kPrimaryArgs;
    pa.insert(pa.end(), primary_more.begin(), primary_more.end());
    x.primary = start(primary_bin, pa);
    x.p.emplace(x.primary->port());
    run_workload(*x.p, seed, 300);  // data before the full sync
    x.replica = start(replica_bin, replica_args(x.primary->port(), replica_more));
    x.r.emplace(x.replica->port());
    return x;
}

void full_sync_and_stream(const std::string& primary_bin, const std::string& replica_bin) {
    for (uint64_t seed : {11u, 12u}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        Pair x = start_pair(primary_bin, replica_bin, seed);
        // Writes while the full sync runs, then after it.
        run_workload(*x.p, seed + 100, 500);
        ASSERT_TRUE(in_sync(*x.p, *x.r));
        run_workload(*x.p, seed + 200, 1500);
        expect_same_data(*x.p, *x.r);
        EXPECT_EQ(repl_int(*x.p, "connected_slaves"), 1);
        EXPECT_EQ(info_int(*x.p, "stats", "sync_full"), 1);
    }
}

// Drops the link from both sides in turn; each reconnection continues (no second full sync).
void link_drops_resync_partially(const std::string& primary_bin, const std::string& replica_bin) {
    Pair x = start_pair(primary_bin, replica_bin, 21);
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    const int64_t full = info_int(*x.p, "stats", "sync_full");
    for (int round = 0; round < 4; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const int64_t ok = info_int(*x.p, "stats", "sync_partial_ok");
        if (round % 2 == 0)
            EXPECT_EQ(x.r->command({"CLIENT", "KILL", "TYPE", "master"}).integer, 1);
        else
            EXPECT_EQ(x.p->command({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
        run_workload(*x.p, 30 + static_cast<uint64_t>(round), 200);  // while the link is down
        ASSERT_TRUE(wait_until([&] { return info_int(*x.p, "stats", "sync_partial_ok") == ok + 1; },
                               Ms(20000)));
        expect_same_data(*x.p, *x.r);
    }
    EXPECT_EQ(info_int(*x.p, "stats", "sync_full"), full);
}

TEST(Replication, SnapstreamToSnapstreamFullSyncAndStream) {
    full_sync_and_stream(snapstream_binary(), snapstream_binary());
}

TEST(Replication, RedisReplicaOfSnapstream) {
    full_sync_and_stream(snapstream_binary(), redis_binary());
}

TEST(Replication, SnapstreamReplicaOfRedis) {
    full_sync_and_stream(redis_binary(), snapstream_binary());
}

TEST(Replication, DiskBasedFullSync) {
    for (const std::string& replica : {snapstream_binary(), redis_binary()}) {
        Pair x = start_pair(snapstream_binary(), replica, 41, {"--repl-diskless-sync", "no"});
        run_workload(*x.p, 42, 300);
        expect_same_data(*x.p, *x.r);
    }
    // And a disk-based Redis primary feeding us the "$<len>" form.
    Pair x = start_pair(redis_binary(), snapstream_binary(), 43, {"--repl-diskless-sync", "no"});
    run_workload(*x.p, 44, 300);
    expect_same_data(*x.p, *x.r);
}

// repl-diskless-load on-empty-db and swapdb read the snapshot from memory; swapdb replaces data
// the replica already had (a former primary re-pointed), and a real Redis primary feeds it too.
TEST(Replication, DisklessLoadModes) {
    for (const std::string mode : {"on-empty-db", "swapdb"}) {
        for (const std::string& primary : {snapstream_binary(), redis_binary()}) {
            SCOPED_TRACE(mode + " from " + primary);
            Pair x =
                start_pair(primary, snapstream_binary(), 91, {}, {"--repl-diskless-load", mode});
            run_workload(*x.p, 92, 300);
            expect_same_data(*x.p, *x.r);
            // A second primary with other data: the replica is re-pointed and loads again.
            auto other = start(primary, kPrimaryArgs);
            RespClient o(other->port());
            run_workload(o, 93, 300);
            EXPECT_EQ(x.r->command({"REPLICAOF", "127.0.0.1", std::to_string(other->port())}).str,
                      "OK");
            ASSERT_TRUE(
                wait_until([&] { return info_int(o, "stats", "sync_full") == 1; }, Ms(20000)));
            expect_same_data(o, *x.r);
            const std::string log = x.replica->log_text();
            EXPECT_EQ(log.find("Swapped in the new data") != std::string::npos, mode == "swapdb");
            EXPECT_NE(log.find("EOF to parser"), std::string::npos);  // read from memory
        }
    }
}

TEST(Replication, PartialResyncAfterLinkDropSnapstreamPair) {
    link_drops_resync_partially(snapstream_binary(), snapstream_binary());
}

TEST(Replication, PartialResyncAfterLinkDropRedisReplica) {
    link_drops_resync_partially(snapstream_binary(), redis_binary());
}

TEST(Replication, PartialResyncAfterLinkDropRedisPrimary) {
    link_drops_resync_partially(redis_binary(), snapstream_binary());
}

// A replica that misses more than the backlog holds gets a full resync, and the data is right.
TEST(Replication, BacklogOverflowFullResync) {
    Pair x =
        start_pair(snapstream_binary(), snapstream_binary(), 51, {"--repl-backlog-size", "16384"});
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    ASSERT_EQ(::kill(x.replica->pid(), SIGSTOP), 0);
    EXPECT_EQ(x.p->command({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
    run_workload(*x.p, 52, 1500);  // far more than 16 KiB of stream
    const std::string info = info_text(*x.p, "replication");
    ASSERT_GT(std::stoll(info_field(info, "master_repl_offset").value_or("0")) -
                  std::stoll(info_field(info, "repl_backlog_first_byte_offset").value_or("0")),
              16000)
        << info << x.primary->log_tail();
    ASSERT_EQ(::kill(x.replica->pid(), SIGCONT), 0);
    ASSERT_TRUE(wait_until([&] { return info_int(*x.p, "stats", "sync_full") == 2; }, Ms(20000)));
    EXPECT_EQ(info_int(*x.p, "stats", "sync_partial_err"), 1);
    expect_same_data(*x.p, *x.r);
}

TEST(Replication, ReadOnlyReplicaRoleAndInfo) {
    Pair x = start_pair(snapstream_binary(), snapstream_binary(), 61);
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    RespValue e = x.r->command({"SET", "k", "v"});
    EXPECT_EQ(e.str, "READONLY You can't write against a read only replica.");
    x.r->command({"MULTI"});
    x.r->command({"INCR", "k"});
    EXPECT_EQ(x.r->command({"EXEC"}).str.substr(0, 9), "EXECABORT");
    EXPECT_TRUE(x.r->command({"GET", "nope"}).is_null());  // reads are served
    RespValue role = x.r->command({"ROLE"});
    ASSERT_EQ(role.elems.size(), 5u);
    EXPECT_EQ(role.elems[0].str, "slave");
    EXPECT_EQ(role.elems[2].integer, x.primary->port());
    EXPECT_EQ(role.elems[3].str, "connected");
    RespValue prole;
    ASSERT_TRUE(wait_until(
        [&] {
            prole = x.p->command({"ROLE"});
            return prole.elems.size() == 3 && prole.elems[2].elems.size() == 1;
        },
        Ms(5000)));
    ASSERT_EQ(prole.elems.size(), 3u);
    EXPECT_EQ(prole.elems[0].str, "master");
    ASSERT_EQ(prole.elems[2].elems.size(), 1u);
    EXPECT_EQ(prole.elems[2].elems[0].elems[1].str, std::to_string(x.replica->port()));
    // INFO replication has Redis's fields, in Redis's order.
    auto redis = start(redis_binary(), replica_args(x.primary->port()));
    RespClient rc(redis->port());
    ASSERT_TRUE(in_sync(*x.p, rc));
    EXPECT_EQ(info_field_names(info_text(*x.r, "replication")),
              info_field_names(info_text(rc, "replication")));
    const std::string pinfo = info_text(*x.p, "replication");
    EXPECT_EQ(info_field(pinfo, "connected_slaves"), "2");
    EXPECT_NE(pinfo.find("slave1:ip=127.0.0.1,port="), std::string::npos) << pinfo;
    // Expiry on a replica: a key past its TTL reads as absent but stays until the primary's DEL.
    x.p->command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
    x.p->command({"SELECT", "9"});
    x.p->command({"SET", "soon", "v", "PX", "150"});
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    x.r->command({"SELECT", "9"});
    EXPECT_EQ(x.r->command({"GET", "soon"}).str, "v");
    ASSERT_TRUE(wait_until([&] { return x.r->command({"GET", "soon"}).is_null(); }, Ms(5000)));
    EXPECT_EQ(x.r->command({"DBSIZE"}).integer, 1);        // not deleted by the replica itself
    EXPECT_TRUE(x.p->command({"GET", "soon"}).is_null());  // the primary expires it: DEL
    ASSERT_TRUE(wait_until([&] { return x.r->command({"DBSIZE"}).integer == 0; }, Ms(5000)));
    x.p->command({"SELECT", "0"});
    x.r->command({"SELECT", "0"});
    // REPLICAOF NO ONE: writable again.
    EXPECT_EQ(x.r->command({"REPLICAOF", "NO", "ONE"}).str, "OK");
    EXPECT_EQ(x.r->command({"SET", "k", "v"}).str, "OK");
    EXPECT_EQ(x.r->command({"ROLE"}).elems[0].str, "master");
}

TEST(Replication, WaitCountsAcknowledgingReplicas) {
    Pair x = start_pair(snapstream_binary(), snapstream_binary(), 71);
    auto second = start(snapstream_binary(), replica_args(x.primary->port()));
    RespClient r2(second->port());
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    ASSERT_TRUE(in_sync(*x.p, r2));
    x.p->command({"SET", "w", "1"});
    EXPECT_EQ(x.p->command({"WAIT", "2", "5000"}).integer, 2);
    // One replica stopped: WAIT 2 times out and counts the one that acknowledged.
    ASSERT_EQ(::kill(second->pid(), SIGSTOP), 0);
    x.p->command({"SET", "w", "2"});
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(x.p->command({"WAIT", "2", "300"}).integer, 1);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, Ms(300));
    ASSERT_EQ(::kill(second->pid(), SIGCONT), 0);
    EXPECT_EQ(x.p->command({"WAIT", "2", "10000"}).integer, 2);
    // WAIT on a replica is an error; WAIT 0 returns at once.
    EXPECT_EQ(x.r->command({"WAIT", "1", "0"}).str.substr(0, 34),
              "ERR WAIT cannot be used with repli");
    EXPECT_GE(x.p->command({"WAIT", "0", "0"}).integer, 0);
}

TEST(Replication, MinReplicasToWrite) {
    Pair x = start_pair(snapstream_binary(), snapstream_binary(), 81,
                        {"--min-replicas-to-write", "1", "--min-replicas-max-lag", "2"});
    ASSERT_TRUE(in_sync(*x.p, *x.r));
    ASSERT_TRUE(wait_until([&] { return x.p->command({"SET", "a", "1"}).str == "OK"; }, Ms(5000)));
    ASSERT_EQ(::kill(x.replica->pid(), SIGSTOP), 0);  // no more ACKs
    EXPECT_TRUE(wait_until(
        [&] {
            return x.p->command({"SET", "a", "2"}).str ==
                   "NOREPLICAS Not enough good replicas to write.";
        },
        Ms(10000)));
    EXPECT_FALSE(x.p->command({"GET", "a"}).is_error());  // reads still served
    ASSERT_EQ(::kill(x.replica->pid(), SIGCONT), 0);
    EXPECT_TRUE(wait_until([&] { return x.p->command({"SET", "a", "3"}).str == "OK"; }, Ms(10000)));
}

// A fake primary on a loopback port that answers the handshake and sends `payload` after
// +FULLRESYNC, then keeps the connection open until the replica closes it (bounded wait).
class FakePrimary {
  public:
    explicit FakePrimary(std::string payload) : payload_(std::move(payload)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(fd_, 4);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakePrimary() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    int syncs() const { return syncs_; }

  private:
    void serve() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!stop_ && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            session(c, deadline);
            ::close(c);
        }
    }
    void session(int c, std::chrono::steady_clock::time_point deadline) {
        std::string in;
        size_t at = 0;
        const std::pair<const char*, std::string> steps[] = {
            {"PING", "+PONG\r\n"},
            {"listening-port", "+OK\r\n"},
            {"capa", "+OK\r\n"},
            {"PSYNC", "+FULLRESYNC " + std::string(40, 'f') + " 0\r\n" + payload_}};
        size_t step = 0;
        while (!stop_ && std::chrono::steady_clock::now() < deadline) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            char buf[4096];
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) return;
            in.append(buf, static_cast<size_t>(n));
            while (step < 4) {
                const size_t f = in.find(steps[step].first, at);
                if (f == std::string::npos) break;
                at = f;
                const std::string& reply = steps[step].second;
                if (::send(c, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) return;
                if (++step == 4) ++syncs_;
            }
        }
    }
    std::string payload_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> syncs_{0};
    std::thread thread_;
};

// A snapshot that is not a valid RDB: the replica says so (with the offset), does not crash,
// tries again; with swapdb it keeps serving the data it had; with disabled it has dropped it,
// as Redis does.
TEST(Replication, CorruptSnapshotFromThePrimaryIsReportedAndRetried) {
    const std::string mark(40, 'm');
    const std::string payload = "$EOF:" + mark +
                                "\r\nREDIS0010\xfa"
                                "\x03"
                                "bad" +
                                mark;
    for (const std::string mode : {"swapdb", "disabled"}) {
        SCOPED_TRACE(mode);
        FakePrimary fake(payload);
        auto r = start(snapstream_binary(), {"--repl-diskless-load", mode});
        RespClient c(r->port());
        c.command({"SET", "mine", "kept?"});
        EXPECT_EQ(c.command({"REPLICAOF", "127.0.0.1", std::to_string(fake.port())}).str, "OK");
        ASSERT_TRUE(wait_until([&] { return fake.syncs() >= 2; }, Ms(20000))) << r->log_tail();
        const std::string log = r->log_text();
        const size_t at = log.find("Failed trying to load the MASTER synchronization DB");
        ASSERT_NE(at, std::string::npos) << log;
        const std::string line = log.substr(at, log.find('\n', at) - at);
        EXPECT_NE(line.find(" offset "), std::string::npos) << line;
        EXPECT_EQ(info_field(info_text(c, "replication"), "master_link_status"), "down");
        EXPECT_EQ(c.command({"GET", "mine"}).is_null(), mode == "disabled");
        c.command({"REPLICAOF", "NO", "ONE"});
    }
}

// Replicas that arrive within repl-diskless-sync-delay share one snapshot child.
TEST(Replication, ReplicasArrivingTogetherShareOneChild) {
    auto primary = start(snapstream_binary(), {"--repl-diskless-sync-delay", "2"});
    RespClient p(primary->port());
    run_workload(p, 101, 200);
    auto r1 = start(snapstream_binary(), replica_args(primary->port()));
    auto r2 = start(redis_binary(), replica_args(primary->port()));
    RespClient c1(r1->port()), c2(r2->port());
    ASSERT_TRUE(in_sync(p, c1));
    ASSERT_TRUE(in_sync(p, c2));
    EXPECT_EQ(info_int(p, "stats", "total_forks"), 1);
    EXPECT_EQ(info_int(p, "stats", "sync_full"), 2);
    run_workload(p, 102, 200);
    expect_same_data(p, c1);
    expect_same_data(p, c2);
}

// masterauth against a primary with requirepass, both ways with real Redis.
TEST(Replication, MasterAuth) {
    for (const std::string& primary_bin : {snapstream_binary(), redis_binary()}) {
        const std::string replica_bin =
            primary_bin == redis_binary() ? snapstream_binary() : redis_binary();
        auto primary = start(primary_bin, kPrimaryArgs);
        RespClient p(primary->port());
        EXPECT_EQ(p.command({"CONFIG", "SET", "requirepass", "s3cret"}).str, "OK");
        EXPECT_EQ(p.command({"AUTH", "s3cret"}).str, "OK");
        run_workload(p, 111, 100);
        auto replica =
            start(replica_bin, replica_args(primary->port(), {"--masterauth", "s3cret"}));
        RespClient r(replica->port());
        expect_same_data(p, r);
    }
}

// redis-cli --rdb fetches a snapshot with SYNC (the legacy command): a file redis-check-rdb
// accepts, holding our data.
TEST(Replication, RedisCliRdbUsesSync) {
    auto primary = start(snapstream_binary(), kPrimaryArgs);
    RespClient p(primary->port());
    run_workload(p, 121, 200);
    TempDir out;
    const std::string file = out.path() + "/fetched.rdb";
    ProcessResult cli = run_process(
        {"redis-cli", "-p", std::to_string(primary->port()), "--rdb", file}, "", Ms(30000));
    ASSERT_EQ(cli.exit_code(), 0) << cli.out << cli.err;
    ProcessResult check = run_process({"redis-check-rdb", file}, "", Ms(30000));
    EXPECT_EQ(check.exit_code(), 0) << check.out << check.err;
    EXPECT_NE((check.out + check.err).find("RDB looks OK"), std::string::npos) << check.out;
    EXPECT_EQ(info_int(p, "stats", "sync_full"), 1);
}

// Writes keep coming while the snapshot child runs (slowed down to ~2 s with
// rdb-key-save-delay): the stream since the fork reaches the replica after the snapshot, and
// the replica ends identical — diskless and disk-based.
TEST(Replication, FullSyncUnderConcurrentWrites) {
    for (const std::string diskless : {"yes", "no"}) {
        SCOPED_TRACE("repl-diskless-sync " + diskless);
        auto primary =
            start(snapstream_binary(), {"--repl-diskless-sync-delay", "0", "--repl-diskless-sync",
                                        diskless, "--rdb-key-save-delay", "2000"});
        RespClient p(primary->port());
        run_workload(p, 131, 400);  // ~1000 keys: a couple of seconds of child time
        std::atomic<bool> stop{false};
        std::atomic<int> written{0};
        std::thread writer([&] {
            RespClient w(primary->port());
            std::mt19937_64 rng(132);
            for (int i = 0; i < 20000 && !stop; ++i) {
                w.pipeline(random_writes(rng));
                ++written;
            }
        });
        auto replica = start(snapstream_binary(), replica_args(primary->port()));
        RespClient r(replica->port());
        // The child is running and the writer is still writing.
        ASSERT_TRUE(wait_until(
            [&] {
                return info_int(r, "replication", "master_sync_in_progress") == 1 ||
                       info_field(info_text(r, "replication"), "master_link_status") == "up";
            },
            Ms(20000)));
        const int during = written.load();
        ASSERT_TRUE(wait_until(
            [&] { return info_field(info_text(r, "replication"), "master_link_status") == "up"; },
            Ms(60000)));
        const int at_up = written.load();
        stop = true;
        writer.join();
        EXPECT_GT(at_up, during) << "no writes while the snapshot was being made";
        expect_same_data(p, r);
    }
}

// A replica killed in the middle of a shared diskless transfer: the child goes on for the
// other one, which ends identical; the primary keeps serving.
TEST(Replication, ReplicaDyingMidTransferDoesNotHurtTheOther) {
    auto primary = start(snapstream_binary(),
                         {"--repl-diskless-sync-delay", "1", "--rdb-key-save-delay", "2000"});
    RespClient p(primary->port());
    run_workload(p, 141, 400);
    auto doomed = start(snapstream_binary(), replica_args(primary->port()));
    auto survivor = start(snapstream_binary(), replica_args(primary->port()));
    RespClient s(survivor->port());
    ASSERT_TRUE(wait_until(
        [&] { return info_int(s, "replication", "master_sync_in_progress") == 1; }, Ms(20000)));
    doomed->kill_now();
    p.command({"SET", "during", "transfer"});
    expect_same_data(p, s);
    EXPECT_EQ(info_int(p, "stats", "total_forks"), 1);  // one child served both
    EXPECT_EQ(p.command({"GET", "during"}).str, "transfer");
    EXPECT_TRUE(
        wait_until([&] { return info_int(p, "replication", "connected_slaves") == 1; }, Ms(10000)));
}

}  // namespace
}  // namespace snapstream::test
