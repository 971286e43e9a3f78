// ZIndex: the ordered index of a big sorted set ("skiplist" encoding in Redis terms), an
// order-statistic B+tree.
//
// A big zset is { Dict members (member -> score), ZIndex order }. The member bytes live once, in
// the Dict's Entry (e->key()); the index holds (double score, const Entry* e) pairs ordered by
// score, then by member bytes (memcmp order, the shorter first on a common prefix, as Redis's
// sdscmp). Scores compare with the double operators, so -0.0 == 0.0 and ties go to the member;
// +inf/-inf are ordinary values; NaN is never inserted. Only ties dereference an entry.
//
// Layout (every node is one 1024-byte allocation, a jemalloc size class, cache-line aligned):
//
//   Leaf   n | prev | next | items[62]    Item = {double score; const Entry* e;}  (16 bytes)
//   Inner  n | sep[31] | child[32] | cnt[32]
//
//   - Leaves hold up to kLeafCap = 61 sorted items at rest (slot 62 is scratch for an insert
//     that overflows before it is split or shifted) and are doubly linked in key order, so a
//     Cursor walks ranges in O(1) per step in both directions.
//   - An inner node with n children holds cnt[i] = number of items under child[i] (the order
//     statistic) and sep[i] = the smallest item under child[i + 1] (n - 1 separators). Up to
//     kInnerCap = 31 children at rest (slot 32 is scratch for a split below).
//
// Invariants (check_invariants() verifies all of them):
//   - all leaves are at depth height(); items strictly increase along the leaf chain;
//   - sep[i] is exactly (same score bits, same entry) the first item under child[i + 1], so a
//     separator never points at an entry that left the index (the caller may free it);
//   - cnt[i] is the exact item count under child[i]; size() is the sum at the root;
//   - fill: a non-root leaf holds kLeafMin..kLeafCap items (30..61), a non-root inner node
//     kInnerMin..kInnerCap children (15..31); the root is a leaf (>= 1 item) or an inner node
//     with >= 2 children; an empty index has no nodes at all.
//
// Complexity (n = size(), B = node fan-out): insert, erase, update, rank, at, the bounds and
// at_rank are O(log_B n) node visits (a binary search in each, plus an O(B) prefix sum of the
// counts for rank); Cursor::next/prev are O(1); erase_rank_range of k items is
// O((k / kLeafCap + 1) log_B n) node visits plus O(k) moved items.
//
// Balancing: an overflowing leaf first shifts items into a neighbour with room (B*-tree style);
// only when both are full does it split, three ways (two full leaves -> three 2/3-full ones) when
// it has neighbours on both sides, otherwise two ways. Appending in order (scores from a clock, or
// equal scores with growing members) leaves nodes nearly full; random order keeps them ~80% full.
// An underflowing node merges with a neighbour when the two fit in one node, else the two share
// their items evenly.
//
// Why a B+tree rather than Redis's skiplist: a skiplist node costs the score, the member pointer,
// a back pointer and on average 1.33 (forward, span) levels, ~56 bytes in a 64-byte size class
// per member, plus the dict's own entry. Here a member costs its 16-byte item at ~80-100% fill,
// ~17-20 bytes, with no per-member allocation; searches touch a few contiguous 1 KiB nodes instead
// of chasing one pointer per level, and the shape is a function of the operation sequence alone
// (no random levels), so runs are reproducible and memory use is predictable.
//
// Exception safety: insert() allocates every node it may need before changing anything, so a
// std::bad_alloc leaves the index unchanged. erase(), erase_rank_range() and the queries do not
// allocate. update() is insert-then-erase when the item moves, so it is also all-or-nothing.
//
// Cursors and the Items they return are invalidated by any change to the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "node/dict.h"

namespace snapstream {

class ZIndex {
  public:
    struct Item {
        double score;
        const Entry* e;
        std::string_view member() const { return e->key(); }
    };

    static constexpr uint32_t kLeafSlots = 62;
    static constexpr uint32_t kLeafCap = kLeafSlots - 1;
    static constexpr uint32_t kLeafMin = kLeafCap / 2;
    static constexpr uint32_t kInnerSlots = 32;
    static constexpr uint32_t kInnerCap = kInnerSlots - 1;
    static constexpr uint32_t kInnerMin = kInnerCap / 2;
    static constexpr size_t kNodeBytes = 1024;

    ZIndex() = default;
    ~ZIndex() { clear(); }
    ZIndex(const ZIndex&) = delete;
    ZIndex& operator=(const ZIndex&) = delete;
    ZIndex(ZIndex&& o) noexcept { swap(o); }
    ZIndex& operator=(ZIndex&& o) noexcept {
        swap(o);
        return *this;
    }
    void swap(ZIndex& o) noexcept;

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void clear();

    // Inserts (score, member of e); that (score, member) must not be present.
    void insert(double score, const Entry* e);
    // Removes the item equal to (score, member of e); returns whether it was present.
    bool erase(double score, const Entry* e);
    // Changes the score of the present item (old_score, e) to new_score: in place when the item
    // keeps its position, else insert + erase.
    void update(double old_score, const Entry* e, double new_score);

    // 0-based rank of the present item (score, e).
    size_t rank(double score, const Entry* e) const;
    // The item at `rank` (< size()).
    Item at(size_t rank) const;

    // First rank whose score is >= min (> min when exclusive); size() if none.
    size_t lower_bound_score(double min, bool exclusive) const;
    // First rank whose score is > max (>= max when exclusive); size() if none. The items with
    // scores in a range are the ranks [lower_bound_score(min), upper_bound_score(max)).
    size_t upper_bound_score(double max, bool exclusive) const;
    // Lexicographic bounds for ZRANGEBYLEX & co, assuming all scores are equal (the commands'
    // precondition), so that the order is the member order: first rank whose member is >= min
    // (> when exclusive; 0 when neg_inf) / first rank whose member is > max (>= when exclusive;
    // size() when pos_inf).
    size_t lower_bound_lex(std::string_view min, bool exclusive, bool neg_inf) const;
    size_t upper_bound_lex(std::string_view max, bool exclusive, bool pos_inf) const;

  private:
    struct Node;
    struct Leaf;

  public:
    // Position in the leaf chain; invalid past either end.
    class Cursor {
      public:
        Cursor() = default;
        bool valid() const { return leaf_ != nullptr; }
        Item get() const { return leaf_->items[idx_]; }
        void next() {
            if (++idx_ == leaf_->n) {
                leaf_ = leaf_->next;
                idx_ = 0;
            }
        }
        void prev() {
            if (idx_ > 0) {
                --idx_;
                return;
            }
            leaf_ = leaf_->prev;
            idx_ = leaf_ ? leaf_->n - 1 : 0;
        }

      private:
        friend class ZIndex;
        Cursor(const Leaf* leaf, uint32_t idx) : leaf_(leaf), idx_(idx) {}
        const Leaf* leaf_ = nullptr;
        uint32_t idx_ = 0;
    };
    // Cursor at `rank`; invalid when rank >= size().
    Cursor at_rank(size_t rank) const;
    Cursor begin() const { return at_rank(0); }

    // Removes `count` items starting at rank `start` (clamped to size()) and calls
    // on_removed(Item) for each, in rank order. Works a leaf-sized run at a time, and each run is
    // out of the index before its callbacks run, so on_removed may free the entries; it must not
    // touch this index. Returns the number removed.
    template <typename F>
    size_t erase_rank_range(size_t start, size_t count, F&& on_removed) {
        if (start >= size_) return 0;
        if (count > size_ - start) count = size_ - start;
        Item buf[kLeafSlots];
        for (size_t left = count; left > 0;) {
            const uint32_t m = erase_run(start, left, buf);
            left -= m;
            for (uint32_t i = 0; i < m; ++i) on_removed(buf[i]);
        }
        return count;
    }

    // Bytes allocated for nodes (exact: every node is one kNodeBytes allocation).
    size_t memory_bytes() const { return (leaves_ + inners_) * kNodeBytes; }
    size_t leaf_count() const { return leaves_; }
    size_t inner_count() const { return inners_; }
    uint32_t height() const { return height_; }

    // Verifies every invariant listed above; on failure returns false and says why.
    bool check_invariants(std::string* why = nullptr) const;

    // The index order: score, then member bytes.
    static bool item_less(const Item& a, const Item& b);
    static int compare_members(std::string_view a, std::string_view b);

  private:
    struct Node {
        uint32_t n;  // items (leaf) or children (inner)
    };
    struct Leaf : Node {
        Leaf* prev;
        Leaf* next;
        Item items[kLeafSlots];
        char pad[kNodeBytes - 24 - sizeof(Item) * kLeafSlots];
    };
    struct Inner : Node {
        Item sep[kInnerSlots - 1];
        Node* child[kInnerSlots];
        size_t cnt[kInnerSlots];
        char pad[kNodeBytes - 8 - sizeof(Item) * (kInnerSlots - 1) - 16 * kInnerSlots];
    };
    static_assert(sizeof(Item) == 16);
    static_assert(sizeof(Leaf) == kNodeBytes);
    static_assert(sizeof(Inner) == kNodeBytes);

    // A non-root inner node has >= 15 children and a leaf >= 30 items, so 16 levels hold > 2^64.
    static constexpr uint32_t kMaxHeight = 16;
    struct Path {
        Inner* node[kMaxHeight + 1];  // node[L] = the inner node at level L (leaves are level 0)
        uint32_t ci[kMaxHeight + 1];  // the child of node[L] on the path
        Item* min_sep;                // descend_key: the separator naming the leaf's first item
    };
    class Reserve;

    Leaf* descend_key(const Item& k, Path& p) const;
    Leaf* descend_rank(size_t& r, Path& p) const;
    template <typename Ge>
    size_t first_rank_where(Ge ge) const;
    void plan_insert(const Path& p, Reserve& res) const;
    bool sibling_room(const Inner* parent, uint32_t ci, uint32_t child_level) const;
    void fix_overflow(Inner* parent, uint32_t ci, uint32_t child_level, Reserve& res);
    void fix_underflow(Inner* parent, uint32_t ci, uint32_t child_level);
    void remove_from_leaf(Leaf* leaf, uint32_t pos, uint32_t m, Path& p);
    uint32_t erase_run(size_t start, size_t max, Item* out);
    void shrink_root();
    void free_subtree(Node* n, uint32_t level);

    Node* root_ = nullptr;
    size_t size_ = 0;
    size_t leaves_ = 0;
    size_t inners_ = 0;
    uint32_t height_ = 0;  // inner levels above the leaves
};

}  // namespace snapstream
