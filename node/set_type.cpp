#include "node/set_type.h"

#include <malloc.h>

#include <cstdlib>

namespace snapstream::set_type {
namespace {

void ops_destroy(Encoding enc, void* obj) {
    if (enc == Encoding::Intset)
        std::free(obj);
    else
        delete static_cast<Dict*>(obj);
}

void* ops_clone(Encoding enc, const void* obj) {
    if (enc == Encoding::Intset) {
        Intset src = Intset::adopt(static_cast<uint8_t*>(const_cast<void*>(obj)));
        Intset copy = src.clone();
        src.release();
        return copy.release();
    }
    const Dict& from = *static_cast<const Dict*>(obj);
    auto* d = new Dict();
    from.for_each([&](const Entry* e) { d->insert(Entry::create(e->key(), Value())); });
    return d;
}

size_t ops_heap_bytes(Encoding enc, const void* obj) {
    if (enc == Encoding::Intset) return malloc_usable_size(const_cast<void*>(obj));
    const Dict& d = *static_cast<const Dict*>(obj);
    size_t n = sizeof(Dict) + d.buckets() * sizeof(Entry*);
    d.for_each([&](const Entry* e) { n += malloc_usable_size(const_cast<Entry*>(e)); });
    return n;
}

const ObjectOps kOps{ops_destroy, ops_clone, ops_heap_bytes};

}  // namespace

void register_ops() {
    register_object_ops(ValueType::Set, &kOps);
}

Value create_intset() {
    Intset is;
    return Value::object(ValueType::Set, Encoding::Intset, is.release());
}

Value create_hashtable() {
    return Value::object(ValueType::Set, Encoding::Hashtable, new Dict());
}

Value create_for(std::string_view member) {
    return parse_int64(member) ? create_intset() : create_hashtable();
}

std::optional<Value> from_intset_bytes(std::span<const uint8_t> blob, bool deep_check) {
    auto is = Intset::from_bytes(blob, deep_check);
    if (!is) return std::nullopt;
    return Value::object(ValueType::Set, Encoding::Intset, is->release());
}

size_t size(const Value& s) {
    if (s.encoding() == Encoding::Intset) return IntsetView(s)->size();
    return dict_of(s).size();
}

bool contains(const Value& s, std::string_view member) {
    if (s.encoding() == Encoding::Intset) {
        auto v = parse_int64(member);
        return v && IntsetView(s)->contains(*v);
    }
    return dict_of(s).find(member) != nullptr;
}

void convert_to_hashtable(Value& s) {
    if (s.encoding() != Encoding::Intset) return;
    auto* d = new Dict();
    for_each(s, [&](std::string_view m) { d->insert(Entry::create(m, Value())); });
    std::free(s.obj());
    s.set_object(Encoding::Hashtable, d);
}

bool add(Value& s, std::string_view member, size_t max_intset_entries) {
    if (s.encoding() == Encoding::Intset) {
        if (auto v = parse_int64(member)) {
            size_t n = 0;
            {
                IntsetRef is(s);
                if (!is->add(*v)) return false;
                n = is->size();
            }
            if (n > max_intset_entries) convert_to_hashtable(s);
            return true;
        }
        convert_to_hashtable(s);
    }
    Dict& d = dict_of(s);
    if (d.find(member)) return false;
    d.insert(Entry::create(member, Value()));
    return true;
}

bool remove(Value& s, std::string_view member) {
    if (s.encoding() == Encoding::Intset) {
        auto v = parse_int64(member);
        if (!v) return false;
        IntsetRef is(s);
        return is->remove(*v);
    }
    Dict& d = dict_of(s);
    Entry* e = d.unlink(member);
    if (!e) return false;
    Entry::destroy(e);
    d.maybe_shrink();
    return true;
}

std::string_view random_member(const Value& s, std::mt19937_64& rng, TextBuf& buf) {
    if (s.encoding() == Encoding::Intset) {
        IntsetView is(s);
        int64_t v = is->at(rng() % is->size());
        return std::string_view(buf.b, format_int64(buf.b, v));
    }
    return dict_of(s).random(rng)->key();
}

}  // namespace snapstream::set_type
