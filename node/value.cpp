#include "node/value.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

#include "common/numeric.h"

namespace snapstream {
namespace {

char* alloc_bytes(size_t n) {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (!p) throw std::bad_alloc();
    return static_cast<char*>(p);
}

const ObjectOps* g_object_ops[5] = {};

const ObjectOps& ops_of(ValueType t) {
    return *g_object_ops[static_cast<size_t>(t)];
}

}  // namespace

void register_object_ops(ValueType type, const ObjectOps* ops) {
    g_object_ops[static_cast<size_t>(type)] = ops;
}

Value Value::object(ValueType type, Encoding enc, void* obj) {
    Value out;
    out.type_ = type;
    out.enc_ = enc;
    out.u_.obj = obj;
    return out;
}

Value Value::integer(int64_t v) {
    Value out;
    out.type_ = ValueType::String;
    out.enc_ = Encoding::Int;
    out.u_.i = v;
    return out;
}

Value Value::string(std::string_view s) {
    if (s.size() <= 20) {
        if (auto n = parse_int64(s)) return integer(*n);
    }
    return plain_string(s);
}

Value Value::plain_string(std::string_view s) {
    Value out;
    out.type_ = ValueType::String;
    out.enc_ = s.size() <= kEmbstrLimit ? Encoding::Embstr : Encoding::Raw;
    out.len_ = static_cast<uint32_t>(s.size());
    out.u_.bytes = alloc_bytes(s.size());
    if (!s.empty()) std::memcpy(out.u_.bytes, s.data(), s.size());
    return out;
}

Value Value::raw_string(std::string_view s) {
    Value out;
    out.type_ = ValueType::String;
    out.enc_ = Encoding::Raw;
    out.len_ = static_cast<uint32_t>(s.size());
    out.u_.bytes = alloc_bytes(s.size());
    if (!s.empty()) std::memcpy(out.u_.bytes, s.data(), s.size());
    return out;
}

Value Value::clone() const {
    if (type_ == ValueType::String) {
        if (enc_ == Encoding::Int) return integer(u_.i);
        Value out = raw_string(std::string_view(u_.bytes, len_));
        out.enc_ = enc_;
        return out;
    }
    return object(type_, enc_, ops_of(type_).clone(enc_, u_.obj));
}

std::string_view Value::str(char* scratch) const {
    if (enc_ == Encoding::Int) return std::string_view(scratch, format_int64(scratch, u_.i));
    return std::string_view(u_.bytes, len_);
}

size_t Value::str_len() const {
    if (enc_ == Encoding::Int) {
        char buf[24];
        return format_int64(buf, u_.i);
    }
    return len_;
}

char* Value::make_raw(size_t len) {
    if (enc_ == Encoding::Int) {
        char buf[24];
        size_t n = format_int64(buf, u_.i);
        char* p = alloc_bytes(len > n ? len : n);
        std::memcpy(p, buf, n);
        u_.bytes = p;
        len_ = static_cast<uint32_t>(n);
    }
    size_t cap = malloc_usable_size(u_.bytes);
    if (cap < len) {
        // Grow geometrically below 1 MiB, then by 1 MiB steps, as Redis's sds does.
        size_t want = len < (1u << 20) ? len * 2 : len + (1u << 20);
        void* p = std::realloc(u_.bytes, want);
        if (!p) throw std::bad_alloc();
        u_.bytes = static_cast<char*>(p);
    }
    if (len > len_) std::memset(u_.bytes + len_, 0, len - len_);
    len_ = static_cast<uint32_t>(len);
    enc_ = Encoding::Raw;
    return u_.bytes;
}

size_t Value::heap_bytes() const {
    if (type_ == ValueType::String) return enc_ != Encoding::Int ? malloc_usable_size(u_.bytes) : 0;
    return ops_of(type_).heap_bytes(enc_, u_.obj);
}

void Value::release() {
    if (type_ == ValueType::String) {
        if (enc_ != Encoding::Int) std::free(u_.bytes);
    } else if (u_.obj) {
        ops_of(type_).destroy(enc_, u_.obj);
    }
    u_.i = 0;
}

const char* type_name(ValueType t) {
    switch (t) {
        case ValueType::String:
            return "string";
        case ValueType::List:
            return "list";
        case ValueType::Set:
            return "set";
        case ValueType::ZSet:
            return "zset";
        case ValueType::Hash:
            return "hash";
    }
    return "none";
}

const char* encoding_name(const Value& v) {
    switch (v.encoding()) {
        case Encoding::Int:
            return "int";
        case Encoding::Embstr:
            return "embstr";
        case Encoding::Raw:
            return "raw";
        case Encoding::Listpack:
            return "listpack";
        case Encoding::Quicklist:
            return "quicklist";
        case Encoding::Intset:
            return "intset";
        case Encoding::Hashtable:
            return "hashtable";
        case Encoding::Skiplist:
            return "skiplist";
    }
    return "unknown";
}

}  // namespace snapstream
