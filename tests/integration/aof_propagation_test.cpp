// Propagation, byte for byte: the same command script is run on Debian's redis-server and on
// snapstream, both with appendonly yes, and the INCR files they write must hold the same
// commands — the deterministic forms Redis 7.0 propagates (SET EX → SET PXAT, EXPIRE →
// PEXPIREAT, GETEX → PEXPIREAT/PERSIST/DEL, INCRBYFLOAT → SET KEEPTTL, HINCRBYFLOAT → HSET,
// BLPOP → LPOP, BLMOVE → LMOVE, LMPOP → LPOP count, BZPOPMIN → ZPOPMIN, SPOP → SREM/DEL,
// GETDEL → DEL, GETSET → SET, lazy expiry → DEL, MULTI/EXEC wrapping, SELECT on db changes,
// no-ops not written, FLUSHALL/FLUSHDB always written).
// The only normalisation: absolute times (13-digit millisecond timestamps, which differ by the
// few milliseconds between the two runs) become "<T>", and snapstream's own annotation lines
// (#SO, #SC) are dropped.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

// The commands of an INCR file as readable lines ("SET|k|v|PXAT|<T>"), annotations dropped.
std::vector<std::string> commands_of(const std::string& aof) {
    std::vector<std::string> out;
    size_t p = 0;
    auto line = [&]() {
        const size_t e = aof.find("\r\n", p);
        std::string s = aof.substr(p, e - p);
        p = e + 2;
        return s;
    };
    static const std::regex kTime("^1[0-9]{12}$");
    while (p < aof.size()) {
        if (aof[p] == '#') {
            line();
            continue;
        }
        const std::string head = line();
        if (head.empty() || head[0] != '*') {
            out.push_back("<garbage:" + head + ">");
            break;
        }
        const int argc = std::stoi(head.substr(1));
        std::string cmd;
        for (int i = 0; i < argc; ++i) {
            const size_t len = std::stoul(line().substr(1));
            std::string arg = aof.substr(p, len);
            p += len + 2;
            if (std::regex_match(arg, kTime)) arg = "<T>";
            cmd += (i ? "|" : "") + arg;
        }
        out.push_back(cmd);
    }
    return out;
}

// The script: commands for one connection, and ("@2", ...) for a second one (blocking pops).
std::vector<std::vector<std::string>> script() {
    return {
        {"SET", "a", "1"},
        {"SET", "a", "2", "EX", "100"},
        {"SET", "a", "3", "PX", "100000", "NX"},
        {"SET", "a", "4", "EXAT", "4102444800"},
        {"SET", "a", "5", "PXAT", "4102444800000", "GET"},
        {"SET", "a", "6", "KEEPTTL"},
        {"SET", "a", "7", "GET"},
        {"SETEX", "b", "100", "v"},
        {"PSETEX", "b", "100000", "w"},
        {"SETNX", "b", "x"},
        {"SETNX", "c", "x"},
        {"GETEX", "c", "EX", "100"},
        {"GETEX", "c", "PERSIST"},
        {"GETEX", "c", "PERSIST"},
        {"GETEX", "c", "PXAT", "4102444800000"},
        {"GETEX", "c", "EXAT", "1000"},
        {"GETEX", "c", "EX", "5"},
        {"GETDEL", "nosuch"},
        {"SET", "d", "1"},
        {"GETDEL", "d"},
        {"GETSET", "d", "9"},
        {"INCRBYFLOAT", "f", "1.5"},
        {"INCRBYFLOAT", "f", "1e3"},
        {"HINCRBYFLOAT", "h", "x", "2.5"},
        {"HINCRBYFLOAT", "h", "x", "0.1"},
        {"EXPIRE", "h", "100"},
        {"PEXPIRE", "h", "100000", "XX"},
        {"EXPIREAT", "h", "4102444800", "GT"},
        {"EXPIRE", "h", "50", "NX"},
        {"PEXPIREAT", "h", "4102444800001"},
        {"EXPIRE", "nosuch", "10"},
        {"EXPIRE", "d", "-1"},
        {"PERSIST", "h"},
        {"DEL", "nosuch"},
        {"DEL", "a", "b", "nosuch"},
        {"INCR", "n"},
        {"INCRBY", "n", "5"},
        {"APPEND", "s", "abc"},
        {"SETRANGE", "s", "1", "Z"},
        {"MSET", "m1", "1", "m2", "2"},
        {"MSETNX", "m1", "1", "m3", "3"},
        {"RPUSH", "l", "a", "b", "c", "d", "e"},
        {"LPOP", "l"},
        {"RPOP", "l", "2"},
        {"BLPOP", "l", "0"},
        {"BRPOP", "nosuch", "l", "0"},
        {"RPUSH", "l", "x", "y", "z"},
        {"LMPOP", "2", "nosuch", "l", "LEFT", "COUNT", "2"},
        {"RPUSH", "l", "p", "q"},
        {"BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "10"},
        {"RPUSH", "l", "1", "2", "3"},
        {"BLMOVE", "l", "l2", "LEFT", "right", "0"},
        {"BRPOPLPUSH", "l", "l2", "0"},
        {"LMOVE", "l2", "l", "RIGHT", "LEFT"},
        {"LSET", "l", "0", "new"},
        {"LREM", "l", "0", "nothing"},
        {"LTRIM", "l", "0", "-1"},
        {"LTRIM", "l", "0", "0"},
        {"SADD", "s1", "a", "b", "c"},
        {"SADD", "s1", "a"},
        {"SREM", "s1", "zz"},
        {"SADD", "one", "only"},
        {"SPOP", "one"},
        {"SPOP", "s1", "10"},
        {"SPOP", "nosuch", "2"},
        {"SADD", "s2", "1", "2", "3"},
        {"SMOVE", "s2", "s3", "1"},
        {"SINTERSTORE", "s4", "s2", "s3"},
        {"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
        {"ZADD", "z", "XX", "CH", "1", "a"},
        {"ZINCRBY", "z", "1.5", "a"},
        {"ZPOPMIN", "z"},
        {"ZPOPMAX", "z", "1"},
        {"BZPOPMIN", "z", "0"},
        {"BZPOPMAX", "nosuch", "z", "0"},
        {"ZADD", "z", "1", "x", "2", "y", "3", "w"},
        {"ZMPOP", "1", "z", "MIN", "COUNT", "2"},
        {"BZMPOP", "0", "1", "z", "MAX", "COUNT", "9"},
        {"ZADD", "z", "1", "x"},
        {"ZREM", "z", "x"},
        {"HSET", "h2", "a", "1", "b", "2"},
        {"HDEL", "h2", "zz"},
        {"HDEL", "h2", "a"},
        {"HSETNX", "h2", "b", "3"},
        {"HINCRBY", "h2", "c", "4"},
        {"RENAME", "h2", "h3"},
        {"COPY", "h3", "h4"},
        {"MOVE", "h4", "2"},
        {"SELECT", "2"},
        {"SET", "in2", "x"},
        {"SWAPDB", "2", "3"},
        {"SELECT", "0"},
        {"MULTI"},
        {"SET", "t1", "1"},
        {"INCR", "t1"},
        {"SELECT", "5"},
        {"SET", "t2", "2", "EX", "100"},
        {"SELECT", "0"},
        {"EXEC"},
        {"MULTI"},
        {"SET", "t3", "single"},
        {"GET", "t3"},
        {"EXEC"},
        {"MULTI"},
        {"GET", "t3"},
        {"EXEC"},
        {"MULTI"},
        {"INCR", "s"},  // fails (not an integer): nothing propagated for it
        {"SET", "t4", "x"},
        {"EXEC"},
        {"SET", "lazy", "v", "PX", "1"},
        {"@wait-expired", "lazy"},
        {"SET", "lazy2", "v", "PX", "1"},
        {"@sleep-ms"},
        {"SET", "lazy2", "again"},
        {"FLUSHDB"},
        {"FLUSHDB"},
        {"SELECT", "9"},
        {"FLUSHALL"},
        {"SET", "end", "1"},
        {"SELECT", "0"},
    };
}

void run_script(int port) {
    RespClient c(port);
    // Keys expire only when touched, so when a DEL appears is the same on both servers.
    c.command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"});
    for (const auto& cmd : script()) {
        if (cmd[0] == "@wait-expired") {
            // A read finds the PX 1 key expired (a lazy expiry, propagated as DEL); bounded.
            ASSERT_TRUE(wait_until(
                [&] {
                    return c.command({"EXISTS", cmd[1]}).integer == 0;
                },
                Ms(2000)));
            continue;
        }
        if (cmd[0] == "@sleep-ms") {
            // Lets a PX 1 key pass its time without touching it (the active cycle is off).
            c.command({"DEBUG", "SLEEP", "0.005"});
            continue;
        }
        try {
            c.command(cmd);
        } catch (const RespIoError& e) {
            FAIL() << "port " << port << ": " << command_to_string(cmd) << ": " << e.what();
        }
    }
    // A blocked client served by a push on another connection: LPOP / LMOVE / ZPOPMIN.
    SCOPED_TRACE("blocked clients");
    RespClient blocked(port);
    blocked.send_command({"BLPOP", "bl", "0"});
    ASSERT_TRUE(
        wait_until([&] { return info_int(c, "clients", "blocked_clients") == 1; }, Ms(5000)));
    c.command({"RPUSH", "bl", "v"});
    EXPECT_EQ(blocked.read_reply().elems.size(), 2u);
    blocked.send_command({"BLMOVE", "bl2", "dst", "RIGHT", "LEFT", "0"});
    ASSERT_TRUE(
        wait_until([&] { return info_int(c, "clients", "blocked_clients") == 1; }, Ms(5000)));
    c.command({"RPUSH", "bl2", "v"});
    EXPECT_EQ(blocked.read_reply().str, "v");
    blocked.send_command({"BZPOPMAX", "bz", "0"});
    ASSERT_TRUE(
        wait_until([&] { return info_int(c, "clients", "blocked_clients") == 1; }, Ms(5000)));
    c.command({"ZADD", "bz", "1", "m"});
    EXPECT_EQ(blocked.read_reply().elems.size(), 3u);
}

TEST(AofPropagation, IncrFileHoldsRedisCommandsByteForByte) {
    const std::vector<std::string> args = {"--appendonly", "yes", "--appendfsync", "always"};
    std::vector<std::string> redis_args = args;
    redis_args.insert(redis_args.end(), {"--enable-debug-command", "yes"});
    auto redis = start_redis(redis_args);
    auto snap = start_snapstream(args);
    SCOPED_TRACE("redis port " + std::to_string(redis->port()) + ", snapstream port " +
                 std::to_string(snap->port()));
    run_script(redis->port());
    run_script(snap->port());
    const std::vector<std::string> want = commands_of(read_file(aof_last_incr_path(redis->dir())));
    const std::vector<std::string> got = commands_of(read_file(aof_last_incr_path(snap->dir())));
    ASSERT_GT(want.size(), 100u);
    std::string diff;
    for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
        const std::string w = i < want.size() ? want[i] : "<none>";
        const std::string g = i < got.size() ? got[i] : "<none>";
        if (w != g)
            diff += "  #" + std::to_string(i) + " redis: " + w + "\n     snapstream: " + g + "\n";
    }
    EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace snapstream::test
