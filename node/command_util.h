// Small helpers shared by the command families: argument parsing with Redis's error replies,
// typed lookups, and the shared error texts.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/numeric.h"
#include "node/server.h"

namespace snapstream {

inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNotInt = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNoKey = "ERR no such key";
inline constexpr std::string_view kErrDbRange = "ERR DB index is out of range";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";

bool iequals(std::string_view a, std::string_view b);

// The argument as an int64, or replies "value is not an integer or out of range" and returns
// nullopt.
std::optional<int64_t> int_arg(CommandContext& ctx, std::string_view s,
                               std::string_view error = kErrNotInt);

// Lookups that reply and return nullptr for a key of another type.
Entry* lookup_read_string(CommandContext& ctx, std::string_view key, bool& wrong_type);

// Lookups for the collection commands: the entry if the key holds `type`; nullptr if it is
// missing (wrong_type = false) or holds another type (wrong_type = true, WRONGTYPE replied).
// The read form counts keyspace hits/misses; the write form does not.
Entry* lookup_read_typed(CommandContext& ctx, std::string_view key, ValueType type,
                         bool& wrong_type);
Entry* lookup_write_typed(CommandContext& ctx, std::string_view key, ValueType type,
                          bool& wrong_type);

// The entry at `key` if it holds `type`; otherwise nullptr, after replying WRONGTYPE (a value of
// another type) or calling missing() (no such key), so that the handler simply returns.
template <typename Missing>
Entry* read_typed_or(CommandContext& ctx, std::string_view key, ValueType type, Missing&& missing) {
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, key, type, wrong);
    if (!e && !wrong) missing();
    return e;
}
template <typename Missing>
Entry* write_typed_or(CommandContext& ctx, std::string_view key, ValueType type,
                      Missing&& missing) {
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, type, wrong);
    if (!e && !wrong) missing();
    return e;
}

// "invalid expire time in '<cmd>' command".
void reply_invalid_expire(CommandContext& ctx);

// A 32-bit integer argument as Redis's getIntFromObjectOrReply (msg replaces both errors).
std::optional<int> int32_arg(CommandContext& ctx, std::string_view s, const char* msg);
// A whole database index argument in [0, databases); replies on error.
std::optional<int> db_index_arg(CommandContext& ctx, std::string_view s);

// Counts changes for `rdb_changes_since_last_save`.
inline void mark_dirty(CommandContext& ctx, uint64_t n = 1) {
    ctx.server.note_changes(n);
}

// A key's value changed (written, deleted, renamed, TTL changed): clients WATCHing it will
// have their EXEC fail. Every write command calls this for each key it changes, where Redis
// calls signalModifiedKey.
inline void signal_modified(CommandContext& ctx, const Database& db, std::string_view key) {
    ctx.server.touch_watched_key(db.id, key);
}
inline void signal_modified(CommandContext& ctx, std::string_view key) {
    signal_modified(ctx, *ctx.db, key);
}

// One key changed: counts it for the next save and signals WATCHers.
inline void key_changed(CommandContext& ctx, std::string_view key) {
    mark_dirty(ctx);
    signal_modified(ctx, key);
}

// HDEL / SREM / ZREM: removes the members ctx.arg(2..) from the collection of `type` at
// ctx.arg(1) with remove(value, member) -> bool, deletes the key once size(value) is 0 (Redis
// keeps no empty collection; later arguments then find nothing) and replies the count removed.
template <typename Remove, typename Size>
void remove_members_command(CommandContext& ctx, ValueType type, Remove&& remove, Size&& size) {
    const std::string_view key = ctx.arg(1);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, type, wrong);
    if (wrong) return;
    uint64_t removed = 0;
    for (size_t i = 2; e && i < ctx.argc(); ++i) {
        if (!remove(e->value, ctx.arg(i))) continue;
        ++removed;
        if (size(e->value) == 0) {
            ctx.ks.remove(*ctx.db, key);
            e = nullptr;
        }
    }
    if (removed) {
        mark_dirty(ctx, removed);
        signal_modified(ctx, key);
    }
    ctx.reply.integer(static_cast<int64_t>(removed));
}

// The keys a blocking command may serve from: all of them on its first run; when a blocked client
// is run again because a key became ready, only that key (as Redis 7.0 serves blocked clients
// from the readied key, whatever the order and contents of the command's other keys).
inline std::span<const std::string_view> keys_to_serve(const CommandContext& ctx,
                                                       std::span<const std::string_view> keys) {
    if (!ctx.reprocessing || ctx.ready_key.empty()) return keys;
    for (size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == ctx.ready_key) return keys.subspan(i, 1);
    return keys;
}

// A blocking command's timeout in seconds (a float), as milliseconds (0 = forever); replies
// "timeout is not a float or out of range" / "timeout is negative" and returns nullopt.
std::optional<int64_t> block_timeout_arg(CommandContext& ctx, std::string_view s);

// Ends a client's MULTI state: drops the queued commands and its WATCHes.
void discard_transaction(Server& server, Client& c);

// Registration functions of the command families (one file each).
void register_string_commands(CommandTable& t);
void register_key_commands(CommandTable& t);
void register_server_commands(CommandTable& t);
void register_transaction_commands(CommandTable& t);
void register_list_commands(CommandTable& t);
void register_hash_commands(CommandTable& t);
void register_set_commands(CommandTable& t);
void register_zset_commands(CommandTable& t);
void register_persistence_commands(CommandTable& t);
void register_replication_commands(CommandTable& t);

}  // namespace snapstream

namespace snapstream {

// "<CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", the lines, then HELP.
void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines);
// "unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP."
void reply_subcommand_syntax_error(CommandContext& ctx);
std::string upper(std::string_view s);

}  // namespace snapstream
