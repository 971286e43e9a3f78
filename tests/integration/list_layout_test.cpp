// The quicklist node layout must be Redis's (an RDB writer stores the nodes' listpacks as they
// are): random pushes, LINSERTs (splits and merges), LREM, LTRIM, LSET, count pops and LMOVEs
// under several list-max-listpack-size values, with DEBUG OBJECT's ql_nodes, ql_listpack_max and
// ql_uncompressed_size (the sum of the nodes' listpack bytes) compared after every command.
#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

// "ql_nodes:N ql_listpack_max:F ql_uncompressed_size:B", or the reply if it has no such fields.
std::string layout(RespClient& c, const std::string& key) {
    RespValue r = c.command({"DEBUG", "OBJECT", key});
    static const std::regex re(
        "(ql_nodes:\\d+).*(ql_listpack_max:-?\\d+).*(ql_uncompressed_size:\\d+)");
    std::smatch m;
    if (r.type == RespType::Simple && std::regex_search(r.str, m, re))
        return m[1].str() + " " + m[2].str() + " " + m[3].str();
    return r.to_string();
}

TEST(ListLayout, QuicklistNodesMatchRedis) {
    auto snap = start_snapstream();
    auto redis = start_redis({"--enable-debug-command", "yes"});
    RespClient s(snap->port()), r(redis->port());
    const std::vector<std::string> pool = {"a",
                                           "b",
                                           "c",
                                           "1",
                                           "22",
                                           std::string(70, 'x'),
                                           std::string(300, 'y'),
                                           std::string(3000, 'z')};
    const int fills[] = {-1, -2, 1, 2, 3, 5, 16, 128};
    for (uint32_t seed = 0; seed < 24; ++seed) {
        std::mt19937 rng(seed);
        const std::string fill = std::to_string(fills[seed % 8]);
        for (RespClient* c : {&s, &r}) {
            c->command({"FLUSHALL"});
            c->command({"CONFIG", "SET", "list-max-listpack-size", fill});
        }
        auto el = [&] {
            return rng() % 10 < 6 ? pool[rng() % pool.size()]
                                  : std::to_string(static_cast<int>(rng() % 10001) - 5000);
        };
        auto num = [&](int lo, int hi) {
            return std::to_string(lo +
                                  static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1)));
        };
        for (int step = 0; step < 250; ++step) {
            const std::string k = rng() % 2 ? "l1" : "l2";
            std::vector<std::string> cmd;
            const unsigned op = rng() % 10;
            if (op < 3) {
                cmd = {rng() % 2 ? "LPUSH" : "RPUSH", k};
                for (unsigned i = 0, n = 1 + rng() % 30; i < n; ++i) cmd.push_back(el());
            } else if (op < 5) {
                cmd = {"LINSERT", k, rng() % 2 ? "BEFORE" : "AFTER", el(), el()};
            } else if (op < 6) {
                cmd = {"LREM", k, num(-3, 3), el()};
            } else if (op < 7) {
                cmd = {"LTRIM", k, num(-50, 50), num(-50, 200)};
            } else if (op < 8) {
                cmd = {"LSET", k, num(-50, 50), el()};
            } else if (op < 9) {
                cmd = {rng() % 2 ? "LPOP" : "RPOP", k, num(1, 10)};
            } else {
                cmd = {"LMOVE", k, rng() % 2 ? "l1" : "l2", rng() % 2 ? "LEFT" : "RIGHT",
                       rng() % 2 ? "LEFT" : "RIGHT"};
            }
            RespValue expected = r.command(cmd);
            RespValue actual = s.command(cmd);
            ASSERT_EQ(expected, actual) << "seed " << seed << " step " << step;
            ASSERT_EQ(layout(r, k), layout(s, k)) << "seed " << seed << " fill " << fill << " step "
                                                  << step << ": " << command_to_string(cmd);
        }
    }
}

}  // namespace
}  // namespace snapstream::test
