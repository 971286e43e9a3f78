// Sorted sets: representation, conversion rules and the operations the commands (and the RDB
// writer/loader) build on.
//
// Two encodings, named as OBJECT ENCODING reports them (Redis 7.0):
//
//   "listpack"  Value::obj() is a listpack blob (node/listpack.h) of member, score, member,
//               score, ... pairs sorted by score, then by member bytes. A score is stored as
//               Redis stores it: as an integer entry when the double is a whole number that an
//               int64 holds without loss (|x| <= 2^62; -0.0 becomes 0), else as the text
//               "inf", "-inf" or "%.17g". Reading parses integers exactly and text with strtod.
//   "skiplist"  Value::obj() is a ZSetBig: a Dict member -> score (the score's bits live in the
//               entry's Value payload) plus a ZIndex (node/zset_index.h), the order-statistic
//               B+tree of (score, entry) that gives O(log n) rank, range and removal.
//
// Conversion rules (exactly Redis 7.0's t_zset.c):
//   - ZADD/ZINCRBY creating a key: "skiplist" if zset-max-listpack-entries is 0 or the first
//     member is longer than zset-max-listpack-value, else "listpack".
//   - Adding a new member to a listpack converts it to "skiplist" first when the count would pass
//     zset-max-listpack-entries, the member is longer than zset-max-listpack-value, or the blob
//     would pass 1 GiB.
//   - Store results (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE) are built knowing their
//     size: "listpack" iff count <= max-entries, longest member <= max-value and the members'
//     total length is safe for a listpack (build_sorted()).
//   - Nothing else converts back from "skiplist" to "listpack" (removals never do).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/dict.h"
#include "node/listpack.h"
#include "node/value.h"
#include "node/zset_index.h"

namespace snapstream {

struct ZSetBig {
    Dict dict;
    ZIndex index;
};

namespace zset {

struct Limits {
    size_t max_entries = 128;
    size_t max_value = 64;
};

// Score stored in a member entry of the big form.
inline double entry_score(const Entry* e) {
    const int64_t bits = e->value.int_value();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}
inline void set_entry_score(Entry* e, double d) {
    int64_t bits;
    std::memcpy(&bits, &d, sizeof d);
    e->value = Value::integer(bits);
}

// Redis's d2string for a score stored in a listpack or shown by ZSCAN of a listpack: returns
// true with `out` set when the double is stored as an integer.
bool score_as_int(double d, int64_t& out);
// Text of a score as Redis's addReplyDouble / %.17g ("inf", "-inf"); returns the length.
size_t format_score(char* buf, size_t cap, double d);

// Owning/borrowing wrapper that lends the listpack of a Value as a Listpack object and puts the
// (possibly moved) blob back when it goes out of scope.
class LpRef {
  public:
    explicit LpRef(const Value& v)
        : v_(const_cast<Value&>(v)), lp_(Listpack::adopt(static_cast<uint8_t*>(v.obj()))) {}
    ~LpRef() { v_.set_object(Encoding::Listpack, lp_.release()); }
    LpRef(const LpRef&) = delete;
    LpRef& operator=(const LpRef&) = delete;
    Listpack& operator*() { return lp_; }
    Listpack* operator->() { return &lp_; }

  private:
    Value& v_;
    Listpack lp_;
};

inline ZSetBig* big(const Value& v) {
    return static_cast<ZSetBig*>(v.obj());
}
inline bool is_listpack(const Value& v) {
    return v.encoding() == Encoding::Listpack;
}

// The score of the listpack score entry at `pos`.
double lp_score(const Listpack& lp, Listpack::Pos pos);
// Appends a (member, score) pair to a listpack (the caller keeps the order).
void lp_append_pair(Listpack& lp, std::string_view member, double score);

Value create_listpack();
Value create_big();
// The encoding ZADD chooses for a new key whose first member is `first_member`.
Value create_for_add(std::string_view first_member, const Limits& lim);

size_t length(const Value& v);
std::optional<double> score(const Value& v, std::string_view member);

enum AddIn : int { kAddIncr = 1, kAddNX = 2, kAddXX = 4, kAddGT = 8, kAddLT = 16 };
enum AddOut : int { kOutNaN = 1, kOutAdded = 2, kOutUpdated = 4, kOutNop = 8 };
// Redis's zsetAdd: returns false (kOutNaN) when the score or the incremented score is NaN.
bool add(Value& v, double score, std::string_view member, int in_flags, int& out_flags,
         double* newscore, const Limits& lim);
bool remove(Value& v, std::string_view member);

void convert_to_big(Value& v);

// 0-based rank in ascending order, or nullopt if absent.
std::optional<size_t> rank(const Value& v, std::string_view member);

// Visits `n` elements starting at ascending rank `first`, going up (or down when backward):
// fn(std::string_view member, double score). The member view is valid during the call only.
template <typename F>
void walk(const Value& v, size_t first, size_t n, bool backward, F&& fn);

struct ScoreRange {
    double min = 0, max = 0;
    bool minex = false, maxex = false;
    bool gte_min(double s) const { return minex ? s > min : s >= min; }
    bool lte_max(double s) const { return maxex ? s < max : s <= max; }
};
// Lexicographic bound: kind NegInf ("-"), PosInf ("+") or a value ("[x" / "(x").
struct LexBound {
    enum Kind { Value, NegInf, PosInf } kind = Value;
    std::string_view s;
    bool ex = false;
};
struct LexRange {
    LexBound min, max;
    bool gte_min(std::string_view m) const;
    bool lte_max(std::string_view m) const;
};

// Ascending ranks [lo, hi) of the elements in the range (hi <= lo: none).
std::pair<size_t, size_t> score_ranks(const Value& v, const ScoreRange& r);
std::pair<size_t, size_t> lex_ranks(const Value& v, const LexRange& r);

// Removes the elements at ascending ranks [first, first + n).
void erase_ranks(Value& v, size_t first, size_t n);

// A random element: fn(member, score).
template <typename F>
void random_element(const Value& v, std::mt19937_64& rng, F&& fn);

// Builds a sorted set from (member, score) pairs sorted by score then member, choosing the
// encoding as Redis does for store results (see the header comment).
Value build_sorted(const std::vector<std::pair<std::string, double>>& items, const Limits& lim);

// Object ops (destroy, clone, heap bytes) registration.
void register_ops();

// ---------------------------------------------------------------------------------------------

template <typename F>
void walk(const Value& v, size_t first, size_t n, bool backward, F&& fn) {
    if (n == 0) return;
    if (is_listpack(v)) {
        LpRef lp(v);
        Listpack::Pos p = lp->seek(static_cast<int64_t>(2 * first));
        char buf[Listpack::kIntBufSize];
        while (n-- > 0 && p != Listpack::kNone) {
            const Listpack::Pos sp = lp->next(p);
            fn(lp->get_str(p, buf), lp_score(*lp, sp));
            if (backward) {
                p = lp->prev(p);
                if (p != Listpack::kNone) p = lp->prev(p);
            } else {
                p = lp->next(sp);
            }
        }
        return;
    }
    ZIndex::Cursor c = big(v)->index.at_rank(first);
    while (n-- > 0 && c.valid()) {
        const ZIndex::Item it = c.get();
        fn(it.member(), it.score);
        if (backward)
            c.prev();
        else
            c.next();
    }
}

template <typename F>
void random_element(const Value& v, std::mt19937_64& rng, F&& fn) {
    if (is_listpack(v)) {
        LpRef lp(v);
        const size_t pairs = lp->size() / 2;
        const size_t i = static_cast<size_t>(rng() % pairs);
        const Listpack::Pos p = lp->seek(static_cast<int64_t>(2 * i));
        char buf[Listpack::kIntBufSize];
        fn(lp->get_str(p, buf), lp_score(*lp, lp->next(p)));
        return;
    }
    Entry* e = big(v)->dict.random(rng);
    fn(e->key(), entry_score(e));
}

}  // namespace zset
}  // namespace snapstream
