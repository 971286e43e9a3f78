// Protocol behaviour of the real binary: inline commands, pipelining, partial writes, malformed
// input, big bulks, error texts, QUIT, HELLO. Expected replies come from redis-server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

class Protocol : public ::testing::Test {
  protected:
    void SetUp() override {
        snap_ = start_snapstream();
        redis_ = start_redis();
    }
    void TearDown() override {
        if (HasFailure() && snap_)
            std::cout << "--- snapstream log ---\n" << snap_->log_tail() << "\n";
    }
    std::unique_ptr<ServerProcess> snap_;
    std::unique_ptr<ServerProcess> redis_;
};

std::string bytes_of(std::initializer_list<std::string_view> parts) {
    std::string s;
    for (auto p : parts) s += p;
    return s;
}

TEST_F(Protocol, InlineCommandsMatchRedis) {
    const std::vector<std::string> cases = {
        "PING\r\n",
        "PING\n",
        "PING\r\r\n",
        "SET a b\n",
        "SET a b\r\nGET a\r\n",
        "  SET   spaced    value  \r\nGET spaced\r\n",
        "\r\n",
        " \r\n",
        "\r\n\r\nPING\r\n",
        "ping hello\r\n",
        "ECHO \"quoted value\"\r\n",
        "SET 'a\\x41' \"b\\x41\\n\"\r\nGET aA\r\nGET \"a\\\\x41\"\r\nGET 'a\\x41'\r\n",
        "a\"b\" c\r\n",
        "SET k \"\\xzz\"\r\nGET k\r\n",
        "SET k \"\\x00\\r\\n\\t\\\\\"\r\nGET k\r\nSTRLEN k\r\n",
        "$-5\r\n",
        "NOSUCHCOMMAND a b\r\n",
        "GET\r\n",
        "set lower case\r\nGET lower\r\n",
        "PING\r\n*1\r\n$4\r\nPING\r\nPING\n",
        "GET " + std::string(70000, 'a') + "\r\n",
    };
    for (const auto& payload : cases) {
        RawExchange expected = exchange_with_sentinel(redis_->port(), payload);
        RawExchange actual = exchange_with_sentinel(snap_->port(), payload);
        EXPECT_EQ(expected, actual)
            << "payload: \"" << escape_bytes(payload) << "\"\nredis:      " << expected.render()
            << "\nsnapstream: " << actual.render();
        ASSERT_FALSE(expected.closed)
            << "test case should not close on redis: " << escape_bytes(payload);
    }
}

TEST_F(Protocol, PipelineOfManyCommandsInOneWrite) {
    RespClient c(snap_->port());
    std::vector<std::vector<std::string>> cmds;
    constexpr int kN = 2000;
    for (int i = 0; i < kN; ++i)
        cmds.push_back({"SET", "key:" + std::to_string(i), "value:" + std::to_string(i)});
    for (int i = 0; i < kN; ++i) cmds.push_back({"GET", "key:" + std::to_string(i)});
    cmds.push_back({"DBSIZE"});
    auto replies = c.pipeline(cmds);
    ASSERT_EQ(replies.size(), cmds.size());
    for (int i = 0; i < kN; ++i) {
        ASSERT_TRUE(replies[static_cast<size_t>(i)].is_string("OK"))
            << i << ": " << replies[static_cast<size_t>(i)].to_string();
        ASSERT_EQ(replies[static_cast<size_t>(kN + i)],
                  RespValue::bulk("value:" + std::to_string(i)))
            << i;
    }
    EXPECT_EQ(replies.back(), RespValue::integer_value(kN));

    // Inline commands pipelined too.
    std::string inline_payload;
    for (int i = 0; i < 5000; ++i) inline_payload += "PING\r\n";
    c.send_raw(inline_payload);
    for (int i = 0; i < 5000; ++i) ASSERT_TRUE(c.read_reply().is_string("PONG")) << i;
    EXPECT_EQ(c.buffered(), 0u) << "no extra replies expected";
}

TEST_F(Protocol, PartialWritesAtEverySplitPoint) {
    const std::string payload = bytes_of({
        encode_command({"SET", "k", std::string("v\r\n\0", 4)}),
        encode_command({"GET", "k"}),
        "PING\r\n",
        encode_command({"ECHO", "x"}),
        encode_command({"STRLEN", "k"}),
    });
    // The expected replies are redis's to the whole payload in one write.
    RespClient oracle(redis_->port());
    oracle.send_raw(payload);
    const auto expected = oracle.read_replies(5);

    RespClient c(snap_->port());
    // Two sends split at every index.
    for (size_t i = 1; i < payload.size(); ++i) {
        c.send_raw(std::string_view(payload).substr(0, i));
        c.send_raw(std::string_view(payload).substr(i));
        auto got = c.read_replies(expected.size());
        ASSERT_EQ(got, expected) << "split at " << i << " of \"" << escape_bytes(payload) << "\"";
    }
    // Three sends split at every pair of indexes of a shorter pipeline.
    const std::string small =
        encode_command({"SET", "k2", "ab"}) + "PING\r\n" + encode_command({"GET", "k2"});
    oracle.send_raw(small);
    const auto expected_small = oracle.read_replies(3);
    for (size_t i = 1; i < small.size(); ++i) {
        for (size_t j = i + 1; j < small.size(); ++j) {
            c.send_raw(std::string_view(small).substr(0, i));
            c.send_raw(std::string_view(small).substr(i, j - i));
            c.send_raw(std::string_view(small).substr(j));
            auto got = c.read_replies(expected_small.size());
            ASSERT_EQ(got, expected_small) << "split at " << i << "," << j;
        }
    }
    EXPECT_EQ(c.buffered(), 0u);
}

TEST_F(Protocol, MalformedInputGetsRedisErrorAndCloses) {
    const std::vector<std::string> fatal = {
        "*abc\r\n",
        "*1\r\nfoo\r\n",
        "*1\r\n$abc\r\n",
        "*1\r\n$-5\r\n",
        "*3000000000\r\n",
        "*2147483648\r\n",
        "*1\r\n$600000000\r\n",
        "*1\r\n$536870913\r\n",
        "SET \"a b\r\n",
        "\"unterminated\r\n",
        "\"a\"b c\r\n",
        "*2\r\n$4\r\nECHO\r\n$-1\r\n",
        "*1\r\n$4\r\nPING\r\n*x\r\n",
        "*1\r\n$+4\r\nPING\r\n",
        "*+1\r\n$4\r\nPING\r\n",
        "*1\r\n$ 4\r\nPING\r\n",
        "*01\r\n$04\r\nPING\r\n",
        "*\r\n",
        "*1\r\n$\r\n",
        "*1\n$4\nPING\n\r\n",
        std::string(65 * 1024 + 100, 'a'),              // too big inline request
        "*" + std::string(65 * 1024 + 100, '1'),        // too big mbulk count string
        "*1\r\n$" + std::string(65 * 1024 + 100, '1'),  // too big bulk count string
    };
    RespClient bystander(snap_->port());
    for (const auto& payload : fatal) {
        RawExchange expected = exchange_until_closed(redis_->port(), payload);
        ASSERT_TRUE(expected.closed) << "redis should close on: " << escape_bytes(payload);
        RawExchange actual = exchange_until_closed(snap_->port(), payload);
        EXPECT_EQ(expected, actual)
            << "payload: \"" << escape_bytes(payload) << "\"\nredis:      " << expected.render()
            << "\nsnapstream: " << actual.render();
        // Other clients keep being served.
        ASSERT_TRUE(bystander.command({"PING"}).is_string("PONG"))
            << "after " << escape_bytes(payload);
        RespClient fresh(snap_->port());
        ASSERT_TRUE(fresh.command({"PING"}).is_string("PONG")) << "after " << escape_bytes(payload);
    }
}

TEST_F(Protocol, OddButValidInputMatchesRedis) {
    // Streams Redis accepts (or waits on) without closing; each is completed so that a sentinel
    // command follows at a command boundary.
    const std::vector<std::string> cases = {
        "*-1\r\n",
        "*0\r\n",
        "*1\r\n$0\r\n\r\n",
        "*1\r\n$3\r\nfoo\r\nbar\r\n",
        "*2\r\n$4\r\nPING\r\n$3\r\nabc\r\n",
        "*1\r\n$4\r\nPINGXY",  // Redis does not check the CRLF after a bulk
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
        "*2\r\n$4\r\nECHO\r\n$10\r\n\r\n\r\n\r\n\r\n\r\n\r\n",
    };
    for (const auto& payload : cases) {
        RawExchange expected = exchange_with_sentinel(redis_->port(), payload);
        RawExchange actual = exchange_with_sentinel(snap_->port(), payload);
        EXPECT_EQ(expected, actual)
            << "payload: \"" << escape_bytes(payload) << "\"\nredis:      " << expected.render()
            << "\nsnapstream: " << actual.render();
    }
}

TEST_F(Protocol, BigBulkRoundTrip) {
    RespClient c(snap_->port(), Ms(30000));
    std::string big(10 * 1024 * 1024, '\0');
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (auto& ch : big) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ch = static_cast<char>(x);
    }
    ASSERT_TRUE(c.command({"SET", "big", big}).is_string("OK"));
    RespValue got = c.command({"GET", "big"});
    ASSERT_EQ(got.type, RespType::Bulk);
    EXPECT_EQ(got.str.size(), big.size());
    EXPECT_TRUE(got.str == big) << "10 MB value came back different";
    EXPECT_EQ(c.command({"STRLEN", "big"}),
              RespValue::integer_value(static_cast<int64_t>(big.size())));
    // And in the same connection afterwards, small commands still work.
    EXPECT_TRUE(c.command({"PING"}).is_string("PONG"));
}

TEST_F(Protocol, SlowReaderDoesNotBlockOtherClients) {
    // One client pipelines 100 MB of replies and does not read them; another is still served.
    RespClient slow(snap_->port(), Ms(30000));
    const std::string value(1024 * 1024, 'v');
    ASSERT_TRUE(slow.command({"SET", "big", value}).is_string("OK"));
    constexpr int kGets = 100;
    std::string burst;
    for (int i = 0; i < kGets; ++i) burst += encode_command({"GET", "big"});
    slow.send_raw(burst);
    RespClient other(snap_->port(), Ms(5000));
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(other.command({"PING"}).is_string("PONG")) << i;
        ASSERT_TRUE(other.command({"SET", "other", std::to_string(i)}).is_string("OK"));
    }
    // Now the slow reader gets every reply, intact and in order.
    for (int i = 0; i < kGets; ++i) {
        RespValue r = slow.read_reply();
        ASSERT_EQ(r.type, RespType::Bulk) << i;
        ASSERT_TRUE(r.str == value) << "reply " << i << " differs";
    }
    EXPECT_TRUE(slow.command({"PING"}).is_string("PONG"));
}

TEST_F(Protocol, ManyClientsInterleaved) {
    constexpr int kClients = 50;
    std::vector<RespClient> clients;
    for (int i = 0; i < kClients; ++i) clients.emplace_back(snap_->port());
    // Every client sends before any reads, so the server has all of them in flight at once.
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < kClients; ++i) {
            clients[static_cast<size_t>(i)].send_command(
                {"SET", "c" + std::to_string(i), std::to_string(round * 1000 + i)});
            clients[static_cast<size_t>(i)].send_command({"INCR", "shared"});
        }
        for (int i = 0; i < kClients; ++i) {
            auto replies = clients[static_cast<size_t>(i)].read_replies(2);
            ASSERT_TRUE(replies[0].is_string("OK")) << replies[0];
            ASSERT_EQ(replies[1].type, RespType::Integer) << replies[1];
        }
    }
    EXPECT_EQ(clients[0].command({"GET", "shared"}),
              RespValue::bulk(std::to_string(20 * kClients)));
    for (int i = 0; i < kClients; ++i) {
        EXPECT_EQ(clients[0].command({"GET", "c" + std::to_string(i)}),
                  RespValue::bulk(std::to_string(19 * 1000 + i)));
    }
}

TEST_F(Protocol, UnknownCommandAndArityErrorsMatchRedis) {
    const std::vector<std::vector<std::string>> cmds = {
        {"FOO"},
        {"foo", "a", "b"},
        {"FOO", std::string(300, 'x'), "y"},
        {"FOO", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"},
        {"FOO", std::string("a\r\nb", 4)},
        {""},
        {"GET"},
        {"GET", "a", "b"},
        {"get"},
        {"SET", "a"},
        {"SET"},
        {"MSET", "a"},
        {"MSET", "a", "b", "c"},
        {"MGET"},
        {"DEL"},
        {"PING", "a", "b"},
        {"ECHO"},
        {"SELECT"},
        {"DBSIZE", "x"},
        {"CONFIG"},
        {"CONFIG", "GET"},
        {"CONFIG", "FOO"},
        {"CONFIG", "SET", "timeout"},
        {"CLIENT"},
        {"CLIENT", "FOO"},
        {"CLIENT", "SETNAME"},
        {"OBJECT"},
        {"OBJECT", "ENCODING"},
        {"OBJECT", "NOSUCH", "k"},
        {"EXPIRE", "k"},
        // Arguments with CR/LF inside error texts: Redis trims them at the end and turns the
        // others into spaces.
        {"EXPIRE", "k", "100", "v\n"},
        {"EXPIRE", "k", "100", "a\r\nb\r\n"},
        {"SET", "k", "v", "x\r"},
        {"FOO\r\n", "a\n"},
        {"FOO", std::string("a\0b", 3)},
        {"OBJECT", "x\n", "k"},
        {"CONFIG", "SET", "x\r\n", "1"},
        {"CLIENT", "NOSUCH\r\n"},
        {"SELECT", "1\n"},
    };
    RespClient r(redis_->port());
    RespClient s(snap_->port());
    for (const auto& cmd : cmds) {
        RespValue expected = r.command(cmd);
        RespValue actual = s.command(cmd);
        ASSERT_TRUE(expected.is_error()) << command_to_string(cmd) << " should fail on redis";
        EXPECT_EQ(expected, actual) << command_to_string(cmd);
    }
}

TEST_F(Protocol, QuitRepliesOkAndCloses) {
    RespClient r(redis_->port());
    RespClient s(snap_->port());
    RespValue expected = r.command({"QUIT"});
    EXPECT_EQ(expected, s.command({"QUIT"}));
    EXPECT_TRUE(s.wait_closed(Ms(5000))) << "connection still open after QUIT";
    // Pipelined commands after QUIT are not executed.
    RespClient s2(snap_->port());
    s2.send_raw(encode_command({"QUIT"}) + encode_command({"SET", "after-quit", "1"}));
    bool closed = false;
    auto replies = s2.read_until_closed(Ms(5000), &closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(RespValue::array(replies), RespValue::array({RespValue::simple("OK")}));
    RespClient s3(snap_->port());
    EXPECT_EQ(s3.command({"EXISTS", "after-quit"}), RespValue::integer_value(0));
}

// The keys of a HELLO reply (map in RESP3, flat array in RESP2).
std::vector<std::string> hello_keys(const RespValue& v) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < v.elems.size(); i += 2) keys.push_back(v.elems[i].str);
    return keys;
}

const RespValue* hello_field(const RespValue& v, std::string_view key) {
    for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        if (v.elems[i].str == key) return &v.elems[i + 1];
    }
    return nullptr;
}

TEST_F(Protocol, HelloSwitchesProtocol) {
    RespClient r(redis_->port());
    RespClient s(snap_->port());
    r.set_keep_raw(true);
    s.set_keep_raw(true);

    RespValue r2 = r.command({"HELLO", "2"});
    RespValue s2 = s.command({"HELLO", "2"});
    ASSERT_EQ(s2.type, RespType::Array) << s2.to_string();
    EXPECT_EQ(hello_keys(r2), hello_keys(s2));
    ASSERT_NE(hello_field(s2, "proto"), nullptr);
    EXPECT_EQ(*hello_field(s2, "proto"), RespValue::integer_value(2));
    ASSERT_NE(hello_field(s2, "id"), nullptr);
    EXPECT_EQ(*hello_field(s2, "id"), s.command({"CLIENT", "ID"}));

    // Errors.
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"HELLO", "4"}, {"HELLO", "1"}, {"HELLO", "abc"}, {"HELLO", "3", "FOO"}}) {
        RespValue expected = r.command(cmd);
        ASSERT_TRUE(expected.is_error()) << command_to_string(cmd);
        EXPECT_EQ(expected, s.command(cmd)) << command_to_string(cmd);
    }

    RespValue r3 = r.command({"HELLO", "3"});
    RespValue s3 = s.command({"HELLO", "3"});
    ASSERT_EQ(s3.type, RespType::Map) << s3.to_string();
    EXPECT_EQ(hello_keys(r3), hello_keys(s3));
    ASSERT_NE(hello_field(s3, "proto"), nullptr);
    EXPECT_EQ(*hello_field(s3, "proto"), RespValue::integer_value(3));
    for (const char* key : {"mode", "role"}) {
        ASSERT_NE(hello_field(s3, key), nullptr) << key;
        EXPECT_EQ(*hello_field(r3, key), *hello_field(s3, key)) << key;
    }

    // RESP3 encodings, byte for byte.
    const std::vector<std::vector<std::string>> resp3_cmds = {
        {"SET", "k", "v"},
        {"GET", "missing"},
        {"MGET", "k", "missing"},
        {"EXISTS", "k"},
        {"CONFIG", "GET", "timeout"},
        {"PING"},
        {"ECHO", "x"},
        {"GETDEL", "missing"},
        {"SET", "k", "v2", "GET"},
        {"INCRBYFLOAT", "f", "1.5"},
        {"TTL", "k"},
        {"OBJECT", "ENCODING", "missing"},
    };
    for (const auto& cmd : resp3_cmds) {
        r.command(cmd);
        s.command(cmd);
        EXPECT_EQ(escape_bytes(r.last_raw()), escape_bytes(s.last_raw()))
            << "RESP3 " << command_to_string(cmd);
    }

    // Back to RESP2.
    r.command({"HELLO", "2"});
    s.command({"HELLO", "2"});
    r.command({"GET", "missing"});
    s.command({"GET", "missing"});
    EXPECT_EQ(s.last_raw(), "$-1\r\n");
    EXPECT_EQ(r.last_raw(), s.last_raw());

    // HELLO without arguments keeps the protocol and answers in it.
    RespValue plain = s.command({"HELLO"});
    EXPECT_EQ(plain.type, RespType::Array) << plain.to_string();
}

}  // namespace
}  // namespace snapstream::test
