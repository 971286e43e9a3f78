#include "node/dict.h"

#include <cstdlib>
#include <new>
#include <utility>

namespace snapstream {

Entry* Entry::create(std::string_view key, Value v) {
    void* mem = std::malloc(sizeof(Entry) + key.size());
    if (!mem) throw std::bad_alloc();
    Entry* e = static_cast<Entry*>(mem);
    e->next = nullptr;
    new (&e->value) Value(std::move(v));
    e->keylen = static_cast<uint32_t>(key.size());
    e->lru = 0;
    e->flags = 0;
    if (!key.empty()) std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
    return e;
}

void Entry::destroy(Entry* e) {
    e->value.~Value();
    std::free(e);
}

void Dict::swap(Dict& o) noexcept {
    std::swap(t_[0], o.t_[0]);
    std::swap(t_[1], o.t_[1]);
    std::swap(rehash_idx_, o.rehash_idx_);
    std::swap(resize_allowed_, o.resize_allowed_);
}

uint64_t Dict::rev(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
    return __builtin_bswap64(v);
}

Entry* Dict::find(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_steps(1);
    const uint64_t h = bucket_hash(key);
    for (int ti = 0; ti <= (rehashing() ? 1 : 0); ++ti) {
        const Table& t = t_[ti];
        if (t.size == 0) continue;
        for (Entry* e = t.buckets[h & t.mask]; e; e = e->next) {
            if (e->keylen == key.size() &&
                std::memcmp(e->key().data(), key.data(), key.size()) == 0)
                return e;
        }
    }
    return nullptr;
}

void Dict::insert(Entry* e) {
    if (rehashing()) rehash_steps(1);
    expand_if_needed();
    Table& t = rehashing() ? t_[1] : t_[0];
    const size_t idx = bucket_hash(e->key()) & t.mask;
    e->next = t.buckets[idx];
    t.buckets[idx] = e;
    ++t.used;
}

bool Dict::insert_if_absent(Entry* e) {
    if (rehashing()) rehash_steps(1);
    const std::string_view key = e->key();
    const uint64_t h = bucket_hash(key);
    for (int ti = 0; ti <= (rehashing() ? 1 : 0); ++ti) {
        const Table& t = t_[ti];
        if (t.size == 0) continue;
        for (Entry* x = t.buckets[h & t.mask]; x; x = x->next) {
            if (x->keylen == key.size() &&
                std::memcmp(x->key().data(), key.data(), key.size()) == 0)
                return false;
        }
    }
    expand_if_needed();
    Table& t = rehashing() ? t_[1] : t_[0];
    const size_t idx = h & t.mask;
    e->next = t.buckets[idx];
    t.buckets[idx] = e;
    ++t.used;
    return true;
}

void Dict::reserve(size_t n) {
    if (rehashing() || n <= t_[0].size) return;
    resize(n);
}

Entry* Dict::unlink(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_steps(1);
    const uint64_t h = bucket_hash(key);
    for (int ti = 0; ti <= (rehashing() ? 1 : 0); ++ti) {
        Table& t = t_[ti];
        if (t.size == 0) continue;
        Entry** link = &t.buckets[h & t.mask];
        for (Entry* e = *link; e; link = &e->next, e = e->next) {
            if (e->keylen == key.size() &&
                std::memcmp(e->key().data(), key.data(), key.size()) == 0) {
                *link = e->next;
                e->next = nullptr;
                --t.used;
                return e;
            }
        }
    }
    return nullptr;
}

void Dict::clear() {
    for (Table& t : t_) {
        for (size_t i = 0; i < t.size; ++i) {
            Entry* e = t.buckets[i];
            while (e) {
                Entry* next = e->next;
                Entry::destroy(e);
                e = next;
            }
        }
        t = Table{};
    }
    rehash_idx_ = -1;
}

void Dict::expand_if_needed() {
    if (rehashing()) return;
    if (t_[0].size == 0) {
        resize(4);
        return;
    }
    const size_t used = t_[0].used;
    if (used >= t_[0].size && (resize_allowed_ || used / t_[0].size > 5)) resize(used + 1);
}

void Dict::resize(size_t want) {
    size_t n = 4;
    while (n < want) n <<= 1;
    Table fresh;
    fresh.buckets.reset(new Entry*[n]());
    fresh.size = n;
    fresh.mask = n - 1;
    if (t_[0].size == 0) {
        t_[0] = std::move(fresh);
        return;
    }
    t_[1] = std::move(fresh);
    rehash_idx_ = 0;
}

bool Dict::rehash_steps(int n) {
    if (!rehashing()) return false;
    int empty_visits = n * 10;  // bound the work on a sparse table
    Table& from = t_[0];
    Table& to = t_[1];
    while (n-- > 0 && from.used != 0) {
        while (from.buckets[rehash_idx_] == nullptr) {
            ++rehash_idx_;
            if (--empty_visits == 0) return true;
        }
        Entry* e = from.buckets[rehash_idx_];
        while (e) {
            Entry* next = e->next;
            const size_t idx = bucket_hash(e->key()) & to.mask;
            e->next = to.buckets[idx];
            to.buckets[idx] = e;
            --from.used;
            ++to.used;
            e = next;
        }
        from.buckets[rehash_idx_] = nullptr;
        ++rehash_idx_;
    }
    if (from.used == 0) {
        t_[0] = std::move(t_[1]);
        t_[1] = Table{};
        rehash_idx_ = -1;
        return false;
    }
    return true;
}

void Dict::maybe_shrink() {
    if (rehashing() || !resize_allowed_ || t_[0].size <= 4) return;
    if (t_[0].used * 10 < t_[0].size) resize(t_[0].used == 0 ? 4 : t_[0].used);
}

Entry* Dict::random(std::mt19937_64& rng) {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_steps(1);
    Entry* head = nullptr;
    if (rehashing()) {
        // Buckets below rehash_idx_ in the old table are empty: draw from the rest of both.
        const size_t lo = static_cast<size_t>(rehash_idx_);
        const size_t span = t_[0].size - lo + t_[1].size;
        while (!head) {
            size_t i = lo + rng() % span;
            head = i < t_[0].size ? t_[0].buckets[i] : t_[1].buckets[i - t_[0].size];
        }
    } else {
        while (!head) head = t_[0].buckets[rng() & t_[0].mask];
    }
    size_t len = 0;
    for (Entry* e = head; e; e = e->next) ++len;
    size_t pick = rng() % len;
    while (pick--) head = head->next;
    return head;
}

}  // namespace snapstream
