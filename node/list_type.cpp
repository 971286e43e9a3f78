// QuickList: see list_type.h for the representation and the split/merge rules.
#include "node/list_type.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "node/value.h"

namespace snapstream {
namespace {

// Byte limits of fill -1..-5.
constexpr size_t kLevels[] = {4096, 8192, 16384, 32768, 65536};
// With a count limit a node still never grows past this many bytes.
constexpr size_t kSafetyLimit = 8192;
// Over-estimate of a new entry's encoding + backlen bytes.
constexpr size_t kEntryOverhead = 8;
constexpr int kMaxFill = 32767;

}  // namespace

int QuickList::clamp_fill(int64_t fill) {
    if (fill > kMaxFill) return kMaxFill;
    if (fill < -5) return -5;
    return static_cast<int>(fill);
}

QuickList::QuickList(int fill) : fill_(clamp_fill(fill)) {}

QuickList::~QuickList() {
    Node* n = head_;
    while (n) {
        Node* next = n->next;
        delete n;
        n = next;
    }
}

QuickList* QuickList::clone() const {
    auto* copy = new QuickList(fill_);
    for (const Node* n = head_; n; n = n->next) copy->append_node(n->lp.clone());
    return copy;
}

size_t QuickList::heap_bytes() const {
    size_t total = sizeof(QuickList);
    for (const Node* n = head_; n; n = n->next) total += sizeof(Node) + n->lp.heap_bytes();
    return total;
}

bool QuickList::size_meets_level(size_t bytes) const {
    if (fill_ >= 0) return false;
    return bytes <= kLevels[static_cast<size_t>(-fill_ - 1)];
}

bool QuickList::allow_insert(const Node* n, size_t element_len) const {
    if (!n) return false;
    const size_t new_bytes = n->bytes + element_len + kEntryOverhead;
    if (size_meets_level(new_bytes)) return true;
    if (new_bytes > kSafetyLimit) return false;
    return static_cast<int64_t>(n->count) < fill_;
}

bool QuickList::allow_merge(const Node* a, const Node* b) const {
    if (!a || !b) return false;
    // Less one listpack header and terminator (Redis's estimate, 11 bytes).
    const size_t merged = static_cast<uint32_t>(a->bytes + b->bytes - 11);
    if (size_meets_level(merged)) return true;
    if (merged > kSafetyLimit) return false;
    return static_cast<int64_t>(a->count) + b->count <= fill_;
}

QuickList::Node* QuickList::new_node() {
    return new Node();
}

void QuickList::link(Node* at, Node* n, bool after) {
    if (!at) {
        head_ = tail_ = n;
        n->prev = n->next = nullptr;
    } else if (after) {
        n->prev = at;
        n->next = at->next;
        if (at->next) at->next->prev = n;
        at->next = n;
        if (tail_ == at) tail_ = n;
    } else {
        n->next = at;
        n->prev = at->prev;
        if (at->prev) at->prev->next = n;
        at->prev = n;
        if (head_ == at) head_ = n;
    }
    ++len_;
    count_ += n->count;
}

void QuickList::unlink_free(Node* n) {
    if (n->prev) n->prev->next = n->next;
    if (n->next) n->next->prev = n->prev;
    if (head_ == n) head_ = n->next;
    if (tail_ == n) tail_ = n->prev;
    --len_;
    count_ -= n->count;
    delete n;
}

void QuickList::append_node(Listpack lp) {
    if (lp.empty()) return;
    Node* n = new_node();
    n->lp = std::move(lp);
    n->count = static_cast<uint32_t>(n->lp.size());
    refresh(n);
    link(tail_, n, true);
}

void QuickList::push_front(std::string_view s) {
    if (allow_insert(head_, s.size())) {
        head_->lp.prepend(s);
        ++head_->count;
        refresh(head_);
        ++count_;
        return;
    }
    Node* n = new_node();
    n->lp.prepend(s);
    n->count = 1;
    refresh(n);
    link(head_, n, false);
}

void QuickList::push_back(std::string_view s) {
    if (allow_insert(tail_, s.size())) {
        tail_->lp.append(s);
        ++tail_->count;
        refresh(tail_);
        ++count_;
        return;
    }
    Node* n = new_node();
    n->lp.append(s);
    n->count = 1;
    refresh(n);
    link(tail_, n, true);
}

QuickList::Cursor QuickList::front() const {
    if (!head_) return {};
    return {head_, head_->lp.first(), 0};
}

QuickList::Cursor QuickList::back() const {
    if (!tail_) return {};
    return {tail_, tail_->lp.last(), tail_->count - 1};
}

QuickList::Cursor QuickList::at(int64_t index) const {
    const auto count = static_cast<int64_t>(count_);
    if (index < 0) index += count;
    if (index < 0 || index >= count) return {};
    Node* n;
    uint64_t offset;
    if (index < count / 2 + 1) {
        n = head_;
        offset = static_cast<uint64_t>(index);
        while (offset >= n->count) {
            offset -= n->count;
            n = n->next;
        }
    } else {
        n = tail_;
        uint64_t back = static_cast<uint64_t>(count - 1 - index);
        while (back >= n->count) {
            back -= n->count;
            n = n->prev;
        }
        offset = n->count - 1 - back;
    }
    // Inside the node: from its nearer end (the listpack count may be the unknown 65535).
    Pos pos;
    if (offset <= n->count / 2) {
        pos = n->lp.first();
        for (uint64_t i = 0; i < offset; ++i) pos = n->lp.next(pos);
    } else {
        pos = n->lp.last();
        for (uint64_t i = n->count - 1; i > offset; --i) pos = n->lp.prev(pos);
    }
    return {n, pos, static_cast<uint32_t>(offset)};
}

void QuickList::next(Cursor& c) const {
    const Pos p = c.node->lp.next(c.pos);
    if (p != Listpack::kNone) {
        c.pos = p;
        ++c.offset;
        return;
    }
    c.node = c.node->next;
    c.offset = 0;
    c.pos = c.node ? c.node->lp.first() : Listpack::kNone;
}

void QuickList::prev(Cursor& c) const {
    if (c.offset > 0) {
        c.pos = c.node->lp.prev(c.pos);
        --c.offset;
        return;
    }
    c.node = c.node->prev;
    if (c.node) {
        c.pos = c.node->lp.last();
        c.offset = c.node->count - 1;
    } else {
        c.pos = Listpack::kNone;
        c.offset = 0;
    }
}

void QuickList::replace(const Cursor& c, std::string_view s) {
    c.node->lp.replace(c.pos, s);
    refresh(c.node);
}

void QuickList::erase(Cursor& c, bool forward) {
    Node* n = c.node;
    if (n->count == 1) {
        Node* to = forward ? n->next : n->prev;
        unlink_free(n);
        if (!to) {
            c = {};
        } else if (forward) {
            c = {to, to->lp.first(), 0};
        } else {
            c = {to, to->lp.last(), to->count - 1};
        }
        return;
    }
    const Pos after = n->lp.erase(c.pos);
    --n->count;
    --count_;
    refresh(n);
    if (forward) {
        if (after != Listpack::kNone) {
            c.pos = after;
        } else {
            c.node = n->next;
            c.offset = 0;
            c.pos = c.node ? c.node->lp.first() : Listpack::kNone;
        }
        return;
    }
    if (c.offset == 0) {
        c.node = n->prev;
        c.pos = c.node ? c.node->lp.last() : Listpack::kNone;
        c.offset = c.node ? c.node->count - 1 : 0;
        return;
    }
    c.pos = after != Listpack::kNone ? n->lp.prev(after) : n->lp.last();
    --c.offset;
}

void QuickList::erase_range(int64_t index, size_t n) {
    if (n == 0) return;
    Cursor c = at(index);
    if (!c) return;
    Node* node = c.node;
    uint32_t offset = c.offset;
    while (n > 0 && node) {
        Node* next = node->next;
        if (offset == 0 && n >= node->count) {
            n -= node->count;
            unlink_free(node);
        } else {
            const size_t del = std::min<size_t>(node->count - offset, n);
            node->lp.erase_range(offset, static_cast<uint32_t>(del));
            node->count -= static_cast<uint32_t>(del);
            count_ -= del;
            n -= del;
            refresh(node);
            if (node->count == 0) unlink_free(node);
        }
        node = next;
        offset = 0;
    }
}

QuickList::Node* QuickList::split(Node* n, uint32_t offset, bool after) {
    // after: n keeps [0, offset], the new node takes [offset+1, end].
    // before: the new node takes [0, offset-1], n keeps [offset, end].
    Node* half = new_node();
    half->lp = n->lp.clone();
    const uint32_t total = n->count;
    if (after) {
        n->lp.erase_range(offset + 1, total - offset - 1);
        half->lp.erase_range(0, offset + 1);
        n->count = offset + 1;
    } else {
        n->lp.erase_range(0, offset);
        half->lp.erase_range(offset, total - offset);
        n->count = total - offset;
    }
    half->count = total - n->count;
    refresh(n);
    refresh(half);
    // The caller links `half`; its elements are still counted in count_ through n until then.
    count_ -= half->count;
    return half;
}

QuickList::Node* QuickList::merge(Node* a, Node* b) {
    // a is left of b. The result holds a's elements then b's, in the bigger node's place.
    const size_t a_data = a->bytes - Listpack::kEmptyBytes;
    const size_t b_data = b->bytes - Listpack::kEmptyBytes;
    const size_t total = Listpack::kEmptyBytes + a_data + b_data;
    auto* blob = static_cast<uint8_t*>(std::malloc(total));
    if (!blob) throw std::bad_alloc();
    const uint64_t count = uint64_t{a->count} + b->count;
    const auto stored = static_cast<uint16_t>(std::min<uint64_t>(count, Listpack::kUnknownCount));
    blob[0] = static_cast<uint8_t>(total);
    blob[1] = static_cast<uint8_t>(total >> 8);
    blob[2] = static_cast<uint8_t>(total >> 16);
    blob[3] = static_cast<uint8_t>(total >> 24);
    blob[4] = static_cast<uint8_t>(stored);
    blob[5] = static_cast<uint8_t>(stored >> 8);
    std::memcpy(blob + Listpack::kHeaderSize, a->lp.data() + Listpack::kHeaderSize, a_data);
    std::memcpy(blob + Listpack::kHeaderSize + a_data, b->lp.data() + Listpack::kHeaderSize,
                b_data);
    blob[total - 1] = 0xFF;
    Node* keep = a->bytes >= b->bytes ? a : b;
    Node* drop = keep == a ? b : a;
    keep->lp = Listpack::adopt(blob);
    keep->count = static_cast<uint32_t>(count);
    refresh(keep);
    drop->count = 0;
    unlink_free(drop);
    return keep;
}

void QuickList::merge_around(Node* center) {
    Node* prev = center->prev;
    Node* prev_prev = prev ? prev->prev : nullptr;
    Node* next = center->next;
    Node* next_next = next ? next->next : nullptr;
    if (allow_merge(prev, prev_prev)) merge(prev_prev, prev);
    if (allow_merge(next, next_next)) merge(next, next_next);
    Node* target = center;
    if (allow_merge(center, center->prev)) target = merge(center->prev, center);
    if (allow_merge(target, target->next)) merge(target, target->next);
}

void QuickList::insert(const Cursor& c, std::string_view s, bool after) {
    Node* n = c.node;
    const size_t len = s.size();
    const bool full = !allow_insert(n, len);
    const bool at_tail = after && c.offset == n->count - 1;
    const bool at_head = !after && c.offset == 0;
    if (!full) {
        n->lp.insert(c.pos, s, after);
        ++n->count;
        refresh(n);
        ++count_;
    } else if (at_tail && allow_insert(n->next, len)) {
        Node* to = n->next;
        to->lp.prepend(s);
        ++to->count;
        refresh(to);
        ++count_;
    } else if (at_head && allow_insert(n->prev, len)) {
        Node* to = n->prev;
        to->lp.append(s);
        ++to->count;
        refresh(to);
        ++count_;
    } else if (at_tail || at_head) {
        Node* fresh = new_node();
        fresh->lp.prepend(s);
        fresh->count = 1;
        refresh(fresh);
        link(n, fresh, after);
    } else {
        Node* half = split(n, c.offset, after);
        if (after)
            half->lp.prepend(s);
        else
            half->lp.append(s);
        ++half->count;
        refresh(half);
        link(n, half, after);
        merge_around(n);
    }
}

bool QuickList::check() const {
    size_t elements = 0;
    uint32_t nodes = 0;
    const Node* prev = nullptr;
    for (const Node* n = head_; n; n = n->next) {
        if (n->prev != prev) return false;
        if (n->count == 0 || n->lp.size() != n->count || n->bytes != n->lp.bytes()) return false;
        elements += n->count;
        ++nodes;
        prev = n;
    }
    return prev == tail_ && elements == count_ && nodes == len_;
}

std::string quicklist_debug_fields(const Value& list) {
    const auto* q = static_cast<const QuickList*>(list.obj());
    size_t bytes = 0;
    for (const QuickList::Node* n = q->head(); n; n = n->next) bytes += n->bytes;
    char buf[160];
    const double avg = q->node_count() ? static_cast<double>(q->size()) / q->node_count() : 0.0;
    // Compression is not implemented, so ql_compressed is always 0.
    std::snprintf(buf, sizeof buf,
                  " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 "
                  "ql_uncompressed_size:%zu",
                  q->node_count(), avg, q->fill(), bytes);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// ObjectOps

namespace {

void list_destroy(Encoding, void* obj) {
    delete static_cast<QuickList*>(obj);
}

void* list_clone(Encoding, const void* obj) {
    return static_cast<const QuickList*>(obj)->clone();
}

size_t list_heap_bytes(Encoding, const void* obj) {
    return static_cast<const QuickList*>(obj)->heap_bytes();
}

constexpr ObjectOps kListOps{list_destroy, list_clone, list_heap_bytes};

}  // namespace

void register_list_object_ops() {
    register_object_ops(ValueType::List, &kListOps);
}

}  // namespace snapstream
