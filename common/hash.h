// The keyed hash of every hash table in the node. Seeded at start-up from the OS so that
// hash-flooding inputs can't be prepared in advance (Redis uses SipHash for the same reason).
#pragma once

#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace snapstream {

void set_hash_seed(uint64_t seed);
extern uint64_t g_hash_seed;

inline uint64_t hash_bytes(std::string_view s) {
    return XXH3_64bits_withSeed(s.data(), s.size(), g_hash_seed);
}

}  // namespace snapstream
