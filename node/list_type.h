// The list value: Redis 7.0's quicklist, a doubly linked list of nodes that each hold a run of
// consecutive elements in one listpack (node/listpack.h). OBJECT ENCODING is always "quicklist"
// (7.0 has no listpack-encoded lists).
//
//   QuickList  head ──► Node ⇄ Node ⇄ ... ⇄ Node ◄── tail        count = elements, len = nodes
//                       │lp    │lp          │lp
//                       ▼      ▼            ▼
//                    listpack listpack   listpack
//
// Node size limit: `fill` is list-max-listpack-size, read when the list is created and kept
// for its lifetime (as Redis does), clamped to -5..32767:
//   fill < 0   a node's listpack may grow to 4/8/16/32/64 KiB (fill -1..-5);
//   fill >= 0  a node holds at most `fill` elements and never grows past 8 KiB (0 or 1 = one
//              element per node).
// Whether an element still fits in a node is estimated the way Redis does (listpack bytes +
// element length + 8 against the limit), and nodes are split and merged exactly where Redis
// splits and merges them, so the node layout of a list — and thus the listpacks an RDB writer
// stores for it — is the one Redis would have:
//   - push at either end: into the end node if it allows the element, else into a new node;
//   - pop / LREM / LTRIM / count pops: elements removed in place, a node left empty is freed,
//     nodes are never merged;
//   - LSET: replaced in place (the node may exceed its limit, as in Redis);
//   - LINSERT: into the pivot's node if it allows it; at a node edge, into the neighbouring node
//     if that allows it, else into a new node; otherwise the node is split at the pivot, the
//     element goes to the new half, and the neighbourhood is merged where the limits allow.
//
// Not reproduced: list-compress-depth (LZF compression of interior nodes) is ignored — every
// node stays a plain listpack, which only affects memory use; and "plain" nodes (Redis keeps an
// element of >= 1 GiB in a node of its own) do not exist here, since no element can reach
// that size through the protocol (proto-max-bulk-len is at most 512 MB by default); an RDB
// loader meeting a plain node must turn it into a one-element listpack node.
//
// Elements are never heap-allocated one by one: pushes and pops edit the end node's listpack.
// Index lookups walk nodes from the nearer end, then seek inside the listpack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "node/listpack.h"

namespace snapstream {

struct QuickListNode {
    QuickListNode* prev = nullptr;
    QuickListNode* next = nullptr;
    Listpack lp;
    uint32_t count = 0;  // elements in lp (the listpack header saturates at 65535)
    uint32_t bytes = 0;  // lp.bytes(), cached
};

class QuickList {
  public:
    using Node = QuickListNode;
    using Pos = Listpack::Pos;

    static constexpr int kDefaultFill = -2;
    // The fill Redis would use for a configured list-max-listpack-size.
    static int clamp_fill(int64_t fill);

    explicit QuickList(int fill = kDefaultFill);
    ~QuickList();
    QuickList(const QuickList&) = delete;
    QuickList& operator=(const QuickList&) = delete;

    // A deep copy (new'd; COPY).
    QuickList* clone() const;

    int fill() const { return fill_; }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    size_t node_count() const { return len_; }
    // Heap bytes of the list, its nodes and their listpacks.
    size_t heap_bytes() const;

    // Nodes in order, for an RDB writer: for (n = head(); n; n = n->next) n->lp.span().
    const Node* head() const { return head_; }
    const Node* tail() const { return tail_; }
    // Appends a whole node after the tail, as loaded from an RDB (an empty listpack is dropped).
    void append_node(Listpack lp);

    void push_front(std::string_view s);
    void push_back(std::string_view s);
    void push(std::string_view s, bool front) { front ? push_front(s) : push_back(s); }

    // A position in the list: the node, the element's offset in the node's listpack and its
    // index among the node's elements. Invalid (node == nullptr) past either end. Any mutation
    // other than erase() invalidates every cursor.
    struct Cursor {
        Node* node = nullptr;
        Pos pos = Listpack::kNone;
        uint32_t offset = 0;
        explicit operator bool() const { return node != nullptr; }
    };

    // The element at `index` (negative: from the tail, -1 = last); invalid if out of range.
    Cursor at(int64_t index) const;
    Cursor front() const;
    Cursor back() const;
    void next(Cursor& c) const;
    void prev(Cursor& c) const;

    Listpack::Item get(const Cursor& c) const { return c.node->lp.get(c.pos); }
    std::string_view get_str(const Cursor& c, char (&buf)[Listpack::kIntBufSize]) const {
        return c.node->lp.get_str(c.pos, buf);
    }
    bool equals(const Cursor& c, std::string_view s) const { return c.node->lp.equals(c.pos, s); }

    // LSET: replaces the element in place.
    void replace(const Cursor& c, std::string_view s);
    // LINSERT: inserts before or after the element (see the header comment).
    void insert(const Cursor& c, std::string_view s, bool after);
    // Removes the element; `c` moves to the element that followed it (forward) or preceded it
    // (!forward), invalid past the end. A node left empty is freed.
    void erase(Cursor& c, bool forward);
    // Removes up to `n` elements starting at `index` (negative: from the tail).
    void erase_range(int64_t index, size_t n);

    // Removes the first (front) or last element; false if the list is empty.
    bool pop(bool front) {
        if (count_ == 0) return false;
        Cursor c = front ? this->front() : back();
        erase(c, front);
        return true;
    }

    // Checks the internal invariants (counts, links, sizes); for tests.
    bool check() const;

  private:
    bool allow_insert(const Node* n, size_t element_len) const;
    bool allow_merge(const Node* a, const Node* b) const;
    bool size_meets_level(size_t bytes) const;
    Node* new_node();
    // Links `n` before (after = false) or after `at`; at == nullptr: the list is empty.
    void link(Node* at, Node* n, bool after);
    void unlink_free(Node* n);
    Node* split(Node* n, uint32_t offset, bool after);
    Node* merge(Node* a, Node* b);
    void merge_around(Node* center);
    static void refresh(Node* n) { n->bytes = static_cast<uint32_t>(n->lp.bytes()); }

    Node* head_ = nullptr;
    Node* tail_ = nullptr;
    size_t count_ = 0;
    uint32_t len_ = 0;
    int32_t fill_;
};

class Value;
// DEBUG OBJECT's quicklist fields (" ql_nodes:N ql_avg_node:... ql_uncompressed_size:N").
std::string quicklist_debug_fields(const Value& list);

// Registers the list type's ObjectOps (destroy / clone / heap_bytes).
void register_list_object_ops();

}  // namespace snapstream
