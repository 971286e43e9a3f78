#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "node/command_docs.h"
#include "node/command_docs_data.h"
#include "node/command_table.h"
#include "node/reply.h"

namespace snapstream {
namespace {

// --- a small RESP2 reader for checking replies ------------------------------------------------

struct Resp {
    char kind = 0;  // '+', '-', ':', '$', '*', '%', '~'
    std::string str;
    int64_t num = 0;
    std::vector<Resp> items;
};

// Reads one value at `pos`; false if the bytes are not valid RESP2.
bool read_resp(std::string_view in, size_t& pos, Resp& out) {
    if (pos >= in.size()) return false;
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return false;
    out.kind = in[pos];
    std::string line(in.substr(pos + 1, eol - pos - 1));
    pos = eol + 2;
    switch (out.kind) {
        case '+':
        case '-':
            out.str = line;
            return true;
        case ':':
        case '$':
        case '*':
        case '%':    // RESP3 map: n pairs
        case '~': {  // RESP3 set
            if (line.empty()) return false;
            size_t used = 0;
            long long n = std::stoll(line, &used);
            if (used != line.size()) return false;
            out.num = n;
            if (out.kind == ':') return true;
            if (out.kind == '$') {
                if (n < 0 || pos + static_cast<size_t>(n) + 2 > in.size()) return false;
                out.str = std::string(in.substr(pos, static_cast<size_t>(n)));
                pos += static_cast<size_t>(n);
                if (in.substr(pos, 2) != "\r\n") return false;
                pos += 2;
                return true;
            }
            if (n < 0) return false;
            out.items.resize(static_cast<size_t>(out.kind == '%' ? 2 * n : n));
            for (Resp& item : out.items)
                if (!read_resp(in, pos, item)) return false;
            return true;
        }
        default:
            return false;
    }
}

Resp parse_whole(std::string_view in) {
    Resp r;
    size_t pos = 0;
    EXPECT_TRUE(read_resp(in, pos, r)) << in;
    EXPECT_EQ(pos, in.size()) << "trailing bytes";
    return r;
}

// The keys of a map (RESP2: a flat array of key, value, ...; RESP3: '%').
std::vector<std::string> map_keys(const Resp& m) {
    std::vector<std::string> keys;
    EXPECT_TRUE(m.kind == '*' || m.kind == '%');
    EXPECT_EQ(m.items.size() % 2, 0u);
    for (size_t i = 0; i + 1 < m.items.size(); i += 2) {
        EXPECT_EQ(m.items[i].kind, '$');
        keys.push_back(m.items[i].str);
    }
    return keys;
}

const Resp* map_get(const Resp& m, std::string_view key) {
    for (size_t i = 0; i + 1 < m.items.size(); i += 2)
        if (m.items[i].str == key) return &m.items[i + 1];
    return nullptr;
}

// --- helpers -------------------------------------------------------------------------------

DocArg arg(std::string name, DocArgType type, std::string token = "") {
    DocArg a;
    a.name = std::move(name);
    a.type = type;
    a.token = std::move(token);
    return a;
}

DocArg token_arg(std::string token) {
    std::string name = token;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return arg(name, DocArgType::kPureToken, token);
}

std::vector<DocArg> parse_ok(std::string_view syntax) {
    auto r = parse_doc_syntax(syntax);
    EXPECT_TRUE(r.ok()) << syntax << ": " << (r.ok() ? "" : r.error());
    return r.ok() ? *r : std::vector<DocArg>{};
}

std::string hint(std::string_view syntax) {
    return doc_args_hint(parse_ok(syntax));
}

bool is_version(std::string_view v) {
    int dots = 0;
    bool digit = false;
    for (char c : v) {
        if (c == '.') {
            if (!digit) return false;
            ++dots;
            digit = false;
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            digit = true;
        } else {
            return false;
        }
    }
    return digit && dots == 2;
}

// --- the data ------------------------------------------------------------------------------

TEST(CommandDocs, EveryEntryParsesAndIsWellFormed) {
    static const std::set<std::string_view> kGroups = {
        "generic", "string",       "list",       "set",    "sorted-set", "hash",
        "pubsub",  "transactions", "connection", "server", "scripting",  "hyperloglog",
        "cluster", "sentinel",     "geo",        "stream", "bitmap"};
    std::set<std::string_view> names;
    for (const CommandDocEntry& e : command_doc_entries()) {
        SCOPED_TRACE(std::string(e.name));
        EXPECT_TRUE(names.insert(e.name).second) << "duplicate entry";
        auto args = parse_doc_syntax(e.syntax);
        EXPECT_TRUE(args.ok()) << (args.ok() ? "" : args.error());
        EXPECT_TRUE(has_command_docs(e.name));
        for (char c : e.name) EXPECT_FALSE(std::isupper(static_cast<unsigned char>(c)));
        EXPECT_TRUE(kGroups.count(e.group)) << e.group;
        EXPECT_TRUE(is_version(e.since)) << e.since;
        EXPECT_FALSE(e.summary.empty());
        if (!e.deprecated_since.empty()) {
            EXPECT_TRUE(is_version(e.deprecated_since));
            EXPECT_FALSE(e.replaced_by.empty());
        }
        // History: "<version> <text>" lines, each ending in '\n'.
        std::string_view h = e.history;
        while (!h.empty()) {
            size_t nl = h.find('\n');
            ASSERT_NE(nl, std::string_view::npos) << "history must end with a newline";
            std::string_view line = h.substr(0, nl);
            size_t sp = line.find(' ');
            ASSERT_NE(sp, std::string_view::npos);
            EXPECT_TRUE(is_version(line.substr(0, sp))) << line;
            EXPECT_GT(line.size(), sp + 1);
            h.remove_prefix(nl + 1);
        }
        // A subcommand's container has an entry too.
        if (size_t bar = e.name.find('|'); bar != std::string_view::npos) {
            EXPECT_TRUE(has_command_docs(e.name.substr(0, bar)));
        }
    }
}

TEST(CommandDocs, CoversTheCoreAndListHashSetZsetCommands) {
    const char* kNames[] = {
        "get", "set", "setnx", "setex", "psetex", "mget", "mset", "msetnx", "getset", "getdel",
        "getex", "append", "strlen", "incr", "decr", "incrby", "decrby", "incrbyfloat", "getrange",
        "setrange", "del", "unlink", "exists", "type", "keys", "scan", "randomkey", "rename",
        "renamenx", "copy", "expire", "pexpire", "expireat", "pexpireat", "ttl", "pttl",
        "expiretime", "pexpiretime", "persist", "touch", "object", "object|encoding",
        "object|refcount", "object|idletime", "object|freq", "object|help", "ping", "echo", "time",
        "quit", "select", "swapdb", "move", "dbsize", "flushdb", "flushall", "client", "client|id",
        "client|setname", "client|getname", "client|list", "client|kill", "client|info",
        "client|help", "info", "config", "config|get", "config|set", "config|resetstat",
        "config|rewrite", "config|help", "debug", "debug|sleep", "debug|object", "command",
        "command|count", "command|info", "command|docs", "command|list", "command|getkeys",
        "command|help", "hello", "auth", "shutdown",
        // lists
        "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset",
        "linsert", "lrem", "ltrim", "lpos", "rpoplpush", "lmove", "lmpop", "blpop", "brpop",
        "blmove", "brpoplpush", "blmpop",
        // hashes
        "hset", "hsetnx", "hget", "hmset", "hmget", "hgetall", "hdel", "hexists", "hlen", "hkeys",
        "hvals", "hincrby", "hincrbyfloat", "hstrlen", "hrandfield", "hscan",
        // sets
        "sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember",
        "smove", "sinter", "sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore",
        "sintercard", "sscan",
        // sorted sets
        "zadd", "zrem", "zscore", "zmscore", "zincrby", "zcard", "zcount", "zlexcount", "zrange",
        "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zrevrange", "zrank",
        "zrevrank", "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zrangestore", "zunionstore",
        "zinterstore", "zdiffstore", "zunion", "zinter", "zdiff", "zremrangebyrank",
        "zremrangebyscore", "zremrangebylex", "zrandmember", "zscan",
        // transactions, persistence, replication
        "multi", "exec", "discard", "watch", "unwatch", "save", "bgsave", "lastsave",
        "bgrewriteaof", "replicaof", "slaveof", "role", "wait", "psync", "sync", "replconf",
        "failover"};
    for (const char* n : kNames) EXPECT_TRUE(has_command_docs(n)) << n;
    EXPECT_TRUE(has_command_docs("CONFIG|GET"));  // any case
    EXPECT_FALSE(has_command_docs("no-such-command"));
    EXPECT_FALSE(has_command_docs("config|no-such-sub"));
}

TEST(CommandDocs, SetTree) {
    auto optional = [](DocArg a) {
        a.optional = true;
        return a;
    };
    auto since = [](DocArg a, std::string v) {
        a.since = std::move(v);
        return a;
    };
    DocArg key = arg("key", DocArgType::kKey);
    key.key_spec_index = 0;
    DocArg condition = arg("condition", DocArgType::kOneof);
    condition.args = {token_arg("NX"), token_arg("XX")};
    DocArg expiration = arg("expiration", DocArgType::kOneof);
    expiration.args = {
        since(arg("seconds", DocArgType::kInteger, "EX"), "2.6.12"),
        since(arg("milliseconds", DocArgType::kInteger, "PX"), "2.6.12"),
        since(arg("unix-time-seconds", DocArgType::kUnixTime, "EXAT"), "6.2.0"),
        since(arg("unix-time-milliseconds", DocArgType::kUnixTime, "PXAT"), "6.2.0"),
        since(token_arg("KEEPTTL"), "6.0.0"),
    };
    std::vector<DocArg> expected = {
        key,
        arg("value", DocArgType::kString),
        optional(since(condition, "2.6.12")),
        optional(since(token_arg("GET"), "6.2.0")),
        optional(expiration),
    };
    const CommandDocEntry* e = find_command_doc_entry("set");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(parse_ok(e->syntax), expected);
    EXPECT_EQ(doc_args_hint(expected),
              "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
              "PXAT unix-time-milliseconds|KEEPTTL]");
}

// --- the notation ----------------------------------------------------------------------------

TEST(DocSyntax, TypesFromNamesAndAnnotations) {
    auto args = parse_ok(
        "key destination pattern unix-time-seconds count score member timeout:double "
        "'ip:port' min:string");
    std::vector<DocArgType> types;
    for (const DocArg& a : args) types.push_back(a.type);
    EXPECT_EQ(types,
              (std::vector<DocArgType>{
                  DocArgType::kKey, DocArgType::kKey, DocArgType::kPattern, DocArgType::kUnixTime,
                  DocArgType::kInteger, DocArgType::kDouble, DocArgType::kString,
                  DocArgType::kDouble, DocArgType::kString, DocArgType::kString}));
    EXPECT_EQ(args[8].name, "ip:port");
    EXPECT_EQ(args[0].key_spec_index, 0);
    EXPECT_EQ(args[1].key_spec_index, 1);
    EXPECT_EQ(args[2].key_spec_index, -1);
}

TEST(DocSyntax, Repetition) {
    auto keys = parse_ok("key [key ...]");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_TRUE(keys[0].multiple);
    EXPECT_FALSE(keys[0].optional);

    auto pairs = parse_ok("key value [key value ...]");
    ASSERT_EQ(pairs.size(), 1u);
    EXPECT_EQ(pairs[0].name, "key_value");
    EXPECT_EQ(pairs[0].type, DocArgType::kBlock);
    EXPECT_TRUE(pairs[0].multiple);
    EXPECT_EQ(pairs[0].args[0].key_spec_index, 0);

    auto weights = parse_ok("[WEIGHTS weight [weight ...]]");
    ASSERT_EQ(weights.size(), 1u);
    EXPECT_EQ(weights[0].token, "WEIGHTS");
    EXPECT_TRUE(weights[0].optional && weights[0].multiple && !weights[0].multiple_token);

    auto get = parse_ok("[GET pattern [GET pattern ...]]");
    ASSERT_EQ(get.size(), 1u);
    EXPECT_EQ(get[0].type, DocArgType::kPattern);
    EXPECT_TRUE(get[0].optional && get[0].multiple && get[0].multiple_token);
    EXPECT_EQ(doc_args_hint(get), "[GET pattern [GET pattern ...]]");

    auto optional_many = parse_ok("[section [section ...]]");
    ASSERT_EQ(optional_many.size(), 1u);
    EXPECT_TRUE(optional_many[0].optional && optional_many[0].multiple);

    // "[...]" repeats the element before it.
    auto shorthand = parse_ok("<a | b> [...]");
    ASSERT_EQ(shorthand.size(), 1u);
    EXPECT_EQ(shorthand[0].type, DocArgType::kOneof);
    EXPECT_TRUE(shorthand[0].multiple);
}

TEST(DocSyntax, TokensGroupsAndLabels) {
    auto limit = parse_ok("[LIMIT offset count]");
    ASSERT_EQ(limit.size(), 1u);
    EXPECT_EQ(limit[0].type, DocArgType::kBlock);
    EXPECT_EQ(limit[0].token, "LIMIT");
    EXPECT_EQ(limit[0].name, "offset_count");
    EXPECT_EQ(limit[0].args.size(), 2u);

    auto aggregate = parse_ok("[aggregate: AGGREGATE <SUM | MIN | MAX>]");
    ASSERT_EQ(aggregate.size(), 1u);
    EXPECT_EQ(aggregate[0].name, "aggregate");
    EXPECT_EQ(aggregate[0].type, DocArgType::kOneof);
    EXPECT_EQ(aggregate[0].token, "AGGREGATE");
    EXPECT_EQ(aggregate[0].args.size(), 3u);

    auto where = parse_ok("key <where: BEFORE | AFTER> pivot");
    ASSERT_EQ(where.size(), 3u);
    EXPECT_EQ(where[1].name, "where");
    EXPECT_FALSE(where[1].optional);

    auto ch = parse_ok("[change: CH]");
    ASSERT_EQ(ch.size(), 1u);
    EXPECT_EQ(ch[0].name, "change");
    EXPECT_EQ(ch[0].token, "CH");
    EXPECT_EQ(ch[0].type, DocArgType::kPureToken);

    auto replicaof = parse_ok("<args: <host-port: host port> | <no-one: NO ONE>>");
    ASSERT_EQ(replicaof.size(), 1u);
    ASSERT_EQ(replicaof[0].args.size(), 2u);
    EXPECT_EQ(replicaof[0].args[0].name, "host-port");
    EXPECT_EQ(replicaof[0].args[0].type, DocArgType::kBlock);
    EXPECT_EQ(replicaof[0].args[1].args.size(), 2u);
    EXPECT_EQ(doc_args_hint(replicaof), "host port|NO ONE");

    auto list = parse_ok("[id: ID <client-id [client-id ...]>]@6.2.0");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].type, DocArgType::kBlock);
    EXPECT_EQ(list[0].token, "ID");
    EXPECT_EQ(list[0].since, "6.2.0");
    EXPECT_TRUE(list[0].args[0].multiple);

    auto versions = parse_ok("<filter: 'ip:port'!2.8.12 | [ID client-id]@2.8.12>");
    EXPECT_EQ(versions[0].args[0].deprecated_since, "2.8.12");
    EXPECT_EQ(versions[0].args[1].since, "2.8.12");

    EXPECT_TRUE(parse_ok("").empty());
}

TEST(DocSyntax, HintsMatchRedisCli) {
    auto hint_of = [](std::string_view name) {
        const CommandDocEntry* e = find_command_doc_entry(name);
        EXPECT_NE(e, nullptr) << name;
        return e ? hint(e->syntax) : std::string();
    };
    EXPECT_EQ(hint_of("zadd"), "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]");
    EXPECT_EQ(hint_of("zunionstore"),
              "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] "
              "[AGGREGATE SUM|MIN|MAX]");
    EXPECT_EQ(hint_of("hello"), "[protover [AUTH username password] [SETNAME clientname]]");
    EXPECT_EQ(hint_of("config|get"), "parameter [parameter ...]");
    EXPECT_EQ(hint_of("lmove"), "source destination LEFT|RIGHT LEFT|RIGHT");
    EXPECT_EQ(hint_of("client|tracking"),
              "ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] "
              "[OPTOUT] [NOLOOP]");
    EXPECT_EQ(hint_of("get"), "key");
    EXPECT_EQ(hint_of("dbsize"), "");
}

TEST(DocSyntax, RejectsMalformedStrings) {
    const char* kBad[] = {
        "[key",       // unclosed
        "key]",       // stray closer
        "<a | b",     // unclosed
        "<a | b]",    // mismatched closer
        "a | b",      // alternatives outside a group
        "key ...",    // ellipsis outside [ ]
        "[...]",      // nothing to repeat
        "x [y ...]",  // repeats something else
        "key value [value key ...]",
        "[x ... y]",      // ellipsis not last
        "<x ...>",        // ellipsis in < >
        "[a | b ...]",    // ellipsis with alternatives
        "[[x]]",          // optional inside optional
        "[]",             // empty group
        "[a | ]",         // empty alternative
        "key:foo",        // unknown type
        "Key",            // mixed case
        "x@",             // empty version
        "x@1..2",         // malformed version
        "x@1.0.0@2.0.0",  // version twice
        "'unterminated",  // quote
        "''",             // empty quoted name
        "A [B x]",        // two tokens for one argument
        "key # value",    // unexpected character
        "[label:x y]",    // "label:" needs a space; "x" is not a type
    };
    for (const char* s : kBad) {
        auto r = parse_doc_syntax(s);
        EXPECT_FALSE(r.ok()) << "accepted: " << s;
        if (!r.ok()) {
            EXPECT_FALSE(r.error().empty());
        }
    }
}

// --- the replies -----------------------------------------------------------------------------

void check_arg_map(const Resp& a) {
    static const std::vector<std::string> kOrder = {"name",  "type",     "key_spec_index",
                                                    "token", "since",    "deprecated_since",
                                                    "flags", "arguments"};
    auto keys = map_keys(a);
    ASSERT_GE(keys.size(), 2u);
    EXPECT_EQ(keys[0], "name");
    EXPECT_EQ(keys[1], "type");
    size_t last = 0;
    for (const std::string& k : keys) {
        auto it = std::find(kOrder.begin(), kOrder.end(), k);
        ASSERT_NE(it, kOrder.end()) << k;
        size_t idx = static_cast<size_t>(it - kOrder.begin());
        EXPECT_GE(idx, last) << k;
        last = idx;
    }
    if (const Resp* ksi = map_get(a, "key_spec_index")) {
        EXPECT_EQ(ksi->kind, ':');
    }
    if (const Resp* flags = map_get(a, "flags")) {
        EXPECT_TRUE(flags->kind == '*' || flags->kind == '~');
        for (const Resp& f : flags->items) EXPECT_EQ(f.kind, '+');  // redis-cli asserts this
    }
    const std::string& type = map_get(a, "type")->str;
    const Resp* nested = map_get(a, "arguments");
    EXPECT_EQ(nested != nullptr, type == "oneof" || type == "block");
    if (nested)
        for (const Resp& sub : nested->items) check_arg_map(sub);
}

TEST(CommandDocsReply, SetReplyShape) {
    CommandSpec set;
    set.name = "set";
    std::string out;
    Reply reply(out);
    reply_command_docs(reply, set);
    Resp r = parse_whole(out);
    EXPECT_EQ(map_keys(r), (std::vector<std::string>{"summary", "since", "group", "complexity",
                                                     "history", "arguments"}));
    EXPECT_EQ(map_get(r, "since")->str, "1.0.0");
    EXPECT_EQ(map_get(r, "group")->str, "string");
    const Resp* history = map_get(r, "history");
    ASSERT_EQ(history->items.size(), 4u);
    EXPECT_EQ(history->items[0].items.size(), 2u);
    EXPECT_EQ(history->items[0].items[0].str, "2.6.12");
    const Resp* args = map_get(r, "arguments");
    ASSERT_EQ(args->items.size(), 5u);
    for (const Resp& a : args->items) check_arg_map(a);
    EXPECT_EQ(map_keys(args->items[0]),
              (std::vector<std::string>{"name", "type", "key_spec_index"}));
    EXPECT_EQ(map_keys(args->items[2]),
              (std::vector<std::string>{"name", "type", "since", "flags", "arguments"}));
    EXPECT_EQ(map_keys(args->items[3]),
              (std::vector<std::string>{"name", "type", "token", "since", "flags"}));
}

TEST(CommandDocsReply, DeprecatedAndSyscmdFlags) {
    CommandSpec getset;
    getset.name = "getset";
    std::string out;
    Reply reply(out);
    reply_command_docs(reply, getset);
    Resp r = parse_whole(out);
    EXPECT_EQ(map_keys(r),
              (std::vector<std::string>{"summary", "since", "group", "complexity", "doc_flags",
                                        "deprecated_since", "replaced_by", "arguments"}));
    const Resp* flags = map_get(r, "doc_flags");
    ASSERT_EQ(flags->items.size(), 1u);
    EXPECT_EQ(flags->items[0].kind, '+');
    EXPECT_EQ(flags->items[0].str, "deprecated");

    CommandSpec replconf;
    replconf.name = "replconf";
    out.clear();
    reply_command_docs(reply, replconf);
    r = parse_whole(out);
    EXPECT_EQ(map_get(r, "doc_flags")->items[0].str, "syscmd");
    EXPECT_EQ(map_get(r, "arguments"), nullptr);
}

TEST(CommandDocsReply, ContainerListsDocumentedSubcommands) {
    CommandSpec config;
    config.name = "config";
    for (const char* sub : {"get", "set", "no-such-sub"}) {
        CommandSpec s;
        s.name = sub;
        config.subcommands.push_back(s);
    }
    for (CommandSpec& s : config.subcommands) s.parent = &config;
    std::string out;
    Reply reply(out);
    reply_command_docs(reply, config);
    Resp r = parse_whole(out);
    EXPECT_EQ(map_keys(r),
              (std::vector<std::string>{"summary", "since", "group", "complexity", "subcommands"}));
    const Resp* subs = map_get(r, "subcommands");
    EXPECT_EQ(map_keys(*subs), (std::vector<std::string>{"config|get", "config|set"}));
    EXPECT_EQ(map_get(*map_get(*subs, "config|get"), "group")->str, "server");
}

// The same reply with every RESP2 map/set turned into an array, to compare the two protocols.
Resp as_resp2(const Resp& r) {
    Resp out = r;
    if (out.kind == '%' || out.kind == '~') {
        out.kind = '*';
        out.num = static_cast<int64_t>(out.items.size());
    }
    for (Resp& item : out.items) item = as_resp2(item);
    return out;
}

bool same_resp(const Resp& a, const Resp& b) {
    if (a.kind != b.kind || a.str != b.str || a.num != b.num || a.items.size() != b.items.size())
        return false;
    for (size_t i = 0; i < a.items.size(); ++i)
        if (!same_resp(a.items[i], b.items[i])) return false;
    return true;
}

TEST(CommandDocsReply, Resp3UsesMapsAndSets) {
    CommandSpec set;
    set.name = "set";
    std::string out2, out3;
    Reply reply2(out2, 2), reply3(out3, 3);
    reply_command_docs(reply2, set);
    reply_command_docs(reply3, set);
    Resp r2 = parse_whole(out2);
    Resp r3 = parse_whole(out3);
    EXPECT_EQ(r3.kind, '%');
    EXPECT_EQ(map_get(r3, "history")->kind, '~');
    const Resp* args = map_get(r3, "arguments");
    EXPECT_EQ(args->kind, '*');
    EXPECT_EQ(args->items[0].kind, '%');
    EXPECT_EQ(map_get(args->items[2], "flags")->kind, '~');
    EXPECT_TRUE(same_resp(as_resp2(r3), r2));  // only the aggregate types differ
    for (const Resp& a : args->items) check_arg_map(a);
}

TEST(CommandDocsReply, UnknownCommandIsAnEmptyMap) {
    CommandSpec nope;
    nope.name = "no-such-command";
    std::string out;
    Reply reply(out);
    reply_command_docs(reply, nope);
    EXPECT_EQ(out, "*0\r\n");
}

TEST(CommandDocsReply, EveryEntryRendersValidResp) {
    for (const CommandDocEntry& e : command_doc_entries()) {
        SCOPED_TRACE(std::string(e.name));
        CommandSpec parent;
        CommandSpec spec;
        std::string_view name = e.name;
        if (size_t bar = name.find('|'); bar != std::string_view::npos) {
            parent.name = std::string(name.substr(0, bar));
            spec.name = std::string(name.substr(bar + 1));
            spec.parent = &parent;
        } else {
            spec.name = std::string(name);
        }
        std::string out;
        Reply reply(out);
        reply_command_docs(reply, spec);
        Resp r = parse_whole(out);
        auto keys = map_keys(r);
        ASSERT_GE(keys.size(), 3u);
        EXPECT_EQ(keys[0], "summary");
        EXPECT_EQ(keys[1], "since");
        EXPECT_EQ(keys[2], "group");
        if (const Resp* args = map_get(r, "arguments"))
            for (const Resp& a : args->items) check_arg_map(a);
    }
}

}  // namespace
}  // namespace snapstream
