// MULTI/EXEC/DISCARD/WATCH against Debian's redis-server: each scenario is a script of
// commands sent by two clients in a fixed interleaving to both servers, and every reply must
// be the same (queued errors, EXECABORT, runtime errors inside EXEC, WATCH invalidated by other
// clients' writes, own writes, deletion, FLUSHDB/SWAPDB, expiry).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

struct Step {
    int client;  // 0 or 1
    std::vector<std::string> cmd;
};

class Transactions : public ::testing::Test {
  protected:
    void SetUp() override {
        snap_ = start_snapstream();
        redis_ = start_redis();
    }
    void TearDown() override {
        if (HasFailure() && snap_)
            std::cout << "--- snapstream log ---\n" << snap_->log_tail() << "\n";
    }

    // Runs the script on both servers (fresh clients, flushed data) and compares each reply.
    void run_script(const std::vector<Step>& script) {
        RespClient r0(redis_->port()), r1(redis_->port());
        RespClient s0(snap_->port()), s1(snap_->port());
        ASSERT_TRUE(r0.command({"FLUSHALL"}).is_string("OK"));
        ASSERT_TRUE(s0.command({"FLUSHALL"}).is_string("OK"));
        for (size_t i = 0; i < script.size(); ++i) {
            const Step& st = script[i];
            RespValue expected = (st.client == 0 ? r0 : r1).command(st.cmd);
            RespValue actual = (st.client == 0 ? s0 : s1).command(st.cmd);
            EXPECT_EQ(expected, actual)
                << "step " << i << " client " << st.client << ": " << command_to_string(st.cmd);
        }
    }

    std::unique_ptr<ServerProcess> snap_, redis_;
};

TEST_F(Transactions, QueuedCommandsRunInOrderAndRepliesFormOneArray) {
    run_script({{0, {"MULTI"}},
                {0, {"SET", "a", "1"}},
                {0, {"INCR", "a"}},
                {0, {"INCRBY", "a", "10"}},
                {0, {"GET", "a"}},
                {0, {"EXEC"}},
                {0, {"GET", "a"}}});
}

TEST_F(Transactions, ErrorsWhileQueueingAbortExec) {
    run_script({{0, {"MULTI"}},
                {0, {"SET", "a", "1"}},
                {0, {"NOSUCHCOMMAND", "x"}},
                {0, {"SET", "b", "2"}},
                {0, {"EXEC"}},
                {0, {"EXISTS", "a", "b"}},
                {0, {"MULTI"}},
                {0, {"GET"}},  // wrong arity
                {0, {"EXEC"}},
                {0, {"MULTI"}},
                {0, {"CONFIG", "NOSUCHSUB"}},
                {0, {"EXEC"}},
                {0, {"MULTI"}},
                {0, {"SHUTDOWN"}},  // no_multi
                {0, {"EXEC"}}});
}

TEST_F(Transactions, RuntimeErrorsDoNotStopTheOthers) {
    run_script({{0, {"SET", "s", "text"}},
                {0, {"MULTI"}},
                {0, {"INCR", "s"}},
                {0, {"SET", "n", "5"}},
                {0, {"INCRBYFLOAT", "s", "1"}},
                {0, {"INCR", "n"}},
                {0, {"EXEC"}},
                {0, {"GET", "n"}}});
}

TEST_F(Transactions, StateErrors) {
    run_script({{0, {"EXEC"}},
                {0, {"DISCARD"}},
                {0, {"MULTI"}},
                {0, {"MULTI"}},
                {0, {"WATCH", "k"}},
                {0, {"SET", "k", "v"}},
                {0, {"EXEC"}},
                {0, {"MULTI"}},
                {0, {"SET", "k", "w"}},
                {0, {"DISCARD"}},
                {0, {"GET", "k"}},
                {0, {"UNWATCH"}}});
}

TEST_F(Transactions, WatchedKeyWrittenByAnotherClientFailsExec) {
    run_script({{0, {"SET", "k", "1"}},
                {0, {"WATCH", "k"}},
                {1, {"SET", "k", "2"}},
                {0, {"MULTI"}},
                {0, {"SET", "k", "3"}},
                {0, {"EXEC"}},
                {0, {"GET", "k"}},
                // The failed EXEC unwatched everything: the next transaction runs.
                {0, {"MULTI"}},
                {0, {"SET", "k", "4"}},
                {0, {"EXEC"}},
                {0, {"GET", "k"}}});
}

TEST_F(Transactions, WatchInvalidatedByOwnWriteCreationAndDeletion) {
    run_script({{0, {"WATCH", "k"}},
                {0, {"SET", "k", "mine"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // A key that does not exist yet, created by someone else.
                {0, {"WATCH", "missing"}},
                {1, {"SET", "missing", "now"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // Deleted by someone else.
                {0, {"WATCH", "missing"}},
                {1, {"DEL", "missing"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // Deleting a key that is not there changes nothing.
                {0, {"WATCH", "gone"}},
                {1, {"DEL", "gone"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // A failed SET NX changes nothing either; EXPIRE and PERSIST do.
                {1, {"SET", "t", "1"}},
                {0, {"WATCH", "t"}},
                {1, {"SET", "t", "2", "NX"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                {0, {"WATCH", "t"}},
                {1, {"EXPIRE", "t", "1000"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                {0, {"WATCH", "t"}},
                {1, {"PERSIST", "t"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}}});
}

TEST_F(Transactions, WatchAcrossRenameMoveAndOtherDatabases) {
    run_script({{1, {"SET", "a", "1"}},
                {0, {"WATCH", "b"}},
                {1, {"RENAME", "a", "b"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // A write to the same name in another database is another key.
                {0, {"WATCH", "b"}},
                {1, {"SELECT", "1"}},
                {1, {"SET", "b", "other-db"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                {0, {"WATCH", "b"}},
                {1, {"SELECT", "0"}},
                {1, {"MOVE", "b", "2"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}}});
}

TEST_F(Transactions, FlushdbAndSwapdbTouchWatchedKeysThatExist) {
    run_script({{0, {"SET", "k", "v"}},
                {0, {"WATCH", "k"}},
                {1, {"FLUSHDB"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // The watched key does not exist: flushing does not touch it.
                {0, {"WATCH", "k"}},
                {1, {"FLUSHALL"}},
                {0, {"MULTI"}},
                {0, {"PING"}},
                {0, {"EXEC"}},
                // SWAPDB brings a key under the watched name.
                {1, {"SELECT", "3"}},
                {1, {"SET", "k", "in-3"}},
                {0, {"WATCH", "k"}},
                {1, {"SWAPDB", "0", "3"}},
                {0, {"MULTI"}},
                {0, {"GET", "k"}},
                {0, {"EXEC"}},
                {0, {"GET", "k"}}});
}

TEST_F(Transactions, UnwatchForgetsKeys) {
    run_script({{0, {"WATCH", "k"}},
                {0, {"UNWATCH"}},
                {1, {"SET", "k", "x"}},
                {0, {"MULTI"}},
                {0, {"GET", "k"}},
                {0, {"EXEC"}}});
}

TEST_F(Transactions, SelectInsideMultiAppliesToLaterQueuedCommands) {
    run_script({{0, {"MULTI"}},
                {0, {"SELECT", "5"}},
                {0, {"SET", "x", "in5"}},
                {0, {"SELECT", "99"}},
                {0, {"EXEC"}},
                {0, {"GET", "x"}},
                {0, {"SELECT", "0"}},
                {0, {"GET", "x"}}});
}

// A watched key whose TTL passes before EXEC makes EXEC fail, whether or not anything deleted
// it in between (Redis 7.0 checks expiry at EXEC).
TEST_F(Transactions, WatchedKeyThatExpiresFailsExec) {
    for (auto* proc : {redis_.get(), snap_.get()}) {
        RespClient c(proc->port());
        ASSERT_TRUE(c.command({"SET", "k", "v", "PX", "150"}).is_string("OK"));
        ASSERT_TRUE(c.command({"WATCH", "k"}).is_string("OK"));
        // Poll from the same connection (EXISTS on a watched key does not change it) until it
        // is gone.
        bool gone = wait_until(
            [&] {
                return c.command({"EXISTS", "k"}).integer == 0;
            },
            Ms(5000), Ms(10));
        ASSERT_TRUE(gone) << proc->name();
        ASSERT_TRUE(c.command({"MULTI"}).is_string("OK"));
        ASSERT_TRUE(c.command({"SET", "k", "new"}).is_string("QUEUED"));
        RespValue r = c.command({"EXEC"});
        EXPECT_TRUE(r.is_null()) << proc->name() << ": " << r.to_string();
    }
}

TEST_F(Transactions, ClientListShowsMultiState) {
    RespClient c(snap_->port());
    ASSERT_TRUE(c.command({"MULTI"}).is_string("OK"));
    ASSERT_TRUE(c.command({"PING"}).is_string("QUEUED"));
    ASSERT_TRUE(c.command({"PING"}).is_string("QUEUED"));
    RespClient other(snap_->port());
    std::string list = other.command({"CLIENT", "LIST"}).str;
    EXPECT_NE(list.find("flags=x"), std::string::npos) << list;
    EXPECT_NE(list.find("multi=2"), std::string::npos) << list;
}

// The WATCH race: several clients increment one counter with optimistic locking (WATCH, GET,
// MULTI, SET, EXEC, retry on a nil EXEC). If WATCH missed a concurrent write, two clients
// would both commit from the same read and an increment would be lost, so the final value would
// be below the number of committed transactions. Bounded: each client stops after kTarget
// commits or kMaxAttempts tries.
TEST_F(Transactions, OptimisticIncrementsUnderContentionLoseNothing) {
    constexpr int kClients = 4;
    constexpr int kTarget = 150;
    constexpr int kMaxAttempts = 20000;
    std::atomic<int> committed{0}, aborted{0};
    std::vector<std::string> errors(kClients);
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            try {
                RespClient c(snap_->port());
                int mine = 0;
                for (int attempt = 0; attempt < kMaxAttempts && mine < kTarget; ++attempt) {
                    c.command({"WATCH", "counter"});
                    RespValue v = c.command({"GET", "counter"});
                    int64_t n = v.is_null() ? 0 : std::stoll(v.str);
                    c.command({"MULTI"});
                    c.command({"SET", "counter", std::to_string(n + 1)});
                    c.command({"INCR", "commits"});
                    RespValue r = c.command({"EXEC"});
                    if (r.is_null()) {
                        ++aborted;
                    } else if (r.is_array() && r.elems.size() == 2) {
                        ++mine;
                        ++committed;
                    } else {
                        errors[static_cast<size_t>(t)] = "EXEC replied " + r.to_string();
                        return;
                    }
                }
            } catch (const std::exception& e) {
                errors[static_cast<size_t>(t)] = e.what();
            }
        });
    }
    for (auto& th : threads) th.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    RespClient c(snap_->port());
    EXPECT_EQ(committed.load(), kClients * kTarget);
    EXPECT_EQ(c.command({"GET", "counter"}), RespValue::bulk(std::to_string(committed.load())))
        << "aborted " << aborted.load();
    EXPECT_EQ(c.command({"GET", "commits"}), RespValue::bulk(std::to_string(committed.load())));
    std::cout << "[ watch race ] " << committed.load() << " commits, " << aborted.load()
              << " retries after a failed EXEC\n";
}

}  // namespace
}  // namespace snapstream::test
