// Walking a Dict for a writer that reads every entry and its value once (the RDB writer, the
// command-format AOF base writer).
//
// Dict::for_each with the callback run kLag entries late. Entries are separate allocations in
// no particular order, so a plain walk stalls on a cache miss for every entry and again for
// the value's own allocation; here an entry is prefetched when the walk reaches it, its value's
// first cache line kLag / 2 entries later, and it is handed to fn kLag entries later, by which
// time both are usually in cache. The order of the calls is the walk's order.
#pragma once

#include <cstddef>

#include "node/dict.h"
#include "node/value.h"

namespace snapstream {

template <typename F>
void walk_prefetched(const Dict& d, F&& fn) {
    constexpr size_t kLag = 8;
    const Entry* ring[kLag];
    size_t n = 0;
    d.for_each([&](const Entry* e) {
        const size_t slot = n % kLag;
        if (n >= kLag) fn(ring[slot]);
        ring[slot] = e;
        __builtin_prefetch(e);
        if (n >= kLag / 2) {
            const Value& half = ring[(n - kLag / 2) % kLag]->value;
            if (!half.is_int()) __builtin_prefetch(half.obj());
        }
        ++n;
    });
    for (size_t i = n > kLag ? n - kLag : 0; i < n; ++i) fn(ring[i % kLag]);
}

}  // namespace snapstream
