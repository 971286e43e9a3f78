// Listpack encoding and editing; the format is described in listpack.h.
//
// Every edit is one reallocation plus one memmove of the tail: the blob grows before the move
// (only when the allocator's usable size is too small) and shrinks after it.
#include "node/listpack.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/numeric.h"

namespace snapstream {
namespace {

constexpr uint8_t kEof = 0xFF;
constexpr size_t kHdr = Listpack::kHeaderSize;
constexpr size_t kMaxIntText = 20;

// Encoding tags (first byte of an entry).
constexpr uint8_t kStr6 = 0x80;   // 10LLLLLL
constexpr uint8_t kInt13 = 0xC0;  // 110xxxxx
constexpr uint8_t kStr12 = 0xE0;  // 1110LLLL
constexpr uint8_t kStr32 = 0xF0;
constexpr uint8_t kInt16 = 0xF1;
constexpr uint8_t kInt24 = 0xF2;
constexpr uint8_t kInt32 = 0xF3;
constexpr uint8_t kInt64 = 0xF4;

inline uint32_t load_le32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
inline uint64_t load_le(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
inline void store_le(uint8_t* p, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Width of the backlen of an entry whose encoding + data is `len` bytes (Redis's thresholds).
inline uint32_t backlen_width(uint64_t len) {
    if (len <= 127) return 1;
    if (len < 16383) return 2;
    if (len < 2097151) return 3;
    if (len < 268435455) return 4;
    return 5;
}

inline void write_backlen(uint8_t* dst, uint64_t len, uint32_t width) {
    dst[0] = static_cast<uint8_t>(len >> (7 * (width - 1)));
    for (uint32_t i = 1; i < width; ++i)
        dst[i] = static_cast<uint8_t>(((len >> (7 * (width - 1 - i))) & 0x7F) | 0x80);
}

// Decodes the backlen whose last byte is at `last`, reading towards the head: 7 bits per byte,
// a set high bit meaning another byte precedes. UINT64_MAX if it runs past 5 bytes.
inline uint64_t read_backlen(const uint8_t* last) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const uint8_t b = *last;
        v |= uint64_t{b & 0x7Fu} << shift;
        if (!(b & 0x80)) return v;
        if (shift >= 28) return UINT64_MAX;
        --last;
    }
}

// Bytes of the encoding needed to know an entry's size (1, 2 or 5); 0 for an invalid tag.
// The terminator counts as 1.
inline uint32_t tag_bytes(uint8_t b) {
    if (b < kStr12) return 1;
    if (b < kStr32) return 2;
    if (b == kStr32) return 5;
    if (b <= kInt64 || b == kEof) return 1;
    return 0;
}

// Encoding + data size of the entry at p; only its tag bytes are read. 0 for an invalid tag.
inline uint64_t encoded_size(const uint8_t* p) {
    const uint8_t b = p[0];
    if (b < kStr6) return 1;
    if (b < kInt13) return 1 + (b & 0x3Fu);
    if (b < kStr12) return 2;
    if (b < kStr32) return 2 + ((uint64_t{b & 0x0Fu} << 8) | p[1]);
    switch (b) {
        case kStr32:
            return 5 + uint64_t{load_le32(p + 1)};
        case kInt16:
            return 3;
        case kInt24:
            return 4;
        case kInt32:
            return 5;
        case kInt64:
            return 9;
        default:
            return 0;
    }
}

inline uint32_t entry_total(const uint8_t* p) {
    const uint64_t enc = encoded_size(p);
    return static_cast<uint32_t>(enc + backlen_width(enc));
}

// Sign-extends the low `bits` bits of u.
inline int64_t sign_extend(uint64_t u, unsigned bits) {
    const uint64_t sign = uint64_t{1} << (bits - 1);
    return static_cast<int64_t>((u ^ sign) - sign);
}

// The element at p, and the size of its encoding + data.
struct Decoded {
    const uint8_t* str;  // nullptr for integers
    uint64_t len;        // string length
    int64_t num;
    uint64_t enc_size;
};

inline Decoded decode(const uint8_t* p) {
    const uint8_t b = p[0];
    if (b < kStr6) return {nullptr, 0, b, 1};
    if (b < kInt13) {
        const uint64_t len = b & 0x3Fu;
        return {p + 1, len, 0, 1 + len};
    }
    if (b < kStr12) return {nullptr, 0, sign_extend((uint64_t{b & 0x1Fu} << 8) | p[1], 13), 2};
    if (b < kStr32) {
        const uint64_t len = (uint64_t{b & 0x0Fu} << 8) | p[1];
        return {p + 2, len, 0, 2 + len};
    }
    switch (b) {
        case kStr32: {
            const uint64_t len = load_le32(p + 1);
            return {p + 5, len, 0, 5 + len};
        }
        case kInt16:
            return {nullptr, 0, sign_extend(load_le(p + 1, 2), 16), 3};
        case kInt24:
            return {nullptr, 0, sign_extend(load_le(p + 1, 3), 24), 4};
        case kInt32:
            return {nullptr, 0, sign_extend(load_le(p + 1, 4), 32), 5};
        case kInt64:
            return {nullptr, 0, static_cast<int64_t>(load_le(p + 1, 8)), 9};
        default:
            return {nullptr, 0, 0, 1};  // not reachable in a validated listpack
    }
}

// An element ready to be written: the encoding bytes (the whole integer, or a string's tag and
// length), the string bytes if any, then the backlen.
struct Encoded {
    uint8_t head[9];
    uint8_t head_len = 0;
    uint8_t back_len = 0;
    uint32_t str_len = 0;
    const char* str = nullptr;

    uint64_t enc_size() const { return uint64_t{head_len} + str_len; }
    uint64_t total() const { return enc_size() + back_len; }
};

void encode_int(int64_t v, Encoded& e) {
    const auto u = static_cast<uint64_t>(v);
    if (v >= 0 && v <= 127) {
        e.head[0] = static_cast<uint8_t>(v);
        e.head_len = 1;
    } else if (v >= -4096 && v <= 4095) {
        e.head[0] = static_cast<uint8_t>(kInt13 | ((u >> 8) & 0x1F));
        e.head[1] = static_cast<uint8_t>(u);
        e.head_len = 2;
    } else {
        int width;
        if (v >= INT16_MIN && v <= INT16_MAX) {
            e.head[0] = kInt16;
            width = 2;
        } else if (v >= -(int64_t{1} << 23) && v < (int64_t{1} << 23)) {
            e.head[0] = kInt24;
            width = 3;
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            e.head[0] = kInt32;
            width = 4;
        } else {
            e.head[0] = kInt64;
            width = 8;
        }
        store_le(e.head + 1, u, width);
        e.head_len = static_cast<uint8_t>(1 + width);
    }
    e.str = nullptr;
    e.str_len = 0;
    e.back_len = static_cast<uint8_t>(backlen_width(e.head_len));
}

// The canonical int64 value of s, if it has one (strict decimal as Redis's string2ll).
inline std::optional<int64_t> as_int(std::string_view s) {
    if (s.empty() || s.size() > kMaxIntText) return std::nullopt;
    return parse_int64(s);
}

void encode(std::string_view s, Encoded& e) {
    if (auto v = as_int(s)) {
        encode_int(*v, e);
        return;
    }
    if (s.size() > UINT32_MAX) throw std::length_error("listpack element over 4 GiB");
    const auto len = static_cast<uint32_t>(s.size());
    if (len < 64) {
        e.head[0] = static_cast<uint8_t>(kStr6 | len);
        e.head_len = 1;
    } else if (len < 4096) {
        e.head[0] = static_cast<uint8_t>(kStr12 | (len >> 8));
        e.head[1] = static_cast<uint8_t>(len);
        e.head_len = 2;
    } else {
        e.head[0] = kStr32;
        store_le(e.head + 1, len, 4);
        e.head_len = 5;
    }
    e.str = s.data();
    e.str_len = len;
    e.back_len = static_cast<uint8_t>(backlen_width(e.enc_size()));
}

// Writes the entry at dst; returns the byte after it.
uint8_t* write_entry(uint8_t* dst, const Encoded& e) {
    std::memcpy(dst, e.head, e.head_len);
    dst += e.head_len;
    if (e.str_len) std::memcpy(dst, e.str, e.str_len);
    dst += e.str_len;
    write_backlen(dst, e.enc_size(), e.back_len);
    return dst + e.back_len;
}

uint8_t* checked_malloc(size_t n) {
    void* p = std::malloc(n);
    if (!p) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
}

// Checks every entry of a blob whose header and terminator are already known to be good.
bool entries_valid(const uint8_t* b, size_t n) {
    const size_t end = n - 1;  // the terminator
    size_t pos = kHdr;
    uint32_t count = 0;
    while (pos < end) {
        const uint32_t tb = tag_bytes(b[pos]);
        if (tb == 0 || b[pos] == kEof) return false;
        if (pos + tb > end) return false;
        const uint64_t enc = encoded_size(b + pos);
        const uint64_t total = enc + backlen_width(enc);
        if (total > end - pos) return false;
        // The backlen decodes at most 5 bytes back from its last byte; pos >= 6 and every entry
        // is at least 2 bytes, so that never reads before the blob.
        if (read_backlen(b + pos + total - 1) != enc) return false;
        pos += total;
        ++count;
    }
    const uint16_t stored = static_cast<uint16_t>(b[4] | b[5] << 8);
    return stored == Listpack::kUnknownCount || stored == count;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Ownership

Listpack::Listpack() : p_(checked_malloc(kEmptyBytes)) {
    store_le(p_, kEmptyBytes, 4);
    p_[4] = p_[5] = 0;
    p_[kHdr] = kEof;
}

Listpack::~Listpack() {
    std::free(p_);
}

Listpack& Listpack::operator=(Listpack&& o) noexcept {
    if (this != &o) {
        std::free(p_);
        p_ = o.p_;
        o.p_ = nullptr;
    }
    return *this;
}

Listpack Listpack::clone() const {
    const size_t n = bytes();
    uint8_t* copy = checked_malloc(n);
    std::memcpy(copy, p_, n);
    return Listpack(copy);
}

bool Listpack::validate(std::span<const uint8_t> blob, bool deep_check) {
    const size_t n = blob.size();
    if (n < kEmptyBytes || n > UINT32_MAX) return false;
    const uint8_t* b = blob.data();
    if (load_le32(b) != n || b[n - 1] != kEof) return false;
    return !deep_check || entries_valid(b, n);
}

std::optional<Listpack> Listpack::from_bytes(std::span<const uint8_t> blob, bool deep_check) {
    if (!validate(blob, deep_check)) return std::nullopt;
    uint8_t* copy = checked_malloc(blob.size());
    std::memcpy(copy, blob.data(), blob.size());
    return Listpack(copy);
}

uint8_t* Listpack::release() noexcept {
    uint8_t* p = p_;
    p_ = nullptr;
    return p;
}

// ---------------------------------------------------------------------------------------------
// Reading

size_t Listpack::bytes() const {
    return load_le32(p_);
}

uint16_t Listpack::header_count() const {
    return static_cast<uint16_t>(p_[4] | p_[5] << 8);
}

size_t Listpack::size() const {
    const uint16_t stored = header_count();
    if (stored != kUnknownCount) return stored;
    size_t n = 0;
    for (size_t pos = kHdr; p_[pos] != kEof; pos += entry_total(p_ + pos)) ++n;
    return n;
}

size_t Listpack::heap_bytes() const {
    return malloc_usable_size(p_);
}

void Listpack::refresh_count() {
    if (header_count() != kUnknownCount) return;
    const size_t n = size();
    if (n < kUnknownCount) store_le(p_ + 4, n, 2);
}

uint32_t Listpack::entry_bytes(Pos pos) const {
    return entry_total(p_ + pos);
}

Listpack::Pos Listpack::last() const {
    return prev(static_cast<Pos>(bytes() - 1));
}

Listpack::Pos Listpack::next(Pos pos) const {
    const Pos n = pos + entry_bytes(pos);
    return p_[n] == kEof ? kNone : n;
}

Listpack::Pos Listpack::prev(Pos pos) const {
    if (pos <= kHdr) return kNone;
    const uint64_t enc = read_backlen(p_ + pos - 1);
    return static_cast<Pos>(pos - enc - backlen_width(enc));
}

Listpack::Pos Listpack::seek(int64_t index) const {
    const uint16_t stored = header_count();
    bool forward = true;
    if (stored != kUnknownCount) {
        if (index < 0) index += stored;
        if (index < 0 || index >= stored) return kNone;
        if (index > stored / 2) {
            forward = false;
            index -= stored;  // now -1 for the last element, -2 before it, ...
        }
    } else if (index < 0) {
        forward = false;
    }
    if (forward) {
        Pos pos = first();
        for (; index > 0 && pos != kNone; --index) pos = next(pos);
        return pos;
    }
    Pos pos = last();
    for (; index < -1 && pos != kNone; ++index) pos = prev(pos);
    return pos;
}

Listpack::Item Listpack::get(Pos pos) const {
    const Decoded d = decode(p_ + pos);
    if (d.str) return {std::string_view(reinterpret_cast<const char*>(d.str), d.len), 0, false};
    return {std::string_view(), d.num, true};
}

int64_t Listpack::get_int_or(Pos pos, int64_t fallback) const {
    const Decoded d = decode(p_ + pos);
    return d.str ? fallback : d.num;
}

std::string_view Listpack::get_str(Pos pos, char (&buf)[kIntBufSize]) const {
    const Decoded d = decode(p_ + pos);
    if (d.str) return std::string_view(reinterpret_cast<const char*>(d.str), d.len);
    return std::string_view(buf, format_int64(buf, d.num));
}

bool Listpack::equals(Pos pos, std::string_view s) const {
    const Decoded d = decode(p_ + pos);
    if (d.str) return d.len == s.size() && (s.empty() || std::memcmp(d.str, s.data(), d.len) == 0);
    const auto v = as_int(s);
    return v && *v == d.num;
}

Listpack::Pos Listpack::find(std::string_view s, Pos from, uint32_t skip) const {
    if (from == kNone) return kNone;
    // The probe's integer value, worked out the first time an integer entry is met.
    enum { kUnparsed, kInt, kNotInt } probe_state = kUnparsed;
    int64_t probe = 0;
    uint32_t to_skip = 0;
    size_t pos = from;
    while (p_[pos] != kEof) {
        const uint8_t* p = p_ + pos;
        if (to_skip == 0) {
            const Decoded d = decode(p);
            if (d.str) {
                if (d.len == s.size() && (s.empty() || std::memcmp(d.str, s.data(), d.len) == 0))
                    return static_cast<Pos>(pos);
            } else {
                if (probe_state == kUnparsed) {
                    const auto v = as_int(s);
                    probe_state = v ? kInt : kNotInt;
                    probe = v.value_or(0);
                }
                if (probe_state == kInt && d.num == probe) return static_cast<Pos>(pos);
            }
            to_skip = skip;
            pos += d.enc_size + backlen_width(d.enc_size);
        } else {
            --to_skip;
            pos += entry_total(p);
        }
    }
    return kNone;
}

// ---------------------------------------------------------------------------------------------
// Editing

uint8_t* Listpack::resize_at(Pos at, size_t old_len, size_t new_len) {
    const size_t total = bytes();
    const uint64_t new_total = uint64_t{total} - old_len + new_len;
    if (new_total > UINT32_MAX) throw std::length_error("listpack over 4 GiB");
    const size_t tail = total - at - old_len;
    if (new_len > old_len) {
        if (new_total > malloc_usable_size(p_)) {
            void* grown = std::realloc(p_, new_total);
            if (!grown) throw std::bad_alloc();
            p_ = static_cast<uint8_t*>(grown);
        }
        std::memmove(p_ + at + new_len, p_ + at + old_len, tail);
    } else if (new_len < old_len) {
        std::memmove(p_ + at + new_len, p_ + at + old_len, tail);
        // Shrinking in place cannot fail; if realloc does, the old block is still good.
        if (void* shrunk = std::realloc(p_, new_total)) p_ = static_cast<uint8_t*>(shrunk);
    }
    store_le(p_, new_total, 4);
    return p_ + at;
}

void Listpack::add_count(size_t n) {
    const uint16_t stored = header_count();
    if (stored == kUnknownCount) return;
    store_le(p_ + 4, std::min<size_t>(size_t{stored} + n, kUnknownCount), 2);
}

void Listpack::sub_count(size_t n) {
    const uint16_t stored = header_count();
    if (stored == kUnknownCount) return;
    store_le(p_ + 4, stored - n, 2);
}

bool Listpack::points_inside(std::string_view s) const {
    if (s.empty()) return false;
    const auto begin = reinterpret_cast<uintptr_t>(p_);
    const auto x = reinterpret_cast<uintptr_t>(s.data());
    return x < begin + bytes() && x + s.size() > begin;
}

Listpack::Pos Listpack::insert_str_at(Pos at, std::string_view s) {
    if (points_inside(s)) return insert_str_at(at, std::string(s));
    Encoded e;
    encode(s, e);
    write_entry(resize_at(at, 0, e.total()), e);
    add_count(1);
    return at;
}

Listpack::Pos Listpack::insert_int_at(Pos at, int64_t v) {
    Encoded e;
    encode_int(v, e);
    write_entry(resize_at(at, 0, e.total()), e);
    add_count(1);
    return at;
}

Listpack::Pos Listpack::replace_str_at(Pos at, std::string_view s) {
    if (points_inside(s)) return replace_str_at(at, std::string(s));
    Encoded e;
    encode(s, e);
    write_entry(resize_at(at, entry_bytes(at), e.total()), e);
    return at;
}

Listpack::Pos Listpack::append(std::string_view s) {
    return insert_str_at(static_cast<Pos>(bytes() - 1), s);
}

Listpack::Pos Listpack::append_int(int64_t v) {
    return insert_int_at(static_cast<Pos>(bytes() - 1), v);
}

Listpack::Pos Listpack::prepend(std::string_view s) {
    return insert_str_at(static_cast<Pos>(kHdr), s);
}

Listpack::Pos Listpack::prepend_int(int64_t v) {
    return insert_int_at(static_cast<Pos>(kHdr), v);
}

Listpack::Pos Listpack::insert(Pos at, std::string_view s, bool after) {
    if (at == kNone) return append(s);
    return insert_str_at(after ? at + entry_bytes(at) : at, s);
}

Listpack::Pos Listpack::insert_int(Pos at, int64_t v, bool after) {
    if (at == kNone) return append_int(v);
    return insert_int_at(after ? at + entry_bytes(at) : at, v);
}

Listpack::Pos Listpack::replace(Pos at, std::string_view s) {
    return replace_str_at(at, s);
}

Listpack::Pos Listpack::replace_int(Pos at, int64_t v) {
    Encoded e;
    encode_int(v, e);
    write_entry(resize_at(at, entry_bytes(at), e.total()), e);
    return at;
}

Listpack::Pos Listpack::append_all(std::span<const std::string_view> items) {
    if (items.empty()) return kNone;
    for (std::string_view s : items) {
        if (!points_inside(s)) continue;
        // Rare: copy everything out of the blob before it moves.
        std::vector<std::string> copies(items.begin(), items.end());
        std::vector<std::string_view> views(copies.begin(), copies.end());
        return append_all(views);
    }
    uint64_t add = 0;
    for (std::string_view s : items) add += entry_size(s);
    if (add > UINT32_MAX) throw std::length_error("listpack over 4 GiB");
    const auto at = static_cast<Pos>(bytes() - 1);
    uint8_t* dst = resize_at(at, 0, add);
    Encoded e;
    for (std::string_view s : items) {
        encode(s, e);
        dst = write_entry(dst, e);
    }
    add_count(items.size());
    return at;
}

Listpack::Pos Listpack::erase(Pos at, uint32_t count) {
    if (at == kNone) return kNone;
    size_t end = at;
    uint32_t removed = 0;
    for (; removed < count && p_[end] != kEof; ++removed) end += entry_total(p_ + end);
    if (removed == 0) return p_[at] == kEof ? kNone : at;
    resize_at(at, end - at, 0);
    sub_count(removed);
    return p_[at] == kEof ? kNone : at;
}

void Listpack::erase_range(int64_t start, uint32_t count) {
    if (count == 0) return;
    const Pos at = seek(start);
    if (at == kNone) return;
    const uint16_t stored = header_count();
    if (stored != kUnknownCount) {
        const int64_t index = start < 0 ? start + stored : start;
        if (stored - index <= count) {
            // Everything from `at` on goes: move the terminator, no walk needed.
            resize_at(at, bytes() - 1 - at, 0);
            store_le(p_ + 4, static_cast<uint64_t>(index), 2);
            return;
        }
    }
    erase(at, count);
}

size_t Listpack::entry_size(std::string_view s) {
    if (auto v = as_int(s)) return entry_size_int(*v);
    const uint64_t len = s.size();
    const uint64_t enc = len + (len < 64 ? 1 : len < 4096 ? 2 : 5);
    return enc + backlen_width(enc);
}

size_t Listpack::entry_size_int(int64_t v) {
    Encoded e;
    encode_int(v, e);
    return e.total();
}

}  // namespace snapstream
