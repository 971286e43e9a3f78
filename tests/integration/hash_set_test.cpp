// Hashes and sets where the differential test cannot look: RESP3 reply shapes (maps, sets,
// HRANDFIELD WITHVALUES pairs) and the encoding thresholds under non-default configuration.
// Expected replies come from redis-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

class HashSet : public ::testing::Test {
  protected:
    void SetUp() override {
        snap_ = start_snapstream();
        redis_ = start_redis();
    }
    std::unique_ptr<ServerProcess> snap_, redis_;
};

// The reply's structure: types and lengths, recursively, without the (random) contents.
std::string shape(const RespValue& v) {
    std::string s = std::to_string(static_cast<int>(v.type));
    if (v.type == RespType::Error) s += ":" + v.str;
    if (!v.elems.empty() || v.is_array() || v.type == RespType::Map || v.type == RespType::Set) {
        s += "[" + std::to_string(v.elems.size());
        for (const auto& e : v.elems) s += " " + shape(e);
        s += "]";
    }
    return s;
}

// The contents with the order of unordered collections removed (map pairs kept together).
std::string canonical(const RespValue& v) {
    if (v.type == RespType::Map) {
        std::vector<std::string> pairs;
        for (size_t i = 0; i + 1 < v.elems.size(); i += 2)
            pairs.push_back(canonical(v.elems[i]) + "=>" + canonical(v.elems[i + 1]));
        std::sort(pairs.begin(), pairs.end());
        std::string s = "%{";
        for (auto& p : pairs) s += p + ",";
        return s + "}";
    }
    if (v.type == RespType::Set || v.is_array()) {
        std::vector<std::string> items;
        for (const auto& e : v.elems) items.push_back(canonical(e));
        std::sort(items.begin(), items.end());
        std::string s = v.type == RespType::Set ? "~{" : "*{";
        for (auto& i : items) s += i + ",";
        return s + "}";
    }
    return v.to_string();
}

void load(RespClient& c) {
    c.command({"HSET", "h", "a", "1", "b", "two", "c", "3"});
    c.command({"SADD", "s", "1", "2", "3"});
    c.command({"SADD", "t", "2", "x"});
}

TEST_F(HashSet, Resp3ReplyShapesMatchRedis) {
    RespClient r(redis_->port()), s(snap_->port());
    for (RespClient* c : {&r, &s}) {
        ASSERT_FALSE(c->command({"HELLO", "3"}).is_error());
        load(*c);
    }
    // Deterministic contents (compared with order removed) and shapes.
    const std::vector<std::vector<std::string>> exact = {
        {"HGETALL", "h"},
        {"HGETALL", "nokey"},
        {"HKEYS", "h"},
        {"HVALS", "h"},
        {"HMGET", "h", "a", "z"},
        {"HGET", "h", "z"},
        {"SMEMBERS", "s"},
        {"SMEMBERS", "nokey"},
        {"SINTER", "s", "t"},
        {"SINTER", "s", "nokey"},
        {"SUNION", "s", "t"},
        {"SDIFF", "s", "t"},
        {"SMISMEMBER", "s", "1"},
        {"SPOP", "nokey", "3"},
        {"SPOP", "s", "0"},
        {"SPOP", "nokey"},
        {"SRANDMEMBER", "nokey"},
        {"SRANDMEMBER", "nokey", "3"},
        {"SRANDMEMBER", "s", "0"},
        {"HRANDFIELD", "nokey"},
        {"HRANDFIELD", "nokey", "3"},
        {"HRANDFIELD", "h", "0"},
        {"HRANDFIELD", "h", "10", "WITHVALUES"},
        {"SRANDMEMBER", "s", "10"},
        {"HSCAN", "h", "0"},
        {"SSCAN", "s", "0"},
        {"HSCAN", "nokey", "0"},
        {"SINTERCARD", "2", "s", "t"},
    };
    for (const auto& cmd : exact) {
        RespValue a = r.command(cmd), b = s.command(cmd);
        EXPECT_EQ(shape(a), shape(b)) << command_to_string(cmd) << "\nredis: " << a.to_string()
                                      << "\nsnapstream: " << b.to_string();
        EXPECT_EQ(canonical(a), canonical(b)) << command_to_string(cmd);
    }
    // Random contents: shapes only.
    const std::vector<std::vector<std::string>> random = {
        {"HRANDFIELD", "h"},
        {"HRANDFIELD", "h", "2"},
        {"HRANDFIELD", "h", "2", "WITHVALUES"},
        {"HRANDFIELD", "h", "-5", "WITHVALUES"},
        {"HRANDFIELD", "h", "1", "WITHVALUES"},
        {"SRANDMEMBER", "s"},
        {"SRANDMEMBER", "s", "2"},
        {"SRANDMEMBER", "s", "-5"},
        {"SPOP", "s", "1"},
        {"SPOP", "s"},
        {"SPOP", "s", "5"},  // the last member: the whole set, as a set
    };
    for (const auto& cmd : random) {
        RespValue a = r.command(cmd), b = s.command(cmd);
        EXPECT_EQ(shape(a), shape(b)) << command_to_string(cmd) << "\nredis: " << a.to_string()
                                      << "\nsnapstream: " << b.to_string();
    }
}

TEST_F(HashSet, EncodingThresholdsFollowConfig) {
    RespClient r(redis_->port()), s(snap_->port());
    const std::vector<std::vector<std::string>> script = {
        {"CONFIG", "SET", "hash-max-listpack-entries", "3"},
        {"CONFIG", "SET", "hash-max-listpack-value", "5"},
        {"CONFIG", "SET", "set-max-intset-entries", "3"},
        {"HSET", "h1", "a", "1", "b", "2", "c", "3"},
        {"OBJECT", "ENCODING", "h1"},
        {"HSET", "h1", "d", "4"},
        {"OBJECT", "ENCODING", "h1"},
        {"HDEL", "h1", "a", "b", "c"},
        {"OBJECT", "ENCODING", "h1"},
        {"HSET", "h2", "a", "12345"},
        {"OBJECT", "ENCODING", "h2"},
        {"HSETNX", "h2", "a", "123456"},
        {"OBJECT", "ENCODING", "h2"},
        {"HSETNX", "h2", "b", "123456"},
        {"OBJECT", "ENCODING", "h2"},
        {"HSET", "h3", "a", "9999"},
        {"HINCRBY", "h3", "a", "1"},
        {"OBJECT", "ENCODING", "h3"},
        {"HINCRBY", "h3", "a", "90000"},
        {"OBJECT", "ENCODING", "h3"},
        {"HSET", "h4", "a", "1"},
        {"HINCRBYFLOAT", "h4", "a", "0.25"},
        {"OBJECT", "ENCODING", "h4"},
        {"HINCRBYFLOAT", "h4", "a", "0.125"},
        {"OBJECT", "ENCODING", "h4"},
        {"HSET", "h5", "abcdef", "1"},
        {"OBJECT", "ENCODING", "h5"},
        {"SADD", "s1", "1", "2", "3"},
        {"OBJECT", "ENCODING", "s1"},
        {"SADD", "s1", "4"},
        {"OBJECT", "ENCODING", "s1"},
        {"SREM", "s1", "1", "2", "3"},
        {"OBJECT", "ENCODING", "s1"},
        {"SADD", "s2", "1", "2"},
        {"SADD", "s3", "a", "1"},
        {"OBJECT", "ENCODING", "s3"},
        {"SMOVE", "s3", "s4", "1"},
        {"OBJECT", "ENCODING", "s4"},
        {"SMOVE", "s3", "s5", "a"},
        {"OBJECT", "ENCODING", "s5"},
        {"SINTERSTORE", "d1", "s2", "s2"},
        {"OBJECT", "ENCODING", "d1"},
        {"SUNIONSTORE", "d2", "s1", "s2"},
        {"OBJECT", "ENCODING", "d2"},
        {"SADD", "s6", "1", "2", "3", "x"},
        {"SDIFFSTORE", "d3", "s6", "s2"},
        {"OBJECT", "ENCODING", "d3"},
        {"SADD", "s7", "1", "2", "x", "y", "z"},
        {"SADD", "sx", "x"},
        {"SADD", "sy", "y"},
        {"SADD", "sz", "z"},
        {"SDIFFSTORE", "d4", "s7", "sx", "sy"},  // Redis's first algorithm: only {1, 2} added
        {"OBJECT", "ENCODING", "d4"},
        {"SDIFFSTORE", "d4", "s7", "sx", "sy", "sz"},  // the second: all of s7 added, then removed
        {"OBJECT", "ENCODING", "d4"},
        {"SINTERSTORE", "d5", "s1", "nokey"},
        {"EXISTS", "d5"},
        {"CONFIG", "SET", "set-max-intset-entries", "512"},
        {"SADD", "s9", "1", "2", "3", "4", "5", "6", "x"},
        {"SREM", "s9", "x"},
        {"OBJECT", "ENCODING", "s9"},
    };
    for (const auto& cmd : script) {
        RespValue a = r.command(cmd), b = s.command(cmd);
        EXPECT_EQ(a, b) << command_to_string(cmd) << "\nredis: " << a.to_string()
                        << "\nsnapstream: " << b.to_string();
    }
    // Popping 5 of 6 keeps one integer in a rebuilt set: an intset again.
    RespValue a = r.command({"SPOP", "s9", "5"}), b = s.command({"SPOP", "s9", "5"});
    EXPECT_EQ(a.elems.size(), 5u);
    EXPECT_EQ(b.elems.size(), 5u);
    EXPECT_EQ(r.command({"OBJECT", "ENCODING", "s9"}), RespValue::bulk("intset"));
    EXPECT_EQ(s.command({"OBJECT", "ENCODING", "s9"}), RespValue::bulk("intset"));
}

}  // namespace
}  // namespace snapstream::test
