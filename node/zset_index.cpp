#include "node/zset_index.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

namespace snapstream {

namespace {

void* node_alloc() {
    void* p = std::malloc(ZIndex::kNodeBytes);
    if (!p) throw std::bad_alloc();
    return p;
}

// First index in [0, n) where pred is true; pred must be false on a prefix and true after it.
template <typename T, typename Pred>
inline uint32_t partition_point(const T* a, uint32_t n, Pred pred) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        const uint32_t mid = (lo + hi) / 2;
        if (pred(a[mid]))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

bool same_item(const ZIndex::Item& a, const ZIndex::Item& b) {
    return a.e == b.e && std::memcmp(&a.score, &b.score, sizeof(double)) == 0;
}

}  // namespace

// Nodes pre-allocated by insert() before it changes anything; unused ones are freed.
class ZIndex::Reserve {
  public:
    Reserve() = default;
    Reserve(const Reserve&) = delete;
    Reserve& operator=(const Reserve&) = delete;
    ~Reserve() {
        std::free(leaf_);
        for (uint32_t i = 0; i < n_inner_; ++i) std::free(inner_[i]);
    }
    void fill(uint32_t leaves, uint32_t inners) {
        assert(leaves <= 1 && inners <= kMaxHeight + 2);
        if (leaves) leaf_ = new (node_alloc()) Leaf;
        while (n_inner_ < inners) {
            inner_[n_inner_] = new (node_alloc()) Inner;
            ++n_inner_;
        }
    }
    Leaf* take_leaf() {
        assert(leaf_);
        return std::exchange(leaf_, nullptr);
    }
    Inner* take_inner() {
        assert(n_inner_ > 0);
        return inner_[--n_inner_];
    }

  private:
    Leaf* leaf_ = nullptr;
    Inner* inner_[kMaxHeight + 2];
    uint32_t n_inner_ = 0;
};

// ---- order -------------------------------------------------------------------------------------

int ZIndex::compare_members(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    if (n) {
        const int c = std::memcmp(a.data(), b.data(), n);
        if (c) return c;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

bool ZIndex::item_less(const Item& a, const Item& b) {
    if (a.score < b.score) return true;
    if (a.score > b.score) return false;
    if (a.e == b.e) return false;
    return compare_members(a.e->key(), b.e->key()) < 0;
}

// ---- lifetime ----------------------------------------------------------------------------------

void ZIndex::swap(ZIndex& o) noexcept {
    std::swap(root_, o.root_);
    std::swap(size_, o.size_);
    std::swap(leaves_, o.leaves_);
    std::swap(inners_, o.inners_);
    std::swap(height_, o.height_);
}

void ZIndex::free_subtree(Node* n, uint32_t level) {
    if (level > 0) {
        Inner* in = static_cast<Inner*>(n);
        for (uint32_t i = 0; i < in->n; ++i) free_subtree(in->child[i], level - 1);
    }
    std::free(n);
}

void ZIndex::clear() {
    if (root_) free_subtree(root_, height_);
    root_ = nullptr;
    size_ = leaves_ = inners_ = 0;
    height_ = 0;
}

// ---- descent -----------------------------------------------------------------------------------

ZIndex::Leaf* ZIndex::descend_key(const Item& k, Path& p) const {
    Node* n = root_;
    p.min_sep = nullptr;
    // A size_t counter: with a uint32_t one, GCC 12 -O2 (ivopts) dropped the p.node[] stores
    // below and compiled insert()'s walk up the path into a trap (found by zset_index_test).
    for (size_t level = height_; level > 0; --level) {
        Inner* in = static_cast<Inner*>(n);
        // The child whose key range holds k: the number of separators <= k.
        const uint32_t c =
            partition_point(in->sep, in->n - 1, [&](const Item& s) { return item_less(k, s); });
        p.node[level] = in;
        p.ci[level] = c;
        if (c > 0) p.min_sep = &in->sep[c - 1];
        n = in->child[c];
    }
    return static_cast<Leaf*>(n);
}

ZIndex::Leaf* ZIndex::descend_rank(size_t& r, Path& p) const {
    Node* n = root_;
    for (size_t level = height_; level > 0; --level) {
        Inner* in = static_cast<Inner*>(n);
        uint32_t c = 0;
        while (r >= in->cnt[c]) r -= in->cnt[c++];
        p.node[level] = in;
        p.ci[level] = c;
        n = in->child[c];
    }
    return static_cast<Leaf*>(n);
}

// The first rank whose item satisfies ge, a predicate false on a prefix of the order and true
// after it; size() if none.
template <typename Ge>
size_t ZIndex::first_rank_where(Ge ge) const {
    if (!root_) return 0;
    size_t rank = 0;
    const Node* n = root_;
    for (size_t level = height_; level > 0; --level) {
        const Inner* in = static_cast<const Inner*>(n);
        // Children before the first separator satisfying ge hold no answer except possibly at the
        // end of child c, where "one past its last item" is the first item of child c + 1.
        const uint32_t c = partition_point(in->sep, in->n - 1, ge);
        for (uint32_t j = 0; j < c; ++j) rank += in->cnt[j];
        n = in->child[c];
    }
    const Leaf* leaf = static_cast<const Leaf*>(n);
    return rank + partition_point(leaf->items, leaf->n, ge);
}

// ---- queries -----------------------------------------------------------------------------------

size_t ZIndex::rank(double score, const Entry* e) const {
    const Item k{score, e};
    const size_t r = first_rank_where([&](const Item& it) { return !item_less(it, k); });
    assert(r < size_ && !item_less(k, at(r)));
    return r;
}

ZIndex::Item ZIndex::at(size_t rank) const {
    assert(rank < size_);
    const Node* n = root_;
    for (size_t level = height_; level > 0; --level) {
        const Inner* in = static_cast<const Inner*>(n);
        uint32_t c = 0;
        while (rank >= in->cnt[c]) rank -= in->cnt[c++];
        n = in->child[c];
    }
    return static_cast<const Leaf*>(n)->items[rank];
}

ZIndex::Cursor ZIndex::at_rank(size_t rank) const {
    if (rank >= size_) return Cursor();
    Path p;
    const Leaf* leaf = descend_rank(rank, p);
    return Cursor(leaf, static_cast<uint32_t>(rank));
}

size_t ZIndex::lower_bound_score(double min, bool exclusive) const {
    if (exclusive) return first_rank_where([min](const Item& it) { return it.score > min; });
    return first_rank_where([min](const Item& it) { return it.score >= min; });
}

size_t ZIndex::upper_bound_score(double max, bool exclusive) const {
    if (exclusive) return first_rank_where([max](const Item& it) { return it.score >= max; });
    return first_rank_where([max](const Item& it) { return it.score > max; });
}

size_t ZIndex::lower_bound_lex(std::string_view min, bool exclusive, bool neg_inf) const {
    if (neg_inf) return 0;
    if (exclusive)
        return first_rank_where(
            [min](const Item& it) { return compare_members(it.e->key(), min) > 0; });
    return first_rank_where(
        [min](const Item& it) { return compare_members(it.e->key(), min) >= 0; });
}

size_t ZIndex::upper_bound_lex(std::string_view max, bool exclusive, bool pos_inf) const {
    if (pos_inf) return size_;
    if (exclusive)
        return first_rank_where(
            [max](const Item& it) { return compare_members(it.e->key(), max) >= 0; });
    return first_rank_where(
        [max](const Item& it) { return compare_members(it.e->key(), max) > 0; });
}

// ---- node surgery ------------------------------------------------------------------------------
//
// All of these work on two adjacent children a and a + 1 of `parent` and keep the parent's
// counts and the separator between them exact.

namespace {

using Item = ZIndex::Item;

template <typename Inner, typename Leaf>
void leaf_move_left(Inner* p, uint32_t a, uint32_t k) {
    Leaf* l = static_cast<Leaf*>(p->child[a]);
    Leaf* r = static_cast<Leaf*>(p->child[a + 1]);
    std::memcpy(l->items + l->n, r->items, k * sizeof(Item));
    std::memmove(r->items, r->items + k, (r->n - k) * sizeof(Item));
    l->n += k;
    r->n -= k;
    p->cnt[a] += k;
    p->cnt[a + 1] -= k;
    if (r->n) p->sep[a] = r->items[0];
}

template <typename Inner, typename Leaf>
void leaf_move_right(Inner* p, uint32_t a, uint32_t k) {
    Leaf* l = static_cast<Leaf*>(p->child[a]);
    Leaf* r = static_cast<Leaf*>(p->child[a + 1]);
    std::memmove(r->items + k, r->items, r->n * sizeof(Item));
    std::memcpy(r->items, l->items + l->n - k, k * sizeof(Item));
    l->n -= k;
    r->n += k;
    p->cnt[a] -= k;
    p->cnt[a + 1] += k;
    p->sep[a] = r->items[0];
}

// The key of child j of an inner node X that is child a + 1 of p is p->sep[a] for j == 0 and
// X->sep[j - 1] after; moving children across rotates keys through p->sep[a].
template <typename Inner>
void inner_move_left(Inner* p, uint32_t a, uint32_t k) {
    Inner* l = static_cast<Inner*>(p->child[a]);
    Inner* r = static_cast<Inner*>(p->child[a + 1]);
    const uint32_t ln = l->n, rn = r->n;
    l->sep[ln - 1] = p->sep[a];
    std::memcpy(l->sep + ln, r->sep, (k - 1) * sizeof(Item));
    std::memcpy(l->child + ln, r->child, k * sizeof(r->child[0]));
    std::memcpy(l->cnt + ln, r->cnt, k * sizeof(size_t));
    size_t moved = 0;
    for (uint32_t j = 0; j < k; ++j) moved += r->cnt[j];
    if (k < rn) {
        p->sep[a] = r->sep[k - 1];
        std::memmove(r->child, r->child + k, (rn - k) * sizeof(r->child[0]));
        std::memmove(r->cnt, r->cnt + k, (rn - k) * sizeof(size_t));
        std::memmove(r->sep, r->sep + k, (rn - k - 1) * sizeof(Item));
    }
    l->n += k;
    r->n -= k;
    p->cnt[a] += moved;
    p->cnt[a + 1] -= moved;
}

template <typename Inner>
void inner_move_right(Inner* p, uint32_t a, uint32_t k) {
    Inner* l = static_cast<Inner*>(p->child[a]);
    Inner* r = static_cast<Inner*>(p->child[a + 1]);
    const uint32_t ln = l->n, rn = r->n;
    std::memmove(r->child + k, r->child, rn * sizeof(r->child[0]));
    std::memmove(r->cnt + k, r->cnt, rn * sizeof(size_t));
    if (rn > 0) {
        std::memmove(r->sep + k, r->sep, (rn - 1) * sizeof(Item));
        r->sep[k - 1] = p->sep[a];
    }
    std::memcpy(r->child, l->child + ln - k, k * sizeof(r->child[0]));
    std::memcpy(r->cnt, l->cnt + ln - k, k * sizeof(size_t));
    std::memcpy(r->sep, l->sep + ln - k, (k - 1) * sizeof(Item));
    p->sep[a] = l->sep[ln - k - 1];
    size_t moved = 0;
    for (uint32_t j = 0; j < k; ++j) moved += r->cnt[j];
    l->n -= k;
    r->n += k;
    p->cnt[a] -= moved;
    p->cnt[a + 1] += moved;
}

// Makes x child i (>= 1) of p with count 0; the separator before it is set by the next move.
template <typename Inner, typename Node>
void insert_child(Inner* p, uint32_t i, Node* x) {
    const uint32_t n = p->n;
    std::memmove(p->child + i + 1, p->child + i, (n - i) * sizeof(p->child[0]));
    std::memmove(p->cnt + i + 1, p->cnt + i, (n - i) * sizeof(size_t));
    std::memmove(p->sep + i, p->sep + i - 1, (n - i) * sizeof(Item));
    p->child[i] = x;
    p->cnt[i] = 0;
    p->n = n + 1;
}

// Drops child i (>= 1) of p and the separator before it.
template <typename Inner>
void remove_child(Inner* p, uint32_t i) {
    const uint32_t n = p->n;
    std::memmove(p->child + i, p->child + i + 1, (n - i - 1) * sizeof(p->child[0]));
    std::memmove(p->cnt + i, p->cnt + i + 1, (n - i - 1) * sizeof(size_t));
    std::memmove(p->sep + i - 1, p->sep + i, (n - i - 1) * sizeof(Item));
    p->n = n - 1;
}

}  // namespace

bool ZIndex::sibling_room(const Inner* parent, uint32_t ci, uint32_t child_level) const {
    const uint32_t cap = child_level == 0 ? kLeafCap : kInnerCap;
    return (ci > 0 && parent->child[ci - 1]->n < cap) ||
           (ci + 1 < parent->n && parent->child[ci + 1]->n < cap);
}

// Child ci of parent holds one more than its capacity: shift into a neighbour with room, else
// split (taking the new node from res).
void ZIndex::fix_overflow(Inner* p, uint32_t ci, uint32_t child_level, Reserve& res) {
    const uint32_t cap = child_level == 0 ? kLeafCap : kInnerCap;
    Node* x = p->child[ci];
    const uint32_t lroom = ci > 0 ? cap - std::min(cap, p->child[ci - 1]->n) : 0;
    const uint32_t rroom = ci + 1 < p->n ? cap - std::min(cap, p->child[ci + 1]->n) : 0;
    if (lroom || rroom) {
        // Even out the pair.
        if (lroom >= rroom) {
            const uint32_t k = (x->n - p->child[ci - 1]->n) / 2;
            if (child_level == 0)
                leaf_move_left<Inner, Leaf>(p, ci - 1, k);
            else
                inner_move_left(p, ci - 1, k);
        } else {
            const uint32_t k = (x->n - p->child[ci + 1]->n) / 2;
            if (child_level == 0)
                leaf_move_right<Inner, Leaf>(p, ci, k);
            else
                inner_move_right(p, ci, k);
        }
        return;
    }
    if (child_level > 0) {
        Inner* nn = res.take_inner();
        ++inners_;
        nn->n = 0;
        insert_child(p, ci + 1, nn);
        inner_move_right(p, ci, x->n / 2);
        return;
    }
    Leaf* xl = static_cast<Leaf*>(x);
    Leaf* nl = res.take_leaf();
    ++leaves_;
    nl->n = 0;
    nl->prev = xl;
    nl->next = xl->next;
    if (xl->next) xl->next->prev = nl;
    xl->next = nl;
    insert_child(p, ci + 1, nl);
    if (ci > 0 && ci + 2 < p->n) {
        // Full neighbours on both sides: x and its right neighbour s become three leaves 2/3
        // full (the B*-tree split), which keeps random-order inserts at ~80% fill. At the ends of
        // a parent (where in-order appends and prepends arrive) a two-way split keeps the full
        // neighbour full instead.
        Leaf* s = static_cast<Leaf*>(p->child[ci + 2]);
        const uint32_t total = xl->n + s->n;
        const uint32_t keep = total / 3;
        leaf_move_right<Inner, Leaf>(p, ci, xl->n - keep);
        leaf_move_left<Inner, Leaf>(p, ci + 1, (total - keep) / 2 - nl->n);
    } else {
        leaf_move_right<Inner, Leaf>(p, ci, xl->n / 2);
    }
}

// Child ci of parent is below its minimum fill: merge it with a neighbour when both fit in one
// node, else share their items evenly.
void ZIndex::fix_underflow(Inner* p, uint32_t ci, uint32_t child_level) {
    if (p->n < 2) return;
    const uint32_t a = ci > 0 ? ci - 1 : 0;
    Node* l = p->child[a];
    Node* r = p->child[a + 1];
    const uint32_t cap = child_level == 0 ? kLeafCap : kInnerCap;
    const uint32_t total = l->n + r->n;
    if (total <= cap) {
        if (child_level == 0) {
            leaf_move_left<Inner, Leaf>(p, a, r->n);
            Leaf* rl = static_cast<Leaf*>(r);
            rl->prev->next = rl->next;
            if (rl->next) rl->next->prev = rl->prev;
            --leaves_;
        } else {
            inner_move_left(p, a, r->n);
            --inners_;
        }
        remove_child(p, a + 1);
        std::free(r);
        return;
    }
    const uint32_t want = total / 2;
    if (l->n < want) {
        if (child_level == 0)
            leaf_move_left<Inner, Leaf>(p, a, want - l->n);
        else
            inner_move_left(p, a, want - l->n);
    } else if (l->n > want) {
        if (child_level == 0)
            leaf_move_right<Inner, Leaf>(p, a, l->n - want);
        else
            inner_move_right(p, a, l->n - want);
    }
}

// ---- insert ------------------------------------------------------------------------------------

// Allocates every node the insert may need: a leaf split needs one leaf, and each full ancestor
// that then overflows without a neighbour with room needs one inner node (two at the root: the
// split half and the new root).
void ZIndex::plan_insert(const Path& p, Reserve& res) const {
    if (height_ == 0) {
        res.fill(1, 1);
        return;
    }
    if (sibling_room(p.node[1], p.ci[1], 0)) return;
    uint32_t inners = 0;
    for (uint32_t level = 1; level <= height_; ++level) {
        if (p.node[level]->n < kInnerCap) break;
        if (level == height_) {
            inners += 2;
            break;
        }
        if (sibling_room(p.node[level + 1], p.ci[level + 1], level)) break;
        ++inners;
    }
    res.fill(1, inners);
}

void ZIndex::insert(double score, const Entry* e) {
    const Item it{score, e};
    if (!root_) {
        Leaf* leaf = new (node_alloc()) Leaf;
        leaf->n = 1;
        leaf->prev = leaf->next = nullptr;
        leaf->items[0] = it;
        root_ = leaf;
        leaves_ = size_ = 1;
        return;
    }
    Path p{};
    Leaf* leaf = descend_key(it, p);
    const uint32_t pos =
        partition_point(leaf->items, leaf->n, [&](const Item& x) { return !item_less(x, it); });
    assert(pos == leaf->n || item_less(it, leaf->items[pos]));
    Reserve res;
    if (leaf->n == kLeafCap) plan_insert(p, res);  // may throw; nothing is changed yet

    std::memmove(leaf->items + pos + 1, leaf->items + pos, (leaf->n - pos) * sizeof(Item));
    leaf->items[pos] = it;
    ++leaf->n;
    ++size_;
    bool min_changed = pos == 0;
    for (uint32_t level = 1; level <= height_; ++level) {
        Inner* in = p.node[level];
        const uint32_t c = p.ci[level];
        ++in->cnt[c];
        if (min_changed && c > 0) {
            in->sep[c - 1] = it;
            min_changed = false;
        }
        if (in->child[c]->n > (level == 1 ? kLeafCap : kInnerCap))
            fix_overflow(in, c, level - 1, res);
    }
    if (root_->n > (height_ == 0 ? kLeafCap : kInnerCap)) {
        Inner* r = res.take_inner();
        ++inners_;
        r->n = 1;
        r->child[0] = root_;
        r->cnt[0] = size_;
        root_ = r;
        ++height_;
        assert(height_ <= kMaxHeight);
        fix_overflow(r, 0, height_ - 1, res);
    }
}

// ---- erase -------------------------------------------------------------------------------------

// Removes items [pos, pos + m) of the leaf at the end of path p and rebalances upwards.
void ZIndex::remove_from_leaf(Leaf* leaf, uint32_t pos, uint32_t m, Path& p) {
    std::memmove(leaf->items + pos, leaf->items + pos + m, (leaf->n - pos - m) * sizeof(Item));
    leaf->n -= m;
    size_ -= m;
    // When the leaf's first item went, the separator naming it (at the lowest ancestor where the
    // path is not leftmost) must be replaced before any node movement could copy it elsewhere.
    bool min_changed = pos == 0;
    for (uint32_t level = 1; level <= height_; ++level) {
        Inner* in = p.node[level];
        const uint32_t c = p.ci[level];
        in->cnt[c] -= m;
        Node* ch = in->child[c];
        if (min_changed && c > 0) {
            // An empty leaf is merged into its left neighbour below, taking the separator along.
            if (ch->n > 0) {
                const Node* n = ch;
                for (uint32_t l = level - 1; l > 0; --l) n = static_cast<const Inner*>(n)->child[0];
                in->sep[c - 1] = static_cast<const Leaf*>(n)->items[0];
            }
            min_changed = false;
        }
        if (ch->n < (level == 1 ? kLeafMin : kInnerMin)) fix_underflow(in, c, level - 1);
    }
    shrink_root();
}

void ZIndex::shrink_root() {
    while (height_ > 0 && root_->n == 1) {
        Inner* r = static_cast<Inner*>(root_);
        root_ = r->child[0];
        std::free(r);
        --inners_;
        --height_;
    }
    if (height_ == 0 && root_ && root_->n == 0) {
        std::free(root_);
        root_ = nullptr;
        --leaves_;
    }
}

bool ZIndex::erase(double score, const Entry* e) {
    if (!root_) return false;
    const Item k{score, e};
    Path p{};
    Leaf* leaf = descend_key(k, p);
    const uint32_t pos =
        partition_point(leaf->items, leaf->n, [&](const Item& x) { return !item_less(x, k); });
    if (pos == leaf->n || item_less(k, leaf->items[pos])) return false;
    remove_from_leaf(leaf, pos, 1, p);
    return true;
}

uint32_t ZIndex::erase_run(size_t start, size_t max, Item* out) {
    Path p{};
    size_t r = start;
    Leaf* leaf = descend_rank(r, p);
    const uint32_t pos = static_cast<uint32_t>(r);
    const uint32_t m = static_cast<uint32_t>(std::min<size_t>(max, leaf->n - pos));
    std::memcpy(out, leaf->items + pos, m * sizeof(Item));
    remove_from_leaf(leaf, pos, m, p);
    return m;
}

// ---- update ------------------------------------------------------------------------------------

void ZIndex::update(double old_score, const Entry* e, double new_score) {
    const Item k{old_score, e};
    Path p;
    Leaf* leaf = descend_key(k, p);
    const uint32_t pos =
        partition_point(leaf->items, leaf->n, [&](const Item& x) { return !item_less(x, k); });
    assert(pos < leaf->n && !item_less(k, leaf->items[pos]));
    const Item nk{new_score, e};
    const Item* before = pos > 0      ? &leaf->items[pos - 1]
                         : leaf->prev ? &leaf->prev->items[leaf->prev->n - 1]
                                      : nullptr;
    const Item* after = pos + 1 < leaf->n ? &leaf->items[pos + 1]
                        : leaf->next      ? &leaf->next->items[0]
                                          : nullptr;
    if ((!before || item_less(*before, nk)) && (!after || item_less(nk, *after))) {
        leaf->items[pos].score = new_score;
        if (pos == 0 && p.min_sep) p.min_sep->score = new_score;
        return;
    }
    insert(new_score, e);  // all-or-nothing; the old item is still there if it throws
    const bool found = erase(old_score, e);
    assert(found);
    (void)found;
}

// ---- invariants --------------------------------------------------------------------------------

namespace {

struct CheckState {
    std::string why;
    std::vector<const void*> leaves;  // in DFS order
    size_t inners = 0;
};

}  // namespace

bool ZIndex::check_invariants(std::string* why) const {
    CheckState st;
    auto fail = [&](std::string msg) {
        if (why) *why = std::move(msg);
        return false;
    };
    if (!root_) {
        if (size_ || leaves_ || inners_ || height_) return fail("empty tree with nonzero counters");
        return true;
    }
    // Returns the item count under n, or SIZE_MAX after recording a failure. `first` receives the
    // subtree's first item.
    struct Walker {
        CheckState& st;
        size_t walk(const Node* n, uint32_t level, bool is_root, Item* first) {
            if (!st.why.empty()) return SIZE_MAX;
            if (level == 0) {
                const Leaf* l = static_cast<const Leaf*>(n);
                if (l->n > kLeafCap || (!is_root && l->n < kLeafMin) || l->n == 0) {
                    st.why = "leaf fill " + std::to_string(l->n);
                    return SIZE_MAX;
                }
                for (uint32_t i = 1; i < l->n; ++i) {
                    if (!item_less(l->items[i - 1], l->items[i])) {
                        st.why = "leaf items out of order";
                        return SIZE_MAX;
                    }
                }
                st.leaves.push_back(l);
                *first = l->items[0];
                return l->n;
            }
            const Inner* in = static_cast<const Inner*>(n);
            ++st.inners;
            if (in->n > kInnerCap || (is_root ? in->n < 2 : in->n < kInnerMin)) {
                st.why =
                    "inner fill " + std::to_string(in->n) + " at level " + std::to_string(level);
                return SIZE_MAX;
            }
            size_t total = 0;
            for (uint32_t i = 0; i < in->n; ++i) {
                Item f;
                const size_t c = walk(in->child[i], level - 1, false, &f);
                if (c == SIZE_MAX) return SIZE_MAX;
                if (c != in->cnt[i]) {
                    st.why = "count mismatch at level " + std::to_string(level);
                    return SIZE_MAX;
                }
                if (i == 0)
                    *first = f;
                else if (!same_item(in->sep[i - 1], f)) {
                    st.why =
                        "separator is not the child's first item at level " + std::to_string(level);
                    return SIZE_MAX;
                }
                total += c;
            }
            return total;
        }
    };
    Walker w{st};
    Item first;
    const size_t total = w.walk(root_, height_, true, &first);
    if (!st.why.empty()) return fail(st.why);
    if (total != size_) return fail("size mismatch");
    if (st.leaves.size() != leaves_ || st.inners != inners_) return fail("node counters");
    const Leaf* prev = nullptr;
    for (const void* v : st.leaves) {
        const Leaf* l = static_cast<const Leaf*>(v);
        if (l->prev != prev || (prev && prev->next != l)) return fail("leaf chain links");
        if (prev && !item_less(prev->items[prev->n - 1], l->items[0]))
            return fail("leaves out of order");
        prev = l;
    }
    if (prev->next != nullptr) return fail("last leaf has a next");
    return true;
}

}  // namespace snapstream
