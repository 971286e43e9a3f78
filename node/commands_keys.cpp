// Keyspace commands: existence, deletion, renaming, copying, TTLs, iteration, databases.
// Semantics and error texts follow Redis 7.0's db.c, expire.c and object.c.
#include <cerrno>
#include <climits>
#include <cstdlib>

#include <malloc.h>

#include "common/glob.h"
#include "node/collection_scan.h"
#include "node/command_util.h"

namespace snapstream {
namespace {

void cmd_del(CommandContext& ctx) {
    int64_t n = 0;
    for (size_t i = 1; i < ctx.argc(); ++i) {
        if (ctx.ks.lookup_write(*ctx.db, ctx.arg(i)) && ctx.ks.remove(*ctx.db, ctx.arg(i))) {
            key_changed(ctx, ctx.arg(i));
            ++n;
        }
    }
    ctx.reply.integer(n);
}

void cmd_exists(CommandContext& ctx) {
    int64_t n = 0;
    for (size_t i = 1; i < ctx.argc(); ++i)
        if (ctx.ks.lookup_read(*ctx.db, ctx.arg(i))) ++n;
    ctx.reply.integer(n);
}

void cmd_touch(CommandContext& ctx) {
    cmd_exists(ctx);
}

void cmd_type(CommandContext& ctx) {
    Entry* e = ctx.ks.lookup_read(*ctx.db, ctx.arg(1));
    ctx.reply.simple(e ? type_name(e->value.type()) : "none");
}

void cmd_keys(CommandContext& ctx) {
    std::string_view pattern = ctx.arg(1);
    const bool all = pattern == "*";
    std::vector<std::string_view> keys;
    Database& db = *ctx.db;
    db.dict.for_each([&](Entry* e) {
        if ((all || glob_match(pattern, e->key())) && !ctx.ks.is_expired(db, e))
            keys.push_back(e->key());
    });
    ctx.reply.array(keys.size());
    for (auto k : keys) ctx.reply.bulk(k);
}

void cmd_scan(CommandContext& ctx) {
    CollectionScanArgs args;
    if (!parse_scan_cursor(ctx, ctx.arg(1), args.cursor)) return;
    if (!parse_scan_options(ctx, args, 2, true)) return;
    const auto &pattern = args.pattern, &type = args.type;
    Database& db = *ctx.db;
    std::vector<std::string> keys;
    const uint64_t c =
        scan_dict(db.dict, args.cursor, args.count, [&](Entry* e) { keys.emplace_back(e->key()); });

    std::vector<std::string_view> out;
    for (const std::string& k : keys) {
        if (pattern && !glob_match(*pattern, k)) continue;
        if (type) {
            Entry* e = ctx.ks.lookup_read(db, k);
            if (!iequals(*type, e ? type_name(e->value.type()) : "none")) continue;
        }
        if (!ctx.ks.lookup_write(db, k)) continue;  // expired: deleted now, as Redis does
        out.push_back(k);
    }
    ctx.reply.array(2);
    ctx.reply.bulk_int(static_cast<int64_t>(c));
    ctx.reply.array(out.size());
    for (auto k : out) ctx.reply.bulk(k);
}

void cmd_randomkey(CommandContext& ctx) {
    Database& db = *ctx.db;
    // Expired keys met on the way are deleted; the loop ends when the table is empty.
    for (;;) {
        Entry* e = db.dict.random(ctx.ks.rng);
        if (!e) {
            ctx.reply.null();
            return;
        }
        if (!ctx.ks.is_expired(db, e)) {
            ctx.reply.bulk(e->key());
            return;
        }
        std::string key(e->key());
        ctx.ks.lookup_write(db, key);
    }
}

void rename_generic(CommandContext& ctx, bool nx) {
    std::string_view from = ctx.arg(1), to = ctx.arg(2);
    Entry* e = ctx.ks.lookup_write(*ctx.db, from);
    if (!e) {
        ctx.reply.error(kErrNoKey);
        return;
    }
    if (from == to) {
        if (nx)
            ctx.reply.integer(0);
        else
            ctx.reply.ok();
        return;
    }
    if (ctx.ks.lookup_write(*ctx.db, to)) {
        if (nx) {
            ctx.reply.integer(0);
            return;
        }
        ctx.ks.remove(*ctx.db, to);
    }
    const int64_t when = ctx.ks.expire_of(*ctx.db, e);
    Value v = std::move(e->value);
    ctx.ks.remove(*ctx.db, from);
    Entry* moved = ctx.ks.add(*ctx.db, to, std::move(v));
    if (when >= 0) ctx.ks.set_expire(*ctx.db, moved, when);
    signal_modified(ctx, from);
    key_changed(ctx, to);
    if (nx)
        ctx.reply.integer(1);
    else
        ctx.reply.ok();
}
void cmd_rename(CommandContext& ctx) {
    rename_generic(ctx, false);
}
void cmd_renamenx(CommandContext& ctx) {
    rename_generic(ctx, true);
}

void cmd_move(CommandContext& ctx) {
    auto target = db_index_arg(ctx, ctx.arg(2));
    if (!target) return;
    Database& src = *ctx.db;
    Database& dst = ctx.ks.db(*target);
    if (&src == &dst) {
        ctx.reply.error("ERR source and destination objects are the same");
        return;
    }
    if (!ctx.ks.lookup_write(src, ctx.arg(1)) || ctx.ks.lookup_write(dst, ctx.arg(1))) {
        ctx.reply.integer(0);
        return;
    }
    ctx.ks.move(src, dst, ctx.arg(1));
    signal_modified(ctx, src, ctx.arg(1));
    signal_modified(ctx, dst, ctx.arg(1));
    mark_dirty(ctx);
    ctx.reply.integer(1);
}

void cmd_copy(CommandContext& ctx) {
    Database* dst = ctx.db;
    bool replace = false;
    for (size_t j = 3; j < ctx.argc(); ++j) {
        const size_t additional = ctx.argc() - j - 1;
        if (iequals(ctx.arg(j), "replace")) {
            replace = true;
        } else if (iequals(ctx.arg(j), "db") && additional >= 1) {
            auto id = db_index_arg(ctx, ctx.arg(j + 1));
            if (!id) return;
            dst = &ctx.ks.db(*id);
            ++j;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    std::string_view key = ctx.arg(1), newkey = ctx.arg(2);
    if (dst == ctx.db && key == newkey) {
        ctx.reply.error("ERR source and destination objects are the same");
        return;
    }
    Entry* e = ctx.ks.lookup_read(*ctx.db, key);
    if (!e) {
        ctx.reply.integer(0);
        return;
    }
    const int64_t when = ctx.ks.expire_of(*ctx.db, e);
    if (ctx.ks.lookup_write(*dst, newkey)) {
        if (!replace) {
            ctx.reply.integer(0);
            return;
        }
        ctx.ks.remove(*dst, newkey);
    }
    Entry* copy = ctx.ks.add(*dst, newkey, e->value.clone());
    if (when >= 0) ctx.ks.set_expire(*dst, copy, when);
    signal_modified(ctx, *dst, newkey);
    mark_dirty(ctx);
    ctx.reply.integer(1);
}

void expire_generic(CommandContext& ctx, int64_t basetime, bool seconds) {
    bool nx = false, xx = false, gt = false, lt = false;
    for (size_t j = 3; j < ctx.argc(); ++j) {
        std::string_view o = ctx.arg(j);
        if (iequals(o, "nx"))
            nx = true;
        else if (iequals(o, "xx"))
            xx = true;
        else if (iequals(o, "gt"))
            gt = true;
        else if (iequals(o, "lt"))
            lt = true;
        else {
            ctx.reply.error("ERR Unsupported option " + std::string(o.substr(0, o.find('\0'))));
            return;
        }
    }
    if (nx && (xx || gt || lt)) {
        ctx.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if (gt && lt) {
        ctx.reply.error("ERR GT and LT options at the same time are not compatible");
        return;
    }
    auto v = int_arg(ctx, ctx.arg(2));
    if (!v) return;
    int64_t when = *v;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            reply_invalid_expire(ctx);
            return;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) {
        reply_invalid_expire(ctx);
        return;
    }
    when += basetime;
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    if (!e) {
        ctx.reply.integer(0);
        return;
    }
    if (nx || xx || gt || lt) {
        const int64_t current = ctx.ks.expire_of(*ctx.db, e);
        if ((nx && current != -1) || (xx && current == -1) ||
            (gt && (when <= current || current == -1)) ||
            (lt && current != -1 && when >= current)) {
            ctx.reply.integer(0);
            return;
        }
    }
    // Propagated as DEL, or as PEXPIREAT with the absolute time (options kept).
    if (ctx.ks.already_expired(when)) {
        ctx.ks.remove(*ctx.db, ctx.arg(1));
        ctx.propagate_as({"DEL", ctx.arg(1)});
    } else {
        ctx.ks.set_expire(*ctx.db, e, when);
        const std::string ms = std::to_string(when);
        std::vector<std::string_view> argv = {"PEXPIREAT", ctx.arg(1), ms};
        for (size_t i = 3; i < ctx.argc(); ++i) argv.push_back(ctx.arg(i));
        ctx.propagate_as(argv);
    }
    key_changed(ctx, ctx.arg(1));
    ctx.reply.integer(1);
}
void cmd_expire(CommandContext& ctx) {
    expire_generic(ctx, ctx.ks.now(), true);
}
void cmd_pexpire(CommandContext& ctx) {
    expire_generic(ctx, ctx.ks.now(), false);
}
void cmd_expireat(CommandContext& ctx) {
    expire_generic(ctx, 0, true);
}
void cmd_pexpireat(CommandContext& ctx) {
    expire_generic(ctx, 0, false);
}

void ttl_generic(CommandContext& ctx, bool ms, bool absolute) {
    Entry* e = ctx.ks.lookup_read(*ctx.db, ctx.arg(1));
    if (!e) {
        ctx.reply.integer(-2);
        return;
    }
    const int64_t when = ctx.ks.expire_of(*ctx.db, e);
    if (when == -1) {
        ctx.reply.integer(-1);
        return;
    }
    int64_t t = absolute ? when : when - ctx.ks.now();
    if (t < 0) t = 0;
    ctx.reply.integer(ms ? t : (t + 500) / 1000);
}
void cmd_ttl(CommandContext& ctx) {
    ttl_generic(ctx, false, false);
}
void cmd_pttl(CommandContext& ctx) {
    ttl_generic(ctx, true, false);
}
void cmd_expiretime(CommandContext& ctx) {
    ttl_generic(ctx, false, true);
}
void cmd_pexpiretime(CommandContext& ctx) {
    ttl_generic(ctx, true, true);
}

void cmd_persist(CommandContext& ctx) {
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    if (e && ctx.ks.persist(*ctx.db, e)) {
        key_changed(ctx, ctx.arg(1));
        ctx.reply.integer(1);
    } else {
        ctx.reply.integer(0);
    }
}

Entry* object_lookup(CommandContext& ctx) {
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(2));
    if (!e) ctx.reply.null();
    return e;
}

void cmd_object_encoding(CommandContext& ctx) {
    if (Entry* e = object_lookup(ctx)) ctx.reply.bulk(encoding_name(e->value));
}

void cmd_object_refcount(CommandContext& ctx) {
    if (Entry* e = object_lookup(ctx)) {
        // Redis shares the objects of the integers 0..9999; their refcount reads INT_MAX.
        const Value& v = e->value;
        bool shared = v.is_string() && v.is_int() && v.int_value() >= 0 && v.int_value() < 10000;
        ctx.reply.integer(shared ? INT_MAX : 1);
    }
}

void cmd_object_idletime(CommandContext& ctx) {
    Entry* e = ctx.ks.peek(*ctx.db, ctx.arg(2));
    if (!e || ctx.ks.is_expired(*ctx.db, e)) {
        object_lookup(ctx);
        return;
    }
    const uint32_t now = ctx.ks.lru_clock();
    const uint32_t idle = now >= e->lru ? now - e->lru : now + 0xFFFFFF - e->lru;
    ctx.reply.integer(idle);
}

void cmd_object_freq(CommandContext& ctx) {
    if (object_lookup(ctx))
        ctx.reply.error(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.");
}

// MEMORY USAGE key [SAMPLES count]: the bytes the key, its table entry and its value hold on the
// heap, as the allocator sized them. Redis estimates big collections from `count` sampled
// elements; here every element is counted (the sizes are kept per node), so SAMPLES is only
// validated. Like Redis it looks at the table directly: a key past its expiry still counts.
void cmd_memory_usage(CommandContext& ctx) {
    for (size_t j = 3; j < ctx.argc(); ++j) {
        if (iequals(ctx.arg(j), "samples") && j + 1 < ctx.argc()) {
            auto samples = int_arg(ctx, ctx.arg(++j));
            if (!samples) return;
            if (*samples < 0) {
                ctx.reply.error(kErrSyntax);
                return;
            }
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    Entry* e = ctx.ks.peek(*ctx.db, ctx.arg(2));
    if (!e) {
        ctx.reply.null();
        return;
    }
    ctx.reply.integer(static_cast<int64_t>(malloc_usable_size(e) + e->value.heap_bytes()));
}

void cmd_memory_help(CommandContext& ctx) {
    reply_help(ctx, {"USAGE <key> [SAMPLES <count>]",
                     "    Return memory in bytes used by <key> and its value. Nested values are",
                     "    counted in full (SAMPLES is accepted for compatibility)."});
}

void cmd_object_help(CommandContext& ctx) {
    reply_help(ctx,
               {"ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.", "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>."});
}

void cmd_select(CommandContext& ctx) {
    auto id = int32_arg(ctx, ctx.arg(1), nullptr);
    if (!id) return;
    if (*id < 0 || *id >= ctx.ks.count()) {
        ctx.reply.error(kErrDbRange);
        return;
    }
    ctx.select(*id);
    ctx.reply.ok();
}

void cmd_swapdb(CommandContext& ctx) {
    auto a = int32_arg(ctx, ctx.arg(1), "invalid first DB index");
    if (!a) return;
    auto b = int32_arg(ctx, ctx.arg(2), "invalid second DB index");
    if (!b) return;
    if (*a < 0 || *a >= ctx.ks.count() || *b < 0 || *b >= ctx.ks.count()) {
        ctx.reply.error(kErrDbRange);
        return;
    }
    if (*a != *b) {
        ctx.server.touch_all_watched_keys_in_db(*a, *b);
        ctx.server.touch_all_watched_keys_in_db(*b, *a);
        ctx.ks.swap(*a, *b);
        ctx.server.signal_all_blocked_keys(*a);
        ctx.server.signal_all_blocked_keys(*b);
    }
    mark_dirty(ctx);
    ctx.reply.ok();
}

void cmd_dbsize(CommandContext& ctx) {
    ctx.reply.integer(static_cast<int64_t>(ctx.db->size()));
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]; returns false after replying a syntax error.
bool flush_mode_ok(CommandContext& ctx) {
    if (ctx.argc() > 2 ||
        (ctx.argc() == 2 && !iequals(ctx.arg(1), "sync") && !iequals(ctx.arg(1), "async"))) {
        ctx.reply.error(kErrSyntax);
        return false;
    }
    return true;
}

void cmd_flushdb(CommandContext& ctx) {
    if (!flush_mode_ok(ctx)) return;
    mark_dirty(ctx, ctx.db->size());
    ctx.server.touch_all_watched_keys_in_db(ctx.db->id, -1);
    ctx.ks.flush(*ctx.db);
    ctx.force_propagation();
    ctx.reply.ok();
}

void cmd_flushall(CommandContext& ctx) {
    if (!flush_mode_ok(ctx)) return;
    uint64_t n = 0;
    for (int i = 0; i < ctx.ks.count(); ++i) n += ctx.ks.db(i).size();
    mark_dirty(ctx, n);
    for (int i = 0; i < ctx.ks.count(); ++i) ctx.server.touch_all_watched_keys_in_db(i, -1);
    ctx.ks.flush_all();
    // As Redis 7.0: a running BGSAVE is cancelled (it would write the old data) and, when save
    // points exist, the now empty dataset is saved at once, which resets the change counter.
    ctx.server.cancel_bgsave();
    if (!ctx.server.cfg().save.empty() && !ctx.server.loading()) (void)ctx.server.save_snapshot();
    // Propagated even when there was nothing to delete, as Redis does.
    ctx.force_propagation();
    ctx.reply.ok();
}

}  // namespace

void register_key_commands(CommandTable& t) {
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, F = kCmdFast;
    constexpr uint32_t K = kAclKeyspace;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, int first, int last,
                   int step, CommandHandler h) {
        t.add(CommandSpec{.name = name,
                          .arity = arity,
                          .flags = flags,
                          .acl = acl,
                          .first_key = first,
                          .last_key = last,
                          .key_step = step,
                          .handler = h});
    };
    add("del", -2, W, K | kAclWrite, 1, -1, 1, cmd_del);
    add("unlink", -2, W | F, K | kAclWrite, 1, -1, 1, cmd_del);
    add("exists", -2, R | F, K | kAclRead, 1, -1, 1, cmd_exists);
    add("touch", -2, R | F, K | kAclRead, 1, -1, 1, cmd_touch);
    add("type", 2, R | F, K | kAclRead, 1, 1, 1, cmd_type);
    add("keys", 2, R, K | kAclRead | kAclDangerous, 0, 0, 0, cmd_keys);
    add("scan", -2, R, K | kAclRead, 0, 0, 0, cmd_scan);
    add("randomkey", 1, R, K | kAclRead, 0, 0, 0, cmd_randomkey);
    add("rename", 3, W, K | kAclWrite, 1, 2, 1, cmd_rename);
    add("renamenx", 3, W | F, K | kAclWrite, 1, 2, 1, cmd_renamenx);
    add("move", 3, W | F, K | kAclWrite, 1, 1, 1, cmd_move);
    add("copy", -3, W | kCmdDenyOom, K | kAclWrite, 1, 2, 1, cmd_copy);
    add("expire", -3, W | F, K | kAclWrite, 1, 1, 1, cmd_expire);
    add("pexpire", -3, W | F, K | kAclWrite, 1, 1, 1, cmd_pexpire);
    add("expireat", -3, W | F, K | kAclWrite, 1, 1, 1, cmd_expireat);
    add("pexpireat", -3, W | F, K | kAclWrite, 1, 1, 1, cmd_pexpireat);
    add("ttl", 2, R | F, K | kAclRead, 1, 1, 1, cmd_ttl);
    add("pttl", 2, R | F, K | kAclRead, 1, 1, 1, cmd_pttl);
    add("expiretime", 2, R | F, K | kAclRead, 1, 1, 1, cmd_expiretime);
    add("pexpiretime", 2, R | F, K | kAclRead, 1, 1, 1, cmd_pexpiretime);
    add("persist", 2, W | F, K | kAclWrite, 1, 1, 1, cmd_persist);
    add("select", 2, kCmdLoading | kCmdStale | F, kAclConnection, 0, 0, 0, cmd_select);
    add("swapdb", 3, W | F, K | kAclDangerous, 0, 0, 0, cmd_swapdb);
    add("dbsize", 1, R | F, K | kAclRead, 0, 0, 0, cmd_dbsize);
    add("flushdb", -1, W, K | kAclDangerous, 0, 0, 0, cmd_flushdb);
    add("flushall", -1, W, K | kAclDangerous, 0, 0, 0, cmd_flushall);

    auto sub = [](const char* name, int arity, uint32_t flags, uint32_t acl, int first,
                  CommandHandler h) {
        return CommandSpec{.name = name,
                           .arity = arity,
                           .flags = flags,
                           .acl = acl,
                           .first_key = first,
                           .last_key = first,
                           .key_step = first ? 1 : 0,
                           .handler = h};
    };
    t.add(CommandSpec{
        .name = "object",
        .arity = -2,
        .acl = kAclSlow,
        .subcommands = {
            sub("encoding", 3, R, K | kAclRead | kAclSlow, 2, cmd_object_encoding),
            sub("freq", 3, R, K | kAclRead | kAclSlow, 2, cmd_object_freq),
            sub("idletime", 3, R, K | kAclRead | kAclSlow, 2, cmd_object_idletime),
            sub("refcount", 3, R, K | kAclRead | kAclSlow, 2, cmd_object_refcount),
            sub("help", 2, kCmdLoading | kCmdStale, K | kAclSlow, 0, cmd_object_help)}});
    t.add(CommandSpec{
        .name = "memory",
        .arity = -2,
        .subcommands = {sub("usage", -3, R, 0, 2, cmd_memory_usage),
                        sub("help", 2, kCmdLoading | kCmdStale, 0, 0, cmd_memory_help)}});
}

}  // namespace snapstream
