// String commands: GET, SET and its variants, MGET/MSET, counters, ranges.
// Semantics, argument order of checks and error texts follow Redis 7.0's t_string.c.
#include <climits>
#include <cmath>

#include "node/command_util.h"

namespace snapstream {
namespace {

enum SetFlags : uint32_t {
    kSetNX = 1 << 0,
    kSetXX = 1 << 1,
    kSetEX = 1 << 2,
    kSetPX = 1 << 3,
    kSetKeepTTL = 1 << 4,
    kSetGet = 1 << 5,
    kSetEXAT = 1 << 6,
    kSetPXAT = 1 << 7,
    kSetPersist = 1 << 8,
};
constexpr uint32_t kAnyExpire = kSetEX | kSetPX | kSetEXAT | kSetPXAT;

struct ExpireArg {
    uint32_t flags = 0;
    std::optional<std::string_view> value;
};

// SET / GETEX options. Each option is accepted only if it does not conflict with one already
// seen (a conflict, a repeated expire, or an option without its value is a syntax error).
bool parse_string_options(CommandContext& ctx, size_t first, bool for_set, ExpireArg& out) {
    uint32_t& f = out.flags;
    for (size_t j = first; j < ctx.argc(); ++j) {
        std::string_view opt = ctx.arg(j);
        const bool has_next = j + 1 < ctx.argc();
        if (for_set && iequals(opt, "NX") && !(f & kSetXX)) {
            f |= kSetNX;
        } else if (for_set && iequals(opt, "XX") && !(f & kSetNX)) {
            f |= kSetXX;
        } else if (for_set && iequals(opt, "GET")) {
            f |= kSetGet;
        } else if (for_set && iequals(opt, "KEEPTTL") && !(f & (kSetPersist | kAnyExpire))) {
            f |= kSetKeepTTL;
        } else if (!for_set && iequals(opt, "PERSIST") && !(f & (kAnyExpire | kSetKeepTTL))) {
            f |= kSetPersist;
        } else if (has_next && !(f & (kSetKeepTTL | kSetPersist))) {
            uint32_t which = 0;
            if (iequals(opt, "EX"))
                which = kSetEX;
            else if (iequals(opt, "PX"))
                which = kSetPX;
            else if (iequals(opt, "EXAT"))
                which = kSetEXAT;
            else if (iequals(opt, "PXAT"))
                which = kSetPXAT;
            if (which == 0 || (f & (kAnyExpire & ~which))) {
                ctx.reply.error(kErrSyntax);
                return false;
            }
            f |= which;
            out.value = ctx.arg(++j);
        } else {
            ctx.reply.error(kErrSyntax);
            return false;
        }
    }
    return true;
}

// The absolute expiry in ms for an EX/PX/EXAT/PXAT value, or nullopt after replying.
std::optional<int64_t> expire_ms(CommandContext& ctx, const ExpireArg& e) {
    auto v = int_arg(ctx, *e.value);
    if (!v) return std::nullopt;
    int64_t ms = *v;
    const bool seconds = e.flags & (kSetEX | kSetEXAT);
    if (ms <= 0 || (seconds && ms > LLONG_MAX / 1000)) {
        reply_invalid_expire(ctx);
        return std::nullopt;
    }
    if (seconds) ms *= 1000;
    if (e.flags & (kSetEX | kSetPX)) {
        // Wraps to a negative number on overflow, which is then refused (as Redis does).
        ms = static_cast<int64_t>(static_cast<uint64_t>(ms) + static_cast<uint64_t>(ctx.ks.now()));
    }
    if (ms <= 0) {
        reply_invalid_expire(ctx);
        return std::nullopt;
    }
    return ms;
}

void reply_string(CommandContext& ctx, const Value& v) {
    char buf[24];
    ctx.reply.bulk(v.str(buf));
}

// GET's body: replies nil / the value / WRONGTYPE. Returns false after WRONGTYPE.
bool get_generic(CommandContext& ctx, std::string_view key) {
    bool wrong = false;
    Entry* e = lookup_read_string(ctx, key, wrong);
    if (wrong) return false;
    if (!e)
        ctx.reply.null();
    else
        reply_string(ctx, e->value);
    return true;
}

// The common part of SET, SETNX, SETEX, PSETEX.
void set_generic(CommandContext& ctx, const ExpireArg& opts, std::string_view key,
                 std::string_view value, bool reply_int) {
    std::optional<int64_t> when;
    if (opts.value) {
        when = expire_ms(ctx, opts);
        if (!when) return;
    }
    if (opts.flags & kSetGet) {
        if (!get_generic(ctx, key)) return;
    }
    Entry* existing = ctx.ks.lookup_write(*ctx.db, key);
    if (((opts.flags & kSetNX) && existing) || ((opts.flags & kSetXX) && !existing)) {
        if (!(opts.flags & kSetGet)) {
            if (reply_int)
                ctx.reply.integer(0);
            else
                ctx.reply.null();
        }
        return;
    }
    Entry* e = ctx.ks.set(*ctx.db, key, Value::string(value), opts.flags & kSetKeepTTL);
    key_changed(ctx, key);
    if (when) {
        ctx.ks.set_expire(*ctx.db, e, *when);
        // Any expiry travels as an absolute time: SET key value PXAT <ms>.
        const std::string ms = std::to_string(*when);
        ctx.propagate_as({"SET", key, value, "PXAT", ms});
    } else if (opts.flags & kSetGet) {
        // Without GET (a reply option), as Redis propagates it.
        std::vector<std::string_view> argv;
        for (size_t i = 0; i < ctx.argc(); ++i)
            if (i < 3 || !iequals(ctx.arg(i), "get")) argv.push_back(ctx.arg(i));
        ctx.propagate_as(argv);
    }
    if (!(opts.flags & kSetGet)) {
        if (reply_int)
            ctx.reply.integer(1);
        else
            ctx.reply.ok();
    }
}

void cmd_get(CommandContext& ctx) {
    get_generic(ctx, ctx.arg(1));
}

void cmd_set(CommandContext& ctx) {
    ExpireArg opts;
    if (!parse_string_options(ctx, 3, true, opts)) return;
    set_generic(ctx, opts, ctx.arg(1), ctx.arg(2), false);
}

void cmd_setnx(CommandContext& ctx) {
    ExpireArg opts;
    opts.flags = kSetNX;
    set_generic(ctx, opts, ctx.arg(1), ctx.arg(2), true);
}

void setex_generic(CommandContext& ctx, uint32_t unit) {
    ExpireArg opts;
    opts.flags = unit;
    opts.value = ctx.arg(2);
    set_generic(ctx, opts, ctx.arg(1), ctx.arg(3), false);
}
void cmd_setex(CommandContext& ctx) {
    setex_generic(ctx, kSetEX);
}
void cmd_psetex(CommandContext& ctx) {
    setex_generic(ctx, kSetPX);
}

void cmd_getex(CommandContext& ctx) {
    ExpireArg opts;
    if (!parse_string_options(ctx, 2, false, opts)) return;
    bool wrong = false;
    Entry* e = lookup_read_string(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    if (!e) {
        ctx.reply.null();
        return;
    }
    std::optional<int64_t> when;
    if (opts.value) {
        when = expire_ms(ctx, opts);
        if (!when) return;
    }
    reply_string(ctx, e->value);
    // Never propagated as GETEX: as DEL, PEXPIREAT or PERSIST.
    if ((opts.flags & (kSetEXAT | kSetPXAT)) && ctx.ks.already_expired(*when)) {
        ctx.ks.remove(*ctx.db, ctx.arg(1));
        key_changed(ctx, ctx.arg(1));
        ctx.propagate_as({"DEL", ctx.arg(1)});
    } else if (when) {
        ctx.ks.set_expire(*ctx.db, e, *when);
        key_changed(ctx, ctx.arg(1));
        const std::string ms = std::to_string(*when);
        ctx.propagate_as({"PEXPIREAT", ctx.arg(1), ms});
    } else if (opts.flags & kSetPersist) {
        if (ctx.ks.persist(*ctx.db, e)) {
            key_changed(ctx, ctx.arg(1));
            ctx.propagate_as({"PERSIST", ctx.arg(1)});
        }
    }
}

void cmd_getdel(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = lookup_read_string(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    if (!e) {
        ctx.reply.null();
        return;
    }
    reply_string(ctx, e->value);
    ctx.ks.remove(*ctx.db, ctx.arg(1));
    key_changed(ctx, ctx.arg(1));
    ctx.propagate_as({"DEL", ctx.arg(1)});
}

void cmd_getset(CommandContext& ctx) {
    if (!get_generic(ctx, ctx.arg(1))) return;
    ctx.ks.set(*ctx.db, ctx.arg(1), Value::string(ctx.arg(2)));
    key_changed(ctx, ctx.arg(1));
    ctx.propagate_as({"SET", ctx.arg(1), ctx.arg(2)});
}

void cmd_mget(CommandContext& ctx) {
    ctx.reply.array(ctx.argc() - 1);
    for (size_t i = 1; i < ctx.argc(); ++i) {
        Entry* e = ctx.ks.lookup_read(*ctx.db, ctx.arg(i));
        if (!e || !e->value.is_string())
            ctx.reply.null();
        else
            reply_string(ctx, e->value);
    }
}

void mset_generic(CommandContext& ctx, bool nx) {
    if (ctx.argc() % 2 == 0) {
        ctx.reply.error("ERR wrong number of arguments for '" + ctx.cmd->full_name() + "' command");
        return;
    }
    if (nx) {
        for (size_t i = 1; i < ctx.argc(); i += 2) {
            if (ctx.ks.lookup_write(*ctx.db, ctx.arg(i))) {
                ctx.reply.integer(0);
                return;
            }
        }
    }
    for (size_t i = 1; i < ctx.argc(); i += 2)
        ctx.ks.set(*ctx.db, ctx.arg(i), Value::string(ctx.arg(i + 1)));
    for (size_t i = 1; i < ctx.argc(); i += 2) key_changed(ctx, ctx.arg(i));
    if (nx)
        ctx.reply.integer(1);
    else
        ctx.reply.ok();
}
void cmd_mset(CommandContext& ctx) {
    mset_generic(ctx, false);
}
void cmd_msetnx(CommandContext& ctx) {
    mset_generic(ctx, true);
}

// Total length check of APPEND/SETRANGE against proto-max-bulk-len.
bool check_string_length(CommandContext& ctx, int64_t size, int64_t append) {
    uint64_t total = static_cast<uint64_t>(size) + static_cast<uint64_t>(append);
    if (total > ctx.server.cfg().proto_max_bulk_len || static_cast<int64_t>(total) < size ||
        static_cast<int64_t>(total) < append) {
        ctx.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
    return true;
}

void cmd_append(CommandContext& ctx) {
    std::string_view add = ctx.arg(2);
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    size_t total;
    if (!e) {
        e = ctx.ks.add(*ctx.db, ctx.arg(1), Value::string(add));
        total = add.size();
    } else {
        if (!e->value.is_string()) {
            ctx.reply.error(kErrWrongType);
            return;
        }
        const size_t old = e->value.str_len();
        if (!check_string_length(ctx, static_cast<int64_t>(old), static_cast<int64_t>(add.size())))
            return;
        char* p = e->value.make_raw(old + add.size());
        if (!add.empty()) std::memcpy(p + old, add.data(), add.size());
        total = old + add.size();
    }
    key_changed(ctx, ctx.arg(1));
    ctx.reply.integer(static_cast<int64_t>(total));
}

void cmd_strlen(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = lookup_read_string(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    ctx.reply.integer(e ? static_cast<int64_t>(e->value.str_len()) : 0);
}

void incr_generic(CommandContext& ctx, int64_t incr) {
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    int64_t value = 0;
    if (e) {
        if (!e->value.is_string()) {
            ctx.reply.error(kErrWrongType);
            return;
        }
        if (e->value.is_int()) {
            value = e->value.int_value();
        } else {
            char buf[24];
            auto v = parse_int64(e->value.str(buf));
            if (!v) {
                ctx.reply.error(kErrNotInt);
                return;
            }
            value = *v;
        }
    }
    if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
        (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
        ctx.reply.error(kErrOverflow);
        return;
    }
    value += incr;
    if (e)
        ctx.ks.overwrite(e, Value::integer(value));
    else
        ctx.ks.add(*ctx.db, ctx.arg(1), Value::integer(value));
    key_changed(ctx, ctx.arg(1));
    ctx.reply.integer(value);
}

void cmd_incr(CommandContext& ctx) {
    incr_generic(ctx, 1);
}
void cmd_decr(CommandContext& ctx) {
    incr_generic(ctx, -1);
}
void cmd_incrby(CommandContext& ctx) {
    if (auto v = int_arg(ctx, ctx.arg(2))) incr_generic(ctx, *v);
}
void cmd_decrby(CommandContext& ctx) {
    auto v = int_arg(ctx, ctx.arg(2));
    if (!v) return;
    if (*v == LLONG_MIN) {
        ctx.reply.error("ERR decrement would overflow");
        return;
    }
    incr_generic(ctx, -*v);
}

void cmd_incrbyfloat(CommandContext& ctx) {
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    long double value = 0;
    if (e) {
        if (!e->value.is_string()) {
            ctx.reply.error(kErrWrongType);
            return;
        }
        if (e->value.is_int()) {
            value = static_cast<long double>(e->value.int_value());
        } else {
            char buf[24];
            auto v = parse_long_double(e->value.str(buf));
            if (!v) {
                ctx.reply.error(kErrNotFloat);
                return;
            }
            value = *v;
        }
    }
    auto incr = parse_long_double(ctx.arg(2));
    if (!incr) {
        ctx.reply.error(kErrNotFloat);
        return;
    }
    value += *incr;
    auto text = std::isnan(value) || std::isinf(value) ? std::nullopt : long_double_to_human(value);
    if (!text) {
        ctx.reply.error("ERR increment would produce NaN or Infinity");
        return;
    }
    if (e)
        ctx.ks.overwrite(e, Value::plain_string(*text));
    else
        ctx.ks.add(*ctx.db, ctx.arg(1), Value::plain_string(*text));
    key_changed(ctx, ctx.arg(1));
    ctx.reply.bulk(*text);
    // The result, not the increment: float formatting never differs on replay.
    ctx.propagate_as({"SET", ctx.arg(1), *text, "KEEPTTL"});
}

void cmd_getrange(CommandContext& ctx) {
    auto start = int_arg(ctx, ctx.arg(2));
    if (!start) return;
    auto end = int_arg(ctx, ctx.arg(3));
    if (!end) return;
    bool wrong = false;
    Entry* e = lookup_read_string(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    if (!e) {
        ctx.reply.bulk("");
        return;
    }
    char buf[24];
    std::string_view s = e->value.str(buf);
    const int64_t len = static_cast<int64_t>(s.size());
    int64_t a = *start, b = *end;
    if (a < 0 && b < 0 && a > b) {
        ctx.reply.bulk("");
        return;
    }
    if (a < 0) a += len;
    if (b < 0) b += len;
    if (a < 0) a = 0;
    if (b < 0) b = 0;
    if (b >= len) b = len - 1;
    if (a > b || len == 0) {
        ctx.reply.bulk("");
        return;
    }
    ctx.reply.bulk(s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a + 1)));
}

void cmd_setrange(CommandContext& ctx) {
    std::string_view value = ctx.arg(3);
    auto offset = int_arg(ctx, ctx.arg(2));
    if (!offset) return;
    if (*offset < 0) {
        ctx.reply.error("ERR offset is out of range");
        return;
    }
    Entry* e = ctx.ks.lookup_write(*ctx.db, ctx.arg(1));
    if (!e) {
        if (value.empty()) {
            ctx.reply.integer(0);
            return;
        }
        if (!check_string_length(ctx, *offset, static_cast<int64_t>(value.size()))) return;
        e = ctx.ks.add(*ctx.db, ctx.arg(1), Value::raw_string(""));
    } else {
        if (!e->value.is_string()) {
            ctx.reply.error(kErrWrongType);
            return;
        }
        const size_t old = e->value.str_len();
        if (value.empty()) {
            ctx.reply.integer(static_cast<int64_t>(old));
            return;
        }
        if (!check_string_length(ctx, *offset, static_cast<int64_t>(value.size()))) return;
    }
    const size_t old = e->value.str_len();
    const size_t need = static_cast<size_t>(*offset) + value.size();
    char* p = e->value.make_raw(need > old ? need : old);
    std::memcpy(p + *offset, value.data(), value.size());
    key_changed(ctx, ctx.arg(1));
    ctx.reply.integer(static_cast<int64_t>(e->value.str_len()));
}

}  // namespace

void register_string_commands(CommandTable& t) {
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, D = kCmdDenyOom, F = kCmdFast;
    constexpr uint32_t ws = kAclWrite | kAclString, rs = kAclRead | kAclString;
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
    add("get", 2, R | F, rs, 1, 1, 1, cmd_get);
    add("set", -3, W | D, ws, 1, 1, 1, cmd_set);
    add("setnx", 3, W | D | F, ws, 1, 1, 1, cmd_setnx);
    add("setex", 4, W | D, ws, 1, 1, 1, cmd_setex);
    add("psetex", 4, W | D, ws, 1, 1, 1, cmd_psetex);
    add("getex", -2, W | F, ws, 1, 1, 1, cmd_getex);
    add("getdel", 2, W | F, ws, 1, 1, 1, cmd_getdel);
    add("getset", 3, W | D | F, ws, 1, 1, 1, cmd_getset);
    add("mget", -2, R | F, rs, 1, -1, 1, cmd_mget);
    add("mset", -3, W | D, ws, 1, -1, 2, cmd_mset);
    add("msetnx", -3, W | D, ws, 1, -1, 2, cmd_msetnx);
    add("append", 3, W | D | F, ws, 1, 1, 1, cmd_append);
    add("strlen", 2, R | F, rs, 1, 1, 1, cmd_strlen);
    add("incr", 2, W | D | F, ws, 1, 1, 1, cmd_incr);
    add("decr", 2, W | D | F, ws, 1, 1, 1, cmd_decr);
    add("incrby", 3, W | D | F, ws, 1, 1, 1, cmd_incrby);
    add("decrby", 3, W | D | F, ws, 1, 1, 1, cmd_decrby);
    add("incrbyfloat", 3, W | D | F, ws, 1, 1, 1, cmd_incrbyfloat);
    add("getrange", 4, R, rs, 1, 1, 1, cmd_getrange);
    add("substr", 4, R, rs, 1, 1, 1, cmd_getrange);
    add("setrange", 4, W | D, ws, 1, 1, 1, cmd_setrange);
}

}  // namespace snapstream
