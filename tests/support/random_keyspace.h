// Seeded random keyspaces for the codec tests (RDB round trip, command-format AOF base): every
// type in each of its encodings, binary keys and values, every kind of score, TTLs (some already
// passed), in databases 0, 1, 7 and 15. Header-only: the tests that use it link the node library.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"

namespace snapstream::test {

inline std::string random_bytes(std::mt19937_64& rng, size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    return s;
}

// An element: small and big integers, binary, long text, non-canonical numbers, short text.
inline std::string random_element(std::mt19937_64& rng) {
    switch (rng() % 7) {
        case 0:
            return std::to_string(static_cast<int64_t>(rng() % 1000) - 500);
        case 1:
            return std::to_string(static_cast<int64_t>(rng()));
        case 2:
            return random_bytes(rng, rng() % 16);
        case 3:
            return std::string(20 + rng() % 60, static_cast<char>('a' + rng() % 26));
        case 4:
            return "0" + std::to_string(rng() % 100);  // not canonical
        default:
            return "e" + std::to_string(rng() % 100000);
    }
}

// A score: the infinities, integers, fractions, -0, huge values.
inline double random_score(std::mt19937_64& rng) {
    switch (rng() % 7) {
        case 0:
            return INFINITY;
        case 1:
            return -INFINITY;
        case 2:
            return static_cast<double>(static_cast<int64_t>(rng() % 2000) - 1000);
        case 3:
            return static_cast<double>(rng() % 1000000) / 7.0;
        case 4:
            return -0.0;
        case 5:
            return std::ldexp(static_cast<double>(rng() % 1000), static_cast<int>(rng() % 140));
        default:
            return static_cast<double>(rng() % 100);
    }
}

// How big the random collections get (a small one has 1..small elements; one in three or four
// is big), and the rest of the mix.
struct RandomKeyspaceShape {
    hash_type::Limits hash_limits{128, 64};
    zset::Limits zset_limits{128, 64};
    size_t hash_small = 20, hash_big = 200;
    size_t set_small = 40;
    size_t zset_small = 30;
    size_t list_small = 50;
    bool huge_strings = false;  // some 70 KB strings
    int expired_one_in = 50;    // keys whose TTL has already passed
};

// Fills `ks` with a seeded mix of keys in databases 0, 1, 7 and 15.
inline void populate_random_keyspace(Keyspace& ks, uint64_t seed, int64_t now,
                                     const RandomKeyspaceShape& shape = {}) {
    std::mt19937_64 rng(seed);
    const hash_type::Limits& hl = shape.hash_limits;
    const zset::Limits& zl = shape.zset_limits;
    for (int db : {0, 1, 7, 15}) {
        Database& d = ks.db(db);
        const int keys = 50 + static_cast<int>(rng() % 100);
        for (int i = 0; i < keys; ++i) {
            std::string key = rng() % 10 == 0
                                  ? random_bytes(rng, 1 + rng() % 30)
                                  : "k" + std::to_string(seed) + ":" + std::to_string(i);
            if (d.dict.find(key)) continue;
            Value v;
            switch (rng() % 5) {
                case 0: {
                    const int kind = static_cast<int>(rng() % (shape.huge_strings ? 5 : 4));
                    if (kind == 0) v = Value::string(std::to_string(static_cast<int64_t>(rng())));
                    if (kind == 1) v = Value::string(random_bytes(rng, rng() % 44));
                    if (kind == 2) v = Value::string(std::string(45 + rng() % 3000, 'z'));
                    if (kind == 3) v = Value::raw_string(random_bytes(rng, 45 + rng() % 300));
                    if (kind == 4) v = Value::string(std::string(70000 + rng() % 100, 'B'));
                    break;
                }
                case 1: {
                    v = hash_type::create();
                    const size_t n = rng() % 3 == 0 ? shape.hash_big : 1 + rng() % shape.hash_small;
                    for (size_t f = 0; f < n; ++f)
                        hash_type::set(v, "f" + std::to_string(f) + random_element(rng),
                                       random_element(rng), hl);
                    break;
                }
                case 2: {
                    const size_t n = rng() % 3 == 0 ? 600 : 1 + rng() % shape.set_small;
                    const bool ints = rng() % 2;
                    std::string first = ints ? "1" : "x";
                    v = set_type::create_for(first);
                    set_type::add(v, first, 512);
                    for (size_t m = 0; m < n; ++m)
                        set_type::add(
                            v,
                            ints ? std::to_string(static_cast<int64_t>(rng()) >> (rng() % 63))
                                 : random_element(rng),
                            512);
                    break;
                }
                case 3: {
                    const size_t n = rng() % 3 == 0 ? 300 : 1 + rng() % shape.zset_small;
                    const std::string first = random_element(rng);
                    v = zset::create_for_add(first, zl);
                    int out;
                    zset::add(v, random_score(rng), first, 0, out, nullptr, zl);
                    for (size_t m = 0; m < n; ++m)
                        zset::add(v, random_score(rng), random_element(rng), 0, out, nullptr, zl);
                    break;
                }
                default: {
                    auto* ql = new QuickList(QuickList::kDefaultFill);
                    const size_t n = rng() % 4 == 0 ? 3000 : 1 + rng() % shape.list_small;
                    for (size_t e = 0; e < n; ++e) {
                        if (rng() % 100 == 0)
                            ql->push(std::string(9000, 'L'), rng() % 2);
                        else
                            ql->push(random_element(rng), rng() % 2);
                    }
                    v = Value::object(ValueType::List, Encoding::Quicklist, ql);
                    break;
                }
            }
            Entry* e = ks.add(d, key, std::move(v));
            if (rng() % 4 == 0) ks.set_expire(d, e, now + static_cast<int64_t>(rng() % 100000000));
            if (rng() % shape.expired_one_in == 0) ks.set_expire(d, e, now - 1000);
        }
    }
}

}  // namespace snapstream::test
