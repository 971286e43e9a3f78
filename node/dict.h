// The keyspace's hash table: chained buckets, power-of-two sizes, incremental rehashing, and a
// reverse-binary SCAN cursor.
//
// Entries are single allocations: a 32-byte header (next pointer, 16-byte Value, key length,
// flags, LRU clock) followed by the key bytes, so one key costs one allocation plus its value's.
//
// Growth: when the number of entries reaches the bucket count, a table twice the size is
// allocated and buckets move to it incrementally (one bucket per operation, plus time-bounded
// steps from the cron) so that no single command pays for a full rehash. Shrinking happens from
// the cron when fewer than 10% of the buckets are used.
//
// SCAN guarantee (as Redis's): every entry present for the whole scan is returned at least once,
// even across growth and shrink. The cursor counts through bucket indexes with the bits reversed,
// so the buckets a bucket splits into (or merges from) in a table of another size are visited
// consecutively and never skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string_view>

#include "common/hash.h"
#include "node/value.h"

namespace snapstream {

struct Entry {
    Entry* next;
    Value value;
    uint32_t keylen;
    uint32_t lru : 24;  // seconds clock of the last access (OBJECT IDLETIME)
    uint32_t flags : 8;

    static constexpr uint32_t kHasExpire = 1;

    std::string_view key() const {
        return std::string_view(reinterpret_cast<const char*>(this + 1), keylen);
    }
    bool has_expire() const { return (flags & kHasExpire) != 0; }

    static Entry* create(std::string_view key, Value v);
    static void destroy(Entry* e);
};
static_assert(sizeof(Entry) == 32);

class Dict {
  public:
    Dict() = default;
    ~Dict() { clear(); }
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;
    Dict(Dict&& o) noexcept { swap(o); }
    Dict& operator=(Dict&& o) noexcept {
        swap(o);
        return *this;
    }
    void swap(Dict& o) noexcept;

    size_t size() const { return t_[0].used + t_[1].used; }
    size_t buckets() const { return t_[0].size + t_[1].size; }
    bool rehashing() const { return rehash_idx_ >= 0; }

    Entry* find(std::string_view key);
    // Inserts an entry whose key is not present.
    void insert(Entry* e);
    // Inserts e unless its key is present (then returns false and leaves e to the caller): one
    // hash computation for the check and the insert (loaders detecting duplicates).
    bool insert_if_absent(Entry* e);
    // Sizes the table for n entries ahead of a bulk insert (RDB RESIZEDB hints, collections
    // of known length), so that it does not grow step by step. No-op while rehashing or when
    // the table is already big enough.
    void reserve(size_t n);
    // Removes the entry with this key and returns it (caller destroys), or nullptr.
    Entry* unlink(std::string_view key);
    // Destroys every entry and frees the tables.
    void clear();

    // Moves up to n buckets to the new table; returns true while rehashing continues.
    bool rehash_steps(int n);
    // Shrinks the table when it is under 10% full (called from the cron).
    void maybe_shrink();
    // While a forked child holds a copy-on-write view, resizing is avoided unless the table is
    // badly overloaded (5 entries per bucket), as Redis does.
    void set_resize_allowed(bool allowed) { resize_allowed_ = allowed; }

    // One SCAN step: calls fn(Entry*) for the entries of the next bucket(s); returns the next
    // cursor, 0 when the scan is complete.
    template <typename F>
    uint64_t scan(uint64_t cursor, F&& fn);

    // A random entry (nullptr when empty). Used by RANDOMKEY.
    Entry* random(std::mt19937_64& rng);

    template <typename F>
    void for_each(F&& fn) const {
        for (const Table& t : t_)
            for (size_t i = 0; i < t.size; ++i)
                for (Entry* e = t.buckets[i]; e; e = e->next) fn(e);
    }

  private:
    struct Table {
        std::unique_ptr<Entry*[]> buckets;
        size_t size = 0;
        size_t mask = 0;
        size_t used = 0;
    };

    void expand_if_needed();
    void resize(size_t want);
    static uint64_t bucket_hash(std::string_view key) { return hash_bytes(key); }
    static uint64_t rev(uint64_t v);
    template <typename F>
    static void visit(const Table& t, size_t idx, F& fn) {
        for (Entry* e = t.buckets[idx]; e; e = e->next) fn(e);
    }

    Table t_[2];
    ptrdiff_t rehash_idx_ = -1;
    bool resize_allowed_ = true;
};

template <typename F>
uint64_t Dict::scan(uint64_t v, F&& fn) {
    if (size() == 0) return 0;
    if (!rehashing()) {
        const Table& t = t_[0];
        visit(t, v & t.mask, fn);
        v |= ~t.mask;
        v = rev(v);
        ++v;
        return rev(v);
    }
    const Table* small = &t_[0];
    const Table* large = &t_[1];
    if (small->size > large->size) std::swap(small, large);
    const uint64_t m0 = small->mask;
    const uint64_t m1 = large->mask;
    visit(*small, v & m0, fn);
    do {
        visit(*large, v & m1, fn);
        v |= ~m1;
        v = rev(v);
        ++v;
        v = rev(v);
    } while (v & (m0 ^ m1));
    return v;
}

}  // namespace snapstream
