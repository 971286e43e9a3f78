// A stored value: 16 bytes, one per key, held inside its dictionary entry.
//
//   type  enc   flags  pad   len (uint32)   payload (8 bytes)
//   ─────────────────────────────────────────────────────────────────
//   String/Int     –           –            the int64 itself         ("int" encoding)
//   String/Embstr  –           byte length  malloc'd bytes, exact    (≤ 44 bytes, "embstr")
//   String/Raw     –           byte length  malloc'd bytes, grows    ("raw")
//
//   List/Hash/Set/ZSet  enc  –       –            pointer to the collection's representation
//
// Strings use Redis's encoding rules so OBJECT ENCODING answers what Redis answers: a value that
// is a strict decimal int64 of ≤ 20 chars is stored as the number; other values of ≤ 44 bytes
// are "embstr"; longer ones and anything APPEND/SETRANGE touched are "raw". The capacity of a raw
// buffer is the allocator's usable size, so growth needs no extra field.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace snapstream {

enum class ValueType : uint8_t { String = 0, List = 1, Set = 2, ZSet = 3, Hash = 4 };
// OBJECT ENCODING names: int, embstr, raw, listpack, quicklist, intset, hashtable, skiplist.
enum class Encoding : uint8_t {
    Int,
    Embstr,
    Raw,
    Listpack,
    Quicklist,
    Intset,
    Hashtable,
    Skiplist
};

// How values of a collection type are freed, copied (COPY) and measured (MEMORY USAGE, DEBUG
// OBJECT). Each type's module registers its operations once (register_object_ops), so this
// file does not depend on the collection implementations.
struct ObjectOps {
    void (*destroy)(Encoding enc, void* obj);
    void* (*clone)(Encoding enc, const void* obj);
    size_t (*heap_bytes)(Encoding enc, const void* obj);
};
void register_object_ops(ValueType type, const ObjectOps* ops);

// Small-integer text → int64 for the "int" encoding; longer/odd spellings stay strings.
constexpr size_t kEmbstrLimit = 44;

class Value {
  public:
    Value() : type_(ValueType::String), enc_(Encoding::Int), len_(0) { u_.i = 0; }
    ~Value() { release(); }
    Value(const Value&) = delete;
    Value& operator=(const Value&) = delete;
    Value(Value&& o) noexcept { steal(o); }
    Value& operator=(Value&& o) noexcept {
        if (this != &o) {
            release();
            steal(o);
        }
        return *this;
    }

    // A string value with Redis's encoding choice (int / embstr / raw).
    static Value string(std::string_view s);
    // A string value that is never int-encoded: embstr up to 44 bytes, else raw (INCRBYFLOAT
    // results, which Redis stores without trying the integer encoding).
    static Value plain_string(std::string_view s);
    // A string value with the given bytes and the "raw" encoding (APPEND, SETRANGE results).
    static Value raw_string(std::string_view s);
    static Value integer(int64_t v);
    // A collection value owning `obj` (freed through the type's ObjectOps).
    static Value object(ValueType type, Encoding enc, void* obj);
    Value clone() const;

    ValueType type() const { return type_; }
    Encoding encoding() const { return enc_; }
    bool is_string() const { return type_ == ValueType::String; }
    bool is_int() const { return enc_ == Encoding::Int; }
    int64_t int_value() const { return u_.i; }

    // Collections: the representation pointer. set_object() replaces it without freeing the
    // old one (the caller converted it, e.g. listpack -> hashtable).
    void* obj() const { return u_.obj; }
    void set_object(Encoding enc, void* obj) {
        enc_ = enc;
        u_.obj = obj;
    }

    // The string's bytes; int-encoded values are rendered into `scratch` (≥ 24 bytes).
    std::string_view str(char* scratch) const;
    size_t str_len() const;

    // Makes the value a raw string able to hold `len` bytes and returns its buffer (existing
    // bytes kept, new ones zeroed). Used by APPEND and SETRANGE.
    char* make_raw(size_t len);

    // Bytes held on the heap beside the 16-byte header (for memory accounting and DEBUG).
    size_t heap_bytes() const;

  private:
    void release();
    void steal(Value& o) {
        type_ = o.type_;
        enc_ = o.enc_;
        len_ = o.len_;
        u_ = o.u_;
        o.type_ = ValueType::String;
        o.enc_ = Encoding::Int;
        o.len_ = 0;
        o.u_.i = 0;
    }

    ValueType type_;
    Encoding enc_;
    uint8_t pad_[2] = {0, 0};
    uint32_t len_;
    union {
        int64_t i;
        char* bytes;
        void* obj;
    } u_;
};
static_assert(sizeof(Value) == 16);

const char* type_name(ValueType t);
const char* encoding_name(const Value& v);

}  // namespace snapstream
