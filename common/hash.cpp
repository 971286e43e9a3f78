#include "common/hash.h"

namespace snapstream {

uint64_t g_hash_seed = 0x9e3779b97f4a7c15ull;

void set_hash_seed(uint64_t seed) {
    g_hash_seed = seed;
}

}  // namespace snapstream
