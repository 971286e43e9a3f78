// Intset: Redis 7.0's encoding of a small set of integers, reproduced byte for byte (RDB files
// store it verbatim as RDB_TYPE_SET_INTSET).
//
// Layout (little endian):
//
//   +----------+--------+---------+---------+-----+-------------+
//   | encoding | length | value 0 | value 1 | ... | value len-1 |
//   | uint32   | uint32 |         |         |     |             |
//   +----------+--------+---------+---------+-----+-------------+
//
// `encoding` is the width of every value in bytes: 2, 4 or 8 (int16, int32, int64). Values are
// two's complement, strictly increasing, so membership is a binary search and the set needs no
// other index. All values share the narrowest width that holds the widest one ever added: adding
// a value that does not fit widens every element (the new value, being out of the old range, then
// goes first or last); removing never narrows, as in Redis, so the bytes match Redis's for the
// same sequence of operations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace snapstream {

class Intset {
  public:
    static constexpr size_t kHeaderSize = 8;

    // An empty set (8 bytes, 16-bit encoding). Throws std::bad_alloc.
    Intset();
    ~Intset();
    Intset(Intset&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    Intset& operator=(Intset&& o) noexcept;
    Intset(const Intset&) = delete;
    Intset& operator=(const Intset&) = delete;
    // A moved-from Intset may only be destroyed or assigned to.

    Intset clone() const;

    // A copy of `blob` if it is an intset as Redis's loader accepts it: known encoding, size
    // equal to header + length * encoding, and not empty (Redis never stores an empty set).
    // With deep_check the values must also be strictly increasing.
    static std::optional<Intset> from_bytes(std::span<const uint8_t> blob, bool deep_check);
    // The checks from_bytes() makes, without copying.
    static bool validate(std::span<const uint8_t> blob, bool deep_check);
    // Takes ownership of a malloc'd, well-formed intset blob.
    static Intset adopt(uint8_t* blob) noexcept { return Intset(blob); }
    // Gives up the blob (to be freed with free() or adopted again).
    uint8_t* release() noexcept;

    // Inserts v; false if it was already present. May widen the encoding.
    bool add(int64_t v);
    // Removes v; false if it was not present.
    bool remove(int64_t v);
    bool contains(int64_t v) const;

    size_t size() const;
    bool empty() const { return size() == 0; }
    // The i-th smallest value (i < size()).
    int64_t at(size_t i) const;
    // Smallest / largest value (the set must not be empty).
    int64_t min() const { return at(0); }
    int64_t max() const { return at(size() - 1); }
    // Bytes per value: 2, 4 or 8.
    uint32_t encoding() const;

    const uint8_t* data() const { return p_; }
    std::span<const uint8_t> span() const { return {p_, bytes()}; }
    size_t bytes() const { return kHeaderSize + size() * encoding(); }
    // Heap bytes held (the allocator's usable size of the blob).
    size_t heap_bytes() const;

    // The narrowest encoding (2, 4 or 8) that holds v.
    static uint32_t encoding_for(int64_t v);

  private:
    explicit Intset(uint8_t* p) noexcept : p_(p) {}
    // Where v is (true) or would be inserted (false).
    bool search(int64_t v, size_t* pos) const;
    // Reallocates the blob from old_n to new_n bytes (growth only when the allocation is full).
    void resize_blob(size_t old_n, size_t new_n);

    uint8_t* p_;
};

static_assert(sizeof(Intset) == 8);

}  // namespace snapstream
