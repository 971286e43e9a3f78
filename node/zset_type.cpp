// Sorted set representation and operations (see zset_type.h for the encodings and the
// conversion rules).
#include "node/zset_type.h"

#include <malloc.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace snapstream::zset {

bool score_as_int(double d, int64_t& out) {
    // Redis's double2ll: whole numbers within +-LLONG_MAX/2 are stored as integers.
    constexpr double kLim = static_cast<double>(INT64_MAX / 2);
    if (!(d >= -kLim && d <= kLim)) return false;
    const auto ll = static_cast<int64_t>(d);
    if (static_cast<double>(ll) != d) return false;
    out = ll;
    return true;
}

size_t format_score(char* buf, size_t cap, double d) {
    if (std::isinf(d)) {
        const char* s = d > 0 ? "inf" : "-inf";
        const size_t n = std::strlen(s);
        std::memcpy(buf, s, n);
        return n;
    }
    const int n = std::snprintf(buf, cap, "%.17g", d);
    return static_cast<size_t>(n);
}

double lp_score(const Listpack& lp, Listpack::Pos pos) {
    const Listpack::Item it = lp.get(pos);
    if (it.is_int) return static_cast<double>(it.num);
    char buf[128];
    const size_t n = std::min(it.str.size(), sizeof(buf) - 1);
    std::memcpy(buf, it.str.data(), n);
    buf[n] = '\0';
    return std::strtod(buf, nullptr);
}

namespace {

// Text of a non-integer score as stored in a listpack (Redis's d2string).
size_t d2string(char* buf, size_t cap, double d) {
    if (d == 0) {
        std::memcpy(buf, std::signbit(d) ? "-0" : "0", std::signbit(d) ? 2 : 1);
        return std::signbit(d) ? 2 : 1;
    }
    return format_score(buf, cap, d);
}

int compare_member_at(const Listpack& lp, Listpack::Pos p, std::string_view m) {
    char buf[Listpack::kIntBufSize];
    return ZIndex::compare_members(lp.get_str(p, buf), m);
}

// Position of the member entry of `member`, or kNone; its score in *score.
Listpack::Pos lp_find(const Listpack& lp, std::string_view member, double* score) {
    Listpack::Pos p = lp.first();
    while (p != Listpack::kNone) {
        const Listpack::Pos sp = lp.next(p);
        if (lp.equals(p, member)) {
            if (score) *score = lp_score(lp, sp);
            return p;
        }
        p = lp.next(sp);
    }
    return Listpack::kNone;
}

// Inserts a pair before the member entry at `at` (kNone = append).
void lp_insert_pair_at(Listpack& lp, Listpack::Pos at, std::string_view member, double score) {
    if (at == Listpack::kNone) {
        lp_append_pair(lp, member, score);
        return;
    }
    const Listpack::Pos mp = lp.insert(at, member, false);
    int64_t ll;
    if (score_as_int(score, ll)) {
        lp.insert_int(mp, ll, true);
    } else {
        char buf[64];
        const size_t n = d2string(buf, sizeof buf, score);
        lp.insert(mp, std::string_view(buf, n), true);
    }
}

// Redis's zzlInsert: before the first element greater than (score, member).
void lp_insert_sorted(Listpack& lp, std::string_view member, double score) {
    Listpack::Pos p = lp.first();
    while (p != Listpack::kNone) {
        const Listpack::Pos sp = lp.next(p);
        const double s = lp_score(lp, sp);
        if (s > score || (s == score && compare_member_at(lp, p, member) > 0)) break;
        p = lp.next(sp);
    }
    lp_insert_pair_at(lp, p, member, score);
}

void big_insert(ZSetBig& z, std::string_view member, double score) {
    Entry* e = Entry::create(member, Value());
    set_entry_score(e, score);
    try {
        z.index.insert(score, e);
    } catch (...) {
        Entry::destroy(e);
        throw;
    }
    z.dict.insert(e);
}

void big_destroy(ZSetBig* z) {
    z->index.clear();
    z->dict.clear();
    delete z;
}

}  // namespace

void lp_append_pair(Listpack& lp, std::string_view member, double score) {
    lp.append(member);
    int64_t ll;
    if (score_as_int(score, ll)) {
        lp.append_int(ll);
    } else {
        char buf[64];
        const size_t n = d2string(buf, sizeof buf, score);
        lp.append(std::string_view(buf, n));
    }
}

Value create_listpack() {
    Listpack lp;
    return Value::object(ValueType::ZSet, Encoding::Listpack, lp.release());
}

Value create_big() {
    return Value::object(ValueType::ZSet, Encoding::Skiplist, new ZSetBig());
}

Value create_for_add(std::string_view first_member, const Limits& lim) {
    if (lim.max_entries == 0 || lim.max_value < first_member.size()) return create_big();
    return create_listpack();
}

size_t length(const Value& v) {
    if (is_listpack(v)) {
        LpRef lp(v);
        return lp->size() / 2;
    }
    return big(v)->index.size();
}

std::optional<double> score(const Value& v, std::string_view member) {
    if (is_listpack(v)) {
        LpRef lp(v);
        double s;
        if (lp_find(*lp, member, &s) == Listpack::kNone) return std::nullopt;
        return s;
    }
    Entry* e = big(v)->dict.find(member);
    if (!e) return std::nullopt;
    return entry_score(e);
}

void convert_to_big(Value& v) {
    if (!is_listpack(v)) return;
    auto* z = new ZSetBig();
    try {
        LpRef lp(v);
        char buf[Listpack::kIntBufSize];
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone;) {
            const Listpack::Pos sp = lp->next(p);
            big_insert(*z, lp->get_str(p, buf), lp_score(*lp, sp));
            p = lp->next(sp);
        }
    } catch (...) {
        big_destroy(z);
        throw;
    }
    std::free(v.obj());
    v.set_object(Encoding::Skiplist, z);
}

bool add(Value& v, double score, std::string_view member, int in, int& out, double* newscore,
         const Limits& lim) {
    const bool incr = in & kAddIncr, nx = in & kAddNX, xx = in & kAddXX, gt = in & kAddGT,
               lt = in & kAddLT;
    out = 0;
    if (std::isnan(score)) {
        out = kOutNaN;
        return false;
    }
    // Shared logic for an existing member with current score cur: returns false on NaN, sets
    // `apply` when the score must change.
    auto existing = [&](double cur, bool& apply) {
        apply = false;
        if (nx) {
            out |= kOutNop;
            return true;
        }
        if (incr) {
            score += cur;
            if (std::isnan(score)) {
                out |= kOutNaN;
                return false;
            }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) {
            out |= kOutNop;
            return true;
        }
        if (newscore) *newscore = score;
        if (score != cur) {
            apply = true;
            out |= kOutUpdated;
        }
        return true;
    };
    if (is_listpack(v)) {
        {
            LpRef lp(v);
            double cur;
            const Listpack::Pos p = lp_find(*lp, member, &cur);
            if (p != Listpack::kNone) {
                bool apply;
                if (!existing(cur, apply)) return false;
                if (apply) {
                    lp->erase(p, 2);
                    lp_insert_sorted(*lp, member, score);
                }
                return true;
            }
            if (xx) {
                out |= kOutNop;
                return true;
            }
            if (lp->size() / 2 + 1 <= lim.max_entries && member.size() <= lim.max_value &&
                Listpack::safe_to_add(lp->bytes(), member.size())) {
                lp_insert_sorted(*lp, member, score);
                if (newscore) *newscore = score;
                out |= kOutAdded;
                return true;
            }
        }
        convert_to_big(v);
    }
    ZSetBig& z = *big(v);
    Entry* e = z.dict.find(member);
    if (e) {
        const double cur = entry_score(e);
        bool apply;
        if (!existing(cur, apply)) return false;
        if (apply) {
            z.index.update(cur, e, score);
            set_entry_score(e, score);
        }
        return true;
    }
    if (xx) {
        out |= kOutNop;
        return true;
    }
    big_insert(z, member, score);
    if (newscore) *newscore = score;
    out |= kOutAdded;
    return true;
}

bool remove(Value& v, std::string_view member) {
    if (is_listpack(v)) {
        LpRef lp(v);
        const Listpack::Pos p = lp_find(*lp, member, nullptr);
        if (p == Listpack::kNone) return false;
        lp->erase(p, 2);
        return true;
    }
    ZSetBig& z = *big(v);
    Entry* e = z.dict.find(member);
    if (!e) return false;
    z.index.erase(entry_score(e), e);
    Entry::destroy(z.dict.unlink(member));
    return true;
}

std::optional<size_t> rank(const Value& v, std::string_view member) {
    if (is_listpack(v)) {
        LpRef lp(v);
        size_t r = 0;
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone; ++r) {
            if (lp->equals(p, member)) return r;
            p = lp->next(lp->next(p));
        }
        return std::nullopt;
    }
    ZSetBig& z = *big(v);
    Entry* e = z.dict.find(member);
    if (!e) return std::nullopt;
    return z.index.rank(entry_score(e), e);
}

namespace {

int cmp_lex(std::string_view m, const LexBound& b) {
    if (b.kind == LexBound::NegInf) return 1;
    if (b.kind == LexBound::PosInf) return -1;
    return ZIndex::compare_members(m, b.s);
}

}  // namespace

bool LexRange::gte_min(std::string_view m) const {
    const int c = cmp_lex(m, min);
    return min.ex ? c > 0 : c >= 0;
}
bool LexRange::lte_max(std::string_view m) const {
    const int c = cmp_lex(m, max);
    return max.ex ? c < 0 : c <= 0;
}

std::pair<size_t, size_t> score_ranks(const Value& v, const ScoreRange& r) {
    if (is_listpack(v)) {
        LpRef lp(v);
        size_t i = 0, lo = SIZE_MAX, hi = 0;
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone; ++i) {
            const Listpack::Pos sp = lp->next(p);
            const double s = lp_score(*lp, sp);
            if (lo == SIZE_MAX && r.gte_min(s)) lo = i;
            if (r.lte_max(s)) hi = i + 1;
            p = lp->next(sp);
        }
        if (lo == SIZE_MAX) return {0, 0};
        return {lo, hi};
    }
    const ZIndex& idx = big(v)->index;
    return {idx.lower_bound_score(r.min, r.minex), idx.upper_bound_score(r.max, r.maxex)};
}

std::pair<size_t, size_t> lex_ranks(const Value& v, const LexRange& r) {
    if (is_listpack(v)) {
        // Redis's listpack walk: the first element >= min, then on while <= max.
        LpRef lp(v);
        char buf[Listpack::kIntBufSize];
        size_t i = 0, lo = 0;
        Listpack::Pos p = lp->first();
        for (; p != Listpack::kNone; ++i) {
            if (r.gte_min(lp->get_str(p, buf))) break;
            p = lp->next(lp->next(p));
        }
        lo = i;
        for (; p != Listpack::kNone; ++i) {
            if (!r.lte_max(lp->get_str(p, buf))) break;
            p = lp->next(lp->next(p));
        }
        return {lo, i};
    }
    const ZIndex& idx = big(v)->index;
    const size_t lo = r.min.kind == LexBound::PosInf
                          ? idx.size()
                          : idx.lower_bound_lex(r.min.s, r.min.ex, r.min.kind == LexBound::NegInf);
    const size_t hi = r.max.kind == LexBound::NegInf
                          ? 0
                          : idx.upper_bound_lex(r.max.s, r.max.ex, r.max.kind == LexBound::PosInf);
    return {lo, hi};
}

void erase_ranks(Value& v, size_t first, size_t n) {
    if (n == 0) return;
    if (is_listpack(v)) {
        LpRef lp(v);
        lp->erase_range(static_cast<int64_t>(2 * first), static_cast<uint32_t>(2 * n));
        return;
    }
    ZSetBig& z = *big(v);
    z.index.erase_rank_range(first, n, [&](const ZIndex::Item& it) {
        Entry* e = z.dict.unlink(it.member());
        Entry::destroy(e);
    });
}

Value build_sorted(const std::vector<std::pair<std::string, double>>& items, const Limits& lim) {
    size_t maxlen = 0, total = 0;
    for (const auto& [m, s] : items) {
        maxlen = std::max(maxlen, m.size());
        total += m.size();
    }
    if (items.size() <= lim.max_entries && maxlen <= lim.max_value &&
        Listpack::safe_to_add(0, total)) {
        Listpack lp;
        for (const auto& [m, s] : items) lp_append_pair(lp, m, s);
        return Value::object(ValueType::ZSet, Encoding::Listpack, lp.release());
    }
    Value v = create_big();
    ZSetBig& z = *big(v);
    for (const auto& [m, s] : items) big_insert(z, m, s);
    return v;
}

namespace {

void ops_destroy(Encoding enc, void* obj) {
    if (enc == Encoding::Listpack)
        std::free(obj);
    else
        big_destroy(static_cast<ZSetBig*>(obj));
}

void* ops_clone(Encoding enc, const void* obj) {
    if (enc == Encoding::Listpack) {
        Listpack lp = Listpack::adopt(static_cast<uint8_t*>(const_cast<void*>(obj)));
        Listpack copy = lp.clone();
        lp.release();
        return copy.release();
    }
    const auto* src = static_cast<const ZSetBig*>(obj);
    auto* z = new ZSetBig();
    try {
        for (ZIndex::Cursor c = src->index.begin(); c.valid(); c.next())
            big_insert(*z, c.get().member(), c.get().score);
    } catch (...) {
        big_destroy(z);
        throw;
    }
    return z;
}

size_t ops_heap_bytes(Encoding enc, const void* obj) {
    if (enc == Encoding::Listpack) return malloc_usable_size(const_cast<void*>(obj));
    const auto* z = static_cast<const ZSetBig*>(obj);
    size_t n = sizeof(ZSetBig) + z->dict.buckets() * sizeof(Entry*) + z->index.memory_bytes();
    z->dict.for_each([&](Entry* e) { n += malloc_usable_size(e); });
    return n;
}

const ObjectOps kOps{ops_destroy, ops_clone, ops_heap_bytes};

}  // namespace

void register_ops() {
    register_object_ops(ValueType::ZSet, &kOps);
}

}  // namespace snapstream::zset
