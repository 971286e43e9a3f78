// The contents of an in-process Value in plain containers, for tests that compare what a codec
// built with what was expected (or with what a server replies): lists in order, hashes as a
// sorted map, sets as a sorted set, sorted sets in rank order with their scores.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/hash_type.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"

namespace snapstream::test {

inline std::vector<std::string> list_items(const Value& v) {
    const auto* ql = static_cast<const QuickList*>(v.obj());
    std::vector<std::string> out;
    char buf[Listpack::kIntBufSize];
    for (QuickList::Cursor c = ql->front(); c; ql->next(c)) out.emplace_back(ql->get_str(c, buf));
    return out;
}

inline size_t list_nodes(const Value& v) {
    return static_cast<const QuickList*>(v.obj())->node_count();
}

inline std::map<std::string, std::string> hash_items(const Value& v) {
    std::map<std::string, std::string> out;
    hash_type::for_each(v, [&](std::string_view f, std::string_view x) { out.emplace(f, x); });
    return out;
}

inline std::set<std::string> set_items(const Value& v) {
    std::set<std::string> out;
    set_type::for_each(v, [&](std::string_view m) { out.emplace(m); });
    return out;
}

inline std::vector<std::pair<std::string, double>> zset_items(const Value& v) {
    std::vector<std::pair<std::string, double>> out;
    zset::walk(v, 0, zset::length(v), false,
               [&](std::string_view m, double s) { out.emplace_back(m, s); });
    return out;
}

}  // namespace snapstream::test
