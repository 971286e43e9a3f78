// The hash type: its two representations, the conversion between them, and the operations the
// commands and the (future) RDB writer/loader need, independent of any command handling.
//
// Representations (Value::encoding()):
//
//   Listpack   Value::obj() is a raw listpack blob (node/listpack.h) holding field, value,
//              field, value, ... in insertion order. Small hashes cost one allocation and a few
//              bytes per field, so a hash of ten small fields stays well under 200 bytes.
//   Hashtable  Value::obj() is a Dict* (node/dict.h): one Entry per field, the field as the
//              entry's key and its value as a string Value (int-encoded when it is a canonical
//              int64, which is invisible to clients: replies render the same text).
//
// Conversion rules (Redis 7.0's, so that OBJECT ENCODING agrees):
//   * A new hash is a listpack.
//   * HSET/HMSET/HSETNX look at every argument they are about to write (fields and values)
//     first: one longer than hash-max-listpack-value converts the hash, as does a total that
//     would take the listpack past 1 GiB.
//   * Any write of a field or value longer than hash-max-listpack-value converts the hash before
//     writing (HINCRBYFLOAT results can be long).
//   * A write that leaves more than hash-max-listpack-entries fields converts the hash after it.
//   * A hashtable never goes back to a listpack, even when fields are deleted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

#include "common/numeric.h"
#include "node/dict.h"
#include "node/listpack.h"
#include "node/value.h"

namespace snapstream::hash_type {

// hash-max-listpack-entries / hash-max-listpack-value.
struct Limits {
    size_t max_entries = 512;
    size_t max_value = 64;
};

// Scratch room for rendering a listpack integer or an int-encoded Value as text.
struct TextBuf {
    char b[24];
};

// An empty listpack-encoded hash.
Value create();
// A hash of the hashtable encoding, empty (fields are then added with set()).
Value create_hashtable();
// A hash holding a copy of `blob`, a serialised listpack of field/value pairs (RDB's
// RDB_TYPE_HASH_LISTPACK). nullopt if the blob is not a listpack or has an odd number of
// entries. The caller decides whether the result should be converted (convert_if_needed).
std::optional<Value> from_listpack_bytes(std::span<const uint8_t> blob, bool deep_check);

size_t size(const Value& h);
bool exists(const Value& h, std::string_view field);
// The field's value (its text rendered into buf when it is an integer), or nullopt.
std::optional<std::string_view> get(const Value& h, std::string_view field, TextBuf& buf);

// The HSET pre-check (Redis's hashTypeTryConversion): converts a listpack hash when any of
// `args` is longer than max_value or their total would make the listpack unsafely big.
void try_conversion(Value& h, std::span<const std::string_view> args, const Limits& lim);
// Sets field to value; returns true if the field was new. Converts as described above.
bool set(Value& h, std::string_view field, std::string_view value, const Limits& lim);
// Removes the field; returns true if it was present.
bool remove(Value& h, std::string_view field);
// Listpack -> hashtable (no-op for a hashtable).
void convert_to_hashtable(Value& h);
// Converts a listpack that breaks the limits (for loaders).
void convert_if_needed(Value& h, const Limits& lim);

// Calls fn(field, value) for every pair, in the representation's order.
template <typename F>
void for_each(const Value& h, F&& fn);

// A uniformly chosen pair index's field and value (the hash must not be empty).
struct Pair {
    std::string_view field, value;
};
Pair random_pair(const Value& h, std::mt19937_64& rng, TextBuf& fbuf, TextBuf& vbuf);

// Listpack helpers for code that works on the representation directly.
// Borrows the listpack a Value holds; writes the (possibly moved) blob back when destroyed.
class ListpackRef {
  public:
    explicit ListpackRef(Value& v) : v_(v), lp_(Listpack::adopt(static_cast<uint8_t*>(v.obj()))) {}
    ~ListpackRef() { v_.set_object(Encoding::Listpack, lp_.release()); }
    ListpackRef(const ListpackRef&) = delete;
    ListpackRef& operator=(const ListpackRef&) = delete;
    Listpack* operator->() { return &lp_; }
    Listpack& operator*() { return lp_; }

  private:
    Value& v_;
    Listpack lp_;
};
// A read-only view of the listpack a Value holds.
class ListpackView {
  public:
    explicit ListpackView(const Value& v) : lp_(Listpack::adopt(static_cast<uint8_t*>(v.obj()))) {}
    ~ListpackView() { lp_.release(); }
    ListpackView(const ListpackView&) = delete;
    ListpackView& operator=(const ListpackView&) = delete;
    const Listpack* operator->() const { return &lp_; }
    const Listpack& operator*() const { return lp_; }

  private:
    Listpack lp_;
};

inline std::string_view item_text(const Listpack::Item& it, TextBuf& buf) {
    if (!it.is_int) return it.str;
    return std::string_view(buf.b, format_int64(buf.b, it.num));
}

inline Dict& dict_of(const Value& h) {
    return *static_cast<Dict*>(h.obj());
}

template <typename F>
void for_each(const Value& h, F&& fn) {
    if (h.encoding() == Encoding::Listpack) {
        ListpackView lp(h);
        TextBuf fb, vb;
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone;) {
            const Listpack::Pos vp = lp->next(p);
            std::string_view f = item_text(lp->get(p), fb);
            std::string_view v = item_text(lp->get(vp), vb);
            fn(f, v);
            p = lp->next(vp);
        }
        return;
    }
    dict_of(h).for_each([&](const Entry* e) {
        TextBuf vb;
        fn(e->key(), e->value.str(vb.b));
    });
}

// Registers the hash type's ObjectOps (destroy/clone/heap_bytes). Idempotent.
void register_ops();

}  // namespace snapstream::hash_type
