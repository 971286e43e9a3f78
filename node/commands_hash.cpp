// Hash commands. Semantics, order of checks, error texts and reply shapes follow Redis 7.0's
// t_hash.c; the representation and its conversions live in node/hash_type.h.
#include <algorithm>
#include <climits>
#include <cmath>
#include <unordered_set>
#include <vector>

#include "common/glob.h"
#include "node/collection_scan.h"
#include "node/command_util.h"
#include "node/hash_type.h"

namespace snapstream {
namespace {

using hash_type::TextBuf;

hash_type::Limits limits(CommandContext& ctx) {
    const auto& cfg = ctx.server.cfg();
    return {static_cast<size_t>(std::max<int64_t>(cfg.hash_max_listpack_entries, 0)),
            static_cast<size_t>(std::max<int64_t>(cfg.hash_max_listpack_value, 0))};
}

// The hash at key for writing, created empty when missing; nullptr after WRONGTYPE.
Entry* lookup_or_create(CommandContext& ctx, std::string_view key) {
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::Hash, wrong);
    if (wrong) return nullptr;
    if (!e) e = ctx.ks.add(*ctx.db, key, hash_type::create());
    return e;
}

void reply_arity(CommandContext& ctx) {
    ctx.reply.error("ERR wrong number of arguments for '" + ctx.cmd->full_name() + "' command");
}

void hset_generic(CommandContext& ctx, bool is_hmset) {
    if (ctx.argc() % 2 == 1) return reply_arity(ctx);
    std::string_view key = ctx.arg(1);
    Entry* e = lookup_or_create(ctx, key);
    if (!e) return;
    const auto lim = limits(ctx);
    hash_type::try_conversion(e->value, ctx.argv.subspan(2), lim);
    int64_t created = 0;
    for (size_t i = 2; i < ctx.argc(); i += 2)
        created += hash_type::set(e->value, ctx.arg(i), ctx.arg(i + 1), lim) ? 1 : 0;
    if (is_hmset)
        ctx.reply.ok();
    else
        ctx.reply.integer(created);
    signal_modified(ctx, key);
    mark_dirty(ctx, (ctx.argc() - 2) / 2);
}

void cmd_hset(CommandContext& ctx) {
    hset_generic(ctx, false);
}
void cmd_hmset(CommandContext& ctx) {
    hset_generic(ctx, true);
}

void cmd_hsetnx(CommandContext& ctx) {
    std::string_view key = ctx.arg(1);
    Entry* e = lookup_or_create(ctx, key);
    if (!e) return;
    if (hash_type::exists(e->value, ctx.arg(2))) {
        ctx.reply.integer(0);
        return;
    }
    const auto lim = limits(ctx);
    hash_type::try_conversion(e->value, ctx.argv.subspan(2, 2), lim);
    hash_type::set(e->value, ctx.arg(2), ctx.arg(3), lim);
    ctx.reply.integer(1);
    key_changed(ctx, key);
}

void cmd_hget(CommandContext& ctx) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.null(); });
    if (!e) return;
    TextBuf buf;
    if (auto v = hash_type::get(e->value, ctx.arg(2), buf))
        ctx.reply.bulk(*v);
    else
        ctx.reply.null();
}

void cmd_hmget(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, ctx.arg(1), ValueType::Hash, wrong);
    if (wrong) return;
    ctx.reply.array(ctx.argc() - 2);
    TextBuf buf;
    for (size_t i = 2; i < ctx.argc(); ++i) {
        std::optional<std::string_view> v;
        if (e) v = hash_type::get(e->value, ctx.arg(i), buf);
        if (v)
            ctx.reply.bulk(*v);
        else
            ctx.reply.null();
    }
}

void cmd_hdel(CommandContext& ctx) {
    remove_members_command(
        ctx, ValueType::Hash, [](Value& v, std::string_view f) { return hash_type::remove(v, f); },
        [](const Value& v) { return hash_type::size(v); });
}

void cmd_hlen(CommandContext& ctx) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.integer(0); });
    if (e) ctx.reply.integer(static_cast<int64_t>(hash_type::size(e->value)));
}

void cmd_hstrlen(CommandContext& ctx) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.integer(0); });
    if (!e) return;
    TextBuf buf;
    auto v = hash_type::get(e->value, ctx.arg(2), buf);
    ctx.reply.integer(v ? static_cast<int64_t>(v->size()) : 0);
}

void cmd_hexists(CommandContext& ctx) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.integer(0); });
    if (e) ctx.reply.integer(hash_type::exists(e->value, ctx.arg(2)) ? 1 : 0);
}

enum { kKeys = 1, kValues = 2 };

void getall_generic(CommandContext& ctx, int what) {
    const bool both = what == (kKeys | kValues);
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] {
        if (both)
            ctx.reply.map(0);
        else
            ctx.reply.array(0);
    });
    if (!e) return;
    const size_t n = hash_type::size(e->value);
    if (both)
        ctx.reply.map(n);
    else
        ctx.reply.array(n);
    hash_type::for_each(e->value, [&](std::string_view f, std::string_view v) {
        if (what & kKeys) ctx.reply.bulk(f);
        if (what & kValues) ctx.reply.bulk(v);
    });
}

void cmd_hgetall(CommandContext& ctx) {
    getall_generic(ctx, kKeys | kValues);
}
void cmd_hkeys(CommandContext& ctx) {
    getall_generic(ctx, kKeys);
}
void cmd_hvals(CommandContext& ctx) {
    getall_generic(ctx, kValues);
}

// The current value of a field for HINCRBY/HINCRBYFLOAT, nullopt when the hash or field is
// missing.
std::optional<std::string_view> current(Entry* e, std::string_view field, TextBuf& buf) {
    if (!e) return std::nullopt;
    return hash_type::get(e->value, field, buf);
}

void cmd_hincrby(CommandContext& ctx) {
    auto incr = int_arg(ctx, ctx.arg(3));
    if (!incr) return;
    std::string_view key = ctx.arg(1), field = ctx.arg(2);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::Hash, wrong);
    if (wrong) return;
    int64_t value = 0;
    TextBuf buf;
    if (auto cur = current(e, field, buf)) {
        auto v = parse_int64(*cur);
        if (!v) {
            ctx.reply.error("ERR hash value is not an integer");
            return;
        }
        value = *v;
    }
    if ((*incr < 0 && value < 0 && *incr < INT64_MIN - value) ||
        (*incr > 0 && value > 0 && *incr > INT64_MAX - value)) {
        ctx.reply.error(kErrOverflow);
        return;
    }
    value += *incr;
    if (!e) e = ctx.ks.add(*ctx.db, key, hash_type::create());
    char text[24];
    hash_type::set(e->value, field, std::string_view(text, format_int64(text, value)), limits(ctx));
    ctx.reply.integer(value);
    key_changed(ctx, key);
}

void cmd_hincrbyfloat(CommandContext& ctx) {
    auto incr = parse_long_double(ctx.arg(3));
    if (!incr) {
        ctx.reply.error(kErrNotFloat);
        return;
    }
    if (std::isnan(*incr) || std::isinf(*incr)) {
        ctx.reply.error("ERR value is NaN or Infinity");
        return;
    }
    std::string_view key = ctx.arg(1), field = ctx.arg(2);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::Hash, wrong);
    if (wrong) return;
    long double value = 0;
    TextBuf buf;
    if (auto cur = current(e, field, buf)) {
        auto v = parse_long_double(*cur);
        if (!v) {
            ctx.reply.error("ERR hash value is not a float");
            return;
        }
        value = *v;
    }
    value += *incr;
    auto text = long_double_to_human(value);
    if (std::isnan(value) || std::isinf(value) || !text) {
        ctx.reply.error("ERR increment would produce NaN or Infinity");
        return;
    }
    if (!e) e = ctx.ks.add(*ctx.db, key, hash_type::create());
    hash_type::set(e->value, field, *text, limits(ctx));
    ctx.reply.bulk(*text);
    key_changed(ctx, key);
    ctx.propagate_as({"HSET", key, field, *text});
}

void cmd_hscan(CommandContext& ctx) {
    CollectionScanArgs args;
    if (!parse_scan_cursor(ctx, ctx.arg(2), args.cursor)) return;
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { reply_empty_scan(ctx); });
    if (!e) return;
    if (!parse_scan_options(ctx, args)) return;
    Value& h = e->value;
    std::vector<std::pair<std::string, std::string>> out;
    uint64_t cursor = 0;
    auto keep = [&](std::string_view f) { return !args.pattern || glob_match(*args.pattern, f); };
    if (h.encoding() == Encoding::Listpack) {
        // A small hash is returned whole in one call, cursor 0, as Redis does.
        hash_type::for_each(h, [&](std::string_view f, std::string_view v) {
            if (keep(f)) out.emplace_back(f, v);
        });
    } else {
        cursor = scan_dict(hash_type::dict_of(h), args.cursor, args.count, [&](Entry* x) {
            if (keep(x->key())) {
                TextBuf vb;
                out.emplace_back(x->key(), x->value.str(vb.b));
            }
        });
    }
    ctx.reply.array(2);
    ctx.reply.bulk_int(static_cast<int64_t>(cursor));
    ctx.reply.array(out.size() * 2);
    for (const auto& [f, v] : out) {
        ctx.reply.bulk(f);
        ctx.reply.bulk(v);
    }
}

// --- HRANDFIELD ---------------------------------------------------------------------------------

void reply_pair(CommandContext& ctx, std::string_view f, std::string_view v, bool withvalues) {
    if (withvalues && ctx.reply.resp() > 2) ctx.reply.array(2);
    ctx.reply.bulk(f);
    if (withvalues) ctx.reply.bulk(v);
}

// Picks `count` pair indexes in [0, n) independently (with repetition), replies them.
void reply_random_with_repetition(CommandContext& ctx, const Value& h, uint64_t count,
                                  bool withvalues) {
    auto& rng = ctx.ks.rng;
    if (h.encoding() == Encoding::Hashtable) {
        Dict& d = hash_type::dict_of(h);
        while (count--) {
            Entry* e = d.random(rng);
            TextBuf vb;
            reply_pair(ctx, e->key(), e->value.str(vb.b), withvalues);
        }
        return;
    }
    // Listpack: draw a batch of indexes, sort them, and walk the listpack once per batch.
    hash_type::ListpackView lp(h);
    const uint64_t n = lp->size() / 2;
    std::vector<uint64_t> picks;
    while (count) {
        const uint64_t batch = std::min<uint64_t>(count, 1000);
        count -= batch;
        picks.resize(batch);
        for (auto& p : picks) p = rng() % n;
        std::sort(picks.begin(), picks.end());
        Listpack::Pos pos = lp->first();
        uint64_t at = 0;
        TextBuf fb, vb;
        for (uint64_t p : picks) {
            while (at < p) {
                pos = lp->next(lp->next(pos));
                ++at;
            }
            Listpack::Pos vpos = lp->next(pos);
            reply_pair(ctx, hash_type::item_text(lp->get(pos), fb),
                       hash_type::item_text(lp->get(vpos), vb), withvalues);
        }
    }
}

void hrandfield_with_count(CommandContext& ctx, int64_t l, bool withvalues) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.array(0); });
    if (!e) return;
    const Value& h = e->value;
    const uint64_t size = hash_type::size(h);
    const bool uniq = l >= 0;
    const uint64_t count = uniq ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
    if (count == 0) {
        ctx.reply.array(0);
        return;
    }
    if (!uniq || count == 1) {
        ctx.reply.array(withvalues && ctx.reply.resp() == 2 ? count * 2 : count);
        reply_random_with_repetition(ctx, h, count, withvalues);
        return;
    }
    const uint64_t n = std::min(count, size);
    ctx.reply.array(withvalues && ctx.reply.resp() == 2 ? n * 2 : n);
    if (count >= size) {
        hash_type::for_each(
            h, [&](std::string_view f, std::string_view v) { reply_pair(ctx, f, v, withvalues); });
        return;
    }
    auto& rng = ctx.ks.rng;
    if (h.encoding() == Encoding::Listpack || count * 3 > size) {
        // Choose `count` distinct pair indexes (selection sampling), in one pass.
        uint64_t needed = count, left = size;
        uint64_t idx = 0;
        hash_type::for_each(h, [&](std::string_view f, std::string_view v) {
            if (needed > 0 && rng() % left < needed) {
                reply_pair(ctx, f, v, withvalues);
                --needed;
            }
            --left;
            ++idx;
        });
        return;
    }
    // A big hashtable and few picks: random entries until enough distinct ones.
    Dict& d = hash_type::dict_of(h);
    std::unordered_set<const Entry*> seen;
    while (seen.size() < count) {
        Entry* x = d.random(rng);
        if (!seen.insert(x).second) continue;
        TextBuf vb;
        reply_pair(ctx, x->key(), x->value.str(vb.b), withvalues);
    }
}

void cmd_hrandfield(CommandContext& ctx) {
    if (ctx.argc() >= 3) {
        auto l = int_arg(ctx, ctx.arg(2));
        if (!l) return;
        if (*l == INT64_MIN) {
            ctx.reply.error(
                "ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807");
            return;
        }
        bool withvalues = false;
        if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), "withvalues"))) {
            ctx.reply.error(kErrSyntax);
            return;
        }
        if (ctx.argc() == 4) {
            withvalues = true;
            if (*l < -(INT64_MAX / 2) || *l > INT64_MAX / 2) {
                ctx.reply.error("ERR value is out of range");
                return;
            }
        }
        hrandfield_with_count(ctx, *l, withvalues);
        return;
    }
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::Hash, [&] { ctx.reply.null(); });
    if (!e) return;
    TextBuf fb, vb;
    ctx.reply.bulk(hash_type::random_pair(e->value, ctx.ks.rng, fb, vb).field);
}

}  // namespace

void register_hash_commands(CommandTable& t) {
    hash_type::register_ops();
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, D = kCmdDenyOom, F = kCmdFast;
    constexpr uint32_t wh = kAclWrite | kAclHash, rh = kAclRead | kAclHash;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, CommandHandler h) {
        t.add(CommandSpec{.name = name,
                          .arity = arity,
                          .flags = flags,
                          .acl = acl,
                          .first_key = 1,
                          .last_key = 1,
                          .key_step = 1,
                          .handler = h});
    };
    add("hset", -4, W | D | F, wh, cmd_hset);
    add("hsetnx", 4, W | D | F, wh, cmd_hsetnx);
    add("hget", 3, R | F, rh, cmd_hget);
    add("hmset", -4, W | D | F, wh, cmd_hmset);
    add("hmget", -3, R | F, rh, cmd_hmget);
    add("hgetall", 2, R, rh, cmd_hgetall);
    add("hdel", -3, W | F, wh, cmd_hdel);
    add("hexists", 3, R | F, rh, cmd_hexists);
    add("hlen", 2, R | F, rh, cmd_hlen);
    add("hkeys", 2, R, rh, cmd_hkeys);
    add("hvals", 2, R, rh, cmd_hvals);
    add("hincrby", 4, W | D | F, wh, cmd_hincrby);
    add("hincrbyfloat", 4, W | D | F, wh, cmd_hincrbyfloat);
    add("hstrlen", 3, R | F, rh, cmd_hstrlen);
    add("hrandfield", -2, R, rh, cmd_hrandfield);
    add("hscan", -3, R, rh, cmd_hscan);
}

}  // namespace snapstream
