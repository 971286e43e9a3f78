// Intset storage and search; the format is described in intset.h.
#include "node/intset.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace snapstream {
namespace {

inline uint64_t load_le(const uint8_t* p, uint32_t n) {
    uint64_t v = 0;
    for (uint32_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

inline void store_le(uint8_t* p, uint64_t v, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// The value stored in `width` bytes at p, sign-extended.
inline int64_t load_value(const uint8_t* p, uint32_t width) {
    switch (width) {
        case 2:
            return static_cast<int16_t>(load_le(p, 2));
        case 4:
            return static_cast<int32_t>(load_le(p, 4));
        default:
            return static_cast<int64_t>(load_le(p, 8));
    }
}

inline void store_value(uint8_t* p, int64_t v, uint32_t width) {
    store_le(p, static_cast<uint64_t>(v), width);
}

uint8_t* checked_malloc(size_t n) {
    void* p = std::malloc(n);
    if (!p) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
}

}  // namespace

Intset::Intset() : p_(checked_malloc(kHeaderSize)) {
    store_le(p_, 2, 4);
    store_le(p_ + 4, 0, 4);
}

Intset::~Intset() {
    std::free(p_);
}

Intset& Intset::operator=(Intset&& o) noexcept {
    if (this != &o) {
        std::free(p_);
        p_ = o.p_;
        o.p_ = nullptr;
    }
    return *this;
}

Intset Intset::clone() const {
    const size_t n = bytes();
    uint8_t* copy = checked_malloc(n);
    std::memcpy(copy, p_, n);
    return Intset(copy);
}

bool Intset::validate(std::span<const uint8_t> blob, bool deep_check) {
    if (blob.size() < kHeaderSize) return false;
    const uint8_t* b = blob.data();
    const auto width = static_cast<uint32_t>(load_le(b, 4));
    if (width != 2 && width != 4 && width != 8) return false;
    const uint64_t len = load_le(b + 4, 4);
    if (len == 0 || kHeaderSize + len * width != blob.size()) return false;
    if (deep_check) {
        int64_t prev = load_value(b + kHeaderSize, width);
        for (uint64_t i = 1; i < len; ++i) {
            const int64_t cur = load_value(b + kHeaderSize + i * width, width);
            if (cur <= prev) return false;
            prev = cur;
        }
    }
    return true;
}

std::optional<Intset> Intset::from_bytes(std::span<const uint8_t> blob, bool deep_check) {
    if (!validate(blob, deep_check)) return std::nullopt;
    uint8_t* copy = checked_malloc(blob.size());
    std::memcpy(copy, blob.data(), blob.size());
    return Intset(copy);
}

uint8_t* Intset::release() noexcept {
    uint8_t* p = p_;
    p_ = nullptr;
    return p;
}

uint32_t Intset::encoding() const {
    return static_cast<uint32_t>(load_le(p_, 4));
}

size_t Intset::size() const {
    return static_cast<size_t>(load_le(p_ + 4, 4));
}

size_t Intset::heap_bytes() const {
    return malloc_usable_size(p_);
}

uint32_t Intset::encoding_for(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) return 4;
    return 2;
}

int64_t Intset::at(size_t i) const {
    const uint32_t width = encoding();
    return load_value(p_ + kHeaderSize + i * width, width);
}

bool Intset::search(int64_t v, size_t* pos) const {
    const uint32_t width = encoding();
    const uint8_t* values = p_ + kHeaderSize;
    size_t lo = 0, hi = size();  // answer in [lo, hi]
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int64_t cur = load_value(values + mid * width, width);
        if (cur < v) {
            lo = mid + 1;
        } else if (cur > v) {
            hi = mid;
        } else {
            *pos = mid;
            return true;
        }
    }
    *pos = lo;
    return false;
}

bool Intset::contains(int64_t v) const {
    if (encoding_for(v) > encoding()) return false;
    size_t pos;
    return search(v, &pos);
}

void Intset::resize_blob(size_t old_n, size_t new_n) {
    if (new_n > old_n) {
        if (new_n <= malloc_usable_size(p_)) return;
        void* q = std::realloc(p_, new_n);
        if (!q) throw std::bad_alloc();
        p_ = static_cast<uint8_t*>(q);
    } else if (new_n < old_n) {
        // A failed shrink leaves the old block, still good.
        if (void* q = std::realloc(p_, new_n)) p_ = static_cast<uint8_t*>(q);
    }
}

bool Intset::add(int64_t v) {
    const uint32_t width = encoding();
    const uint32_t need = encoding_for(v);
    const size_t len = size();
    if (len >= UINT32_MAX) throw std::length_error("intset full");
    if (need > width) {
        // v lies outside every stored value's range: it goes first if negative, else last.
        // Widen back to front so no value is overwritten before it is read.
        resize_blob(kHeaderSize + len * width, kHeaderSize + (len + 1) * need);
        uint8_t* values = p_ + kHeaderSize;
        const size_t shift = v < 0 ? 1 : 0;
        for (size_t i = len; i-- > 0;)
            store_value(values + (i + shift) * need, load_value(values + i * width, width), need);
        store_value(values + (v < 0 ? 0 : len) * need, v, need);
        store_le(p_, need, 4);
        store_le(p_ + 4, len + 1, 4);
        return true;
    }
    size_t pos;
    if (search(v, &pos)) return false;
    resize_blob(kHeaderSize + len * width, kHeaderSize + (len + 1) * width);
    uint8_t* slot = p_ + kHeaderSize + pos * width;
    std::memmove(slot + width, slot, (len - pos) * width);
    store_value(slot, v, width);
    store_le(p_ + 4, len + 1, 4);
    return true;
}

bool Intset::remove(int64_t v) {
    const uint32_t width = encoding();
    if (encoding_for(v) > width) return false;
    size_t pos;
    if (!search(v, &pos)) return false;
    const size_t len = size();
    uint8_t* slot = p_ + kHeaderSize + pos * width;
    std::memmove(slot, slot + width, (len - pos - 1) * width);
    resize_blob(kHeaderSize + len * width, kHeaderSize + (len - 1) * width);
    store_le(p_ + 4, len - 1, 4);
    return true;
}

}  // namespace snapstream
