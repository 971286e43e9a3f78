// Set commands. Semantics, order of checks, error texts, reply shapes and the encodings of the
// sets they create follow Redis 7.0's t_set.c; the representation lives in node/set_type.h.
#include <algorithm>
#include <climits>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/glob.h"
#include "node/collection_scan.h"
#include "node/command_util.h"
#include "node/set_type.h"

namespace snapstream {
namespace {

using set_type::TextBuf;

size_t max_intset(CommandContext& ctx) {
    return set_type::intset_limit(ctx.server.cfg().set_max_intset_entries);
}

template <typename Missing>
Entry* lookup_read_or(CommandContext& ctx, std::string_view key, Missing&& missing) {
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, key, ValueType::Set, wrong);
    if (!e && !wrong) missing();
    return e;
}

// An integer argument in [min, max] as Redis's getRangeLongFromObjectOrReply: with `msg` that
// text replaces every error, otherwise the generic ones.
std::optional<int64_t> range_arg(CommandContext& ctx, std::string_view s, int64_t min, int64_t max,
                                 const char* msg) {
    auto v = parse_int64(s);
    if (!v) {
        ctx.reply.error(msg ? std::string_view(msg) : kErrNotInt);
        return std::nullopt;
    }
    if (*v < min || *v > max) {
        if (msg)
            ctx.reply.error(msg);
        else
            ctx.reply.error("ERR value is out of range, value must between " + std::to_string(min) +
                            " and " + std::to_string(max));
        return std::nullopt;
    }
    return v;
}

std::optional<int64_t> positive_arg(CommandContext& ctx, std::string_view s, const char* msg) {
    return range_arg(ctx, s, 0, INT64_MAX,
                     msg ? msg : "ERR value is out of range, must be positive");
}

void cmd_sadd(CommandContext& ctx) {
    std::string_view key = ctx.arg(1);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::Set, wrong);
    if (wrong) return;
    if (!e) e = ctx.ks.add(*ctx.db, key, set_type::create_for(ctx.arg(2)));
    const size_t lim = max_intset(ctx);
    int64_t added = 0;
    for (size_t i = 2; i < ctx.argc(); ++i) added += set_type::add(e->value, ctx.arg(i), lim);
    if (added) {
        signal_modified(ctx, key);
        mark_dirty(ctx, static_cast<uint64_t>(added));
    }
    ctx.reply.integer(added);
}

void cmd_srem(CommandContext& ctx) {
    remove_members_command(
        ctx, ValueType::Set, [](Value& v, std::string_view m) { return set_type::remove(v, m); },
        [](const Value& v) { return set_type::size(v); });
}

void cmd_smove(CommandContext& ctx) {
    std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
    Entry* src = ctx.ks.lookup_write(*ctx.db, src_key);
    Entry* dst = ctx.ks.lookup_write(*ctx.db, dst_key);
    if (!src) {
        ctx.reply.integer(0);
        return;
    }
    if (src->value.type() != ValueType::Set || (dst && dst->value.type() != ValueType::Set)) {
        ctx.reply.error(kErrWrongType);
        return;
    }
    if (src == dst) {
        ctx.reply.integer(set_type::contains(src->value, member) ? 1 : 0);
        return;
    }
    if (!set_type::remove(src->value, member)) {
        ctx.reply.integer(0);
        return;
    }
    if (set_type::size(src->value) == 0) ctx.ks.remove(*ctx.db, src_key);
    if (!dst) dst = ctx.ks.add(*ctx.db, dst_key, set_type::create_for(member));
    key_changed(ctx, src_key);
    if (set_type::add(dst->value, member, max_intset(ctx))) key_changed(ctx, dst_key);
    ctx.reply.integer(1);
}

void cmd_sismember(CommandContext& ctx) {
    Entry* e = lookup_read_or(ctx, ctx.arg(1), [&] { ctx.reply.integer(0); });
    if (e) ctx.reply.integer(set_type::contains(e->value, ctx.arg(2)) ? 1 : 0);
}

void cmd_smismember(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, ctx.arg(1), ValueType::Set, wrong);
    if (wrong) return;
    ctx.reply.array(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i)
        ctx.reply.integer(e && set_type::contains(e->value, ctx.arg(i)) ? 1 : 0);
}

void cmd_scard(CommandContext& ctx) {
    Entry* e = lookup_read_or(ctx, ctx.arg(1), [&] { ctx.reply.integer(0); });
    if (e) ctx.reply.integer(static_cast<int64_t>(set_type::size(e->value)));
}

void reply_members(CommandContext& ctx, const Value& s) {
    ctx.reply.set(set_type::size(s));
    set_type::for_each(s, [&](std::string_view m) { ctx.reply.bulk(m); });
}

// --- SPOP ---------------------------------------------------------------------------------------

void spop_with_count(CommandContext& ctx) {
    auto l = positive_arg(ctx, ctx.arg(2), nullptr);
    if (!l) return;
    const uint64_t count = static_cast<uint64_t>(*l);
    std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::Set, [&] { ctx.reply.set(0); });
    if (!e) return;
    if (count == 0) {
        ctx.reply.set(0);
        return;
    }
    Value& s = e->value;
    const uint64_t size = set_type::size(s);
    mark_dirty(ctx, count >= size ? size : count);
    if (count >= size) {
        // Everything: reply the whole set and delete the key (propagated as DEL).
        reply_members(ctx, s);
        ctx.ks.remove(*ctx.db, key);
        signal_modified(ctx, key);
        ctx.propagate_as({"DEL", key});
        return;
    }
    // Propagated as one SREM per member popped (wrapped in MULTI/EXEC), as Redis 7.0 does.
    ctx.prevent_propagation();
    auto propagate_srem = [&](std::string_view m) {
        const std::string_view argv[] = {"SREM", key, m};
        ctx.also_propagate(argv);
    };
    ctx.reply.set(count);
    auto& rng = ctx.ks.rng;
    uint64_t remaining = size - count;
    TextBuf buf;
    if (remaining * 5 > count) {
        // Few to pop: pick and remove them one by one.
        std::string member;
        for (uint64_t i = 0; i < count; ++i) {
            member = set_type::random_member(s, rng, buf);
            ctx.reply.bulk(member);
            propagate_srem(member);
            set_type::remove(s, member);
        }
    } else {
        // Most of the set goes: move the few members that stay into a new set (which then
        // starts again from the intset encoding, as in Redis), and reply what is left.
        const size_t lim = max_intset(ctx);
        std::optional<Value> kept;
        std::string member;
        while (remaining--) {
            member = set_type::random_member(s, rng, buf);
            if (!kept) kept = set_type::create_for(member);
            set_type::add(*kept, member, lim);
            set_type::remove(s, member);
        }
        set_type::for_each(s, [&](std::string_view m) {
            ctx.reply.bulk(m);
            propagate_srem(m);
        });
        ctx.ks.overwrite(e, std::move(*kept));
    }
    signal_modified(ctx, key);
}

void cmd_spop(CommandContext& ctx) {
    if (ctx.argc() == 3) return spop_with_count(ctx);
    if (ctx.argc() > 3) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::Set, [&] { ctx.reply.null(); });
    if (!e) return;
    TextBuf buf;
    std::string member(set_type::random_member(e->value, ctx.ks.rng, buf));
    set_type::remove(e->value, member);
    ctx.reply.bulk(member);
    if (set_type::size(e->value) == 0) ctx.ks.remove(*ctx.db, key);
    key_changed(ctx, key);
    ctx.propagate_as({"SREM", key, member});
}

// --- SRANDMEMBER --------------------------------------------------------------------------------

void srandmember_with_count(CommandContext& ctx) {
    auto l = range_arg(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX, nullptr);
    if (!l) return;
    const bool uniq = *l >= 0;
    const uint64_t count = uniq ? static_cast<uint64_t>(*l) : static_cast<uint64_t>(-*l);
    Entry* e = lookup_read_or(ctx, ctx.arg(1), [&] { ctx.reply.array(0); });
    if (!e) return;
    const Value& s = e->value;
    const uint64_t size = set_type::size(s);
    if (count == 0) {
        ctx.reply.array(0);
        return;
    }
    auto& rng = ctx.ks.rng;
    TextBuf buf;
    if (!uniq || count == 1) {
        ctx.reply.array(count);
        for (uint64_t i = 0; i < count; ++i) ctx.reply.bulk(set_type::random_member(s, rng, buf));
        return;
    }
    if (count >= size) {
        ctx.reply.array(size);
        set_type::for_each(s, [&](std::string_view m) { ctx.reply.bulk(m); });
        return;
    }
    ctx.reply.array(count);
    if (s.encoding() == Encoding::Intset || count * 3 > size) {
        // `count` distinct members in one pass (selection sampling).
        uint64_t needed = count, left = size;
        set_type::for_each(s, [&](std::string_view m) {
            if (needed > 0 && rng() % left < needed) {
                ctx.reply.bulk(m);
                --needed;
            }
            --left;
        });
        return;
    }
    Dict& d = set_type::dict_of(s);
    std::unordered_set<const Entry*> seen;
    while (seen.size() < count) {
        Entry* x = d.random(rng);
        if (seen.insert(x).second) ctx.reply.bulk(x->key());
    }
}

void cmd_srandmember(CommandContext& ctx) {
    if (ctx.argc() == 3) return srandmember_with_count(ctx);
    if (ctx.argc() > 3) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    Entry* e = lookup_read_or(ctx, ctx.arg(1), [&] { ctx.reply.null(); });
    if (!e) return;
    TextBuf buf;
    ctx.reply.bulk(set_type::random_member(e->value, ctx.ks.rng, buf));
}

// --- SINTER / SUNION / SDIFF --------------------------------------------------------------------

// Looks every key up as Redis does (missing keys are empty sets); false after WRONGTYPE.
bool lookup_sets(CommandContext& ctx, std::span<const std::string_view> keys,
                 std::vector<const Value*>& out) {
    out.clear();
    for (std::string_view k : keys) {
        bool wrong = false;
        Entry* e = lookup_read_typed(ctx, k, ValueType::Set, wrong);
        if (wrong) return false;
        out.push_back(e ? &e->value : nullptr);
    }
    return true;
}

// Stores a STORE command's result at dst (or deletes dst when it is empty) and replies.
void store_result(CommandContext& ctx, std::string_view dst, Value result) {
    const size_t n = set_type::size(result);
    if (n > 0) {
        ctx.ks.set(*ctx.db, dst, std::move(result));
        key_changed(ctx, dst);
        ctx.reply.integer(static_cast<int64_t>(n));
    } else {
        ctx.reply.integer(0);
        if (ctx.ks.remove(*ctx.db, dst)) key_changed(ctx, dst);
    }
}

void sinter_generic(CommandContext& ctx, std::span<const std::string_view> keys,
                    std::optional<std::string_view> dst, bool card_only, uint64_t limit) {
    std::vector<const Value*> sets;
    if (!lookup_sets(ctx, keys, sets)) return;
    if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
        if (dst) {
            if (ctx.ks.remove(*ctx.db, *dst)) key_changed(ctx, *dst);
            ctx.reply.integer(0);
        } else if (card_only) {
            ctx.reply.integer(0);
        } else {
            ctx.reply.set(0);
        }
        return;
    }
    std::stable_sort(sets.begin(), sets.end(), [](const Value* a, const Value* b) {
        return set_type::size(*a) < set_type::size(*b);
    });
    uint64_t cardinality = 0;
    std::optional<Value> result;
    if (dst) result = set_type::create_intset();
    std::vector<std::string> members;
    const size_t lim = max_intset(ctx);
    bool stop = false;
    set_type::for_each(*sets[0], [&](std::string_view m) {
        if (stop) return;
        for (size_t j = 1; j < sets.size(); ++j) {
            if (sets[j] == sets[0]) continue;
            if (!set_type::contains(*sets[j], m)) return;
        }
        if (card_only) {
            ++cardinality;
            if (limit && cardinality >= limit) stop = true;
        } else if (dst) {
            set_type::add(*result, m, lim);
        } else {
            members.emplace_back(m);
        }
    });
    if (card_only) {
        ctx.reply.integer(static_cast<int64_t>(cardinality));
    } else if (dst) {
        store_result(ctx, *dst, std::move(*result));
    } else {
        ctx.reply.set(members.size());
        for (const auto& m : members) ctx.reply.bulk(m);
    }
}

enum class SetOp { Union, Diff };

void sunion_diff_generic(CommandContext& ctx, std::span<const std::string_view> keys,
                         std::optional<std::string_view> dst, SetOp op) {
    std::vector<const Value*> sets;
    if (!lookup_sets(ctx, keys, sets)) return;
    bool sameset = false;
    for (size_t j = 1; j < sets.size(); ++j)
        if (sets[j] == sets[0]) sameset = true;

    // Redis picks one of two difference algorithms by the sizes involved; the choice shows in
    // the encoding of the result (the second adds all of the first set, then removes).
    int diff_algo = 1;
    if (op == SetOp::Diff && sets[0] && !sameset) {
        int64_t one = 0, two = 0;
        for (const Value* s : sets) {
            if (!s) continue;
            one += static_cast<int64_t>(set_type::size(*sets[0]));
            two += static_cast<int64_t>(set_type::size(*s));
        }
        one /= 2;
        diff_algo = one <= two ? 1 : 2;
    }

    const size_t lim = max_intset(ctx);
    Value result = set_type::create_intset();
    if (op == SetOp::Union) {
        for (const Value* s : sets) {
            if (!s) continue;
            set_type::for_each(*s, [&](std::string_view m) { set_type::add(result, m, lim); });
        }
    } else if (sets[0] && !sameset && diff_algo == 1) {
        set_type::for_each(*sets[0], [&](std::string_view m) {
            for (size_t j = 1; j < sets.size(); ++j) {
                if (sets[j] && set_type::contains(*sets[j], m)) return;
            }
            set_type::add(result, m, lim);
        });
    } else if (sets[0] && !sameset) {
        for (size_t j = 0; j < sets.size(); ++j) {
            if (!sets[j]) continue;
            if (j == 0) {
                set_type::for_each(*sets[0],
                                   [&](std::string_view m) { set_type::add(result, m, lim); });
            } else {
                std::vector<std::string> drop;
                set_type::for_each(*sets[j], [&](std::string_view m) { drop.emplace_back(m); });
                for (const auto& m : drop) set_type::remove(result, m);
            }
            if (set_type::size(result) == 0) break;
        }
    }
    if (dst)
        store_result(ctx, *dst, std::move(result));
    else
        reply_members(ctx, result);
}

void cmd_sinter(CommandContext& ctx) {
    sinter_generic(ctx, ctx.argv.subspan(1), std::nullopt, false, 0);
}
void cmd_sinterstore(CommandContext& ctx) {
    sinter_generic(ctx, ctx.argv.subspan(2), ctx.arg(1), false, 0);
}
void cmd_sunion(CommandContext& ctx) {
    sunion_diff_generic(ctx, ctx.argv.subspan(1), std::nullopt, SetOp::Union);
}
void cmd_sunionstore(CommandContext& ctx) {
    sunion_diff_generic(ctx, ctx.argv.subspan(2), ctx.arg(1), SetOp::Union);
}
void cmd_sdiff(CommandContext& ctx) {
    sunion_diff_generic(ctx, ctx.argv.subspan(1), std::nullopt, SetOp::Diff);
}
void cmd_sdiffstore(CommandContext& ctx) {
    sunion_diff_generic(ctx, ctx.argv.subspan(2), ctx.arg(1), SetOp::Diff);
}

void cmd_sintercard(CommandContext& ctx) {
    auto numkeys = range_arg(ctx, ctx.arg(1), 1, INT64_MAX, "ERR numkeys should be greater than 0");
    if (!numkeys) return;
    if (*numkeys > static_cast<int64_t>(ctx.argc()) - 2) {
        ctx.reply.error("ERR Number of keys can't be greater than number of args");
        return;
    }
    int64_t limit = 0;
    for (size_t j = 2 + static_cast<size_t>(*numkeys); j < ctx.argc(); ++j) {
        const size_t more = ctx.argc() - 1 - j;
        if (iequals(ctx.arg(j), "limit") && more) {
            ++j;
            auto v = positive_arg(ctx, ctx.arg(j), "ERR LIMIT can't be negative");
            if (!v) return;
            limit = *v;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    sinter_generic(ctx, ctx.argv.subspan(2, static_cast<size_t>(*numkeys)), std::nullopt, true,
                   static_cast<uint64_t>(limit));
}

void cmd_sscan(CommandContext& ctx) {
    CollectionScanArgs args;
    if (!parse_scan_cursor(ctx, ctx.arg(2), args.cursor)) return;
    Entry* e = lookup_read_or(ctx, ctx.arg(1), [&] { reply_empty_scan(ctx); });
    if (!e) return;
    if (!parse_scan_options(ctx, args)) return;
    Value& s = e->value;
    std::vector<std::string> out;
    uint64_t cursor = 0;
    auto keep = [&](std::string_view m) { return !args.pattern || glob_match(*args.pattern, m); };
    if (s.encoding() == Encoding::Intset) {
        set_type::for_each(s, [&](std::string_view m) {
            if (keep(m)) out.emplace_back(m);
        });
    } else {
        cursor = scan_dict(set_type::dict_of(s), args.cursor, args.count, [&](Entry* x) {
            if (keep(x->key())) out.emplace_back(x->key());
        });
    }
    ctx.reply.array(2);
    ctx.reply.bulk_int(static_cast<int64_t>(cursor));
    ctx.reply.array(out.size());
    for (const auto& m : out) ctx.reply.bulk(m);
}

}  // namespace

void register_set_commands(CommandTable& t) {
    set_type::register_ops();
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, D = kCmdDenyOom, F = kCmdFast;
    constexpr uint32_t ws = kAclWrite | kAclSet, rs = kAclRead | kAclSet;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, int first, int last,
                   CommandHandler h) {
        t.add(CommandSpec{.name = name,
                          .arity = arity,
                          .flags = flags,
                          .acl = acl,
                          .first_key = first,
                          .last_key = last,
                          .key_step = first ? 1 : 0,
                          .handler = h});
    };
    add("sadd", -3, W | D | F, ws, 1, 1, cmd_sadd);
    add("srem", -3, W | F, ws, 1, 1, cmd_srem);
    add("smembers", 2, R, rs, 1, 1, cmd_sinter);
    add("sismember", 3, R | F, rs, 1, 1, cmd_sismember);
    add("smismember", -3, R | F, rs, 1, 1, cmd_smismember);
    add("scard", 2, R | F, rs, 1, 1, cmd_scard);
    add("spop", -2, W | F, ws, 1, 1, cmd_spop);
    add("srandmember", -2, R, rs, 1, 1, cmd_srandmember);
    add("smove", 4, W | F, ws, 1, 2, cmd_smove);
    add("sinter", -2, R, rs, 1, -1, cmd_sinter);
    add("sunion", -2, R, rs, 1, -1, cmd_sunion);
    add("sdiff", -2, R, rs, 1, -1, cmd_sdiff);
    add("sinterstore", -3, W | D, ws, 1, -1, cmd_sinterstore);
    add("sunionstore", -3, W | D, ws, 1, -1, cmd_sunionstore);
    add("sdiffstore", -3, W | D, ws, 1, -1, cmd_sdiffstore);
    add("sintercard", -3, R, rs, 0, 0, cmd_sintercard);
    add("sscan", -3, R, rs, 1, 1, cmd_sscan);
}

}  // namespace snapstream
