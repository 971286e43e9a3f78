// List commands: pushes, pops (with counts, from several keys, blocking), ranges, LSET,
// LINSERT, LREM, LTRIM, LPOS and the moves between lists. Semantics, the order in which
// arguments and keys are checked, error texts and reply shapes follow Redis 7.0's t_list.c.
// The data structure lives in node/list_type.h.
//
// Blocking forms (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH) serve at once when a key has
// elements, answer the timeout reply when they may not block (MULTI/EXEC), and otherwise call
// Server::block_client (node/blocking.cpp). When a key they wait on is readied they run again
// with ctx.reprocessing set; like Redis 7.0 they are then served from the readied key only, so
// a client blocked on "a b" is served from b when b receives elements, even if a turned into
// another type meanwhile.
#include <algorithm>
#include <climits>
#include <string>
#include <vector>

#include "node/command_util.h"
#include "node/list_type.h"

namespace snapstream {
namespace {

constexpr std::string_view kErrOutOfRange = "ERR index out of range";
constexpr std::string_view kErrMustBePositive = "ERR value is out of range, must be positive";

QuickList* list_of(Entry* e) {
    return static_cast<QuickList*>(e->value.obj());
}

QuickList* create_list(CommandContext& ctx, std::string_view key) {
    auto* q = new QuickList(QuickList::clamp_fill(ctx.server.cfg().list_max_listpack_size));
    ctx.ks.add(*ctx.db, key, Value::object(ValueType::List, Encoding::Quicklist, q));
    return q;
}

void reply_item(Reply& r, const Listpack::Item& it) {
    if (it.is_int)
        r.bulk_int(it.num);
    else
        r.bulk(it.str);
}

// Deletes the key when its list is empty (Redis never keeps empty lists).
void delete_if_empty(CommandContext& ctx, std::string_view key, QuickList* q) {
    if (q->empty()) ctx.ks.remove(*ctx.db, key);
}

// A non-negative long argument (getPositiveLongFromObjectOrReply): `msg` for both errors.
std::optional<int64_t> positive_arg(CommandContext& ctx, std::string_view s, std::string_view msg) {
    auto v = parse_int64(s);
    if (!v || *v < 0) {
        ctx.reply.error(msg);
        return std::nullopt;
    }
    return v;
}

// LEFT / RIGHT: true for LEFT (the head).
std::optional<bool> side_arg(CommandContext& ctx, std::string_view s) {
    if (iequals(s, "left")) return true;
    if (iequals(s, "right")) return false;
    ctx.reply.error(kErrSyntax);
    return std::nullopt;
}

// Replies the elements of [start, end] (normalised, non-empty) in order, or reversed.
void reply_range(Reply& r, const QuickList& q, int64_t start, int64_t end, bool reverse) {
    const auto n = static_cast<size_t>(end - start + 1);
    r.array(n);
    auto c = q.at(reverse ? end : start);
    for (size_t i = 0; i < n; ++i) {
        reply_item(r, q.get(c));
        if (reverse)
            q.prev(c);
        else
            q.next(c);
    }
}

// Pops up to `count` elements from one end, replying them as an array (the order in which they
// were popped); deletes the key if emptied. Returns how many were popped.
size_t pop_range_reply(CommandContext& ctx, std::string_view key, QuickList* q, bool front,
                       int64_t count) {
    const auto len = static_cast<int64_t>(q->size());
    const int64_t n = std::min(count, len);
    if (front)
        reply_range(ctx.reply, *q, 0, n - 1, false);
    else
        reply_range(ctx.reply, *q, len - n, len - 1, true);
    q->erase_range(front ? 0 : -n, static_cast<size_t>(n));
    delete_if_empty(ctx, key, q);
    signal_modified(ctx, key);
    mark_dirty(ctx, static_cast<uint64_t>(n));
    return static_cast<size_t>(n);
}

// Pops one element and replies it as a bulk string.
void pop_one_reply(CommandContext& ctx, std::string_view key, QuickList* q, bool front) {
    auto c = front ? q->front() : q->back();
    reply_item(ctx.reply, q->get(c));
    q->erase(c, front);
    delete_if_empty(ctx, key, q);
    key_changed(ctx, key);
}

// ---- pushes ----------------------------------------------------------------------------------

void push_generic(CommandContext& ctx, bool front, bool only_existing) {
    const std::string_view key = ctx.arg(1);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::List, wrong);
    if (wrong) return;
    QuickList* q;
    if (!e) {
        if (only_existing) {
            ctx.reply.integer(0);
            return;
        }
        q = create_list(ctx, key);
    } else {
        q = list_of(e);
    }
    for (size_t j = 2; j < ctx.argc(); ++j) q->push(ctx.arg(j), front);
    mark_dirty(ctx, ctx.argc() - 2);
    signal_modified(ctx, key);
    ctx.reply.integer(static_cast<int64_t>(q->size()));
}

void cmd_lpush(CommandContext& ctx) {
    push_generic(ctx, true, false);
}
void cmd_rpush(CommandContext& ctx) {
    push_generic(ctx, false, false);
}
void cmd_lpushx(CommandContext& ctx) {
    push_generic(ctx, true, true);
}
void cmd_rpushx(CommandContext& ctx) {
    push_generic(ctx, false, true);
}

// ---- pops --------------------------------------------------------------------------------------

void pop_generic(CommandContext& ctx, bool front) {
    if (ctx.argc() > 3) {
        ctx.reply.error("ERR wrong number of arguments for '" + ctx.cmd->full_name() + "' command");
        return;
    }
    const bool has_count = ctx.argc() == 3;
    int64_t count = 0;
    if (has_count) {
        auto v = positive_arg(ctx, ctx.arg(2), kErrMustBePositive);
        if (!v) return;
        count = *v;
    }
    const std::string_view key = ctx.arg(1);
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, key, ValueType::List, wrong);
    if (wrong) return;
    if (!e) {
        if (has_count)
            ctx.reply.null_array();
        else
            ctx.reply.null();
        return;
    }
    if (has_count && count == 0) {
        ctx.reply.empty_array();
        return;
    }
    QuickList* q = list_of(e);
    if (!has_count)
        pop_one_reply(ctx, key, q, front);
    else
        pop_range_reply(ctx, key, q, front, count);
}

void cmd_lpop(CommandContext& ctx) {
    pop_generic(ctx, true);
}
void cmd_rpop(CommandContext& ctx) {
    pop_generic(ctx, false);
}

// ---- reads ------------------------------------------------------------------------------------

void cmd_llen(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, ctx.arg(1), ValueType::List, wrong);
    if (wrong) return;
    ctx.reply.integer(e ? static_cast<int64_t>(list_of(e)->size()) : 0);
}

void cmd_lindex(CommandContext& ctx) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::List, [&] { ctx.reply.null(); });
    if (!e) return;
    auto index = int_arg(ctx, ctx.arg(2));
    if (!index) return;
    QuickList* q = list_of(e);
    auto c = q->at(*index);
    if (c)
        reply_item(ctx.reply, q->get(c));
    else
        ctx.reply.null();
}

void cmd_lrange(CommandContext& ctx) {
    auto start = int_arg(ctx, ctx.arg(2));
    if (!start) return;
    auto end = int_arg(ctx, ctx.arg(3));
    if (!end) return;
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::List, [&] { ctx.reply.empty_array(); });
    if (!e) return;
    QuickList* q = list_of(e);
    const auto len = static_cast<int64_t>(q->size());
    int64_t s = *start, t = *end;
    if (s < 0) s += len;
    if (t < 0) t += len;
    if (s < 0) s = 0;
    if (s > t || s >= len) {
        ctx.reply.empty_array();
        return;
    }
    if (t >= len) t = len - 1;
    reply_range(ctx.reply, *q, s, t, false);
}

void cmd_lpos(CommandContext& ctx) {
    const std::string_view element = ctx.arg(2);
    int64_t rank = 1, count = -1, maxlen = 0;
    for (size_t j = 3; j < ctx.argc(); ++j) {
        const std::string_view opt = ctx.arg(j);
        const bool more = j + 1 < ctx.argc();
        if (iequals(opt, "rank") && more) {
            auto v = int_arg(ctx, ctx.arg(++j));
            if (!v) return;
            if (*v == 0) {
                ctx.reply.error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                    "second ... or use negative to start from the end of the list");
                return;
            }
            rank = *v;
        } else if (iequals(opt, "count") && more) {
            auto v = positive_arg(ctx, ctx.arg(++j), "ERR COUNT can't be negative");
            if (!v) return;
            count = *v;
        } else if (iequals(opt, "maxlen") && more) {
            auto v = positive_arg(ctx, ctx.arg(++j), "ERR MAXLEN can't be negative");
            if (!v) return;
            maxlen = *v;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    const bool from_tail = rank < 0;
    // Negating LLONG_MIN keeps it negative in Redis (two's complement): every match qualifies.
    const uint64_t want = rank == LLONG_MIN ? 1 : static_cast<uint64_t>(from_tail ? -rank : rank);
    bool wrong = false;
    Entry* e = lookup_read_typed(ctx, ctx.arg(1), ValueType::List, wrong);
    if (wrong) return;
    if (!e) {
        if (count != -1)
            ctx.reply.empty_array();
        else
            ctx.reply.null();
        return;
    }
    QuickList* q = list_of(e);
    const auto len = static_cast<int64_t>(q->size());
    std::vector<int64_t> found;
    uint64_t matches = 0;
    int64_t index = 0;
    auto c = from_tail ? q->back() : q->front();
    for (; c && (maxlen == 0 || index < maxlen); ++index) {
        if (q->equals(c, element)) {
            ++matches;
            if (matches >= want) {
                found.push_back(from_tail ? len - index - 1 : index);
                if (count == -1) break;
                // (With RANK LLONG_MIN Redis's own arithmetic wraps and never stops early.)
                if (count != 0 && rank != LLONG_MIN &&
                    matches - want + 1 >= static_cast<uint64_t>(count))
                    break;
            }
        }
        if (from_tail)
            q->prev(c);
        else
            q->next(c);
    }
    if (count != -1) {
        ctx.reply.array(found.size());
        for (int64_t i : found) ctx.reply.integer(i);
    } else if (!found.empty()) {
        ctx.reply.integer(found[0]);
    } else {
        ctx.reply.null();
    }
}

// ---- edits ------------------------------------------------------------------------------------

void cmd_lset(CommandContext& ctx) {
    const std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::List, [&] { ctx.reply.error(kErrNoKey); });
    if (!e) return;
    auto index = int_arg(ctx, ctx.arg(2));
    if (!index) return;
    QuickList* q = list_of(e);
    auto c = q->at(*index);
    if (!c) {
        ctx.reply.error(kErrOutOfRange);
        return;
    }
    q->replace(c, ctx.arg(3));
    key_changed(ctx, key);
    ctx.reply.ok();
}

void cmd_linsert(CommandContext& ctx) {
    bool after;
    if (iequals(ctx.arg(2), "after")) {
        after = true;
    } else if (iequals(ctx.arg(2), "before")) {
        after = false;
    } else {
        ctx.reply.error(kErrSyntax);
        return;
    }
    const std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::List, [&] { ctx.reply.integer(0); });
    if (!e) return;
    QuickList* q = list_of(e);
    for (auto c = q->front(); c; q->next(c)) {
        if (q->equals(c, ctx.arg(3))) {
            q->insert(c, ctx.arg(4), after);
            key_changed(ctx, key);
            ctx.reply.integer(static_cast<int64_t>(q->size()));
            return;
        }
    }
    ctx.reply.integer(-1);
}

void cmd_lrem(CommandContext& ctx) {
    auto to_remove = int_arg(ctx, ctx.arg(2));
    if (!to_remove) return;
    const std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::List, [&] { ctx.reply.integer(0); });
    if (!e) return;
    QuickList* q = list_of(e);
    const bool forward = *to_remove >= 0;
    // |LLONG_MIN| as unsigned.
    const uint64_t limit =
        forward ? static_cast<uint64_t>(*to_remove) : 0 - static_cast<uint64_t>(*to_remove);
    const std::string_view element = ctx.arg(3);
    uint64_t removed = 0;
    auto c = forward ? q->front() : q->back();
    while (c) {
        if (q->equals(c, element)) {
            q->erase(c, forward);
            ++removed;
            if (removed == limit) break;
        } else if (forward) {
            q->next(c);
        } else {
            q->prev(c);
        }
    }
    if (removed) {
        signal_modified(ctx, key);
        mark_dirty(ctx, removed);
    }
    delete_if_empty(ctx, key, q);
    ctx.reply.integer(static_cast<int64_t>(removed));
}

void cmd_ltrim(CommandContext& ctx) {
    auto start = int_arg(ctx, ctx.arg(2));
    if (!start) return;
    auto end = int_arg(ctx, ctx.arg(3));
    if (!end) return;
    const std::string_view key = ctx.arg(1);
    Entry* e = write_typed_or(ctx, key, ValueType::List, [&] { ctx.reply.ok(); });
    if (!e) return;
    QuickList* q = list_of(e);
    const auto len = static_cast<int64_t>(q->size());
    int64_t s = *start, t = *end;
    if (s < 0) s += len;
    if (t < 0) t += len;
    if (s < 0) s = 0;
    int64_t ltrim, rtrim;
    if (s > t || s >= len) {
        ltrim = len;
        rtrim = 0;
    } else {
        if (t >= len) t = len - 1;
        ltrim = s;
        rtrim = len - t - 1;
    }
    q->erase_range(0, static_cast<size_t>(ltrim));
    q->erase_range(-rtrim, static_cast<size_t>(rtrim));
    delete_if_empty(ctx, key, q);
    signal_modified(ctx, key);
    mark_dirty(ctx, static_cast<uint64_t>(ltrim + rtrim));
    ctx.reply.ok();
}

// ---- moves ------------------------------------------------------------------------------------

// LMOVE's body once the source is known to be a non-empty list: checks the destination's type,
// moves one element and replies it.
void lmove_generic(CommandContext& ctx, Entry* src_entry, bool from_front, bool to_front) {
    const std::string_view src = ctx.arg(1), dst = ctx.arg(2);
    bool wrong = false;
    Entry* dst_entry = lookup_write_typed(ctx, dst, ValueType::List, wrong);
    if (wrong) return;
    QuickList* from = list_of(src_entry);
    auto c = from_front ? from->front() : from->back();
    const Listpack::Item item = from->get(c);
    if (dst_entry == src_entry) {
        // Rotation: the element's bytes live in the list being edited.
        std::string copy(item.str);
        from->erase(c, from_front);
        if (item.is_int) {
            char buf[Listpack::kIntBufSize];
            copy.assign(buf, format_int64(buf, item.num));
        }
        from->push(copy, to_front);
        ctx.reply.bulk(copy);
    } else {
        QuickList* to = dst_entry ? list_of(dst_entry) : create_list(ctx, dst);
        if (item.is_int) {
            char buf[Listpack::kIntBufSize];
            const std::string_view s(buf, format_int64(buf, item.num));
            to->push(s, to_front);
            ctx.reply.bulk(s);
        } else {
            to->push(item.str, to_front);
            ctx.reply.bulk(item.str);
        }
        from->erase(c, from_front);
        delete_if_empty(ctx, src, from);
    }
    signal_modified(ctx, dst);
    signal_modified(ctx, src);
    mark_dirty(ctx);
}

void lmove_command(CommandContext& ctx, bool from_front, bool to_front) {
    Entry* e = write_typed_or(ctx, ctx.arg(1), ValueType::List, [&] { ctx.reply.null(); });
    if (!e) return;
    lmove_generic(ctx, e, from_front, to_front);
}

void cmd_lmove(CommandContext& ctx) {
    auto from = side_arg(ctx, ctx.arg(3));
    if (!from) return;
    auto to = side_arg(ctx, ctx.arg(4));
    if (!to) return;
    lmove_command(ctx, *from, *to);
}

void cmd_rpoplpush(CommandContext& ctx) {
    lmove_command(ctx, false, true);
}

void blmove_generic(CommandContext& ctx, bool from_front, bool to_front, int64_t timeout_ms) {
    bool wrong = false;
    Entry* e = lookup_write_typed(ctx, ctx.arg(1), ValueType::List, wrong);
    if (wrong) return;
    if (e) {
        lmove_generic(ctx, e, from_front, to_front);
        // Propagated as its non-blocking form (the sides as given, or as Redis names them when
        // a blocked client is served).
        if (ctx.argc() == 4) {
            ctx.propagate_as({"RPOPLPUSH", ctx.arg(1), ctx.arg(2)});
        } else if (ctx.reprocessing) {
            ctx.propagate_as({"LMOVE", ctx.arg(1), ctx.arg(2), from_front ? "left" : "right",
                              to_front ? "left" : "right"});
        } else {
            ctx.propagate_as({"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
        }
        return;
    }
    if (!ctx.can_block()) {
        ctx.reply.null();
        return;
    }
    const std::string_view keys[] = {ctx.arg(1)};
    // Redis 7.0 answers a timed-out BLMOVE with a null array too (only its non-blocking
    // answer, inside MULTI, is a null bulk).
    ctx.server.block_client(ctx, keys, timeout_ms, ValueType::List, true);
}

void cmd_blmove(CommandContext& ctx) {
    auto from = side_arg(ctx, ctx.arg(3));
    if (!from) return;
    auto to = side_arg(ctx, ctx.arg(4));
    if (!to) return;
    auto timeout = block_timeout_arg(ctx, ctx.arg(5));
    if (!timeout) return;
    blmove_generic(ctx, *from, *to, *timeout);
}

void cmd_brpoplpush(CommandContext& ctx) {
    auto timeout = block_timeout_arg(ctx, ctx.arg(3));
    if (!timeout) return;
    blmove_generic(ctx, false, true, *timeout);
}

// ---- pops from several keys ------------------------------------------------------------------

// Pops from the first non-empty list among `keys`. count < 0: one element, replied as
// [key, element] (BLPOP); else up to count, replied as [key, [elements...]] (LMPOP). Returns
// true if it replied (served or WRONGTYPE), false if every key was missing.
bool pop_first_nonempty(CommandContext& ctx, std::span<const std::string_view> keys, bool front,
                        int64_t count) {
    for (std::string_view key : keys) {
        bool wrong = false;
        Entry* e = lookup_write_typed(ctx, key, ValueType::List, wrong);
        if (wrong) return true;
        if (!e || list_of(e)->empty()) continue;
        QuickList* q = list_of(e);
        ctx.reply.array(2);
        ctx.reply.bulk(key);
        // Propagated as the non-blocking single-key pop: [LR]POP key [count popped].
        const std::string_view pop = front ? "LPOP" : "RPOP";
        if (count < 0) {
            pop_one_reply(ctx, key, q, front);
            ctx.propagate_as({pop, key});
        } else {
            const std::string n = std::to_string(pop_range_reply(ctx, key, q, front, count));
            ctx.propagate_as({pop, key, n});
        }
        return true;
    }
    return false;
}

// The blocking pops: serve, refuse to block (timeout reply), or block.
void blocking_pop(CommandContext& ctx, std::span<const std::string_view> keys, bool front,
                  int64_t count, int64_t timeout_ms) {
    if (pop_first_nonempty(ctx, keys_to_serve(ctx, keys), front, count)) return;
    if (!ctx.can_block()) {
        ctx.reply.null_array();
        return;
    }
    ctx.server.block_client(ctx, keys, timeout_ms, ValueType::List, true);
}

void bpop_command(CommandContext& ctx, bool front) {
    auto timeout = block_timeout_arg(ctx, ctx.arg(ctx.argc() - 1));
    if (!timeout) return;
    blocking_pop(ctx, ctx.argv.subspan(1, ctx.argc() - 2), front, -1, *timeout);
}

void cmd_blpop(CommandContext& ctx) {
    bpop_command(ctx, true);
}
void cmd_brpop(CommandContext& ctx) {
    bpop_command(ctx, false);
}

// LMPOP / BLMPOP: numkeys at `numkeys_idx`.
void mpop_command(CommandContext& ctx, size_t numkeys_idx, bool blocking) {
    auto numkeys = parse_int64(ctx.arg(numkeys_idx));
    if (!numkeys || *numkeys < 1) {
        ctx.reply.error("ERR numkeys should be greater than 0");
        return;
    }
    const size_t argc = ctx.argc();
    if (static_cast<uint64_t>(*numkeys) >= argc - numkeys_idx - 1) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    const size_t where_idx = numkeys_idx + static_cast<size_t>(*numkeys) + 1;
    auto front = side_arg(ctx, ctx.arg(where_idx));
    if (!front) return;
    int64_t count = -1;
    for (size_t j = where_idx + 1; j < argc; ++j) {
        if (count == -1 && iequals(ctx.arg(j), "count") && j + 1 < argc) {
            auto v = parse_int64(ctx.arg(++j));
            if (!v || *v < 1) {
                ctx.reply.error("ERR count should be greater than 0");
                return;
            }
            count = *v;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    if (count == -1) count = 1;
    const auto keys = ctx.argv.subspan(numkeys_idx + 1, static_cast<size_t>(*numkeys));
    if (blocking) {
        auto timeout = block_timeout_arg(ctx, ctx.arg(1));
        if (!timeout) return;
        blocking_pop(ctx, keys, *front, count, *timeout);
        return;
    }
    if (!pop_first_nonempty(ctx, keys, *front, count)) ctx.reply.null_array();
}

void cmd_lmpop(CommandContext& ctx) {
    mpop_command(ctx, 1, false);
}
void cmd_blmpop(CommandContext& ctx) {
    mpop_command(ctx, 2, true);
}

}  // namespace

void register_list_commands(CommandTable& t) {
    register_list_object_ops();
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, D = kCmdDenyOom, F = kCmdFast,
                       B = kCmdBlocking, N = kCmdNoscript;
    constexpr uint32_t wl = kAclWrite | kAclList, rl = kAclRead | kAclList;
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
    add("lpush", -3, W | D | F, wl, 1, 1, 1, cmd_lpush);
    add("rpush", -3, W | D | F, wl, 1, 1, 1, cmd_rpush);
    add("lpushx", -3, W | D | F, wl, 1, 1, 1, cmd_lpushx);
    add("rpushx", -3, W | D | F, wl, 1, 1, 1, cmd_rpushx);
    add("lpop", -2, W | F, wl, 1, 1, 1, cmd_lpop);
    add("rpop", -2, W | F, wl, 1, 1, 1, cmd_rpop);
    add("llen", 2, R | F, rl, 1, 1, 1, cmd_llen);
    add("lrange", 4, R, rl, 1, 1, 1, cmd_lrange);
    add("lindex", 3, R, rl, 1, 1, 1, cmd_lindex);
    add("lset", 4, W | D, wl, 1, 1, 1, cmd_lset);
    add("linsert", 5, W | D, wl, 1, 1, 1, cmd_linsert);
    add("lrem", 4, W, wl, 1, 1, 1, cmd_lrem);
    add("ltrim", 4, W, wl, 1, 1, 1, cmd_ltrim);
    add("lpos", -3, R, rl, 1, 1, 1, cmd_lpos);
    add("rpoplpush", 3, W | D, wl, 1, 2, 1, cmd_rpoplpush);
    add("lmove", 5, W | D, wl, 1, 2, 1, cmd_lmove);
    add("lmpop", -4, W, wl, 0, 0, 0, cmd_lmpop);
    add("blpop", -3, W | N | B, wl, 1, -2, 1, cmd_blpop);
    add("brpop", -3, W | N | B, wl, 1, -2, 1, cmd_brpop);
    add("blmove", 6, W | D | N | B, wl, 1, 2, 1, cmd_blmove);
    add("brpoplpush", 4, W | D | N | B, wl, 1, 2, 1, cmd_brpoplpush);
    add("blmpop", -5, W | B, wl, 0, 0, 0, cmd_blmpop);
}

}  // namespace snapstream
