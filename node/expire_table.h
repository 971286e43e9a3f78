// Expiry times of the keys that have one, kept apart from the main table (as Redis keeps its
// `expires` dict) so that keys without a TTL pay nothing for the feature.
//
// Open addressing with linear probing, keyed by the key's Entry pointer (stable for the life of
// the key), deletion by backward shift (no tombstones). The flat slot array also makes the
// active-expiry cycle cheap: it walks slots from a rotating cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "node/dict.h"

namespace snapstream {

class ExpireTable {
  public:
    size_t size() const { return used_; }
    void clear() {
        slots_.reset();
        cap_ = used_ = 0;
        cursor_ = 0;
    }

    // Returns the expiry in ms, or -1 when the entry has none.
    int64_t get(const Entry* e) const;
    void set(Entry* e, int64_t when_ms);
    bool erase(const Entry* e);

    // Visits up to `n` occupied slots from the rotating cursor: fn(Entry*, when_ms) → true when
    // the callback erased that entry (the slot is then revisited, as backward shift refills it).
    // Returns the number of slots examined.
    template <typename F>
    size_t sample(size_t n, F&& fn);

    // For FLUSH/SWAPDB bookkeeping and the avg_ttl figure.
    template <typename F>
    void for_each(F&& fn) const {
        for (size_t i = 0; i < cap_; ++i)
            if (slots_[i].entry) fn(slots_[i].entry, slots_[i].when);
    }

  private:
    struct Slot {
        Entry* entry = nullptr;
        int64_t when = 0;
    };
    static size_t hash_ptr(const Entry* e) {
        uint64_t x = reinterpret_cast<uintptr_t>(e);
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        return static_cast<size_t>(x);
    }
    size_t find_slot(const Entry* e) const;  // index or cap_ when absent
    void grow();
    void erase_at(size_t i);

    std::unique_ptr<Slot[]> slots_;
    size_t cap_ = 0;
    size_t used_ = 0;
    size_t cursor_ = 0;
};

template <typename F>
size_t ExpireTable::sample(size_t n, F&& fn) {
    size_t examined = 0;
    size_t visited = 0;
    while (used_ > 0 && examined < n && visited < cap_) {
        cursor_ &= cap_ - 1;
        Slot& s = slots_[cursor_];
        if (s.entry) {
            ++examined;
            if (fn(s.entry, s.when)) continue;  // erased: the slot now holds a shifted entry
        }
        ++cursor_;
        ++visited;
    }
    return examined;
}

}  // namespace snapstream
