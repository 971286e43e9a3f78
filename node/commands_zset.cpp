// Sorted set commands. Semantics, order of argument checks, error texts and reply shapes follow
// Redis 7.0's t_zset.c; the data structure lives in node/zset_type.{h,cpp}.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/glob.h"
#include "node/collection_scan.h"
#include "node/command_util.h"
#include "node/set_type.h"
#include "node/zset_type.h"

namespace snapstream {

namespace {

using zset::LexBound;
using zset::LexRange;
using zset::ScoreRange;

constexpr std::string_view kErrNaN = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kErrMinMaxFloat = "ERR min or max is not a float";
constexpr std::string_view kErrMinMaxLex = "ERR min or max not valid string range item";

zset::Limits limits(CommandContext& ctx) {
    const auto& c = ctx.server.cfg();
    return {static_cast<size_t>(std::max<int64_t>(c.zset_max_listpack_entries, 0)),
            static_cast<size_t>(std::max<int64_t>(c.zset_max_listpack_value, 0))};
}

void reply_score(Reply& r, double d) {
    char buf[40];
    size_t n;
    if (std::isinf(d)) {
        if (r.resp() == 3) {
            r.raw(d > 0 ? ",inf\r\n" : ",-inf\r\n");
            return;
        }
        r.bulk(d > 0 ? "inf" : "-inf");
        return;
    }
    if (r.resp() == 3) {
        buf[0] = ',';
        n = 1 + static_cast<size_t>(std::snprintf(buf + 1, sizeof(buf) - 3, "%.17g", d));
        buf[n++] = '\r';
        buf[n++] = '\n';
        r.raw(std::string_view(buf, n));
        return;
    }
    n = static_cast<size_t>(std::snprintf(buf, sizeof buf, "%.17g", d));
    r.bulk(std::string_view(buf, n));
}

// One element of a reply with or without its score (RESP3: a [member, score] pair).
void reply_element(Reply& r, std::string_view m, double s, bool withscores) {
    if (withscores && r.resp() == 3) r.array(2);
    r.bulk(m);
    if (withscores) reply_score(r, s);
}
void reply_elements_header(Reply& r, size_t n, bool withscores) {
    r.array(withscores && r.resp() == 2 ? 2 * n : n);
}

// The text as a NUL-terminated C string (what Redis's parsers see).
std::string c_string(std::string_view s) {
    const size_t z = s.find('\0');
    return std::string(z == std::string_view::npos ? s : s.substr(0, z));
}

// One bound of a score range as zslParseRange reads it (strtod over the C string).
bool parse_score_bound(std::string_view arg, double& out, bool& ex) {
    std::string s = c_string(arg);
    const char* p = s.c_str();
    ex = false;
    if (p[0] == '(') {
        ex = true;
        ++p;
    }
    char* end = nullptr;
    out = std::strtod(p, &end);
    return *end == '\0' && !std::isnan(out);
}

bool parse_score_range(std::string_view a, std::string_view b, ScoreRange& r) {
    return parse_score_bound(a, r.min, r.minex) && parse_score_bound(b, r.max, r.maxex);
}

bool parse_lex_bound(std::string_view arg, LexBound& b) {
    if (arg.empty()) return false;
    switch (arg[0]) {
        case '+':
        case '-':
            if (arg.size() > 1 && arg[1] != '\0') return false;
            b.kind = arg[0] == '+' ? LexBound::PosInf : LexBound::NegInf;
            b.ex = true;
            return true;
        case '(':
        case '[':
            b.kind = LexBound::Value;
            b.ex = arg[0] == '(';
            b.s = arg.substr(1);
            return true;
        default:
            return false;
    }
}

bool parse_lex_range(std::string_view a, std::string_view b, LexRange& r) {
    return parse_lex_bound(a, r.min) && parse_lex_bound(b, r.max);
}

// getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply.
std::optional<int64_t> range_long(CommandContext& ctx, std::string_view s, int64_t lo, int64_t hi,
                                  std::string_view msg) {
    auto v = parse_int64(s);
    if (!v) {
        ctx.reply.error(msg.empty() ? kErrNotInt : msg);
        return std::nullopt;
    }
    if (*v < lo || *v > hi) {
        if (!msg.empty()) {
            ctx.reply.error(msg);
        } else {
            ctx.reply.error("ERR value is out of range, value must between " + std::to_string(lo) +
                            " and " + std::to_string(hi));
        }
        return std::nullopt;
    }
    return v;
}

Entry* read_zset(CommandContext& ctx, std::string_view key, bool& wrong) {
    return lookup_read_typed(ctx, key, ValueType::ZSet, wrong);
}
Entry* write_zset(CommandContext& ctx, std::string_view key, bool& wrong) {
    return lookup_write_typed(ctx, key, ValueType::ZSet, wrong);
}

// Deletes the key when the command emptied it (Redis never keeps an empty sorted set).
void delete_if_empty(CommandContext& ctx, std::string_view key, Entry* e) {
    if (zset::length(e->value) == 0) ctx.ks.remove(*ctx.db, key);
}

// ---- ZADD / ZINCRBY ---------------------------------------------------------------------------

void zadd_generic(CommandContext& ctx, int flags) {
    bool ch = false;
    size_t idx = 2;
    for (; idx < ctx.argc(); ++idx) {
        std::string_view o = ctx.arg(idx);
        if (iequals(o, "nx"))
            flags |= zset::kAddNX;
        else if (iequals(o, "xx"))
            flags |= zset::kAddXX;
        else if (iequals(o, "ch"))
            ch = true;
        else if (iequals(o, "incr"))
            flags |= zset::kAddIncr;
        else if (iequals(o, "gt"))
            flags |= zset::kAddGT;
        else if (iequals(o, "lt"))
            flags |= zset::kAddLT;
        else
            break;
    }
    const bool incr = flags & zset::kAddIncr, nx = flags & zset::kAddNX, xx = flags & zset::kAddXX,
               gt = flags & zset::kAddGT, lt = flags & zset::kAddLT;
    const size_t elements = ctx.argc() - idx;
    if (elements == 0 || elements % 2) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    const size_t pairs = elements / 2;
    if (nx && xx) {
        ctx.reply.error("ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        ctx.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && pairs > 1) {
        ctx.reply.error("ERR INCR option supports a single increment-element pair");
        return;
    }
    double small[16];
    std::vector<double> large;
    double* scores = small;
    if (pairs > 16) {
        large.resize(pairs);
        scores = large.data();
    }
    for (size_t j = 0; j < pairs; ++j) {
        auto d = parse_double(ctx.arg(idx + 2 * j));
        if (!d) {
            ctx.reply.error(kErrNotFloat);
            return;
        }
        scores[j] = *d;
    }
    const std::string_view key = ctx.arg(1);
    bool wrong = false;
    Entry* e = write_zset(ctx, key, wrong);
    if (wrong) return;
    size_t added = 0, updated = 0, processed = 0;
    double score = 0;
    if (!e && xx) {
        // nothing to do
    } else {
        const zset::Limits lim = limits(ctx);
        if (!e) e = ctx.ks.add(*ctx.db, key, zset::create_for_add(ctx.arg(idx + 1), lim));
        for (size_t j = 0; j < pairs; ++j) {
            int out = 0;
            double newscore = 0;
            if (!zset::add(e->value, scores[j], ctx.arg(idx + 2 * j + 1), flags, out, &newscore,
                           lim)) {
                ctx.reply.error(kErrNaN);
                if (added + updated) {
                    mark_dirty(ctx, added + updated);
                    signal_modified(ctx, key);
                }
                return;
            }
            if (out & zset::kOutAdded) ++added;
            if (out & zset::kOutUpdated) ++updated;
            if (!(out & zset::kOutNop)) ++processed;
            score = newscore;
        }
    }
    if (added + updated) {
        mark_dirty(ctx, added + updated);
        signal_modified(ctx, key);
    }
    if (incr) {
        if (processed)
            reply_score(ctx.reply, score);
        else
            ctx.reply.null();
    } else {
        ctx.reply.integer(static_cast<int64_t>(ch ? added + updated : added));
    }
}

void cmd_zadd(CommandContext& ctx) {
    zadd_generic(ctx, 0);
}
void cmd_zincrby(CommandContext& ctx) {
    zadd_generic(ctx, zset::kAddIncr);
}

void cmd_zrem(CommandContext& ctx) {
    remove_members_command(
        ctx, ValueType::ZSet, [](Value& v, std::string_view m) { return zset::remove(v, m); },
        [](const Value& v) { return zset::length(v); });
}

void cmd_zscore(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = read_zset(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    std::optional<double> s;
    if (e) s = zset::score(e->value, ctx.arg(2));
    if (s)
        reply_score(ctx.reply, *s);
    else
        ctx.reply.null();
}

void cmd_zmscore(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = read_zset(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    ctx.reply.array(ctx.argc() - 2);
    for (size_t j = 2; j < ctx.argc(); ++j) {
        std::optional<double> s;
        if (e) s = zset::score(e->value, ctx.arg(j));
        if (s)
            reply_score(ctx.reply, *s);
        else
            ctx.reply.null();
    }
}

void cmd_zcard(CommandContext& ctx) {
    bool wrong = false;
    Entry* e = read_zset(ctx, ctx.arg(1), wrong);
    if (wrong) return;
    ctx.reply.integer(e ? static_cast<int64_t>(zset::length(e->value)) : 0);
}

// ZCOUNT / ZLEXCOUNT: the number of members in a score or lex range.
template <typename Range, typename Parse, typename Ranks>
void count_in_range(CommandContext& ctx, Parse&& parse, std::string_view error, Ranks&& ranks) {
    Range r;
    if (!parse(ctx.arg(2), ctx.arg(3), r)) {
        ctx.reply.error(error);
        return;
    }
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { ctx.reply.integer(0); });
    if (!e) return;
    auto [lo, hi] = ranks(e->value, r);
    ctx.reply.integer(hi > lo ? static_cast<int64_t>(hi - lo) : 0);
}

void cmd_zcount(CommandContext& ctx) {
    count_in_range<ScoreRange>(
        ctx, parse_score_range, kErrMinMaxFloat,
        [](const Value& v, const ScoreRange& r) { return zset::score_ranks(v, r); });
}

void cmd_zlexcount(CommandContext& ctx) {
    count_in_range<LexRange>(
        ctx, parse_lex_range, kErrMinMaxLex,
        [](const Value& v, const LexRange& r) { return zset::lex_ranks(v, r); });
}

// ---- ZRANGE family ----------------------------------------------------------------------------

enum class RangeType { Auto, Rank, Score, Lex };
enum class Direction { Auto, Forward, Reverse };

// Emits the chosen elements: to the client, or collected for ZRANGESTORE.
struct RangeSink {
    CommandContext& ctx;
    bool store;
    bool withscores;
    std::vector<std::pair<std::string, double>> items;

    void begin(size_t n) {
        if (!store) reply_elements_header(ctx.reply, n, withscores);
    }
    void emit(std::string_view m, double s) {
        if (store)
            items.emplace_back(std::string(m), s);
        else
            reply_element(ctx.reply, m, s, withscores);
    }
};

void finish_store(CommandContext& ctx, std::string_view dst,
                  std::vector<std::pair<std::string, double>>& items, bool reversed) {
    if (items.empty()) {
        ctx.reply.integer(0);
        if (ctx.ks.remove(*ctx.db, dst)) key_changed(ctx, dst);
        return;
    }
    if (reversed) std::reverse(items.begin(), items.end());
    const size_t n = items.size();
    ctx.ks.set(*ctx.db, dst, zset::build_sorted(items, limits(ctx)));
    key_changed(ctx, dst);
    ctx.reply.integer(static_cast<int64_t>(n));
}

void zrange_generic(CommandContext& ctx, size_t argc_start, bool store, RangeType type,
                    Direction dir) {
    const std::string_view key = ctx.arg(argc_start);
    size_t minidx = argc_start + 1, maxidx = argc_start + 2;
    bool withscores = false;
    int64_t offset = 0, limit = -1;
    for (size_t j = argc_start + 3; j < ctx.argc(); ++j) {
        const size_t left = ctx.argc() - j - 1;
        std::string_view o = ctx.arg(j);
        if (!store && iequals(o, "withscores")) {
            withscores = true;
        } else if (iequals(o, "limit") && left >= 2) {
            auto a = int_arg(ctx, ctx.arg(j + 1));
            if (!a) return;
            auto b = int_arg(ctx, ctx.arg(j + 2));
            if (!b) return;
            offset = *a;
            limit = *b;
            j += 2;
        } else if (dir == Direction::Auto && iequals(o, "rev")) {
            dir = Direction::Reverse;
        } else if (type == RangeType::Auto && iequals(o, "bylex")) {
            type = RangeType::Lex;
        } else if (type == RangeType::Auto && iequals(o, "byscore")) {
            type = RangeType::Score;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    if (dir == Direction::Auto) dir = Direction::Forward;
    if (type == RangeType::Auto) type = RangeType::Rank;
    const bool reverse = dir == Direction::Reverse;
    if (limit != -1 && type == RangeType::Rank) {
        ctx.reply.error(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
            "BYLEX");
        return;
    }
    if (withscores && type == RangeType::Lex) {
        ctx.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    if (reverse && type != RangeType::Rank) std::swap(minidx, maxidx);
    int64_t start = 0, end = 0;
    ScoreRange sr;
    LexRange lr;
    switch (type) {
        case RangeType::Auto:
        case RangeType::Rank: {
            auto a = int_arg(ctx, ctx.arg(minidx));
            if (!a) return;
            auto b = int_arg(ctx, ctx.arg(maxidx));
            if (!b) return;
            start = *a;
            end = *b;
            break;
        }
        case RangeType::Score:
            if (!parse_score_range(ctx.arg(minidx), ctx.arg(maxidx), sr)) {
                ctx.reply.error(kErrMinMaxFloat);
                return;
            }
            break;
        case RangeType::Lex:
            if (!parse_lex_range(ctx.arg(minidx), ctx.arg(maxidx), lr)) {
                ctx.reply.error(kErrMinMaxLex);
                return;
            }
            break;
    }
    RangeSink sink{ctx, store, withscores || store, {}};
    bool wrong = false;
    Entry* e = read_zset(ctx, key, wrong);
    if (wrong) return;
    if (!e) {
        if (store)
            finish_store(ctx, ctx.arg(1), sink.items, false);
        else
            ctx.reply.empty_array();
        return;
    }
    const Value& v = e->value;
    const int64_t llen = static_cast<int64_t>(zset::length(v));
    size_t first = 0, count = 0;  // ascending rank of the first element emitted, and how many
    if (type == RangeType::Rank) {
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (!(start > end || start >= llen)) {
            if (end >= llen) end = llen - 1;
            count = static_cast<size_t>(end - start + 1);
            first = reverse ? static_cast<size_t>(llen - 1 - start) : static_cast<size_t>(start);
        }
    } else if (!(offset > 0 && offset >= llen) && offset >= 0 && limit != 0) {
        auto [lo, hi] =
            type == RangeType::Score ? zset::score_ranks(v, sr) : zset::lex_ranks(v, lr);
        if (hi > lo) {
            const size_t avail = hi - lo;
            if (static_cast<uint64_t>(offset) < avail) {
                count = avail - static_cast<size_t>(offset);
                if (limit > 0 && static_cast<uint64_t>(limit) < count)
                    count = static_cast<size_t>(limit);
                first = reverse ? hi - 1 - static_cast<size_t>(offset)
                                : lo + static_cast<size_t>(offset);
            }
        }
    }
    if (store) {
        sink.items.reserve(count);
        zset::walk(v, first, count, reverse,
                   [&](std::string_view m, double s) { sink.emit(m, s); });
        // Redis adds the elements one by one to a listpack (a skiplist when a rank range is
        // known to be too long) that converts as it grows; the scores of the elements that went
        // through the listpack lost the sign of a -0.
        const zset::Limits lim = limits(ctx);
        bool lp = !(type == RangeType::Rank && count > lim.max_entries);
        size_t in_lp = 0;
        for (auto& [m, s] : sink.items) {
            if (!lp) break;
            if (in_lp + 1 > lim.max_entries || m.size() > lim.max_value) {
                lp = false;
                break;
            }
            if (s == 0) s = 0.0;
            ++in_lp;
        }
        finish_store(ctx, ctx.arg(1), sink.items, reverse);
        return;
    }
    sink.begin(count);
    zset::walk(v, first, count, reverse, [&](std::string_view m, double s) { sink.emit(m, s); });
}

void cmd_zrange(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Auto, Direction::Auto);
}
void cmd_zrangestore(CommandContext& ctx) {
    zrange_generic(ctx, 2, true, RangeType::Auto, Direction::Auto);
}
void cmd_zrevrange(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Rank, Direction::Reverse);
}
void cmd_zrangebyscore(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Forward);
}
void cmd_zrevrangebyscore(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Reverse);
}
void cmd_zrangebylex(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Forward);
}
void cmd_zrevrangebylex(CommandContext& ctx) {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Reverse);
}

void zrank_generic(CommandContext& ctx, bool reverse) {
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { ctx.reply.null(); });
    if (!e) return;
    auto r = zset::rank(e->value, ctx.arg(2));
    if (!r) {
        ctx.reply.null();
        return;
    }
    const size_t n = zset::length(e->value);
    ctx.reply.integer(static_cast<int64_t>(reverse ? n - 1 - *r : *r));
}
void cmd_zrank(CommandContext& ctx) {
    zrank_generic(ctx, false);
}
void cmd_zrevrank(CommandContext& ctx) {
    zrank_generic(ctx, true);
}

// ---- ZREMRANGEBY* -----------------------------------------------------------------------------

void zremrange_generic(CommandContext& ctx, RangeType type) {
    int64_t start = 0, end = 0;
    ScoreRange sr;
    LexRange lr;
    if (type == RangeType::Rank) {
        auto a = int_arg(ctx, ctx.arg(2));
        if (!a) return;
        auto b = int_arg(ctx, ctx.arg(3));
        if (!b) return;
        start = *a;
        end = *b;
    } else if (type == RangeType::Score) {
        if (!parse_score_range(ctx.arg(2), ctx.arg(3), sr)) {
            ctx.reply.error(kErrMinMaxFloat);
            return;
        }
    } else if (!parse_lex_range(ctx.arg(2), ctx.arg(3), lr)) {
        ctx.reply.error(kErrMinMaxLex);
        return;
    }
    Entry* e = write_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { ctx.reply.integer(0); });
    if (!e) return;
    size_t first = 0, count = 0;
    if (type == RangeType::Rank) {
        const int64_t llen = static_cast<int64_t>(zset::length(e->value));
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            ctx.reply.integer(0);
            return;
        }
        if (end >= llen) end = llen - 1;
        first = static_cast<size_t>(start);
        count = static_cast<size_t>(end - start + 1);
    } else {
        auto [lo, hi] = type == RangeType::Score ? zset::score_ranks(e->value, sr)
                                                 : zset::lex_ranks(e->value, lr);
        if (hi > lo) {
            first = lo;
            count = hi - lo;
        }
    }
    zset::erase_ranks(e->value, first, count);
    if (count) {
        delete_if_empty(ctx, ctx.arg(1), e);
        mark_dirty(ctx, count);
        signal_modified(ctx, ctx.arg(1));
    }
    ctx.reply.integer(static_cast<int64_t>(count));
}
void cmd_zremrangebyrank(CommandContext& ctx) {
    zremrange_generic(ctx, RangeType::Rank);
}
void cmd_zremrangebyscore(CommandContext& ctx) {
    zremrange_generic(ctx, RangeType::Score);
}
void cmd_zremrangebylex(CommandContext& ctx) {
    zremrange_generic(ctx, RangeType::Lex);
}

// ---- pops -------------------------------------------------------------------------------------

// Redis's genericZpopCommand. count -1 = a plain single pop.
void generic_pop(CommandContext& ctx, std::span<const std::string_view> keys, bool max,
                 bool emitkey, int64_t count, bool nested, bool nil_when_empty) {
    Entry* e = nullptr;
    std::string_view key;
    for (std::string_view k : keys) {
        bool wrong = false;
        e = write_zset(ctx, k, wrong);
        if (wrong) return;
        if (e) {
            key = k;
            break;
        }
    }
    if (!e) {
        if (nil_when_empty)
            ctx.reply.null_array();
        else
            ctx.reply.empty_array();
        return;
    }
    if (count == 0) {
        ctx.reply.empty_array();
        return;
    }
    const bool single = count == -1;
    if (count == -1) count = 1;
    const size_t llen = zset::length(e->value);
    const size_t n = static_cast<uint64_t>(count) > llen ? llen : static_cast<size_t>(count);
    Reply& r = ctx.reply;
    if (!nested && !emitkey) {
        r.array(n * 2);
    } else if (nested && !emitkey) {
        r.array(n);
    } else if (!nested && emitkey) {
        r.array(n * 2 + 1);
        r.bulk(key);
    } else {
        r.array(2);
        r.bulk(key);
        r.array(n);
    }
    const size_t first = max ? llen - 1 : 0;
    zset::walk(e->value, first, n, max, [&](std::string_view m, double s) {
        if (nested) r.array(2);
        r.bulk(m);
        reply_score(r, s);
    });
    zset::erase_ranks(e->value, max ? llen - n : 0, n);
    delete_if_empty(ctx, key, e);
    mark_dirty(ctx, n);
    signal_modified(ctx, key);
    // BZPOP*/ZMPOP/BZMPOP travel as ZPOPMIN/ZPOPMAX key [count popped].
    if (emitkey) {
        const std::string_view pop = max ? "ZPOPMAX" : "ZPOPMIN";
        if (single) {
            ctx.propagate_as({pop, key});
        } else {
            const std::string popped = std::to_string(n);
            ctx.propagate_as({pop, key, popped});
        }
    }
}

void zpop_minmax(CommandContext& ctx, bool max) {
    if (ctx.argc() > 3) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    int64_t count = -1;
    if (ctx.argc() == 3) {
        auto c = range_long(ctx, ctx.arg(2), 0, INT64_MAX,
                            "ERR value is out of range, must be positive");
        if (!c) {
            return;
        }
        count = *c;
    }
    const bool nested = ctx.reply.resp() > 2 && count != -1;
    generic_pop(ctx, ctx.argv.subspan(1, 1), max, false, count, nested, false);
}
void cmd_zpopmin(CommandContext& ctx) {
    zpop_minmax(ctx, false);
}
void cmd_zpopmax(CommandContext& ctx) {
    zpop_minmax(ctx, true);
}

void blocking_pop(CommandContext& ctx, std::span<const std::string_view> keys, bool max,
                  size_t timeout_idx, int64_t count, bool nested, bool nil_when_empty) {
    auto timeout = block_timeout_arg(ctx, ctx.arg(timeout_idx));
    if (!timeout) return;
    for (std::string_view k : keys_to_serve(ctx, keys)) {
        bool wrong = false;
        Entry* e = write_zset(ctx, k, wrong);
        if (wrong) return;
        if (!e) continue;
        generic_pop(ctx, std::span<const std::string_view>(&k, 1), max, true, count, nested,
                    nil_when_empty);
        return;
    }
    if (!ctx.can_block()) {
        ctx.reply.null_array();
        return;
    }
    ctx.server.block_client(ctx, keys, *timeout, ValueType::ZSet, true);
}
void cmd_bzpopmin(CommandContext& ctx) {
    blocking_pop(ctx, ctx.argv.subspan(1, ctx.argc() - 2), false, ctx.argc() - 1, -1, false, false);
}
void cmd_bzpopmax(CommandContext& ctx) {
    blocking_pop(ctx, ctx.argv.subspan(1, ctx.argc() - 2), true, ctx.argc() - 1, -1, false, false);
}

void zmpop_generic(CommandContext& ctx, size_t numkeys_idx, bool block) {
    auto nk =
        range_long(ctx, ctx.arg(numkeys_idx), 1, INT64_MAX, "ERR numkeys should be greater than 0");
    if (!nk) return;
    const uint64_t numkeys = static_cast<uint64_t>(*nk);
    if (numkeys >= ctx.argc() - numkeys_idx - 1) {  // where_idx would be past the end
        ctx.reply.error(kErrSyntax);
        return;
    }
    const size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
    bool max;
    if (iequals(ctx.arg(where_idx), "min")) {
        max = false;
    } else if (iequals(ctx.arg(where_idx), "max")) {
        max = true;
    } else {
        ctx.reply.error(kErrSyntax);
        return;
    }
    int64_t count = -1;
    for (size_t j = where_idx + 1; j < ctx.argc(); ++j) {
        const size_t more = ctx.argc() - 1 - j;
        if (count == -1 && iequals(ctx.arg(j), "count") && more) {
            ++j;
            auto c =
                range_long(ctx, ctx.arg(j), 1, INT64_MAX, "ERR count should be greater than 0");
            if (!c) return;
            count = *c;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    if (count == -1) count = 1;
    auto keys = ctx.argv.subspan(numkeys_idx + 1, static_cast<size_t>(numkeys));
    if (block)
        blocking_pop(ctx, keys, max, 1, count, true, true);
    else
        generic_pop(ctx, keys, max, true, count, true, true);
}
void cmd_zmpop(CommandContext& ctx) {
    zmpop_generic(ctx, 1, false);
}
void cmd_bzmpop(CommandContext& ctx) {
    zmpop_generic(ctx, 2, true);
}

// ---- ZUNION / ZINTER / ZDIFF ------------------------------------------------------------------

enum class SetOp { Union, Inter, Diff };
enum class Aggregate { Sum, Min, Max };

// One input: a sorted set, a plain set (scores 1) or a missing key.
struct OpSource {
    const Value* v = nullptr;
    double weight = 1.0;
    size_t size() const {
        if (!v) return 0;
        if (v->type() == ValueType::ZSet) return zset::length(*v);
        return set_type::size(*v);
    }
    template <typename F>
    void for_each(F&& fn) const {
        if (!v) return;
        if (v->type() == ValueType::ZSet) {
            zset::walk(*v, 0, zset::length(*v), false, fn);
            return;
        }
        set_type::for_each(*v, [&](std::string_view m) { fn(m, 1.0); });
    }
    std::optional<double> find(std::string_view m) const {
        if (!v) return std::nullopt;
        if (v->type() == ValueType::ZSet) return zset::score(*v, m);
        if (set_type::contains(*v, m)) return 1.0;
        return std::nullopt;
    }
};

void aggregate(double& target, double val, Aggregate a) {
    if (a == Aggregate::Sum) {
        target += val;
        if (std::isnan(target)) target = 0.0;
    } else if (a == Aggregate::Min) {
        target = val < target ? val : target;
    } else {
        target = val > target ? val : target;
    }
}

struct StrHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void zsetop_generic(CommandContext& ctx, bool has_dst, size_t numkeys_idx, SetOp op,
                    bool cardinality_only) {
    auto nk = int_arg(ctx, ctx.arg(numkeys_idx));
    if (!nk) return;
    const int64_t setnum = *nk;
    if (setnum < 1) {
        ctx.reply.error("ERR at least 1 input key is needed for '" + ctx.cmd->full_name() +
                        "' command");
        return;
    }
    if (setnum > static_cast<int64_t>(ctx.argc() - (numkeys_idx + 1))) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    std::vector<OpSource> src(static_cast<size_t>(setnum));
    size_t j = numkeys_idx + 1;
    for (size_t i = 0; i < src.size(); ++i, ++j) {
        Entry* e = ctx.ks.lookup_read(*ctx.db, ctx.arg(j));
        if (e) {
            const ValueType t = e->value.type();
            if (t != ValueType::ZSet && t != ValueType::Set) {
                ctx.reply.error(kErrWrongType);
                return;
            }
            src[i].v = &e->value;
        }
    }
    Aggregate agg = Aggregate::Sum;
    bool withscores = false;
    int64_t limit = 0;
    while (j < ctx.argc()) {
        const size_t remaining = ctx.argc() - j;
        std::string_view o = ctx.arg(j);
        if (op != SetOp::Diff && !cardinality_only && remaining >= src.size() + 1 &&
            iequals(o, "weights")) {
            ++j;
            for (size_t i = 0; i < src.size(); ++i, ++j) {
                auto w = parse_double(ctx.arg(j));
                if (!w) {
                    ctx.reply.error("ERR weight value is not a float");
                    return;
                }
                src[i].weight = *w;
            }
        } else if (op != SetOp::Diff && !cardinality_only && remaining >= 2 &&
                   iequals(o, "aggregate")) {
            std::string_view a = ctx.arg(j + 1);
            if (iequals(a, "sum")) {
                agg = Aggregate::Sum;
            } else if (iequals(a, "min")) {
                agg = Aggregate::Min;
            } else if (iequals(a, "max")) {
                agg = Aggregate::Max;
            } else {
                ctx.reply.error(kErrSyntax);
                return;
            }
            j += 2;
        } else if (remaining >= 1 && !has_dst && !cardinality_only && iequals(o, "withscores")) {
            ++j;
            withscores = true;
        } else if (cardinality_only && remaining >= 2 && iequals(o, "limit")) {
            auto l = range_long(ctx, ctx.arg(j + 1), 0, INT64_MAX, "ERR LIMIT can't be negative");
            if (!l) return;
            limit = *l;
            j += 2;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    if (op != SetOp::Diff) {
        std::stable_sort(src.begin(), src.end(),
                         [](const OpSource& a, const OpSource& b) { return a.size() < b.size(); });
    }
    std::vector<std::pair<std::string, double>> out;
    uint64_t cardinality = 0;
    if (op == SetOp::Inter) {
        if (src[0].size() > 0) {
            bool stop = false;
            src[0].for_each([&](std::string_view m, double s0) {
                if (stop) return;
                double score = src[0].weight * s0;
                if (std::isnan(score)) score = 0;
                size_t k = 1;
                for (; k < src.size(); ++k) {
                    if (src[k].v == src[0].v) {
                        aggregate(score, s0 * src[k].weight, agg);
                    } else if (auto s = src[k].find(m)) {
                        aggregate(score, *s * src[k].weight, agg);
                    } else {
                        break;
                    }
                }
                if (k != src.size()) return;
                if (cardinality_only) {
                    ++cardinality;
                    if (limit && cardinality >= static_cast<uint64_t>(limit)) stop = true;
                } else {
                    out.emplace_back(std::string(m), score);
                }
            });
        }
    } else if (op == SetOp::Union) {
        std::unordered_map<std::string, double, StrHash, std::equal_to<>> acc;
        if (!src.empty()) acc.reserve(src.back().size());
        std::vector<const std::string*> order;
        for (const OpSource& s : src) {
            s.for_each([&](std::string_view m, double sc) {
                double score = s.weight * sc;
                if (std::isnan(score)) score = 0;
                auto it = acc.find(m);
                if (it == acc.end())
                    acc.emplace(std::string(m), score);
                else
                    aggregate(it->second, score, agg);
            });
        }
        out.reserve(acc.size());
        for (auto& [m, s] : acc) out.emplace_back(m, s);
    } else {
        // Members of the first input that no other input holds, with their first-input scores.
        src[0].for_each([&](std::string_view m, double s0) {
            for (size_t k = 1; k < src.size(); ++k) {
                if (src[k].v == src[0].v || src[k].find(m)) return;
            }
            out.emplace_back(std::string(m), s0);
        });
    }
    if (cardinality_only) {
        ctx.reply.integer(static_cast<int64_t>(cardinality));
        return;
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        if (a.second != b.second) return a.second < b.second;
        return ZIndex::compare_members(a.first, b.first) < 0;
    });
    if (has_dst) {
        const std::string_view dst = ctx.arg(1);
        if (out.empty()) {
            ctx.reply.integer(0);
            if (ctx.ks.remove(*ctx.db, dst)) key_changed(ctx, dst);
            return;
        }
        // Redis builds the result as a skiplist, so -0.0 survives until a listpack stores it.
        const size_t n = out.size();
        ctx.ks.set(*ctx.db, dst, zset::build_sorted(out, limits(ctx)));
        key_changed(ctx, dst);
        ctx.reply.integer(static_cast<int64_t>(n));
        return;
    }
    reply_elements_header(ctx.reply, out.size(), withscores);
    for (const auto& [m, s] : out) reply_element(ctx.reply, m, s, withscores);
}

void cmd_zunionstore(CommandContext& ctx) {
    zsetop_generic(ctx, true, 2, SetOp::Union, false);
}
void cmd_zinterstore(CommandContext& ctx) {
    zsetop_generic(ctx, true, 2, SetOp::Inter, false);
}
void cmd_zdiffstore(CommandContext& ctx) {
    zsetop_generic(ctx, true, 2, SetOp::Diff, false);
}
void cmd_zunion(CommandContext& ctx) {
    zsetop_generic(ctx, false, 1, SetOp::Union, false);
}
void cmd_zinter(CommandContext& ctx) {
    zsetop_generic(ctx, false, 1, SetOp::Inter, false);
}
void cmd_zdiff(CommandContext& ctx) {
    zsetop_generic(ctx, false, 1, SetOp::Diff, false);
}
void cmd_zintercard(CommandContext& ctx) {
    zsetop_generic(ctx, false, 1, SetOp::Inter, true);
}

// ---- ZRANDMEMBER ------------------------------------------------------------------------------

void cmd_zrandmember(CommandContext& ctx) {
    if (ctx.argc() >= 3) {
        auto l = range_long(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX, "");
        if (!l) return;
        bool withscores = false;
        if (ctx.argc() > 4 || (ctx.argc() == 4 && !iequals(ctx.arg(3), "withscores"))) {
            ctx.reply.error(kErrSyntax);
            return;
        }
        if (ctx.argc() == 4) {
            withscores = true;
            if (*l < -INT64_MAX / 2 || *l > INT64_MAX / 2) {
                ctx.reply.error("ERR value is out of range");
                return;
            }
        }
        Entry* e =
            read_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { ctx.reply.empty_array(); });
        if (!e) return;
        const Value& v = e->value;
        const size_t size = zset::length(v);
        const bool uniq = *l >= 0;
        const uint64_t count = uniq ? static_cast<uint64_t>(*l) : static_cast<uint64_t>(-*l);
        if (count == 0) {
            ctx.reply.empty_array();
            return;
        }
        auto& rng = ctx.ks.rng;
        if (!uniq || count == 1) {
            reply_elements_header(ctx.reply, count, withscores);
            for (uint64_t i = 0; i < count; ++i)
                zset::random_element(v, rng, [&](std::string_view m, double s) {
                    reply_element(ctx.reply, m, s, withscores);
                });
            return;
        }
        if (count >= size) {
            reply_elements_header(ctx.reply, size, withscores);
            zset::walk(v, 0, size, false, [&](std::string_view m, double s) {
                reply_element(ctx.reply, m, s, withscores);
            });
            return;
        }
        // count < size: a random choice of `count` distinct ranks, in random order.
        std::vector<size_t> ranks(size);
        for (size_t i = 0; i < size; ++i) ranks[i] = i;
        for (size_t i = 0; i < count; ++i) {
            const size_t k = i + static_cast<size_t>(rng() % (size - i));
            std::swap(ranks[i], ranks[k]);
        }
        reply_elements_header(ctx.reply, count, withscores);
        for (size_t i = 0; i < count; ++i)
            zset::walk(v, ranks[i], 1, false, [&](std::string_view m, double s) {
                reply_element(ctx.reply, m, s, withscores);
            });
        return;
    }
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { ctx.reply.null(); });
    if (!e) return;
    zset::random_element(e->value, ctx.ks.rng,
                         [&](std::string_view m, double) { ctx.reply.bulk(m); });
}

// ---- ZSCAN ------------------------------------------------------------------------------------

void cmd_zscan(CommandContext& ctx) {
    CollectionScanArgs args;
    if (!parse_scan_cursor(ctx, ctx.arg(2), args.cursor)) return;
    Entry* e = read_typed_or(ctx, ctx.arg(1), ValueType::ZSet, [&] { reply_empty_scan(ctx); });
    if (!e) return;
    if (!parse_scan_options(ctx, args)) return;
    const auto& pattern = args.pattern;
    std::vector<std::pair<std::string, std::string>> items;
    uint64_t next = 0;
    const Value& v = e->value;
    if (zset::is_listpack(v)) {
        zset::LpRef lp(v);
        char buf[Listpack::kIntBufSize], sbuf[Listpack::kIntBufSize];
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone;) {
            const Listpack::Pos sp = lp->next(p);
            items.emplace_back(std::string(lp->get_str(p, buf)),
                               std::string(lp->get_str(sp, sbuf)));
            p = lp->next(sp);
        }
    } else {
        next = scan_dict(zset::big(v)->dict, args.cursor, args.count, [&](Entry* me) {
            char buf[40];
            const size_t n = zset::format_score(buf, sizeof buf, zset::entry_score(me));
            items.emplace_back(std::string(me->key()), std::string(buf, n));
        });
    }
    size_t kept = 0;
    for (const auto& [m, s] : items)
        if (!pattern || glob_match(*pattern, m)) ++kept;
    ctx.reply.array(2);
    ctx.reply.bulk_int(static_cast<int64_t>(next));
    ctx.reply.array(kept * 2);
    for (const auto& [m, s] : items) {
        if (pattern && !glob_match(*pattern, m)) continue;
        ctx.reply.bulk(m);
        ctx.reply.bulk(s);
    }
}

}  // namespace

void register_zset_commands(CommandTable& t) {
    zset::register_ops();
    constexpr uint32_t W = kCmdWrite, R = kCmdReadonly, D = kCmdDenyOom, F = kCmdFast,
                       B = kCmdBlocking, N = kCmdNoscript;
    auto add = [&](const char* name, int arity, uint32_t flags, int first, int last, int step,
                   CommandHandler h) {
        // @write/@read/@fast/@slow/@blocking follow from the flags (CommandTable::add).
        t.add(CommandSpec{.name = name,
                          .arity = arity,
                          .flags = flags,
                          .acl = kAclSortedSet,
                          .first_key = first,
                          .last_key = last,
                          .key_step = step,
                          .handler = h});
    };
    add("zadd", -4, W | D | F, 1, 1, 1, cmd_zadd);
    add("zincrby", 4, W | D | F, 1, 1, 1, cmd_zincrby);
    add("zrem", -3, W | F, 1, 1, 1, cmd_zrem);
    add("zscore", 3, R | F, 1, 1, 1, cmd_zscore);
    add("zmscore", -3, R | F, 1, 1, 1, cmd_zmscore);
    add("zcard", 2, R | F, 1, 1, 1, cmd_zcard);
    add("zcount", 4, R | F, 1, 1, 1, cmd_zcount);
    add("zlexcount", 4, R | F, 1, 1, 1, cmd_zlexcount);
    add("zrange", -4, R, 1, 1, 1, cmd_zrange);
    add("zrangestore", -5, W | D, 1, 2, 1, cmd_zrangestore);
    add("zrangebyscore", -4, R, 1, 1, 1, cmd_zrangebyscore);
    add("zrevrangebyscore", -4, R, 1, 1, 1, cmd_zrevrangebyscore);
    add("zrangebylex", -4, R, 1, 1, 1, cmd_zrangebylex);
    add("zrevrangebylex", -4, R, 1, 1, 1, cmd_zrevrangebylex);
    add("zrevrange", -4, R, 1, 1, 1, cmd_zrevrange);
    add("zrank", 3, R | F, 1, 1, 1, cmd_zrank);
    add("zrevrank", 3, R | F, 1, 1, 1, cmd_zrevrank);
    add("zremrangebyrank", 4, W, 1, 1, 1, cmd_zremrangebyrank);
    add("zremrangebyscore", 4, W, 1, 1, 1, cmd_zremrangebyscore);
    add("zremrangebylex", 4, W, 1, 1, 1, cmd_zremrangebylex);
    add("zpopmin", -2, W | F, 1, 1, 1, cmd_zpopmin);
    add("zpopmax", -2, W | F, 1, 1, 1, cmd_zpopmax);
    add("bzpopmin", -3, W | N | F | B, 1, -2, 1, cmd_bzpopmin);
    add("bzpopmax", -3, W | N | F | B, 1, -2, 1, cmd_bzpopmax);
    add("zmpop", -4, W, 0, 0, 0, cmd_zmpop);
    add("bzmpop", -5, W | B, 0, 0, 0, cmd_bzmpop);
    add("zunionstore", -4, W | D, 1, 1, 1, cmd_zunionstore);
    add("zinterstore", -4, W | D, 1, 1, 1, cmd_zinterstore);
    add("zdiffstore", -4, W | D, 1, 1, 1, cmd_zdiffstore);
    add("zunion", -3, R, 0, 0, 0, cmd_zunion);
    add("zinter", -3, R, 0, 0, 0, cmd_zinter);
    add("zdiff", -3, R, 0, 0, 0, cmd_zdiff);
    add("zintercard", -3, R, 0, 0, 0, cmd_zintercard);
    add("zrandmember", -2, R, 1, 1, 1, cmd_zrandmember);
    add("zscan", -3, R, 1, 1, 1, cmd_zscan);
}

}  // namespace snapstream
