// Server behaviour of the real binary: databases, CLIENT, CONFIG, idle timeout, maxclients,
// shutdown paths, active expiry, INFO, TIME, configuration errors. Expected error texts and
// reply shapes come from redis-server where it can tell.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <ctime>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

class Server : public ::testing::Test {
  protected:
    void TearDown() override {
        if (HasFailure() && snap_)
            std::cout << "--- snapstream log ---\n" << snap_->log_tail() << "\n";
    }
    std::unique_ptr<ServerProcess> snap_;
    std::unique_ptr<ServerProcess> redis_;
};

// Sends the same command to both servers; expects the same reply.
void expect_same(RespClient& r, RespClient& s, const std::vector<std::string>& cmd) {
    RespValue expected = r.command(cmd);
    RespValue actual = s.command(cmd);
    EXPECT_EQ(expected, actual) << command_to_string(cmd);
}

TEST_F(Server, SelectAndDbsizeAcrossDatabases) {
    snap_ = start_snapstream();
    redis_ = start_redis();
    RespClient s(snap_->port());
    RespClient r(redis_->port());
    for (int db = 0; db < 4; ++db) {
        ASSERT_TRUE(s.command({"SELECT", std::to_string(db)}).is_string("OK"));
        for (int i = 0; i <= db * 3; ++i)
            s.command({"SET", "key" + std::to_string(i), std::to_string(db)});
    }
    for (int db = 0; db < 4; ++db) {
        s.command({"SELECT", std::to_string(db)});
        EXPECT_EQ(s.command({"DBSIZE"}), RespValue::integer_value(db * 3 + 1)) << "db " << db;
        EXPECT_EQ(s.command({"GET", "key0"}), RespValue::bulk(std::to_string(db))) << "db " << db;
    }
    // The selected db is per connection: a new one starts in db 0.
    RespClient other(snap_->port());
    EXPECT_EQ(other.command({"DBSIZE"}), RespValue::integer_value(1));
    // INFO keyspace lists every non-empty db.
    std::string ks = info_text(other, "keyspace");
    for (int db = 0; db < 4; ++db) {
        EXPECT_NE(ks.find("db" + std::to_string(db) + ":keys=" + std::to_string(db * 3 + 1) + ","),
                  std::string::npos)
            << ks;
    }
    EXPECT_EQ(ks.find("db4:"), std::string::npos) << ks;
    // Error texts from redis.
    for (const char* bad : {"16", "-1", "abc", "1.5", "", "99999999999999999999"}) {
        expect_same(r, s, {"SELECT", bad});
    }
    expect_same(r, s, {"SWAPDB", "0", "16"});
    expect_same(r, s, {"MOVE", "key0", "16"});
}

// Field names of one CLIENT LIST line, in order.
std::vector<std::string> client_fields(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string tok;
    while (ss >> tok) out.push_back(tok.substr(0, tok.find('=')));
    return out;
}

std::string client_line(const std::string& list, int64_t id) {
    std::stringstream ss(list);
    std::string line;
    std::string want = "id=" + std::to_string(id) + " ";
    while (std::getline(ss, line)) {
        if (line.rfind(want, 0) == 0) return line;
    }
    return "";
}

std::string client_field(const std::string& line, const std::string& name) {
    std::stringstream ss(line);
    std::string tok;
    while (ss >> tok) {
        if (tok.rfind(name + "=", 0) == 0) return tok.substr(name.size() + 1);
    }
    return "<missing>";
}

TEST_F(Server, ClientSetnameGetnameIdListKill) {
    snap_ = start_snapstream();
    redis_ = start_redis();
    RespClient s(snap_->port());
    RespClient r(redis_->port());

    expect_same(r, s, {"CLIENT", "GETNAME"});  // nil before SETNAME
    expect_same(r, s, {"CLIENT", "SETNAME", "worker-1"});
    expect_same(r, s, {"CLIENT", "GETNAME"});
    for (const char* bad : {"a b", "a\nb", "x\x01y"}) expect_same(r, s, {"CLIENT", "SETNAME", bad});
    expect_same(r, s, {"CLIENT", "SETNAME", "worker-1", "extra"});

    RespValue id = s.command({"CLIENT", "ID"});
    ASSERT_EQ(id.type, RespType::Integer);
    EXPECT_GT(id.integer, 0);
    RespClient victim(snap_->port());
    RespValue victim_id = victim.command({"CLIENT", "ID"});
    ASSERT_EQ(victim_id.type, RespType::Integer);
    EXPECT_GT(victim_id.integer, id.integer) << "ids increase with each connection";
    victim.command({"CLIENT", "SETNAME", "victim"});

    RespValue list = s.command({"CLIENT", "LIST"});
    ASSERT_EQ(list.type, RespType::Bulk) << list.to_string();
    std::string mine = client_line(list.str, id.integer);
    ASSERT_FALSE(mine.empty()) << list.str;
    EXPECT_EQ(client_field(mine, "name"), "worker-1");
    EXPECT_EQ(client_field(mine, "addr").rfind("127.0.0.1:", 0), 0u) << mine;
    EXPECT_EQ(client_field(mine, "laddr"), "127.0.0.1:" + std::to_string(snap_->port())) << mine;
    EXPECT_EQ(client_field(mine, "db"), "0") << mine;
    EXPECT_EQ(client_field(mine, "cmd"), "client|list") << mine;
    std::string victim_line = client_line(list.str, victim_id.integer);
    ASSERT_FALSE(victim_line.empty()) << list.str;
    EXPECT_EQ(client_field(victim_line, "name"), "victim");
    // The same fields as Redis, in the same order (clients parse these lines).
    RespValue rlist = r.command({"CLIENT", "LIST"});
    std::string rline = rlist.str.substr(0, rlist.str.find('\n'));
    EXPECT_EQ(client_fields(rline), client_fields(mine))
        << "redis: " << rline << "\nsnapstream: " << mine;

    // CLIENT KILL ID closes the victim, other clients go on.
    EXPECT_EQ(s.command({"CLIENT", "KILL", "ID", std::to_string(victim_id.integer)}),
              RespValue::integer_value(1));
    EXPECT_TRUE(victim.wait_closed(Ms(5000))) << "killed client still connected";
    EXPECT_TRUE(s.command({"PING"}).is_string("PONG"));
    EXPECT_EQ(s.command({"CLIENT", "KILL", "ID", std::to_string(victim_id.integer)}),
              RespValue::integer_value(0));

    // Old form: CLIENT KILL addr.
    RespClient victim2(snap_->port());
    RespValue v2id = victim2.command({"CLIENT", "ID"});
    std::string v2line = client_line(s.command({"CLIENT", "LIST"}).str, v2id.integer);
    std::string v2addr = client_field(v2line, "addr");
    EXPECT_TRUE(s.command({"CLIENT", "KILL", v2addr}).is_string("OK")) << v2addr;
    EXPECT_TRUE(victim2.wait_closed(Ms(5000)));
    // New form with ADDR.
    RespClient victim3(snap_->port());
    RespValue v3id = victim3.command({"CLIENT", "ID"});
    std::string v3addr =
        client_field(client_line(s.command({"CLIENT", "LIST"}).str, v3id.integer), "addr");
    EXPECT_EQ(s.command({"CLIENT", "KILL", "ADDR", v3addr}), RespValue::integer_value(1));
    EXPECT_TRUE(victim3.wait_closed(Ms(5000)));

    // Error texts.
    expect_same(r, s, {"CLIENT", "KILL", "1.2.3.4:5"});
    expect_same(r, s, {"CLIENT", "KILL", "ID", "abc"});
    expect_same(r, s, {"CLIENT", "KILL", "ID", "999999"});
    expect_same(r, s, {"CLIENT", "KILL", "FOO", "bar"});
    expect_same(r, s, {"CLIENT", "NOSUCH"});
}

TEST_F(Server, ConfigGetSetRoundTrip) {
    snap_ = start_snapstream();
    redis_ = start_redis();
    RespClient s(snap_->port());
    RespClient r(redis_->port());
    const std::vector<std::pair<std::string, std::string>> params = {
        {"timeout", "123"},
        {"maxmemory", "1mb"},
        {"maxmemory", "0"},
        {"hz", "20"},
        {"loglevel", "warning"},
        {"tcp-keepalive", "60"},
        {"maxclients", "1000"},
        {"hash-max-listpack-entries", "64"},
        {"set-max-intset-entries", "1024"},
        {"proto-max-bulk-len", "1gb"},
        {"timeout", "0"},
    };
    for (const auto& [name, value] : params) {
        expect_same(r, s, {"CONFIG", "SET", name, value});
        expect_same(r, s, {"CONFIG", "GET", name});
    }
    // Several at once, atomically.
    expect_same(r, s, {"CONFIG", "SET", "timeout", "7", "hz", "15"});
    expect_same(r, s, {"CONFIG", "GET", "timeout"});
    expect_same(r, s, {"CONFIG", "GET", "hz"});
    expect_same(r, s, {"CONFIG", "SET", "timeout", "8", "hz", "abc"});
    expect_same(r, s, {"CONFIG", "GET", "timeout"});  // still 7: all or nothing
    expect_same(r, s, {"CONFIG", "SET", "timeout", "8", "nosuch", "1"});
    expect_same(r, s, {"CONFIG", "GET", "timeout"});
    // Errors.
    expect_same(r, s, {"CONFIG", "SET", "nosuch-param", "1"});
    expect_same(r, s, {"CONFIG", "SET", "timeout", "abc"});
    expect_same(r, s, {"CONFIG", "SET", "timeout", "-5"});
    expect_same(r, s, {"CONFIG", "SET", "maxmemory", "12xb"});
    expect_same(r, s, {"CONFIG", "SET", "loglevel", "loud"});
    expect_same(r, s, {"CONFIG", "SET", "timeout"});
    expect_same(r, s, {"CONFIG", "SET", "timeout", "1", "hz"});
    expect_same(r, s, {"CONFIG", "GET", "nosuch-param"});
    // Case-insensitive names, several patterns at once.
    expect_same(r, s, {"CONFIG", "GET", "TIMEOUT"});
    RespValue multi_r = r.command({"CONFIG", "GET", "timeout", "hz"});
    RespValue multi_s = s.command({"CONFIG", "GET", "timeout", "hz"});
    ASSERT_EQ(multi_s.type, RespType::Array);
    auto as_pairs = [](const RespValue& v) {
        std::set<std::pair<std::string, std::string>> out;
        for (size_t i = 0; i + 1 < v.elems.size(); i += 2)
            out.insert({v.elems[i].str, v.elems[i + 1].str});
        return out;
    };
    EXPECT_EQ(as_pairs(multi_r), as_pairs(multi_s))
        << multi_r.to_string() << " vs " << multi_s.to_string();
}

TEST_F(Server, IdleTimeoutClosesIdleClientsOnly) {
    snap_ = start_snapstream();
    RespClient admin(snap_->port());
    RespClient idle(snap_->port());
    ASSERT_TRUE(idle.command({"PING"}).is_string("PONG"));
    ASSERT_TRUE(admin.command({"CONFIG", "SET", "timeout", "1"}).is_string("OK"));
    // The admin client stays active (a PING every 100 ms) while the idle one is closed.
    bool idle_closed = false;
    auto start = std::chrono::steady_clock::now();
    bool ok = wait_until(
        [&] {
            EXPECT_TRUE(admin.command({"PING"}).is_string("PONG"));
            auto r = idle.read_until_closed(Ms(1), &idle_closed);
            EXPECT_TRUE(r.empty());
            return idle_closed;
        },
        Ms(10000), Ms(100));
    auto waited = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start);
    EXPECT_TRUE(ok) << "idle client not closed within 10 s of `timeout 1`";
    EXPECT_GE(waited.count(), 900) << "closed before it had been idle for the timeout";
    EXPECT_TRUE(admin.command({"PING"}).is_string("PONG"))
        << "the active client must stay connected";
    // timeout 0 again: idle clients stay.
    ASSERT_TRUE(admin.command({"CONFIG", "SET", "timeout", "0"}).is_string("OK"));
}

TEST_F(Server, MaxclientsRejectsTheExtraClient) {
    redis_ = start_redis({"--maxclients", "2"});
    snap_ = start_snapstream({"--maxclients", "2"});
    auto third_client_reply = [](int port, std::vector<RespValue>* replies) {
        auto c1 = connect_until_pong(port, Ms(5000));
        auto c2 = connect_until_pong(port, Ms(5000));
        EXPECT_TRUE(c1 && c2) << "two clients should be accepted";
        RespClient c3(port);
        bool closed = false;
        // The server writes the error and closes without waiting for a command.
        *replies = c3.read_until_closed(Ms(5000), &closed);
        EXPECT_TRUE(closed) << "third client was not closed";
        if (c1) {
            EXPECT_TRUE(c1->command({"PING"}).is_string("PONG"));
        }
    };
    std::vector<RespValue> expected, actual;
    third_client_reply(redis_->port(), &expected);
    ASSERT_EQ(RespValue::array(expected),
              RespValue::array({RespValue::error("ERR max number of clients reached")}));
    third_client_reply(snap_->port(), &actual);
    EXPECT_EQ(RespValue::array(expected), RespValue::array(actual));
}

TEST_F(Server, ShutdownNosaveEndsTheProcess) {
    snap_ = start_snapstream();
    RespClient c(snap_->port());
    c.send_command({"SHUTDOWN", "NOSAVE"});
    auto status = snap_->wait_exit(Ms(10000));
    ASSERT_TRUE(status) << "process still running 10 s after SHUTDOWN NOSAVE";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << ServerProcess::describe_status(*status);
    EXPECT_TRUE(c.wait_closed(Ms(5000)));
}

TEST_F(Server, SigtermExitsGracefully) {
    snap_ = start_snapstream();
    {
        RespClient c(snap_->port());
        ASSERT_TRUE(c.command({"SET", "a", "b"}).is_string("OK"));
    }
    ASSERT_TRUE(snap_->signal(SIGTERM));
    auto status = snap_->wait_exit(Ms(10000));
    ASSERT_TRUE(status) << "process still running 10 s after SIGTERM";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << ServerProcess::describe_status(*status);
}

TEST_F(Server, ActiveExpiryReclaimsKeysWithoutAccess) {
    snap_ = start_snapstream();
    RespClient c(snap_->port());
    constexpr int kKeys = 1000;
    std::vector<std::vector<std::string>> cmds;
    for (int i = 0; i < kKeys; ++i)
        cmds.push_back({"SET", "exp:" + std::to_string(i), "v", "PX", "100"});
    cmds.push_back({"SET", "persistent", "v"});
    auto replies = c.pipeline(cmds);
    for (const auto& r : replies) ASSERT_TRUE(r.is_string("OK")) << r.to_string();
    RespValue size = c.command({"DBSIZE"});
    ASSERT_EQ(size.type, RespType::Integer);
    EXPECT_LE(size.integer, kKeys + 1);
    // Nothing reads the keys: only active expiry can bring DBSIZE down.
    bool reclaimed = wait_until(
        [&] { return c.command({"DBSIZE"}) == RespValue::integer_value(1); }, Ms(10000), Ms(50));
    EXPECT_TRUE(reclaimed) << "DBSIZE still " << c.command({"DBSIZE"}).to_string() << " after 10 s";
    EXPECT_EQ(info_int(c, "stats", "expired_keys"), kKeys);
    std::string ks = info_text(c, "keyspace");
    EXPECT_NE(ks.find("db0:keys=1,expires=0,"), std::string::npos) << ks;
    EXPECT_EQ(c.command({"GET", "persistent"}), RespValue::bulk("v"));
}

TEST_F(Server, InfoHasRedisFieldNames) {
    snap_ = start_snapstream();
    redis_ = start_redis();
    RespClient s(snap_->port());
    RespClient r(redis_->port());
    s.command({"SET", "a", "1"});
    s.command({"SET", "b", "2", "EX", "1000"});
    std::string info = info_text(s);
    std::string rinfo = info_text(r);
    for (const char* field : {"redis_version",
                              "redis_mode",
                              "os",
                              "arch_bits",
                              "process_id",
                              "tcp_port",
                              "uptime_in_seconds",
                              "connected_clients",
                              "used_memory",
                              "used_memory_human",
                              "maxmemory",
                              "total_connections_received",
                              "total_commands_processed",
                              "instantaneous_ops_per_sec",
                              "expired_keys",
                              "evicted_keys",
                              "keyspace_hits",
                              "keyspace_misses",
                              "role",
                              "connected_slaves",
                              "used_cpu_sys",
                              "used_cpu_user",
                              "rdb_changes_since_last_save",
                              "aof_enabled"}) {
        EXPECT_TRUE(info_field(rinfo, field).has_value()) << "redis lacks " << field;
        EXPECT_TRUE(info_field(info, field).has_value()) << "INFO lacks " << field;
    }
    for (const char* section : {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
                                "# Replication", "# CPU", "# Keyspace"}) {
        ASSERT_NE(rinfo.find(section), std::string::npos) << "redis lacks " << section;
        EXPECT_NE(info.find(std::string(section) + "\r\n"), std::string::npos)
            << "INFO lacks " << section;
    }
    EXPECT_EQ(info_field(info, "tcp_port"), std::to_string(snap_->port()));
    EXPECT_EQ(info_field(info, "process_id"), std::to_string(snap_->pid()));
    EXPECT_EQ(info_field(info, "role"), "master");
    std::regex db0(R"(db0:keys=2,expires=1,avg_ttl=\d+)");
    EXPECT_TRUE(std::regex_search(info, db0)) << info_text(s, "keyspace");

    // One section only, by name, case-insensitive.
    std::string server_only = info_text(s, "SERVER");
    EXPECT_NE(server_only.find("# Server"), std::string::npos);
    EXPECT_EQ(server_only.find("# Clients"), std::string::npos);

    // Counters move.
    int64_t hits = info_int(s, "stats", "keyspace_hits");
    int64_t misses = info_int(s, "stats", "keyspace_misses");
    int64_t cmds = info_int(s, "stats", "total_commands_processed");
    s.command({"GET", "a"});
    s.command({"GET", "nosuch"});
    EXPECT_EQ(info_int(s, "stats", "keyspace_hits"), hits + 1);
    EXPECT_EQ(info_int(s, "stats", "keyspace_misses"), misses + 1);
    // The two GETs and the INFO calls in between.
    EXPECT_GE(info_int(s, "stats", "total_commands_processed"), cmds + 2);
    int64_t clients = info_int(s, "clients", "connected_clients");
    {
        RespClient extra1(snap_->port()), extra2(snap_->port());
        extra1.command({"PING"});
        extra2.command({"PING"});
        EXPECT_EQ(info_int(s, "clients", "connected_clients"), clients + 2);
    }
    EXPECT_TRUE(wait_until([&] { return info_int(s, "clients", "connected_clients") == clients; },
                           Ms(5000)))
        << "connected_clients did not go back down";
    EXPECT_GT(info_int(s, "memory", "used_memory"), 0);
    EXPECT_GE(info_int(s, "stats", "instantaneous_ops_per_sec"), 0);
}

TEST_F(Server, TimeIsCurrent) {
    snap_ = start_snapstream();
    RespClient s(snap_->port());
    RespValue t = s.command({"TIME"});
    ASSERT_EQ(t.type, RespType::Array) << t.to_string();
    ASSERT_EQ(t.elems.size(), 2u) << t.to_string();
    ASSERT_EQ(t.elems[0].type, RespType::Bulk);
    ASSERT_EQ(t.elems[1].type, RespType::Bulk);
    int64_t secs = std::stoll(t.elems[0].str);
    int64_t usecs = std::stoll(t.elems[1].str);
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    EXPECT_LE(std::llabs(secs - now), 5) << t.to_string();
    EXPECT_GE(usecs, 0);
    EXPECT_LT(usecs, 1000000);
}

class ConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        if (snapstream_is_redis_override())
            GTEST_SKIP() << "YAML config files are snapstream's own";
    }
    // Runs the binary with a config file; it must exit non-zero naming file, line and key.
    void expect_rejected(const std::string& file_name, const std::string& yaml, int line,
                         const std::string& key) {
        TempDir dir;
        std::string path = dir.write_file(file_name, yaml);
        ProcessResult res = run_process({snapstream_binary(), path}, "", Ms(10000));
        ASSERT_FALSE(res.timed_out) << "server kept running with a bad config\n" << res.describe();
        EXPECT_NE(res.exit_code(), 0) << res.describe();
        std::string all = res.out + res.err;
        EXPECT_NE(all.find(file_name), std::string::npos) << "message does not name the file\n"
                                                          << res.describe();
        EXPECT_NE(all.find(":" + std::to_string(line)), std::string::npos)
            << "message does not name line " << line << "\n"
            << res.describe();
        EXPECT_NE(all.find(key), std::string::npos) << "message does not name key " << key << "\n"
                                                    << res.describe();
    }
};

TEST_F(ConfigFile, UnknownKeyStopsStartup) {
    expect_rejected("bad-key.yaml", "port: 0\nbind: 127.0.0.1\nno-such-option: 5\n", 3,
                    "no-such-option");
}

TEST_F(ConfigFile, OutOfRangeValueStopsStartup) {
    expect_rejected("bad-port.yaml", "# comment\nport: 70000\n", 2, "port");
}

TEST_F(ConfigFile, WrongTypeStopsStartup) {
    expect_rejected("bad-type.yaml", "port: 0\nbind: 127.0.0.1\ndatabases: many\n", 3, "databases");
}

TEST_F(ConfigFile, GoodFileStartsAndFlagsOverrideIt) {
    TempDir dir;
    std::string path = dir.write_file("good.yaml", "timeout: 17\ndatabases: 4\nhz: 11\n");
    ServerProcess::Options o;
    o.binary = snapstream_binary();
    o.leading_args = {path};
    o.extra_args = {"--hz", "12"};
    o.name = "snapstream";
    auto p = ServerProcess::start(o);
    RespClient c(p->port());
    EXPECT_EQ(c.command({"CONFIG", "GET", "timeout"}), RespValue::bulk_array({"timeout", "17"}));
    EXPECT_EQ(c.command({"CONFIG", "GET", "hz"}), RespValue::bulk_array({"hz", "12"}));
    EXPECT_EQ(c.command({"CONFIG", "GET", "databases"}), RespValue::bulk_array({"databases", "4"}));
    EXPECT_TRUE(c.command({"SELECT", "3"}).is_string("OK"));
    EXPECT_TRUE(c.command({"SELECT", "4"}).is_error());
}

}  // namespace
}  // namespace snapstream::test

namespace snapstream::test {
namespace {

// MEMORY USAGE (what redis-cli --memkeys asks): Redis's errors and nil exactly; sizes of one
// string, a 1000-element list, a small and a big hash, a big set and a big sorted set within a
// factor of two of Redis's own figure (allocators and layouts differ, the order must not).
TEST_F(Server, MemoryUsageIsNearRedis) {
    snap_ = start_snapstream();
    redis_ = start_redis();
    RespClient r(redis_->port()), s(snap_->port());
    std::vector<std::vector<std::string>> setup = {{"SET", "str", "value"}};
    std::vector<std::string> list = {"RPUSH", "list"}, big_hash = {"HSET", "bighash"},
                             big_set = {"SADD", "bigset"}, big_zset = {"ZADD", "bigzset"};
    for (int i = 0; i < 1000; ++i) {
        const std::string m = "member:" + std::to_string(i);
        list.push_back(m);
        big_hash.insert(big_hash.end(), {m, "v" + std::to_string(i)});
        big_set.push_back(m);
        big_zset.insert(big_zset.end(), {std::to_string(i), m});
    }
    setup.insert(setup.end(), {list, big_hash, big_set, big_zset, {"HSET", "hash", "f", "v"}});
    for (const auto& cmd : setup) expect_same(r, s, cmd);
    for (const char* key : {"str", "list", "hash", "bighash", "bigset", "bigzset"}) {
        RespValue a = r.command({"MEMORY", "USAGE", key}), b = s.command({"MEMORY", "USAGE", key});
        ASSERT_EQ(a.type, RespType::Integer) << key << ": " << a.to_string();
        ASSERT_EQ(b.type, RespType::Integer) << key << ": " << b.to_string();
        EXPECT_GE(b.integer * 2, a.integer) << key << ": redis " << a.integer;
        EXPECT_LE(b.integer, a.integer * 2) << key << ": redis " << a.integer;
        std::cout << "[ memory usage ] " << key << ": redis " << a.integer << ", snapstream "
                  << b.integer << "\n";
    }
    expect_same(r, s, {"MEMORY", "USAGE", "missing"});
    EXPECT_EQ(s.command({"MEMORY", "USAGE", "str", "SAMPLES", "0"}).type, RespType::Integer);
    expect_same(r, s, {"MEMORY", "USAGE", "missing", "SAMPLES", "-1"});
    expect_same(r, s, {"MEMORY", "USAGE", "str", "SAMPLES", "x"});
    expect_same(r, s, {"MEMORY", "USAGE", "str", "SAMPLES"});
    expect_same(r, s, {"MEMORY", "USAGE"});
}

}  // namespace
}  // namespace snapstream::test
