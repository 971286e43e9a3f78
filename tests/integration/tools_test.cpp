// Debian's redis-cli and redis-benchmark against the real binary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

class Tools : public ::testing::Test {
  protected:
    void SetUp() override { snap_ = start_snapstream(); }
    void TearDown() override {
        if (HasFailure() && snap_)
            std::cout << "--- snapstream log ---\n" << snap_->log_tail() << "\n";
    }
    std::vector<std::string> cli(int port, std::vector<std::string> args) {
        std::vector<std::string> argv = {"redis-cli", "-h", "127.0.0.1", "-p",
                                         std::to_string(port)};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    std::unique_ptr<ServerProcess> snap_;
};

TEST_F(Tools, RedisCliCommandsMatchRedis) {
    auto redis = start_redis();
    const std::vector<std::vector<std::string>> cmds = {
        {"set", "a", "b"},
        {"get", "a"},
        {"get", "missing"},
        {"incr", "n"},
        {"mget", "a", "n", "missing"},
        {"exists", "a", "a"},
        {"ping"},
        {"nosuchcmd", "x"},
        {"set", "bin", "x y"},
        {"dbsize"},
    };
    for (const auto& cmd : cmds) {
        ProcessResult expected = run_process(cli(redis->port(), cmd), "", Ms(20000));
        ProcessResult actual = run_process(cli(snap_->port(), cmd), "", Ms(20000));
        ASSERT_FALSE(expected.timed_out) << expected.describe();
        EXPECT_EQ(expected.out, actual.out) << command_to_string(cmd) << "\n" << actual.describe();
        EXPECT_EQ(expected.exit_code(), actual.exit_code()) << command_to_string(cmd) << "\n"
                                                            << actual.describe();
    }
    ProcessResult set = run_process(cli(snap_->port(), {"set", "a", "b"}), "", Ms(20000));
    EXPECT_TRUE(set.exited_ok()) << set.describe();
    EXPECT_EQ(set.out, "OK\n");
}

TEST_F(Tools, RedisCliPipeMode) {
    constexpr int kN = 10000;
    std::string input;
    for (int i = 0; i < kN; ++i)
        input += encode_command({"SET", "pipe:" + std::to_string(i), std::to_string(i)});
    ProcessResult res = run_process(cli(snap_->port(), {"--pipe"}), input, Ms(60000));
    ASSERT_TRUE(res.exited_ok()) << res.describe();
    EXPECT_NE(res.out.find("errors: 0, replies: " + std::to_string(kN)), std::string::npos)
        << res.describe();
    RespClient c(snap_->port());
    EXPECT_EQ(c.command({"DBSIZE"}), RespValue::integer_value(kN));
    EXPECT_EQ(c.command({"GET", "pipe:9999"}), RespValue::bulk("9999"));
}

TEST_F(Tools, RedisBenchmarkCompletes) {
    ProcessResult res =
        run_process({"redis-benchmark", "-h", "127.0.0.1", "-p", std::to_string(snap_->port()),
                     "-t", "set,get", "-n", "2000", "-q"},
                    "", Ms(120000));
    ASSERT_TRUE(res.exited_ok()) << res.describe();
    EXPECT_NE(res.out.find("SET: "), std::string::npos) << res.describe();
    EXPECT_NE(res.out.find("GET: "), std::string::npos) << res.describe();
    EXPECT_NE(res.out.find("requests per second"), std::string::npos) << res.describe();
    RespClient c(snap_->port());
    EXPECT_EQ(c.command({"EXISTS", "key:__rand_int__"}), RespValue::integer_value(1));
    EXPECT_TRUE(c.command({"PING"}).is_string("PONG"));
}

}  // namespace
}  // namespace snapstream::test
