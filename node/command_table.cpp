#include "node/command_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>

#include "node/command_util.h"

namespace snapstream {
namespace {

// Where the numkeys argument of each command with counted keys is (Redis 7.0's "keynum" key specs,
// from src/commands/*.json). Applied by CommandTable::add, so that the families register these
// commands like any other.
int numkeys_index_of(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kNumkeys[] = {
        {"zunionstore", 2}, {"zinterstore", 2}, {"zdiffstore", 2}, {"zunion", 1},
        {"zinter", 1},      {"zdiff", 1},       {"zintercard", 1}, {"sintercard", 1},
        {"lmpop", 1},       {"blmpop", 2},      {"zmpop", 1},      {"bzmpop", 2},
    };
    for (const auto& [n, idx] : kNumkeys)
        if (n == name) return idx;
    return 0;
}

// Redis's implicit ACL categories (setImplicitACLCategories): write -> @write, readonly ->
// @read, admin -> @admin @dangerous, fast -> @fast, blocking -> @blocking, the rest @slow.
void add_implicit_acl_categories(CommandSpec& c) {
    if (c.flags & kCmdWrite) c.acl |= kAclWrite;
    if ((c.flags & kCmdReadonly) && !(c.acl & kAclScripting)) c.acl |= kAclRead;
    if (c.flags & kCmdAdmin) c.acl |= kAclAdmin | kAclDangerous;
    if (c.flags & kCmdPubsub) c.acl |= kAclPubsub;
    if (c.flags & kCmdFast) c.acl |= kAclFast;
    if (c.flags & kCmdBlocking) c.acl |= kAclBlocking;
    if (!(c.acl & kAclFast)) c.acl |= kAclSlow;
    for (CommandSpec& sub : c.subcommands) add_implicit_acl_categories(sub);
}

// Commands whose first key has its own key spec in Redis 7.0 (written, the others read:
// RENAME src dst, SINTERSTORE dst k1 k2 ...), reported as two specs.
bool first_key_spec_apart(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "rename",     "renamenx", "copy",        "rpoplpush",   "lmove",      "blmove",
        "brpoplpush", "smove",    "sinterstore", "sunionstore", "sdiffstore", "zrangestore",
    };
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace

std::string CommandSpec::full_name() const {
    return parent ? parent->name + "|" + name : name;
}

const CommandSpec* CommandSpec::find_subcommand(std::string_view sub) const {
    for (const CommandSpec& s : subcommands)
        if (iequals(s.name, sub)) return &s;
    return nullptr;
}

void CommandTable::add(CommandSpec spec) {
    auto owned = std::make_unique<CommandSpec>(std::move(spec));
    if (!owned->numkeys_index) owned->numkeys_index = numkeys_index_of(owned->name);
    if (owned->numkeys_index) owned->flags |= kCmdMovableKeys;
    owned->first_key_apart = first_key_spec_apart(owned->name);
    add_implicit_acl_categories(*owned);
    for (CommandSpec& sub : owned->subcommands) sub.parent = owned.get();
    by_name_[owned->name] = owned.get();
    specs_.push_back(std::move(owned));
}

const CommandSpec* CommandTable::find(std::string_view name) const {
    char buf[32];
    if (name.size() >= sizeof(buf)) return nullptr;  // no command name is that long
    for (size_t i = 0; i < name.size(); ++i)
        buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    auto it = by_name_.find(std::string(buf, name.size()));
    return it == by_name_.end() ? nullptr : it->second;
}

std::optional<std::vector<size_t>> command_key_positions(const CommandSpec& c,
                                                         std::span<const std::string_view> argv) {
    std::vector<size_t> keys;
    const int argc = static_cast<int>(argv.size());
    if (c.first_key > 0) {
        const int last = c.last_key < 0 ? argc + c.last_key : c.last_key;
        for (int i = c.first_key; i <= last && i < argc; i += c.key_step)
            keys.push_back(static_cast<size_t>(i));
    }
    if (c.numkeys_index > 0 && c.numkeys_index < argc) {
        const size_t at = static_cast<size_t>(c.numkeys_index);
        auto n = parse_int64(argv[at]);
        if (!n || *n < 0 || static_cast<uint64_t>(*n) > argv.size() - at - 1) return std::nullopt;
        for (size_t i = 0; i < static_cast<size_t>(*n); ++i) keys.push_back(at + 1 + i);
    }
    return keys;
}

const CommandTable& command_table() {
    static const CommandTable table = [] {
        CommandTable t;
        register_string_commands(t);
        register_key_commands(t);
        register_server_commands(t);
        register_transaction_commands(t);
        register_list_commands(t);
        register_hash_commands(t);
        register_set_commands(t);
        register_zset_commands(t);
        register_persistence_commands(t);
        register_replication_commands(t);
        return t;
    }();
    return table;
}

std::vector<std::string_view> command_flag_names(uint32_t flags) {
    static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
        {kCmdWrite, "write"},
        {kCmdReadonly, "readonly"},
        {kCmdDenyOom, "denyoom"},
        {kCmdAdmin, "admin"},
        {kCmdPubsub, "pubsub"},
        {kCmdNoscript, "noscript"},
        {kCmdBlocking, "blocking"},
        {kCmdLoading, "loading"},
        {kCmdStale, "stale"},
        {kCmdSkipMonitor, "skip_monitor"},
        {kCmdSkipSlowlog, "skip_slowlog"},
        {kCmdFast, "fast"},
        {kCmdNoAuth, "no_auth"},
        // may_replicate is internal: Redis does not report it.
        {kCmdNoAsyncLoading, "no_async_loading"},
        {kCmdNoMulti, "no_multi"},
        {kCmdMovableKeys, "movablekeys"},
        {kCmdAllowBusy, "allow_busy"},
    };
    std::vector<std::string_view> out;
    for (auto& [bit, name] : kNames)
        if (flags & bit) out.push_back(name);
    return out;
}

std::vector<std::string_view> acl_category_names(uint32_t acl) {
    static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
        {kAclKeyspace, "@keyspace"},
        {kAclRead, "@read"},
        {kAclWrite, "@write"},
        {kAclSet, "@set"},
        {kAclSortedSet, "@sortedset"},
        {kAclList, "@list"},
        {kAclHash, "@hash"},
        {kAclString, "@string"},
        {kAclBitmap, "@bitmap"},
        {kAclHyperloglog, "@hyperloglog"},
        {kAclGeo, "@geo"},
        {kAclStream, "@stream"},
        {kAclPubsub, "@pubsub"},
        {kAclAdmin, "@admin"},
        {kAclFast, "@fast"},
        {kAclSlow, "@slow"},
        {kAclBlocking, "@blocking"},
        {kAclDangerous, "@dangerous"},
        {kAclConnection, "@connection"},
        {kAclTransaction, "@transaction"},
        {kAclScripting, "@scripting"},
    };
    std::vector<std::string_view> out;
    for (auto& [bit, name] : kNames)
        if (acl & bit) out.push_back(name);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<int64_t> int_arg(CommandContext& ctx, std::string_view s, std::string_view error) {
    auto v = parse_int64(s);
    if (!v) ctx.reply.error(error);
    return v;
}

Entry* lookup_read_string(CommandContext& ctx, std::string_view key, bool& wrong_type) {
    Entry* e = ctx.ks.lookup_read(*ctx.db, key);
    wrong_type = e && !e->value.is_string();
    if (wrong_type) ctx.reply.error(kErrWrongType);
    return wrong_type ? nullptr : e;
}

Entry* lookup_read_typed(CommandContext& ctx, std::string_view key, ValueType type,
                         bool& wrong_type) {
    Entry* e = ctx.ks.lookup_read(*ctx.db, key);
    wrong_type = e && e->value.type() != type;
    if (wrong_type) ctx.reply.error(kErrWrongType);
    return wrong_type ? nullptr : e;
}

Entry* lookup_write_typed(CommandContext& ctx, std::string_view key, ValueType type,
                          bool& wrong_type) {
    Entry* e = ctx.ks.lookup_write(*ctx.db, key);
    wrong_type = e && e->value.type() != type;
    if (wrong_type) ctx.reply.error(kErrWrongType);
    return wrong_type ? nullptr : e;
}

void reply_invalid_expire(CommandContext& ctx) {
    ctx.reply.error("ERR invalid expire time in '" + ctx.cmd->full_name() + "' command");
}

std::optional<int> int32_arg(CommandContext& ctx, std::string_view s, const char* msg) {
    auto v = parse_int64(s);
    if (!v) {
        ctx.reply.error(msg ? std::string("ERR ") + msg : std::string(kErrNotInt));
        return std::nullopt;
    }
    if (*v < INT32_MIN || *v > INT32_MAX) {
        ctx.reply.error(msg ? std::string("ERR ") + msg
                            : std::string("ERR value is out of range, value must between "
                                          "-2147483648 and 2147483647"));
        return std::nullopt;
    }
    return static_cast<int>(*v);
}

std::optional<int> db_index_arg(CommandContext& ctx, std::string_view s) {
    auto v = int32_arg(ctx, s, nullptr);
    if (!v) return std::nullopt;
    if (*v < 0 || *v >= ctx.ks.count()) {
        ctx.reply.error(kErrDbRange);
        return std::nullopt;
    }
    return v;
}

}  // namespace snapstream

namespace snapstream {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
    ctx.reply.array(lines.size() + 3);
    ctx.reply.simple(upper(ctx.arg(0)) +
                     " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (std::string_view l : lines) ctx.reply.simple(l);
    ctx.reply.simple("HELP");
    ctx.reply.simple("    Prints this help.");
}

void reply_subcommand_syntax_error(CommandContext& ctx) {
    std::string_view sub = ctx.arg(1).substr(0, 128);
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(sub.substr(0, sub.find('\0'))) + "'. Try " + upper(ctx.arg(0)) +
                    " HELP.");
}

}  // namespace snapstream

namespace snapstream {

std::optional<int64_t> block_timeout_arg(CommandContext& ctx, std::string_view s) {
    auto v = parse_long_double(s);
    if (!v) {
        ctx.reply.error("ERR timeout is not a float or out of range");
        return std::nullopt;
    }
    const long double ms = std::ceil(*v * 1000.0L);
    // Redis converts to long long without a range check; on x86-64 anything out of range
    // (including inf) becomes LLONG_MIN, i.e. "negative".
    if (!(ms >= 0) || ms >= 9.2e18L) {
        ctx.reply.error("ERR timeout is negative");
        return std::nullopt;
    }
    return static_cast<int64_t>(ms);
}

}  // namespace snapstream
