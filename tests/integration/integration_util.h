// Shared helpers for the integration tests: every test starts the real snapstream-server (and,
// where the expected reply can come from it, Debian's redis-server as the oracle).
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace snapstream::test {

// Replies to a raw byte stream followed by a sentinel command, read up to the sentinel's reply
// (so a stream whose replies we cannot count in advance needs no sleep). `closed` is set if the
// server closed the connection instead.
struct RawExchange {
    std::vector<RespValue> replies;
    bool closed = false;
    std::string render() const {
        std::string s;
        for (const auto& r : replies) s += r.to_string() + " ";
        return s + (closed ? "<closed>" : "<open>");
    }
    bool operator==(const RawExchange&) const = default;
};

inline constexpr std::string_view kSentinel = "__sentinel__";

inline RawExchange exchange_with_sentinel(int port, std::string_view payload) {
    RespClient c(port, Ms(5000));
    c.send_raw(payload);
    c.send_command({"ECHO", std::string(kSentinel)});
    RawExchange ex;
    // Bounded: at most 1000 replies, each within the client timeout.
    for (int i = 0; i < 1000; ++i) {
        try {
            RespValue r = c.read_reply();
            if (r.type == RespType::Bulk && r.str == kSentinel) return ex;
            ex.replies.push_back(std::move(r));
        } catch (const RespClosed&) {
            ex.closed = true;
            return ex;
        }
    }
    ADD_FAILURE() << "no sentinel after 1000 replies";
    return ex;
}

// Sends a payload after which the server should reply and then close the connection (a fatal
// protocol error); returns what came back before the close (closed = false if it stayed open
// for 5 s).
inline RawExchange exchange_until_closed(int port, std::string_view payload) {
    RespClient c(port, Ms(5000));
    RawExchange ex;
    try {
        c.send_raw(payload);
    } catch (const RespClosed&) {
        // The server may close before taking every byte; what it replied is still readable.
    }
    ex.replies = c.read_until_closed(Ms(5000), &ex.closed);
    return ex;
}

// "field:value" lines of an INFO reply.
inline std::optional<std::string> info_field(const std::string& info, std::string_view field) {
    size_t pos = 0;
    // Bounded by the text length.
    while (pos < info.size()) {
        size_t eol = info.find("\r\n", pos);
        if (eol == std::string::npos) eol = info.size();
        std::string_view line(info.data() + pos, eol - pos);
        if (line.size() > field.size() && line.substr(0, field.size()) == field &&
            line[field.size()] == ':') {
            return std::string(line.substr(field.size() + 1));
        }
        pos = eol + 2;
    }
    return std::nullopt;
}

inline std::string info_text(RespClient& c, std::string_view section = "") {
    RespValue r = section.empty() ? c.command({"INFO"}) : c.command({"INFO", section});
    EXPECT_EQ(r.type, RespType::Bulk) << r.to_string();
    return r.str;
}

// An integer INFO field (-1 if missing or not a number).
inline int64_t info_int(RespClient& c, std::string_view section, std::string_view field) {
    auto v = info_field(info_text(c, section), field);
    if (!v) return -1;
    try {
        return std::stoll(*v);
    } catch (...) {
        return -1;
    }
}

// A client that got PONG back: retries (bounded) while the server may still count a client
// that just disconnected (maxclients).
inline std::optional<RespClient> connect_until_pong(int port, Ms timeout) {
    std::optional<RespClient> out;
    wait_until(
        [&] {
            try {
                RespClient c(port, Ms(2000));
                if (c.command({"PING"}).is_string("PONG")) {
                    out.emplace(std::move(c));
                    return true;
                }
            } catch (const RespIoError&) {
            }
            return false;
        },
        timeout, Ms(20));
    return out;
}

// Everything a client can see of the keyspace (every db: key, type, value, encoding, TTL set),
// one line per key, sorted — for comparing a dataset before and after a save + load.
// With with_encoding = false the OBJECT ENCODING column is left out (it is not data: a server
// that loads a hashtable-encoded small hash gives it back as a listpack).
inline std::vector<std::string> dataset(RespClient& c, bool with_encoding = true) {
    std::vector<std::string> out;
    for (int db = 0; db < 16; ++db) {
        c.command({"SELECT", std::to_string(db)});
        RespValue keys = c.command({"KEYS", "*"});
        for (const RespValue& k : keys.elems) {
            const std::string type = c.command({"TYPE", k.str}).str;
            std::vector<std::string> v;
            if (type == "string") v = {c.command({"GET", k.str}).str};
            if (type == "list")
                for (auto& e : c.command({"LRANGE", k.str, "0", "-1"}).elems) v.push_back(e.str);
            if (type == "hash")
                for (auto& e : c.command({"HGETALL", k.str}).elems) v.push_back(e.str);
            if (type == "set")
                for (auto& e : c.command({"SMEMBERS", k.str}).elems) v.push_back(e.str);
            if (type == "zset")
                for (auto& e : c.command({"ZRANGE", k.str, "0", "-1", "WITHSCORES"}).elems)
                    v.push_back(e.str);
            if (type == "hash" || type == "set") std::sort(v.begin(), v.end());
            std::string line =
                std::to_string(db) + " " + k.str + " " + type + " " +
                (with_encoding ? c.command({"OBJECT", "ENCODING", k.str}).str : std::string("-")) +
                (c.command({"PTTL", k.str}).integer > 0 ? " ttl" : " -");
            for (auto& e : v) line += " [" + e + "]";
            out.push_back(line);
        }
    }
    c.command({"SELECT", "0"});
    std::sort(out.begin(), out.end());
    return out;
}

// A server binary (snapstream unless `binary` is given) run in an existing directory `dir`
// (its --dir, kept afterwards, so a later server can start on the files it left), with `args`
// after the standard flags. wait_ready = false returns once the process runs (for servers that
// are expected to refuse to start).
inline std::unique_ptr<ServerProcess> start_in(const std::string& dir,
                                               std::vector<std::string> args,
                                               bool wait_ready = true,
                                               const std::string& binary = "",
                                               const std::string& name = "snapstream") {
    ServerProcess::Options o;
    o.binary = binary.empty() ? snapstream_binary() : binary;
    o.name = name;
    o.dir = dir;
    o.extra_args = std::move(args);
    o.wait_ready = wait_ready;
    return ServerProcess::start(std::move(o));
}

// The pids of the direct children of `pid` (a BGSAVE or AOF rewrite child).
inline std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> out;
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    pid_t c;
    while (in >> c) out.push_back(c);
    return out;
}

// The field names of an INFO text, in order.
inline std::vector<std::string> info_field_names(const std::string& info) {
    std::vector<std::string> out;
    std::istringstream in(info);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#') out.push_back(line.substr(0, line.find(':')));
    return out;
}

// Waits until no AOF rewrite runs or is scheduled.
inline ::testing::AssertionResult aof_rewrite_done(RespClient& c, Ms timeout = Ms(60000)) {
    std::string info;
    if (wait_until(
            [&] {
                info = info_text(c, "persistence");
                return info_field(info, "aof_rewrite_in_progress") == "0" &&
                       info_field(info, "aof_rewrite_scheduled") == "0";
            },
            timeout))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "AOF rewrite still running: " << info;
}

inline std::string persistence_field(RespClient& c, std::string_view name) {
    return info_field(info_text(c, "persistence"), name).value_or("<missing>");
}

// The path of the INCR file named last in dir/appendonlydir's manifest ("" if none).
inline std::string aof_last_incr_path(const std::string& dir) {
    const std::string aof_dir = dir + "/appendonlydir/";
    std::ifstream in(aof_dir + "appendonly.aof.manifest");
    std::string line, name;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string k, file, seq, n, type, t;
        ls >> k >> file >> seq >> n >> type >> t;
        if (t == "i") name = file;
    }
    return name.empty() ? std::string() : aof_dir + name;
}

}  // namespace snapstream::test
