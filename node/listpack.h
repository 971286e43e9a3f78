// Listpack: Redis 7.0's compact encoding of a sequence of strings and integers, reproduced byte
// for byte. Small hashes, sorted sets and every quicklist node are listpacks, and RDB files store
// them verbatim (RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, quicklist-2 nodes), so the bytes
// this class writes must be the ones Redis writes for the same operations, and it must accept
// any blob Redis would accept.
//
// Layout (all multi-byte numbers little endian):
//
//   +-------------+-----------+---------+---------+-----+---------+------+
//   | total bytes | count     | entry 0 | entry 1 | ... | entry N | 0xFF |
//   | uint32      | uint16    |         |         |     |         |      |
//   +-------------+-----------+---------+---------+-----+---------+------+
//
// `total bytes` covers the whole blob, header and terminator included, so an empty listpack is
// 7 bytes. `count` is the number of entries, or 65535 meaning "too many, walk to count them";
// once a listpack reaches 65535 entries the field stays 65535 until something recounts.
//
// Each entry is an encoding (a type tag, possibly carrying a length or a small value), the
// data, and a backlen:
//
//   first byte   meaning                       encoding + data size
//   0xxxxxxx     uint 0..127 in the low 7 bits   1
//   10LLLLLL     string, length L < 64           1 + L
//   110xxxxx     int13 (5 bits here + 1 byte)    2         value -4096..4095, two's complement
//   1110LLLL     string, 12-bit length           2 + L     (4 bits here, low byte next)
//   11110000     string, 32-bit length           5 + L
//   11110001     int16                           3
//   11110010     int24                           4
//   11110011     int32                           5
//   11110100     int64                           9
//   11110101..11111110                           invalid
//   11111111     the terminator (0xFF), not an entry
//
// Why: most elements of small collections are short strings or small numbers, so the common
// cases cost one byte of overhead. Any string that is a canonical decimal int64 (Redis's
// string2ll rules: no sign other than a leading '-', no leading zeros, no spaces, not "-0", at
// most 20 characters) is stored as the smallest integer encoding that holds it; reading it back
// renders the same text, and Redis's bytes depend on this choice.
//
// The backlen is the size of encoding + data (not counting itself), written as 7-bit groups,
// most significant first; every byte but the first has its high bit set. Read backwards from the
// byte before the next entry, it lets iteration walk from the tail to the head without an
// offset table. Its width follows Redis's thresholds exactly: 1 byte up to 127, 2 below 16383,
// 3 below 2097151, 4 below 268435455, else 5 (so 16383 takes 3 bytes although 2 could hold it).
//
// Positions (Pos) are byte offsets of entries inside the blob. They stay valid across reads and
// across mutations that happen after them in the blob; each mutation returns the position a
// caller needs next. Accessors assume a well-formed listpack: anything from outside must come in
// through from_bytes(..., deep_check = true) first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace snapstream {

class Listpack {
  public:
    using Pos = uint32_t;
    static constexpr Pos kNone = UINT32_MAX;

    static constexpr size_t kHeaderSize = 6;
    static constexpr size_t kEmptyBytes = kHeaderSize + 1;
    static constexpr uint16_t kUnknownCount = UINT16_MAX;
    // Redis refuses to grow a listpack past 1 GiB (callers check with safe_to_add()).
    static constexpr size_t kMaxSafeBytes = size_t{1} << 30;
    // Room for the decimal text of any int64, for get_str().
    static constexpr size_t kIntBufSize = 21;

    // One element: a string (pointing into the listpack) or an integer.
    struct Item {
        std::string_view str;
        int64_t num = 0;
        bool is_int = false;
    };

    // An empty listpack (7 bytes). Throws std::bad_alloc.
    Listpack();
    ~Listpack();
    Listpack(Listpack&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    Listpack& operator=(Listpack&& o) noexcept;
    Listpack(const Listpack&) = delete;
    Listpack& operator=(const Listpack&) = delete;
    // A moved-from Listpack may only be destroyed or assigned to.

    Listpack clone() const;

    // A copy of `blob` if it is a listpack. The header is always checked (total bytes equal to
    // the blob size, terminator last); with deep_check every entry is checked too (known
    // encoding, inside the blob, backlen matching, count matching unless 65535), which makes
    // the result safe to read whatever the input was. Without it the entries are trusted.
    static std::optional<Listpack> from_bytes(std::span<const uint8_t> blob, bool deep_check);
    // The checks from_bytes() makes, without copying (for a loader that already holds the blob
    // in a malloc'd buffer it will adopt).
    static bool validate(std::span<const uint8_t> blob, bool deep_check);
    // Takes ownership of a malloc'd, well-formed listpack blob.
    static Listpack adopt(uint8_t* blob) noexcept { return Listpack(blob); }
    // Gives up the blob (to be freed with free() or adopted again).
    uint8_t* release() noexcept;

    const uint8_t* data() const { return p_; }
    std::span<const uint8_t> span() const { return {p_, bytes()}; }
    size_t bytes() const;
    // Number of elements: the header's count, or a walk when it is 65535.
    size_t size() const;
    bool empty() const { return p_[kHeaderSize] == 0xFF; }
    // The header's count field as stored (65535 = unknown).
    uint16_t header_count() const;
    // Heap bytes held (the allocator's usable size of the blob).
    size_t heap_bytes() const;
    // Rewrites a 65535 count with the real one when it fits (Redis's lpLength side effect).
    void refresh_count();

    // Iteration: kNone past either end.
    Pos first() const { return empty() ? kNone : static_cast<Pos>(kHeaderSize); }
    Pos last() const;
    Pos next(Pos pos) const;
    Pos prev(Pos pos) const;
    // The element at `index` (negative counts from the tail, -1 = last); kNone out of range.
    // Walks from the nearer end when the count is known.
    Pos seek(int64_t index) const;

    Item get(Pos pos) const;
    int64_t get_int_or(Pos pos, int64_t fallback) const;
    // The element as text; integers are rendered into buf.
    std::string_view get_str(Pos pos, char (&buf)[kIntBufSize]) const;
    // Whether the element equals s as text (integers compared as numbers when s is one).
    bool equals(Pos pos, std::string_view s) const;
    // The first element at or after `from` equal to s, comparing only every (skip+1)-th element
    // (skip = 1 for field/value pairs); kNone if none.
    Pos find(std::string_view s, Pos from, uint32_t skip) const;

    // Mutations. All may move the blob (positions are offsets and survive that), throw
    // std::bad_alloc, or std::length_error past 4 GiB (callers enforce the 1 GiB limit with
    // safe_to_add()). Strings may point into this listpack itself.
    //
    // Each returns the position of the new element.
    Pos append(std::string_view s);
    Pos append_int(int64_t v);
    Pos prepend(std::string_view s);
    Pos prepend_int(int64_t v);
    // Inserts before or after the element at `at`; at == kNone appends.
    Pos insert(Pos at, std::string_view s, bool after);
    Pos insert_int(Pos at, int64_t v, bool after);
    // Replaces the element at `at`; returns `at`.
    Pos replace(Pos at, std::string_view s);
    Pos replace_int(Pos at, int64_t v);
    // Appends all strings with one reallocation; returns the first one's position (kNone if
    // `items` is empty). Same bytes as appending them one by one.
    Pos append_all(std::span<const std::string_view> items);
    // Removes up to `count` elements starting at `at`; returns the position of the element that
    // followed them, or kNone if they reached the end.
    Pos erase(Pos at, uint32_t count = 1);
    // Removes up to `count` elements starting at index `start` (negative from the tail); no-op
    // if `start` is out of range.
    void erase_range(int64_t start, uint32_t count);

    // Whether a listpack of current_bytes may grow by `add` bytes (Redis's lpSafeToAdd).
    static bool safe_to_add(size_t current_bytes, size_t add) {
        return current_bytes + add <= kMaxSafeBytes;
    }
    // Bytes the element would take in a listpack (encoding, data and backlen).
    static size_t entry_size(std::string_view s);
    static size_t entry_size_int(int64_t v);

  private:
    explicit Listpack(uint8_t* p) noexcept : p_(p) {}

    // Entry size (encoding + data + backlen) of the entry at pos.
    uint32_t entry_bytes(Pos pos) const;
    // Turns the `old_len` bytes at `at` into `new_len` bytes (contents unspecified), shifting
    // what follows and updating the total in the header. Returns the (possibly moved) p_ + at.
    uint8_t* resize_at(Pos at, size_t old_len, size_t new_len);
    void add_count(size_t n);
    void sub_count(size_t n);
    bool points_inside(std::string_view s) const;
    Pos insert_str_at(Pos at, std::string_view s);
    Pos insert_int_at(Pos at, int64_t v);
    Pos replace_str_at(Pos at, std::string_view s);

    uint8_t* p_;
};

static_assert(sizeof(Listpack) == 8);

}  // namespace snapstream
