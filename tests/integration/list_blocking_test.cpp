// Blocking list commands against the real binary, each scenario also run against Debian's
// redis-server 7.0 with the same clients and interleaving, and the observations compared:
// FIFO service of clients blocked on one key, several keys, timeouts (fractional, 0 = forever),
// wake-ups by pushes and moves from other clients and from MULTI/EXEC, BLMOVE chains, a blocked
// client disconnecting, keys that change type or are deleted while clients wait, BLMPOP counts.
// A client is known to be blocked by polling INFO's blocked_clients (never by sleeping).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

using Clock = std::chrono::steady_clock;
using Transcript = std::vector<std::string>;

int64_t blocked_clients(RespClient& admin) {
    return info_int(admin, "clients", "blocked_clients");
}

// Waits until exactly n clients are blocked.
bool wait_blocked(RespClient& admin, int64_t n) {
    return wait_until([&] { return blocked_clients(admin) == n; }, Ms(5000), Ms(5));
}

// Sends a blocking command and waits until the server counts one more blocked client.
void block(RespClient& admin, RespClient& c, const std::vector<std::string>& cmd) {
    const int64_t before = blocked_clients(admin);
    c.send_command(cmd);
    EXPECT_TRUE(wait_blocked(admin, before + 1)) << "not blocked: " << command_to_string(cmd);
}

std::string reply_of(RespClient& c, Ms timeout = Ms(5000)) {
    auto r = c.read_reply_for(timeout);
    return r ? r->to_string() : "<no reply>";
}

class ListBlocking : public ::testing::Test {
  protected:
    // Runs `scenario` against snapstream and redis-server and compares the transcripts.
    void compare(const std::function<void(int port, Transcript&)>& scenario) {
        auto snap = start_snapstream();
        auto redis = start_redis();
        Transcript s, r;
        scenario(snap->port(), s);
        scenario(redis->port(), r);
        EXPECT_EQ(r, s) << "redis vs snapstream transcripts differ";
        if (HasFailure()) std::cout << "--- snapstream log ---\n" << snap->log_tail() << "\n";
    }
};

TEST_F(ListBlocking, ClientsOnOneKeyAreServedInTheOrderTheyBlocked) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c1(port), c2(port), c3(port);
        block(admin, c1, {"BLPOP", "q", "0"});
        block(admin, c2, {"BRPOP", "q", "0"});
        block(admin, c3, {"BLPOP", "q", "0"});
        // Two elements for three clients: the first two are served, the third waits.
        t.push_back(admin.command({"RPUSH", "q", "a", "b"}).to_string());
        t.push_back(reply_of(c1));
        t.push_back(reply_of(c2));
        EXPECT_TRUE(wait_blocked(admin, 1));
        t.push_back(std::to_string(blocked_clients(admin)));
        t.push_back(admin.command({"EXISTS", "q"}).to_string());
        t.push_back(admin.command({"LPUSH", "q", "c"}).to_string());
        t.push_back(reply_of(c3));
        EXPECT_TRUE(wait_blocked(admin, 0));
        EXPECT_EQ(t[1], RespValue::bulk_array({"q", "a"}).to_string());
        EXPECT_EQ(t[2], RespValue::bulk_array({"q", "b"}).to_string());
    });
}

TEST_F(ListBlocking, SeveralKeys) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port);
        // Not blocking: the first non-empty key in argument order.
        admin.command({"RPUSH", "b", "1"});
        admin.command({"RPUSH", "c", "2"});
        t.push_back(c.command({"BLPOP", "a", "c", "b", "0"}).to_string());
        t.push_back(c.command({"BLPOP", "a", "b", "0"}).to_string());
        admin.command({"DEL", "b", "c"});
        // Blocked on three keys: served from the one that receives elements.
        block(admin, c, {"BLPOP", "a", "b", "c", "0"});
        t.push_back(admin.command({"RPUSH", "c", "x"}).to_string());
        t.push_back(reply_of(c));
        // Two keys readied by one transaction: served from the first one readied.
        block(admin, c, {"BRPOP", "a", "b", "0"});
        admin.command({"MULTI"});
        admin.command({"RPUSH", "b", "from-b"});
        admin.command({"RPUSH", "a", "from-a"});
        t.push_back(admin.command({"EXEC"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(admin.command({"LRANGE", "a", "0", "-1"}).to_string());
        t.push_back(admin.command({"EXISTS", "b"}).to_string());
    });
}

TEST_F(ListBlocking, TimeoutsAnswerNilAfterTheirTime) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port);
        auto start = Clock::now();
        c.send_command({"BLPOP", "q", "0.2"});
        t.push_back(reply_of(c));
        auto ms = std::chrono::duration_cast<Ms>(Clock::now() - start).count();
        EXPECT_GE(ms, 190);
        EXPECT_LT(ms, 3000);
        start = Clock::now();
        c.send_command({"BLMOVE", "q", "d", "LEFT", "RIGHT", "0.05"});
        t.push_back(reply_of(c));
        EXPECT_GE(std::chrono::duration_cast<Ms>(Clock::now() - start).count(), 45);
        c.send_command({"BRPOPLPUSH", "q", "d", "0.01"});
        t.push_back(reply_of(c));
        c.send_command({"BLMPOP", "0.01", "2", "q", "r", "LEFT", "COUNT", "3"});
        t.push_back(reply_of(c));
        EXPECT_TRUE(wait_blocked(admin, 0));
        // Timeout 0 waits until something arrives.
        block(admin, c, {"BRPOP", "q", "0"});
        EXPECT_FALSE(c.read_reply_for(Ms(300)).has_value());
        t.push_back(std::to_string(blocked_clients(admin)));
        admin.command({"RPUSH", "q", "late"});
        t.push_back(reply_of(c));
        // Errors are immediate.
        t.push_back(c.command({"BLPOP", "q", "-1"}).to_string());
        t.push_back(c.command({"BLPOP", "q", "abc"}).to_string());
        EXPECT_EQ(t[0], RespValue::null_array().to_string());
        // BLMOVE too: Redis 7.0 answers every timed-out list command with a null array.
        EXPECT_EQ(t[1], RespValue::null_array().to_string());
    });
}

TEST_F(ListBlocking, WokenByPushesAndMovesFromOtherClients) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port), other(port);
        block(admin, c, {"BLPOP", "q", "0"});
        t.push_back(other.command({"LPUSH", "q", "l1", "l2"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(other.command({"LPOP", "q"}).to_string());
        block(admin, c, {"BLPOP", "q", "0"});
        other.command({"RPUSH", "src", "m1", "m2"});
        t.push_back(other.command({"LMOVE", "src", "q", "LEFT", "RIGHT"}).to_string());
        t.push_back(reply_of(c));
        block(admin, c, {"BRPOP", "q", "0"});
        t.push_back(other.command({"RPOPLPUSH", "src", "q"}).to_string());
        t.push_back(reply_of(c));
        block(admin, c, {"BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "10"});
        t.push_back(other.command({"RPUSH", "q", "1", "2", "3"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(other.command({"EXISTS", "q", "src"}).to_string());
    });
}

TEST_F(ListBlocking, PushInsideMultiWakesAfterExec) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port), c2(port);
        block(admin, c, {"BLPOP", "q", "0"});
        t.push_back(admin.command({"MULTI"}).to_string());
        t.push_back(admin.command({"RPUSH", "q", "x", "y"}).to_string());
        t.push_back(admin.command({"LLEN", "q"}).to_string());
        // Queued, not run: still blocked.
        EXPECT_FALSE(c.read_reply_for(Ms(100)).has_value());
        t.push_back(admin.command({"EXEC"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(admin.command({"LRANGE", "q", "0", "-1"}).to_string());
        // Pushed and popped again within the transaction: the client stays blocked.
        block(admin, c2, {"BLPOP", "e", "0"});
        admin.command({"MULTI"});
        admin.command({"RPUSH", "e", "tmp"});
        admin.command({"LPOP", "e"});
        t.push_back(admin.command({"EXEC"}).to_string());
        EXPECT_FALSE(c2.read_reply_for(Ms(100)).has_value());
        t.push_back(std::to_string(blocked_clients(admin)));
        admin.command({"RPUSH", "e", "real"});
        t.push_back(reply_of(c2));
        // A blocking command inside MULTI never blocks.
        admin.command({"MULTI"});
        admin.command({"BLPOP", "none", "0"});
        admin.command({"BLMOVE", "none", "x", "LEFT", "LEFT", "0"});
        admin.command({"BLMPOP", "0", "1", "none", "LEFT"});
        t.push_back(admin.command({"EXEC"}).to_string());
    });
}

TEST_F(ListBlocking, BlmoveChainServesTheNextWaiter) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), a(port), b(port), c(port);
        block(admin, a, {"BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"});
        block(admin, b, {"BRPOPLPUSH", "mid", "dst", "0"});
        block(admin, c, {"BLPOP", "dst", "0"});
        t.push_back(admin.command({"RPUSH", "src", "v"}).to_string());
        t.push_back(reply_of(a));
        t.push_back(reply_of(b));
        t.push_back(reply_of(c));
        EXPECT_TRUE(wait_blocked(admin, 0));
        t.push_back(admin.command({"EXISTS", "src", "mid", "dst"}).to_string());
    });
}

TEST_F(ListBlocking, DisconnectedClientLeavesTheQueue) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c2(port);
        {
            RespClient c1(port);
            block(admin, c1, {"BLPOP", "q", "0"});
            block(admin, c2, {"BLPOP", "q", "0"});
        }
        EXPECT_TRUE(wait_blocked(admin, 1));
        t.push_back(admin.command({"RPUSH", "q", "a", "b"}).to_string());
        t.push_back(reply_of(c2));
        t.push_back(admin.command({"LRANGE", "q", "0", "-1"}).to_string());
    });
}

TEST_F(ListBlocking, KeyChangingTypeOrDeletedWhileBlocked) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port), d(port);
        block(admin, c, {"BLPOP", "k", "0"});
        // Another type under the key: the client keeps waiting.
        t.push_back(admin.command({"SET", "k", "str"}).to_string());
        EXPECT_FALSE(c.read_reply_for(Ms(100)).has_value());
        t.push_back(std::to_string(blocked_clients(admin)));
        t.push_back(admin.command({"DEL", "k"}).to_string());
        t.push_back(admin.command({"FLUSHALL"}).to_string());
        t.push_back(std::to_string(blocked_clients(admin)));
        t.push_back(admin.command({"RPUSH", "k", "v"}).to_string());
        t.push_back(reply_of(c));
        // Blocked on two keys; one turns into a string; the other is pushed: served from it.
        block(admin, c, {"BLPOP", "s", "k", "0"});
        admin.command({"SET", "s", "str"});
        admin.command({"RPUSH", "k", "w"});
        t.push_back(reply_of(c));
        // And the blocking call on a string key fails at once.
        t.push_back(c.command({"BLPOP", "s", "0"}).to_string());
        // BLMOVE whose destination became a string: the waiter gets WRONGTYPE when served and
        // the element stays where it was.
        block(admin, d, {"BLMOVE", "src", "s", "LEFT", "LEFT", "0"});
        t.push_back(admin.command({"RPUSH", "src", "e"}).to_string());
        t.push_back(reply_of(d));
        t.push_back(admin.command({"LRANGE", "src", "0", "-1"}).to_string());
        EXPECT_TRUE(wait_blocked(admin, 0));
    });
}

TEST_F(ListBlocking, ClientsOnManyKeysWithCounts) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c1(port), c2(port), c3(port);
        block(admin, c1, {"BLMPOP", "0", "2", "x", "y", "LEFT", "COUNT", "2"});
        block(admin, c2, {"BLMPOP", "0", "1", "y", "RIGHT", "COUNT", "5"});
        block(admin, c3, {"BRPOP", "y", "0"});
        t.push_back(admin.command({"RPUSH", "y", "1", "2", "3", "4"}).to_string());
        t.push_back(reply_of(c1));
        t.push_back(reply_of(c2));
        EXPECT_TRUE(wait_blocked(admin, 1));
        t.push_back(admin.command({"RPUSH", "y", "5"}).to_string());
        t.push_back(reply_of(c3));
    });
}

}  // namespace
}  // namespace snapstream::test

namespace snapstream::test {
namespace {

// CLIENT UNBLOCK ends a blocked BLPOP / BZPOPMIN with its timeout reply or an -UNBLOCKED error,
// answers 0 for a client that is not blocked or does not exist, and checks its arguments as
// Redis does; the unblocked client then works normally.
TEST_F(ListBlocking, ClientUnblockAnswersTimeoutOrError) {
    compare([](int port, Transcript& t) {
        RespClient admin(port), c(port);
        const std::string id = std::to_string(c.command({"CLIENT", "ID"}).integer);
        t.push_back(admin.command({"CLIENT", "UNBLOCK", id}).to_string());  // not blocked: 0
        block(admin, c, {"BLPOP", "q", "0"});
        t.push_back(admin.command({"CLIENT", "UNBLOCK", id, "TIMEOUT"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(std::to_string(blocked_clients(admin)));
        block(admin, c, {"BZPOPMIN", "z", "0"});
        t.push_back(admin.command({"CLIENT", "UNBLOCK", id, "ERROR"}).to_string());
        t.push_back(reply_of(c));
        t.push_back(c.command({"PING"}).to_string());
        block(admin, c, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"});
        t.push_back(admin.command({"CLIENT", "UNBLOCK", id}).to_string());
        t.push_back(reply_of(c));
        for (const auto& bad :
             std::vector<std::vector<std::string>>{{"CLIENT", "UNBLOCK", id, "SOON"},
                                                   {"CLIENT", "UNBLOCK", "x"},
                                                   {"CLIENT", "UNBLOCK", "999999"},
                                                   {"CLIENT", "UNBLOCK", "-1"},
                                                   {"CLIENT", "UNBLOCK", id, "ERROR", "extra"},
                                                   {"CLIENT", "UNBLOCK"}}) {
            t.push_back(admin.command(bad).to_string());
        }
    });
}

}  // namespace
}  // namespace snapstream::test
