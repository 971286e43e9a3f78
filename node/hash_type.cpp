#include "node/hash_type.h"

#include <malloc.h>

#include <cstdlib>

namespace snapstream::hash_type {
namespace {

void ops_destroy(Encoding enc, void* obj) {
    if (enc == Encoding::Listpack)
        std::free(obj);
    else
        delete static_cast<Dict*>(obj);
}

void* ops_clone(Encoding enc, const void* obj) {
    if (enc == Encoding::Listpack) {
        Listpack src = Listpack::adopt(static_cast<uint8_t*>(const_cast<void*>(obj)));
        Listpack copy = src.clone();
        src.release();
        return copy.release();
    }
    const Dict& from = *static_cast<const Dict*>(obj);
    auto* d = new Dict();
    from.for_each([&](const Entry* e) { d->insert(Entry::create(e->key(), e->value.clone())); });
    return d;
}

size_t ops_heap_bytes(Encoding enc, const void* obj) {
    if (enc == Encoding::Listpack) return malloc_usable_size(const_cast<void*>(obj));
    const Dict& d = *static_cast<const Dict*>(obj);
    size_t n = sizeof(Dict) + d.buckets() * sizeof(Entry*);
    d.for_each([&](const Entry* e) {
        n += malloc_usable_size(const_cast<Entry*>(e)) + e->value.heap_bytes();
    });
    return n;
}

const ObjectOps kOps{ops_destroy, ops_clone, ops_heap_bytes};

}  // namespace

void register_ops() {
    register_object_ops(ValueType::Hash, &kOps);
}

Value create() {
    Listpack lp;
    return Value::object(ValueType::Hash, Encoding::Listpack, lp.release());
}

Value create_hashtable() {
    return Value::object(ValueType::Hash, Encoding::Hashtable, new Dict());
}

std::optional<Value> from_listpack_bytes(std::span<const uint8_t> blob, bool deep_check) {
    auto lp = Listpack::from_bytes(blob, deep_check);
    if (!lp || lp->size() % 2 != 0) return std::nullopt;
    return Value::object(ValueType::Hash, Encoding::Listpack, lp->release());
}

size_t size(const Value& h) {
    if (h.encoding() == Encoding::Listpack) return ListpackView(h)->size() / 2;
    return dict_of(h).size();
}

namespace {

// The position of the field's value in a listpack hash, or kNone.
Listpack::Pos find_value(const Listpack& lp, std::string_view field) {
    Listpack::Pos f = lp.find(field, lp.first(), 1);
    return f == Listpack::kNone ? Listpack::kNone : lp.next(f);
}

}  // namespace

bool exists(const Value& h, std::string_view field) {
    if (h.encoding() == Encoding::Listpack) {
        ListpackView lp(h);
        return lp->find(field, lp->first(), 1) != Listpack::kNone;
    }
    return dict_of(h).find(field) != nullptr;
}

std::optional<std::string_view> get(const Value& h, std::string_view field, TextBuf& buf) {
    if (h.encoding() == Encoding::Listpack) {
        ListpackView lp(h);
        Listpack::Pos v = find_value(*lp, field);
        if (v == Listpack::kNone) return std::nullopt;
        return item_text(lp->get(v), buf);
    }
    Entry* e = dict_of(h).find(field);
    if (!e) return std::nullopt;
    return e->value.str(buf.b);
}

void convert_to_hashtable(Value& h) {
    if (h.encoding() != Encoding::Listpack) return;
    auto* d = new Dict();
    for_each(h, [&](std::string_view f, std::string_view v) {
        d->insert(Entry::create(f, Value::string(v)));
    });
    std::free(h.obj());
    h.set_object(Encoding::Hashtable, d);
}

void convert_if_needed(Value& h, const Limits& lim) {
    if (h.encoding() != Encoding::Listpack) return;
    bool convert = size(h) > lim.max_entries;
    if (!convert) {
        for_each(h, [&](std::string_view f, std::string_view v) {
            if (f.size() > lim.max_value || v.size() > lim.max_value) convert = true;
        });
    }
    if (convert) convert_to_hashtable(h);
}

void try_conversion(Value& h, std::span<const std::string_view> args, const Limits& lim) {
    if (h.encoding() != Encoding::Listpack) return;
    size_t sum = 0;
    for (std::string_view a : args) {
        if (a.size() > lim.max_value) {
            convert_to_hashtable(h);
            return;
        }
        sum += a.size();
    }
    if (!Listpack::safe_to_add(ListpackView(h)->bytes(), sum)) convert_to_hashtable(h);
}

bool set(Value& h, std::string_view field, std::string_view value, const Limits& lim) {
    if (h.encoding() == Encoding::Listpack &&
        (field.size() > lim.max_value || value.size() > lim.max_value))
        convert_to_hashtable(h);
    if (h.encoding() == Encoding::Listpack) {
        bool created = false;
        size_t n = 0;
        {
            ListpackRef lp(h);
            Listpack::Pos v = find_value(*lp, field);
            if (v != Listpack::kNone) {
                lp->replace(v, value);
            } else {
                const std::string_view pair[2] = {field, value};
                lp->append_all(pair);
                created = true;
            }
            n = lp->size() / 2;
        }
        if (n > lim.max_entries) convert_to_hashtable(h);
        return created;
    }
    Dict& d = dict_of(h);
    if (Entry* e = d.find(field)) {
        e->value = Value::string(value);
        return false;
    }
    d.insert(Entry::create(field, Value::string(value)));
    return true;
}

bool remove(Value& h, std::string_view field) {
    if (h.encoding() == Encoding::Listpack) {
        ListpackRef lp(h);
        Listpack::Pos f = lp->find(field, lp->first(), 1);
        if (f == Listpack::kNone) return false;
        lp->erase(f, 2);
        return true;
    }
    Dict& d = dict_of(h);
    Entry* e = d.unlink(field);
    if (!e) return false;
    Entry::destroy(e);
    d.maybe_shrink();
    return true;
}

Pair random_pair(const Value& h, std::mt19937_64& rng, TextBuf& fbuf, TextBuf& vbuf) {
    if (h.encoding() == Encoding::Listpack) {
        ListpackView lp(h);
        const size_t n = lp->size() / 2;
        Listpack::Pos f = lp->seek(static_cast<int64_t>(2 * (rng() % n)));
        Listpack::Pos v = lp->next(f);
        return {item_text(lp->get(f), fbuf), item_text(lp->get(v), vbuf)};
    }
    Entry* e = dict_of(h).random(rng);
    return {e->key(), e->value.str(vbuf.b)};
}

}  // namespace snapstream::hash_type
