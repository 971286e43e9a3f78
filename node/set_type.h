// The set type: its two representations, the conversion between them, and the operations the
// commands and the (future) RDB writer/loader need, independent of any command handling.
//
// Representations (Value::encoding()):
//
//   Intset     Value::obj() is a raw intset blob (node/intset.h): sorted int64s, 2/4/8 bytes
//              each. Used while every member is a canonical decimal int64 (Redis's string2ll
//              rules: "12" yes; "012", "+1", "1.0", "-0" no).
//   Hashtable  Value::obj() is a Dict* (node/dict.h): one Entry per member, the member as the
//              entry's key, the entry's Value unused.
//
// Conversion rules (Redis 7.0's, so that OBJECT ENCODING agrees; 7.0 has no listpack sets):
//   * A set created for a first member is an intset if that member is an integer, else a
//     hashtable (create_for); result sets of SINTERSTORE/SUNIONSTORE/SDIFFSTORE start as an
//     empty intset (create_intset) and convert as members are added.
//   * Adding a non-integer member to an intset, or an integer that makes it hold more than
//     set-max-intset-entries (capped at 2^30), converts it to a hashtable.
//   * A hashtable never goes back to an intset (SPOP with a large count builds a new set, which
//     starts over from these rules).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

#include "common/numeric.h"
#include "node/dict.h"
#include "node/intset.h"
#include "node/value.h"

namespace snapstream::set_type {

// Scratch room for rendering an intset member as text.
struct TextBuf {
    char b[24];
};

// set-max-intset-entries, capped as Redis caps it.
inline size_t intset_limit(int64_t configured) {
    if (configured < 0) return 0;
    return static_cast<size_t>(configured) >= (size_t{1} << 30) ? (size_t{1} << 30)
                                                                : static_cast<size_t>(configured);
}

// An empty set of the encoding Redis would pick for a first member `member`.
Value create_for(std::string_view member);
Value create_intset();
Value create_hashtable();
// A set holding a copy of a serialised intset (RDB_TYPE_SET_INTSET); nullopt if invalid.
std::optional<Value> from_intset_bytes(std::span<const uint8_t> blob, bool deep_check);

size_t size(const Value& s);
bool contains(const Value& s, std::string_view member);
// Adds member; true if it was new. Converts as described above.
bool add(Value& s, std::string_view member, size_t max_intset_entries);
// Removes member; true if it was present.
bool remove(Value& s, std::string_view member);
// Intset -> hashtable (no-op for a hashtable).
void convert_to_hashtable(Value& s);

// A uniformly chosen member (the set must not be empty); integers rendered into buf.
std::string_view random_member(const Value& s, std::mt19937_64& rng, TextBuf& buf);

inline Dict& dict_of(const Value& s) {
    return *static_cast<Dict*>(s.obj());
}

// A read-only view of the intset a Value holds.
class IntsetView {
  public:
    explicit IntsetView(const Value& v) : is_(Intset::adopt(static_cast<uint8_t*>(v.obj()))) {}
    ~IntsetView() { is_.release(); }
    IntsetView(const IntsetView&) = delete;
    IntsetView& operator=(const IntsetView&) = delete;
    const Intset* operator->() const { return &is_; }

  private:
    Intset is_;
};

// Borrows the intset a Value holds; writes the (possibly moved) blob back when destroyed.
class IntsetRef {
  public:
    explicit IntsetRef(Value& v) : v_(v), is_(Intset::adopt(static_cast<uint8_t*>(v.obj()))) {}
    ~IntsetRef() { v_.set_object(Encoding::Intset, is_.release()); }
    IntsetRef(const IntsetRef&) = delete;
    IntsetRef& operator=(const IntsetRef&) = delete;
    Intset* operator->() { return &is_; }

  private:
    Value& v_;
    Intset is_;
};

// Calls fn(member) for every member (intsets in increasing order, integers rendered as text).
template <typename F>
void for_each(const Value& s, F&& fn) {
    if (s.encoding() == Encoding::Intset) {
        IntsetView is(s);
        TextBuf buf;
        const size_t n = is->size();
        for (size_t i = 0; i < n; ++i) fn(std::string_view(buf.b, format_int64(buf.b, is->at(i))));
        return;
    }
    dict_of(s).for_each([&](const Entry* e) { fn(e->key()); });
}

// Registers the set type's ObjectOps (destroy/clone/heap_bytes).
void register_ops();

}  // namespace snapstream::set_type
