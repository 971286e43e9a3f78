// Differential test: the same random command stream goes to snapstream-server and to Debian's
// redis-server (7.0), and every reply must match. Nondeterministic replies are normalised (KEYS
// sorted, SCAN iterated to completion, TTLs within a tolerance, RANDOMKEY checked against the
// server's own keyspace), never skipped. After each seed the whole keyspaces are compared.
//
// Environment knobs (defaults: 16 seeds x 6000 = 96,000 commands):
//   SNAPSTREAM_DIFF_COMMANDS        commands per seed (default 6000, at most 10000)
//   SNAPSTREAM_DIFF_SEED_OFFSET     added to every seed, to explore other streams
//   SNAPSTREAM_DIFF_MAX_MISMATCHES  mismatches reported per seed before it stops (default 5);
//                                   after each one both servers are flushed and the seed goes on
//   SNAPSTREAM_DIFF_SKIP            comma-separated generator or family names to leave out
//                                   (for triage only; the default runs everything)
//   SNAPSTREAM_DIFF_TRACE           a file to which every command and both replies are written
//   SNAPSTREAM_TEST_SERVER_BIN      run the "snapstream" side on another binary (redis-server
//                                   against itself validates the harness)
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/differential/generator.h"
#include "tests/support/resp_client.h"
#include "tests/support/server_process.h"

namespace snapstream::test::diff {
namespace {

constexpr int64_t kTtlSecondsTolerance = 1;
constexpr int64_t kPttlTolerance = 250;  // ms; both servers run each command < 1 ms apart
constexpr int kNumDbs = 16;
constexpr int kHistory = 10;
constexpr int kMaxScanIterations = 100000;

int64_t env_int(const char* name, int64_t def, int64_t lo, int64_t hi) {
    const char* v = std::getenv(name);
    if (!v || !*v) return def;
    int64_t x = std::strtoll(v, nullptr, 10);
    return std::clamp(x, lo, hi);
}

std::vector<std::string> env_list(const char* name) {
    std::vector<std::string> out;
    const char* v = std::getenv(name);
    if (!v) return out;
    std::stringstream ss(v);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

// RESP3 sends sets as '~' and maps as '%'; for the checks below they are arrays (maps flat).
bool is_aggregate(const RespValue& v) {
    return v.type == RespType::Array || v.type == RespType::Set || v.type == RespType::Map;
}

// RESP3 replies member/score and field/value pairs as nested 2-element arrays (ZRANGE ...
// WITHSCORES, HRANDFIELD ... WITHVALUES); RESP2 flat. Returns the flat form; other values as
// they are.
RespValue flatten_pairs(RespValue v) {
    if (!is_aggregate(v) || v.elems.empty()) return v;
    for (const auto& e : v.elems)
        if (e.type != RespType::Array || e.elems.size() != 2) return v;
    std::vector<RespValue> flat;
    for (auto& e : v.elems) {
        flat.push_back(std::move(e.elems[0]));
        flat.push_back(std::move(e.elems[1]));
    }
    v.elems = std::move(flat);
    return v;
}

// Splits a SCAN reply into (cursor, keys); nullopt if it is not [cursor, [bulk...]].
std::optional<std::pair<std::string, std::vector<std::string>>> scan_page(const RespValue& r) {
    if (!r.is_array() || r.elems.size() != 2) return std::nullopt;
    const RespValue& cur = r.elems[0];
    const RespValue& keys = r.elems[1];
    if (cur.type != RespType::Bulk || !keys.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& k : keys.elems) {
        if (k.type != RespType::Bulk) return std::nullopt;
        out.push_back(k.str);
    }
    return std::make_pair(cur.str, std::move(out));
}

// Iterates a SCAN whose first page is `first` to completion; returns the sorted set of keys
// rendered as a RespValue (or an error value describing a malformed reply).
RespValue scan_all(RespClient& c, std::vector<std::string> args, const RespValue& first) {
    std::set<std::string> keys;
    RespValue page = first;
    for (int i = 0; i < kMaxScanIterations; ++i) {
        auto p = scan_page(page);
        if (!p) return RespValue::error("malformed SCAN page: " + page.to_string());
        keys.insert(p->second.begin(), p->second.end());
        if (p->first == "0") {
            return RespValue::bulk_array(std::vector<std::string>(keys.begin(), keys.end()));
        }
        args[1] = p->first;
        page = c.command(args);
    }
    return RespValue::error("SCAN did not finish within " + std::to_string(kMaxScanIterations) +
                            " calls");
}

// A total order on replies (full contents, unlike to_string(), which cuts long strings).
bool resp_less(const RespValue& a, const RespValue& b) {
    if (a.type != b.type) return a.type < b.type;
    if (a.str != b.str) return a.str < b.str;
    if (a.integer != b.integer) return a.integer < b.integer;
    return std::lexicographical_compare(a.elems.begin(), a.elems.end(), b.elems.begin(),
                                        b.elems.end(), resp_less);
}

RespValue sorted(RespValue v) {
    if (is_aggregate(v)) std::sort(v.elems.begin(), v.elems.end(), resp_less);
    return v;
}

// A flat [k1, v1, k2, v2, ...] array (HGETALL) with its pairs sorted by key.
RespValue sorted_pairs(RespValue v) {
    if (!is_aggregate(v) || v.elems.size() % 2 != 0) return v;
    std::vector<RespValue> pairs;
    for (size_t i = 0; i < v.elems.size(); i += 2) {
        pairs.push_back(RespValue::array({v.elems[i], v.elems[i + 1]}));
    }
    std::sort(pairs.begin(), pairs.end(), resp_less);
    v.elems.clear();
    for (auto& p : pairs) {
        v.elems.push_back(std::move(p.elems[0]));
        v.elems.push_back(std::move(p.elems[1]));
    }
    return v;
}

// For long strings that render alike once cut: where they first differ.
std::string difference_note(const RespValue& a, const RespValue& b) {
    if (a.str == b.str || a.str.size() + b.str.size() < 200) return "";
    size_t i = 0;
    while (i < a.str.size() && i < b.str.size() && a.str[i] == b.str[i]) ++i;
    return " (lengths " + std::to_string(a.str.size()) + " and " + std::to_string(b.str.size()) +
           ", first difference at byte " + std::to_string(i) + ")";
}

// Checks a RANDOMKEY reply against the server that gave it; "" if fine.
std::string check_randomkey(RespClient& c, const RespValue& r) {
    if (r.is_error()) return "";
    if (r.is_null()) {
        RespValue n = c.command({"DBSIZE"});
        if (n != RespValue::integer_value(0))
            return "RANDOMKEY gave nil but DBSIZE is " + n.to_string();
        return "";
    }
    if (r.type != RespType::Bulk) return "RANDOMKEY gave a non-bulk reply " + r.to_string();
    RespValue e = c.command({"EXISTS", r.str});
    if (e != RespValue::integer_value(1)) {
        return "RANDOMKEY gave " + r.to_string() + " but EXISTS says " + e.to_string();
    }
    return "";
}

std::string upper(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

// HSCAN / ZSCAN pages hold field/value (member/score) pairs; SSCAN pages single members.
bool scan_holds_pairs(const std::vector<std::string>& args) {
    std::string name = upper(args.at(0));
    return name == "HSCAN" || name == "ZSCAN";
}

// Iterates HSCAN/SSCAN/ZSCAN key <cursor> ... (first page `first`) to completion; returns the
// sorted, de-duplicated elements (pairs flattened) as a RespValue, or an error value describing a
// malformed reply. Duplicates are legal in SCAN replies, so they are merged.
RespValue collection_scan_all(RespClient& c, std::vector<std::string> args,
                              const RespValue& first) {
    const bool pairs = scan_holds_pairs(args);
    std::set<std::pair<std::string, std::string>> elements;
    RespValue page = first;
    for (int i = 0; i < kMaxScanIterations; ++i) {
        auto p = scan_page(page);
        if (!p || (pairs && p->second.size() % 2 != 0))
            return RespValue::error("malformed scan page: " + page.to_string());
        const size_t step = pairs ? 2 : 1;
        for (size_t j = 0; j < p->second.size(); j += step) {
            elements.emplace(p->second[j], pairs ? p->second[j + 1] : std::string());
        }
        if (p->first == "0") {
            std::vector<std::string> flat;
            for (const auto& [k, v] : elements) {
                flat.push_back(k);
                if (pairs) flat.push_back(v);
            }
            return RespValue::bulk_array(flat);
        }
        args[2] = p->first;
        page = c.command(args);
    }
    return RespValue::error("scan did not finish within " + std::to_string(kMaxScanIterations) +
                            " calls");
}

// A collection's contents as member -> value ("" for set members), read from one server; nullopt
// if the reply is not a well-formed array. Keys of other types give an error reply, which the
// caller has already compared exactly.
std::optional<std::map<std::string, std::string>> population(RespClient& c,
                                                             const std::string& command,
                                                             const std::string& key) {
    RespValue r;
    bool pairs = true;
    if (command == "SRANDMEMBER" || command == "SPOP") {
        r = c.command({"SMEMBERS", key});
        pairs = false;
    } else if (command == "HRANDFIELD") {
        r = c.command({"HGETALL", key});
    } else {
        r = flatten_pairs(c.command({"ZRANGE", key, "0", "-1", "WITHSCORES"}));
    }
    if (!is_aggregate(r) || (pairs && r.elems.size() % 2 != 0)) return std::nullopt;
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < r.elems.size(); i += pairs ? 2 : 1) {
        out[r.elems[i].str] = pairs ? r.elems[i + 1].str : "";
    }
    return out;
}

// Checks one reply of SRANDMEMBER / HRANDFIELD / ZRANDMEMBER / SPOP key [count [WITH...]]
// against the collection it was drawn from; "" if it is a legal draw. `with_values`: the reply
// alternates member and value.
std::string check_random_draw(const std::vector<std::string>& args, const RespValue& reply,
                              const std::map<std::string, std::string>& pop) {
    const RespValue r = flatten_pairs(reply);
    if (args.size() < 3) {  // no count: one member or nil
        if (pop.empty()) return r.is_null() ? "" : "expected nil from an empty key";
        if (r.type != RespType::Bulk) return "expected a bulk reply";
        return pop.count(r.str) ? "" : "member " + escape_bytes(r.str) + " is not in the key";
    }
    const int64_t count = std::strtoll(args[2].c_str(), nullptr, 10);
    const bool with_values = args.size() >= 4;
    const size_t width = with_values ? 2 : 1;
    if (!is_aggregate(r)) return "expected an array reply";
    const uint64_t n = pop.size();
    const uint64_t magnitude =
        count >= 0 ? static_cast<uint64_t>(count) : 0 - static_cast<uint64_t>(count);
    const uint64_t expected = count >= 0 ? std::min<uint64_t>(magnitude, n) : (n ? magnitude : 0);
    if (r.elems.size() != expected * width) {
        return "expected " + std::to_string(expected) + " members, got " +
               std::to_string(r.elems.size() / width);
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < r.elems.size(); i += width) {
        const std::string& m = r.elems[i].str;
        auto it = pop.find(m);
        if (it == pop.end()) return "member " + escape_bytes(m) + " is not in the key";
        if (with_values && r.elems[i + 1].str != it->second) {
            return "member " + escape_bytes(m) + " came with " + r.elems[i + 1].to_string() +
                   " but holds " + escape_bytes(it->second);
        }
        if (!seen.insert(m).second && count > 0) {
            return "member " + escape_bytes(m) + " repeated although the count is positive";
        }
    }
    return "";
}

// The same shape: both nil, both bulk, or both arrays of one length.
bool same_shape(const RespValue& a, const RespValue& b) {
    return a.type == b.type && a.elems.size() == b.elems.size();
}

// The members of an SPOP reply (one bulk or an array of them).
std::set<std::string> popped_members(const RespValue& r) {
    std::set<std::string> out;
    if (r.type == RespType::Bulk) out.insert(r.str);
    for (const auto& e : r.elems) out.insert(e.str);
    return out;
}

bool within(const RespValue& a, const RespValue& b, int64_t tolerance) {
    if (a.type != RespType::Integer || b.type != RespType::Integer) return a == b;
    if (a.integer < 0 || b.integer < 0) return a.integer == b.integer;  // -1 / -2 exact
    int64_t d = a.integer - b.integer;
    return d <= tolerance && d >= -tolerance;
}

// SPOP with a count close to the set's size rebuilds the set from the members that stay, so its
// encoding follows Redis's draw (a hashtable set whose kept members are all integers becomes an
// intset). When the draws differed that way, snapstream's set is rebuilt the same way (DEL, SADD
// of the members, TTL restored). "" if fine.
std::string resync_set_encoding(RespClient& rc, RespClient& sc, const std::string& key) {
    RespValue re = rc.command({"OBJECT", "ENCODING", key});
    RespValue se = sc.command({"OBJECT", "ENCODING", key});
    if (re == se || re.type != RespType::Bulk || re.str != "intset") return "";
    RespValue members = rc.command({"SMEMBERS", key});
    RespValue pttl = sc.command({"PTTL", key});
    if (!is_aggregate(members) || members.elems.empty() || pttl.type != RespType::Integer)
        return "could not re-sync the set's encoding";
    std::vector<std::string> add{"SADD", key};
    for (const auto& m : members.elems) add.push_back(m.str);
    sc.command({"DEL", key});
    sc.command(add);
    if (pttl.integer > 0) sc.command({"PEXPIRE", key, std::to_string(pttl.integer)});
    return "";
}

// Compares one command's replies under its mode; returns "" if they agree, else a description.
// May send follow-up commands (SCAN pages, RANDOMKEY checks) to each server.
// `before` is the collection as it was before the command (RandomPop only).
std::string compare_replies(const GeneratedCommand& cmd, const RespValue& ref, const RespValue& sub,
                            RespClient* ref_client, RespClient* sub_client,
                            const std::map<std::string, std::string>* before = nullptr) {
    auto differ = [&](const RespValue& a, const RespValue& b) {
        return "redis:      " + a.to_string() + "\nsnapstream: " + b.to_string() +
               difference_note(a, b);
    };
    switch (cmd.mode) {
        case CompareMode::Exact:
            return ref == sub ? "" : differ(ref, sub);
        case CompareMode::SortedArray: {
            RespValue a = sorted(ref), b = sorted(sub);
            return a == b ? "" : differ(a, b);
        }
        case CompareMode::TtlSeconds:
            return within(ref, sub, kTtlSecondsTolerance) ? "" : differ(ref, sub);
        case CompareMode::TtlMillis:
            return within(ref, sub, kPttlTolerance) ? "" : differ(ref, sub);
        case CompareMode::Scan: {
            if (!ref.is_array() || !sub.is_array() || !ref_client || !sub_client) {
                return ref == sub ? "" : differ(ref, sub);
            }
            RespValue a = scan_all(*ref_client, cmd.args, ref);
            RespValue b = scan_all(*sub_client, cmd.args, sub);
            return a == b ? "" : "after iterating SCAN to completion:\n" + differ(a, b);
        }
        case CompareMode::RandomKey: {
            if (ref.is_error() || sub.is_error()) return ref == sub ? "" : differ(ref, sub);
            if (ref.is_null() != sub.is_null()) return differ(ref, sub);
            std::string e;
            if (ref_client) e = check_randomkey(*ref_client, ref);
            if (!e.empty()) return "redis: " + e;
            if (sub_client) e = check_randomkey(*sub_client, sub);
            if (!e.empty()) return "snapstream: " + e;
            return "";
        }
        case CompareMode::SortedPairs: {
            RespValue a = sorted_pairs(ref), b = sorted_pairs(sub);
            return a == b ? "" : differ(a, b);
        }
        case CompareMode::CollectionScan: {
            if (!ref.is_array() || !sub.is_array() || !ref_client || !sub_client) {
                return ref == sub ? "" : differ(ref, sub);
            }
            RespValue a = collection_scan_all(*ref_client, cmd.args, ref);
            RespValue b = collection_scan_all(*sub_client, cmd.args, sub);
            return a == b ? "" : "after iterating the scan to completion:\n" + differ(a, b);
        }
        case CompareMode::RandomMembers: {
            if (ref.is_error() || sub.is_error() || !ref_client || !sub_client) {
                return ref == sub ? "" : differ(ref, sub);
            }
            if (!same_shape(ref, sub)) return "replies of different shapes:\n" + differ(ref, sub);
            const std::string name = upper(cmd.args.at(0));
            auto ref_pop = population(*ref_client, name, cmd.args.at(1));
            auto sub_pop = population(*sub_client, name, cmd.args.at(1));
            if (!ref_pop || !sub_pop) return "could not read the collection back";
            std::string e = check_random_draw(cmd.args, ref, *ref_pop);
            if (!e.empty()) return "redis: " + e + "\n" + differ(ref, sub);
            e = check_random_draw(cmd.args, sub, *sub_pop);
            if (!e.empty()) return "snapstream: " + e + "\n" + differ(ref, sub);
            return "";
        }
        case CompareMode::RandomPop: {
            if (ref.is_error() || sub.is_error() || !before)
                return ref == sub ? "" : differ(ref, sub);
            if (!same_shape(ref, sub)) return "replies of different shapes:\n" + differ(ref, sub);
            std::string e = check_random_draw(cmd.args, ref, *before);
            if (!e.empty()) return "redis: " + e + "\n" + differ(ref, sub);
            e = check_random_draw(cmd.args, sub, *before);
            if (!e.empty()) return "snapstream: " + e + "\n" + differ(ref, sub);
            if (!sub_client) return "";
            // Re-sync snapstream to Redis's draw.
            const std::set<std::string> r = popped_members(ref), p = popped_members(sub);
            std::vector<std::string> add{"SADD", cmd.args.at(1)}, rem{"SREM", cmd.args.at(1)};
            for (const auto& m : p)
                if (!r.count(m)) add.push_back(m);
            for (const auto& m : r)
                if (!p.count(m)) rem.push_back(m);
            const auto expect = [](const RespValue& got, size_t n) {
                return got == RespValue::integer_value(static_cast<int64_t>(n));
            };
            if (add.size() > 2 && !expect(sub_client->command(add), add.size() - 2))
                return "re-sync SADD on snapstream failed: " + command_to_string(add);
            if (rem.size() > 2 && !expect(sub_client->command(rem), rem.size() - 2))
                return "re-sync SREM on snapstream failed: " + command_to_string(rem);
            if (ref_client) return resync_set_encoding(*ref_client, *sub_client, cmd.args.at(1));
            return "";
        }
    }
    return "unknown compare mode";
}

// The whole keyspace of one server: db -> key -> description.
struct KeyState {
    std::string type;
    RespValue value;  // full contents (compared with ==, rendered cut for messages)
    std::string encoding;
    RespValue pttl;
};
using DbDump = std::map<std::string, KeyState>;

// A key's value by type; later families add their types here.
RespValue dump_value(RespClient& c, const std::string& key, const std::string& type) {
    if (type == "string") return c.command({"GET", key});
    if (type == "list") return c.command({"LRANGE", key, "0", "-1"});
    if (type == "hash") return sorted_pairs(c.command({"HGETALL", key}));
    if (type == "set") return sorted(c.command({"SMEMBERS", key}));
    if (type == "zset") return c.command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
    return RespValue::simple("(value of type " + type + " not dumped)");
}

std::vector<DbDump> dump_keyspace(RespClient& c, std::vector<RespValue>* dbsizes) {
    std::vector<DbDump> out(kNumDbs);
    for (int db = 0; db < kNumDbs; ++db) {
        RespValue sel = c.command({"SELECT", std::to_string(db)});
        if (!sel.is_string("OK"))
            throw RespIoError("SELECT " + std::to_string(db) + ": " + sel.to_string());
        dbsizes->push_back(c.command({"DBSIZE"}));
        RespValue keys = c.command({"KEYS", "*"});
        for (const auto& k : keys.elems) {
            KeyState s;
            s.type = c.command({"TYPE", k.str}).to_string();
            std::string plain_type = s.type.size() > 1 ? s.type.substr(1) : s.type;
            s.value = dump_value(c, k.str, plain_type);
            s.encoding = c.command({"OBJECT", "ENCODING", k.str}).to_string();
            s.pttl = c.command({"PTTL", k.str});
            out[static_cast<size_t>(db)][k.str] = std::move(s);
        }
    }
    c.command({"SELECT", "0"});
    return out;
}

// Differences between two keyspace dumps, one line each (at most `limit`).
std::vector<std::string> diff_keyspaces(const std::vector<DbDump>& ref,
                                        const std::vector<DbDump>& sub, size_t limit) {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
        if (out.size() < limit) out.push_back(std::move(s));
    };
    for (int db = 0; db < kNumDbs; ++db) {
        const auto& a = ref[static_cast<size_t>(db)];
        const auto& b = sub[static_cast<size_t>(db)];
        std::string where = "db" + std::to_string(db) + " key \"";
        for (const auto& [key, sa] : a) {
            auto it = b.find(key);
            if (it == b.end()) {
                add(where + escape_bytes(key) + "\": only in redis (" + sa.type + " " +
                    sa.value.to_string() + ")");
                continue;
            }
            const KeyState& sb = it->second;
            if (sa.type != sb.type)
                add(where + escape_bytes(key) + "\": type " + sa.type + " vs " + sb.type);
            if (sa.value != sb.value)
                add(where + escape_bytes(key) + "\": value " + sa.value.to_string() + " vs " +
                    sb.value.to_string() + difference_note(sa.value, sb.value));
            if (sa.encoding != sb.encoding) {
                add(where + escape_bytes(key) + "\": encoding " + sa.encoding + " vs " +
                    sb.encoding);
            }
            if (!within(sa.pttl, sb.pttl, kPttlTolerance)) {
                add(where + escape_bytes(key) + "\": pttl " + sa.pttl.to_string() + " vs " +
                    sb.pttl.to_string());
            }
        }
        for (const auto& [key, sb] : b) {
            if (!a.count(key))
                add(where + escape_bytes(key) + "\": only in snapstream (" + sb.type + " " +
                    sb.value.to_string() + ")");
        }
    }
    return out;
}

struct HistoryEntry {
    int64_t index;
    std::vector<std::string> args;
    RespValue ref;
    RespValue sub;
};

std::string render_history(const std::deque<HistoryEntry>& h) {
    std::string out;
    for (const auto& e : h) {
        out += "  #" + std::to_string(e.index) + " " + command_to_string(e.args) +
               "\n      redis: " + e.ref.to_string() + "\n      snapstream: " + e.sub.to_string() +
               "\n";
    }
    return out;
}

// Empties every db on one server and selects db 0 (after a mismatch, so that the seed can go on
// from a state both servers agree on).
void flush_all_dbs(RespClient& c) {
    for (int db = 0; db < kNumDbs; ++db) {
        c.command({"SELECT", std::to_string(db)});
        c.command({"FLUSHDB"});
    }
    c.command({"SELECT", "0"});
}

// One seeded stream on fresh servers, spoken to in RESP `protocol` (2, or 3 after HELLO 3).
void run_stream(uint64_t param, int protocol) {
    const uint64_t seed =
        param + static_cast<uint64_t>(env_int("SNAPSTREAM_DIFF_SEED_OFFSET", 0, 0, 1'000'000'000));
    // <= 10000: the relative-TTL scheme in generator.h relies on index spans below 19900.
    const int64_t commands = env_int("SNAPSTREAM_DIFF_COMMANDS", 6000, 1, 10000);
    const int64_t max_mismatches = env_int("SNAPSTREAM_DIFF_MAX_MISMATCHES", 5, 1, 1000);
    const std::vector<std::string> skip = env_list("SNAPSTREAM_DIFF_SKIP");

    // DEBUG RELOAD and DEBUG LOADAOF (the AOF is on, written with both policies' default).
    auto redis = start_redis({"--enable-debug-command", "yes", "--appendonly", "yes"});
    auto snap = start_snapstream({"--appendonly", "yes"});
    RespClient rc(redis->port());
    RespClient sc(snap->port());
    if (protocol == 3) {
        for (RespClient* c : {&rc, &sc}) {
            RespValue hello = c->command({"HELLO", "3"});
            ASSERT_EQ(hello.type, RespType::Map) << hello.to_string();
        }
    }

    GenContext ctx(seed, static_cast<int64_t>(std::time(nullptr)));
    std::deque<HistoryEntry> history;
    int64_t mismatches = 0;
    int64_t error_replies = 0;
    std::map<CompareMode, int64_t> per_mode;
    std::ofstream trace;
    if (const char* t = std::getenv("SNAPSTREAM_DIFF_TRACE"); t && *t) {
        trace.open(std::string(t) + "." + std::to_string(seed), std::ios::trunc);
    }

    for (int64_t i = 0; i < commands; ++i) {
        ctx.index = i;
        GeneratedCommand cmd = generate(ctx, skip);
        RespValue ref, sub;
        std::string problem;
        try {
            std::optional<std::map<std::string, std::string>> before;
            if (cmd.mode == CompareMode::RandomPop && cmd.args.size() >= 2) {
                before = population(rc, "SPOP", cmd.args[1]);
                auto sub_before = population(sc, "SPOP", cmd.args[1]);
                if (before != sub_before) problem = "the set differs before " + cmd.args[0];
            }
            ref = rc.command(cmd.args);
            sub = sc.command(cmd.args);
            if (problem.empty()) {
                problem = compare_replies(cmd, ref, sub, &rc, &sc, before ? &*before : nullptr);
            }
            for (size_t f = 0; f < cmd.follow_up.size() && problem.empty(); ++f) {
                RespValue fr = rc.command(cmd.follow_up[f]);
                RespValue fs = sc.command(cmd.follow_up[f]);
                if (fr != fs) {
                    problem = "in the follow-up " + command_to_string(cmd.follow_up[f]) +
                              ":\nredis:      " + fr.to_string() +
                              "\nsnapstream: " + fs.to_string();
                }
            }
        } catch (const RespIoError& e) {
            FAIL() << "seed " << seed << " command #" << i << ": I/O error: " << e.what()
                   << "\ncommand: " << command_to_string(cmd.args) << "\nsnapstream is "
                   << (snap->running() ? "running" : "not running") << "\nlast commands:\n"
                   << render_history(history) << "--- snapstream log ---\n"
                   << snap->log_tail();
        }
        ++per_mode[cmd.mode];
        if (trace.is_open()) {
            trace << "#" << i << " " << command_to_string(cmd.args)
                  << "\n  redis: " << ref.to_string() << "\n  snapstream: " << sub.to_string()
                  << "\n";
        }
        if (ref.is_error()) ++error_replies;
        if (!problem.empty()) {
            ADD_FAILURE() << "seed " << seed << " command #" << i
                          << " mismatch\ncommand: " << command_to_string(cmd.args) << "\n"
                          << problem << "\nlast commands before it:\n"
                          << render_history(history);
            if (++mismatches >= max_mismatches) {
                FAIL() << "seed " << seed << ": stopping after " << mismatches << " mismatches";
            }
            flush_all_dbs(rc);
            flush_all_dbs(sc);
            history.clear();
            continue;
        }
        history.push_back({i, cmd.args, ref, sub});
        if (history.size() > kHistory) history.pop_front();
    }

    std::vector<RespValue> ref_sizes, sub_sizes;
    auto ref_dump = dump_keyspace(rc, &ref_sizes);
    auto sub_dump = dump_keyspace(sc, &sub_sizes);
    EXPECT_EQ(RespValue::array(ref_sizes).to_string(), RespValue::array(sub_sizes).to_string())
        << "seed " << seed << ": DBSIZE of dbs 0..15 (redis vs snapstream)";
    auto diffs = diff_keyspaces(ref_dump, sub_dump, 30);
    if (!diffs.empty()) {
        std::string all;
        for (const auto& d : diffs) all += "  " + d + "\n";
        ADD_FAILURE() << "seed " << seed << ": keyspaces differ after " << commands
                      << " commands (redis vs snapstream):\n"
                      << all;
    }
    size_t total_keys = 0;
    for (const auto& db : ref_dump) total_keys += db.size();
    std::cout << "[ seed " << seed << " RESP" << protocol << " ] " << commands << " commands, "
              << error_replies << " error replies, " << mismatches << " mismatches, " << total_keys
              << " keys at the end, scans " << per_mode[CompareMode::Scan] << ", ttl checks "
              << per_mode[CompareMode::TtlSeconds] + per_mode[CompareMode::TtlMillis] << "\n";
    EXPECT_GT(total_keys, 0u) << "the stream should leave some keys behind to compare";
}

class Differential : public ::testing::TestWithParam<uint64_t> {};
TEST_P(Differential, RandomCommandStreamsMatchRedis) {
    run_stream(GetParam(), 2);
}
// 16 seeds x 6000 commands = 96,000 commands by default (~1-2 s per seed).
INSTANTIATE_TEST_SUITE_P(Seeds, Differential, ::testing::Range<uint64_t>(1, 17));

// The same streams in RESP3 (HELLO 3 on both connections): maps, sets, doubles, nulls and nested
// pairs must be Redis's too. 4 more seeds x 6000 commands.
class DifferentialResp3 : public ::testing::TestWithParam<uint64_t> {};
TEST_P(DifferentialResp3, RandomCommandStreamsMatchRedis) {
    run_stream(GetParam(), 3);
}
INSTANTIATE_TEST_SUITE_P(Seeds, DifferentialResp3, ::testing::Range<uint64_t>(101, 105));

// The comparator itself must be able to fail.
TEST(DifferentialHarness, ComparatorDetectsDifferences) {
    GeneratedCommand exact{{"GET", "k"}, CompareMode::Exact};
    EXPECT_EQ(compare_replies(exact, RespValue::bulk("a"), RespValue::bulk("a"), nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(exact, RespValue::bulk("a"), RespValue::bulk("b"), nullptr, nullptr),
              "");
    EXPECT_NE(
        compare_replies(exact, RespValue::bulk("1"), RespValue::integer_value(1), nullptr, nullptr),
        "");
    EXPECT_NE(compare_replies(exact, RespValue::null(), RespValue::bulk(""), nullptr, nullptr), "");

    GeneratedCommand keys{{"KEYS", "*"}, CompareMode::SortedArray};
    EXPECT_EQ(compare_replies(keys, RespValue::bulk_array({"a", "b"}),
                              RespValue::bulk_array({"b", "a"}), nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(keys, RespValue::bulk_array({"a", "b"}),
                              RespValue::bulk_array({"a", "a"}), nullptr, nullptr),
              "");

    GeneratedCommand ttl{{"TTL", "k"}, CompareMode::TtlSeconds};
    EXPECT_EQ(compare_replies(ttl, RespValue::integer_value(100), RespValue::integer_value(99),
                              nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(ttl, RespValue::integer_value(100), RespValue::integer_value(98),
                              nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(ttl, RespValue::integer_value(-1), RespValue::integer_value(0),
                              nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(ttl, RespValue::integer_value(-2), RespValue::integer_value(-1),
                              nullptr, nullptr),
              "");

    GeneratedCommand pttl{{"PTTL", "k"}, CompareMode::TtlMillis};
    EXPECT_EQ(compare_replies(pttl, RespValue::integer_value(100000),
                              RespValue::integer_value(99990), nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(pttl, RespValue::integer_value(100000),
                              RespValue::integer_value(90000), nullptr, nullptr),
              "");

    GeneratedCommand rk{{"RANDOMKEY"}, CompareMode::RandomKey};
    EXPECT_NE(compare_replies(rk, RespValue::null(), RespValue::bulk("k"), nullptr, nullptr), "");
}

TEST(DifferentialHarness, CollectionModesDetectDifferences) {
    GeneratedCommand hgetall{{"HGETALL", "h"}, CompareMode::SortedPairs};
    EXPECT_EQ(compare_replies(hgetall, RespValue::bulk_array({"a", "1", "b", "2"}),
                              RespValue::bulk_array({"b", "2", "a", "1"}), nullptr, nullptr),
              "");
    EXPECT_NE(compare_replies(hgetall, RespValue::bulk_array({"a", "1", "b", "2"}),
                              RespValue::bulk_array({"a", "2", "b", "1"}), nullptr, nullptr),
              "");

    const std::map<std::string, std::string> pop{{"a", "1"}, {"b", "2"}, {"c", "3"}};
    EXPECT_EQ(check_random_draw({"HRANDFIELD", "h"}, RespValue::bulk("a"), pop), "");
    EXPECT_NE(check_random_draw({"HRANDFIELD", "h"}, RespValue::bulk("z"), pop), "");
    EXPECT_NE(check_random_draw({"HRANDFIELD", "h"}, RespValue::bulk("a"), {}), "");
    EXPECT_EQ(check_random_draw({"HRANDFIELD", "h"}, RespValue::null(), {}), "");
    // Positive count: distinct, min(count, size) of them.
    EXPECT_EQ(
        check_random_draw({"SRANDMEMBER", "s", "5"}, RespValue::bulk_array({"c", "a", "b"}), pop),
        "");
    EXPECT_NE(check_random_draw({"SRANDMEMBER", "s", "5"}, RespValue::bulk_array({"c", "a"}), pop),
              "");
    EXPECT_NE(check_random_draw({"SRANDMEMBER", "s", "2"}, RespValue::bulk_array({"a", "a"}), pop),
              "");
    // Negative count: exactly |count|, repeats allowed; nothing from an empty key.
    EXPECT_EQ(check_random_draw({"SRANDMEMBER", "s", "-4"},
                                RespValue::bulk_array({"a", "a", "a", "c"}), pop),
              "");
    EXPECT_NE(check_random_draw({"SRANDMEMBER", "s", "-4"}, RespValue::bulk_array({"a"}), pop), "");
    EXPECT_EQ(check_random_draw({"SRANDMEMBER", "s", "-4"}, RespValue::bulk_array({}), {}), "");
    // With values: each value must be the member's own.
    EXPECT_EQ(check_random_draw({"HRANDFIELD", "h", "-2", "WITHVALUES"},
                                RespValue::bulk_array({"b", "2", "b", "2"}), pop),
              "");
    EXPECT_NE(check_random_draw({"HRANDFIELD", "h", "-2", "WITHVALUES"},
                                RespValue::bulk_array({"b", "2", "b", "3"}), pop),
              "");

    GeneratedCommand spop{{"SPOP", "s", "2"}, CompareMode::RandomPop};
    EXPECT_EQ(compare_replies(spop, RespValue::bulk_array({"a", "b"}),
                              RespValue::bulk_array({"c", "b"}), nullptr, nullptr, &pop),
              "");
    EXPECT_NE(compare_replies(spop, RespValue::bulk_array({"a", "b"}),
                              RespValue::bulk_array({"c", "x"}), nullptr, nullptr, &pop),
              "");
    EXPECT_NE(compare_replies(spop, RespValue::bulk_array({"a", "b"}), RespValue::bulk_array({"c"}),
                              nullptr, nullptr, &pop),
              "");
}

TEST(DifferentialHarness, KeyspaceDiffSeesEveryField) {
    std::vector<DbDump> a(kNumDbs), b(kNumDbs);
    std::string long_value(1000, 'x');
    a[3]["k"] =
        KeyState{"+string", RespValue::bulk(long_value), "\"raw\"", RespValue::integer_value(-1)};
    b = a;
    EXPECT_TRUE(diff_keyspaces(a, b, 10).empty());
    b[3]["k"].value.str[900] = 'y';  // differs after the rendered prefix
    EXPECT_EQ(diff_keyspaces(a, b, 10).size(), 1u);
    b = a;
    b[3]["k"].encoding = "\"embstr\"";
    EXPECT_EQ(diff_keyspaces(a, b, 10).size(), 1u);
    b = a;
    b[3]["k"].pttl = RespValue::integer_value(100000);
    EXPECT_EQ(diff_keyspaces(a, b, 10).size(), 1u);
    b = a;
    b[4]["k"] = a[3]["k"];
    EXPECT_EQ(diff_keyspaces(a, b, 10).size(), 1u);
    b = a;
    b[3].clear();
    EXPECT_EQ(diff_keyspaces(a, b, 10).size(), 1u);
}

// The generator is deterministic per seed and actually varies.
TEST(DifferentialHarness, GeneratorIsDeterministic) {
    GenContext a(42, 1700000000), b(42, 1700000000), c(43, 1700000000);
    bool any_difference = false;
    for (int i = 0; i < 500; ++i) {
        a.index = b.index = c.index = i;
        auto x = generate(a, {});
        auto y = generate(b, {});
        auto z = generate(c, {});
        ASSERT_EQ(x.args, y.args) << "command " << i;
        if (x.args != z.args) any_difference = true;
    }
    EXPECT_TRUE(any_difference);
}

}  // namespace
}  // namespace snapstream::test::diff
