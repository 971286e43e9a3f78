// BZPOPMIN / BZPOPMAX / BZMPOP against the real server: FIFO service of several blocked
// clients, several keys, timeouts, wake-ups by ZADD from another client and from MULTI/EXEC,
// and the non-blocking forms inside MULTI. Synchronisation is by polling INFO blocked_clients
// (wait_until), never by sleeping.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

using V = RespValue;

class ZSetBlocking : public ::testing::Test {
  protected:
    void SetUp() override {
        server_ = start_snapstream();
        admin_ = std::make_unique<RespClient>(server_->port());
    }

    std::unique_ptr<RespClient> client() {
        return std::make_unique<RespClient>(server_->port(), Ms(10000));
    }

    // Waits until exactly n clients are blocked.
    void wait_blocked(int64_t n) {
        ASSERT_TRUE(wait_until([&] { return info_int(*admin_, "clients", "blocked_clients") == n; },
                               Ms(5000)))
            << "blocked_clients never reached " << n;
    }

    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<RespClient> admin_;
};

TEST_F(ZSetBlocking, ServesBlockedClientsInFifoOrder) {
    std::vector<std::unique_ptr<RespClient>> cs;
    for (int i = 0; i < 3; ++i) {
        cs.push_back(client());
        cs.back()->send_command({"BZPOPMIN", "z", "0"});
        wait_blocked(i + 1);  // one at a time, so the blocking order is known
    }
    // Two members: the first two clients are served, in the order they blocked.
    EXPECT_EQ(admin_->command({"ZADD", "z", "1", "a", "2", "b"}), V::integer_value(2));
    EXPECT_EQ(cs[0]->read_reply(), V::bulk_array({"z", "a", "1"}));
    EXPECT_EQ(cs[1]->read_reply(), V::bulk_array({"z", "b", "2"}));
    wait_blocked(1);
    EXPECT_EQ(admin_->command({"EXISTS", "z"}), V::integer_value(0));
    EXPECT_EQ(admin_->command({"ZADD", "z", "5", "c"}), V::integer_value(1));
    EXPECT_EQ(cs[2]->read_reply(), V::bulk_array({"z", "c", "5"}));
    wait_blocked(0);
}

TEST_F(ZSetBlocking, MaxAndSeveralKeys) {
    auto c = client();
    c->send_command({"BZPOPMAX", "k1", "k2", "k3", "0"});
    wait_blocked(1);
    EXPECT_EQ(admin_->command({"ZADD", "k3", "1", "x", "9", "y"}), V::integer_value(2));
    EXPECT_EQ(c->read_reply(), V::bulk_array({"k3", "y", "9"}));
    // Not blocking when a key already has members; the first non-empty key in argument order.
    admin_->command({"ZADD", "k2", "4", "p"});
    EXPECT_EQ(c->command({"BZPOPMAX", "k1", "k2", "k3", "0"}), V::bulk_array({"k2", "p", "4"}));
    EXPECT_EQ(c->command({"BZPOPMIN", "k1", "k2", "k3", "0"}), V::bulk_array({"k3", "x", "1"}));
    // A key of another type is an error, not a reason to block.
    admin_->command({"SET", "s", "v"});
    EXPECT_TRUE(c->command({"BZPOPMIN", "k1", "s", "0"}).is_error());
}

TEST_F(ZSetBlocking, Timeouts) {
    auto c = client();
    c->send_command({"BZPOPMIN", "none", "0.05"});
    EXPECT_EQ(c->read_reply(), V::null_array());
    c->send_command({"BZMPOP", "0.05", "2", "a", "b", "MIN"});
    EXPECT_EQ(c->read_reply(), V::null_array());
    wait_blocked(0);
    EXPECT_TRUE(c->command({"BZPOPMIN", "k", "-1"}).is_error());
    EXPECT_TRUE(c->command({"BZPOPMIN", "k", "x"}).is_error());
    // Still usable afterwards.
    EXPECT_EQ(c->command({"PING"}), V::simple("PONG"));
}

TEST_F(ZSetBlocking, BzmpopCountAndOrder) {
    auto a = client();
    auto b = client();
    a->send_command({"BZMPOP", "0", "2", "q1", "q2", "MAX", "COUNT", "2"});
    wait_blocked(1);
    b->send_command({"BZMPOP", "0", "1", "q2", "MIN"});
    wait_blocked(2);
    admin_->command({"ZADD", "q2", "1", "a", "2", "b", "3", "c"});
    EXPECT_EQ(a->read_reply(), V::array({V::bulk("q2"), V::array({V::bulk_array({"c", "3"}),
                                                                  V::bulk_array({"b", "2"})})}));
    EXPECT_EQ(b->read_reply(), V::array({V::bulk("q2"), V::array({V::bulk_array({"a", "1"})})}));
    wait_blocked(0);
    EXPECT_EQ(admin_->command({"EXISTS", "q2"}), V::integer_value(0));
}

TEST_F(ZSetBlocking, WokenByMultiExec) {
    auto c = client();
    c->send_command({"BZPOPMIN", "m", "0"});
    wait_blocked(1);
    // Inside the transaction the key is created, emptied and created again: the client is served
    // after EXEC from what is there at the end.
    EXPECT_EQ(admin_->command({"MULTI"}), V::simple("OK"));
    admin_->command({"ZADD", "m", "1", "first"});
    admin_->command({"ZPOPMIN", "m"});
    admin_->command({"ZADD", "m", "2", "second", "3", "third"});
    RespValue exec = admin_->command({"EXEC"});
    ASSERT_TRUE(exec.is_array()) << exec.to_string();
    EXPECT_EQ(c->read_reply(), V::bulk_array({"m", "second", "2"}));
    wait_blocked(0);
    EXPECT_EQ(admin_->command({"ZRANGE", "m", "0", "-1"}), V::bulk_array({"third"}));
}

TEST_F(ZSetBlocking, ZaddToExistingKeyDoesNotNeedToWake) {
    // A client blocked on one key is not disturbed by writes to another existing zset.
    admin_->command({"ZADD", "other", "1", "x"});
    auto c = client();
    c->send_command({"BZPOPMIN", "w", "0"});
    wait_blocked(1);
    admin_->command({"ZADD", "other", "2", "y"});
    admin_->command({"ZINCRBY", "other", "5", "x"});
    EXPECT_EQ(info_int(*admin_, "clients", "blocked_clients"), 1);
    admin_->command({"ZUNIONSTORE", "w", "1", "other"});  // a store creating the key wakes it
    EXPECT_EQ(c->read_reply(), V::bulk_array({"w", "y", "2"}));
    wait_blocked(0);
}

// When one EXEC fills two of a blocked client's keys, Redis 7.0 serves it from the key that
// became ready first (the order of the writes), not from the first key in argument order; a key
// of another type among its keys does not matter then. Checked on redis-server too.
TEST_F(ZSetBlocking, ServedFromTheKeyThatBecameReadyFirst) {
    auto redis = start_redis();
    for (ServerProcess* srv : {redis.get(), server_.get()}) {
        RespClient admin(srv->port());
        RespClient c(srv->port(), Ms(10000));
        c.send_command({"BZPOPMIN", "k1", "k2", "k3", "0"});
        ASSERT_TRUE(wait_until([&] { return info_int(admin, "clients", "blocked_clients") == 1; },
                               Ms(5000)))
            << srv->name();
        ASSERT_TRUE(admin.command({"MULTI"}).is_string("OK"));
        admin.command({"ZADD", "k2", "2", "b"});
        admin.command({"ZADD", "k1", "1", "a"});
        admin.command({"SET", "k3", "not a zset"});
        RespValue exec = admin.command({"EXEC"});
        ASSERT_TRUE(exec.is_array()) << srv->name() << ": " << exec.to_string();
        EXPECT_EQ(c.read_reply(), V::bulk_array({"k2", "b", "2"})) << srv->name();
        EXPECT_EQ(admin.command({"ZCARD", "k1"}), V::integer_value(1)) << srv->name();
    }
}

TEST_F(ZSetBlocking, NeverBlocksInsideMulti) {
    auto c = client();
    EXPECT_EQ(c->command({"MULTI"}), V::simple("OK"));
    EXPECT_EQ(c->command({"BZPOPMIN", "nothing", "0"}), V::simple("QUEUED"));
    EXPECT_EQ(c->command({"BZMPOP", "0", "1", "nothing", "MAX"}), V::simple("QUEUED"));
    EXPECT_EQ(c->command({"EXEC"}), V::array({V::null_array(), V::null_array()}));
    EXPECT_EQ(info_int(*admin_, "clients", "blocked_clients"), 0);
}

}  // namespace
}  // namespace snapstream::test
