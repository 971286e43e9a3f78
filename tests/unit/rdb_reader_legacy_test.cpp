// read_rdb on the encodings of older Redis versions (types 9, 10, 12, 13, 14) that Redis 7.0
// still loads by converting them: hand-built ziplists and zipmaps, the representation each
// comes out in under the limits, and their error cases.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "node/hash_type.h"
#include "node/list_type.h"
#include "node/zset_type.h"
#include "persistence/crc64.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_reader.h"

namespace snapstream {
namespace {

void put_le(std::string& s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}

// A ziplist of strings and integers (integers in the smallest encoding, as Redis writes them).
using ZlItem = std::variant<std::string, int64_t>;
std::string ziplist(const std::vector<ZlItem>& items) {
    std::string body;
    size_t prev_len = 0, last = 10;
    for (const ZlItem& it : items) {
        std::string e;
        if (prev_len < 254) {
            e.push_back(static_cast<char>(prev_len));
        } else {
            e.push_back(static_cast<char>(0xFE));
            put_le(e, prev_len, 4);
        }
        if (const auto* s = std::get_if<std::string>(&it)) {
            const size_t n = s->size();
            if (n < 64) {
                e.push_back(static_cast<char>(n));
            } else if (n < 16384) {
                e.push_back(static_cast<char>(0x40 | (n >> 8)));
                e.push_back(static_cast<char>(n & 0xFF));
            } else {
                e.push_back(static_cast<char>(0x80));
                for (int i = 3; i >= 0; --i) e.push_back(static_cast<char>(n >> (8 * i)));
            }
            e += *s;
        } else {
            const int64_t v = std::get<int64_t>(it);
            if (v >= 0 && v <= 12) {
                e.push_back(static_cast<char>(0xF1 + v));
            } else if (v >= INT8_MIN && v <= INT8_MAX) {
                e.push_back(static_cast<char>(0xFE));
                put_le(e, static_cast<uint64_t>(v), 1);
            } else if (v >= INT16_MIN && v <= INT16_MAX) {
                e.push_back(static_cast<char>(0xC0));
                put_le(e, static_cast<uint64_t>(v), 2);
            } else if (v >= -(1 << 23) && v < (1 << 23)) {
                e.push_back(static_cast<char>(0xF0));
                put_le(e, static_cast<uint64_t>(v), 3);
            } else if (v >= INT32_MIN && v <= INT32_MAX) {
                e.push_back(static_cast<char>(0xD0));
                put_le(e, static_cast<uint64_t>(v), 4);
            } else {
                e.push_back(static_cast<char>(0xE0));
                put_le(e, static_cast<uint64_t>(v), 8);
            }
        }
        last = 10 + body.size();
        prev_len = e.size();
        body += e;
    }
    std::string zl;
    put_le(zl, 10 + body.size() + 1, 4);
    put_le(zl, last, 4);
    put_le(zl, items.size() < 65535 ? items.size() : 65535, 2);
    zl += body;
    zl.push_back(static_cast<char>(0xFF));
    return zl;
}

// A zipmap of field/value pairs (no free bytes).
std::string zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::string zm;
    zm.push_back(static_cast<char>(pairs.size() < 254 ? pairs.size() : 254));
    auto len = [&](size_t n) {
        if (n < 254) {
            zm.push_back(static_cast<char>(n));
        } else {
            zm.push_back(static_cast<char>(254));
            put_le(zm, n, 4);
        }
    };
    for (const auto& [f, v] : pairs) {
        len(f.size());
        zm += f;
        len(v.size());
        zm.push_back('\0');  // free
        zm += v;
    }
    zm.push_back(static_cast<char>(0xFF));
    return zm;
}

// An RDB holding one key of `type` whose value is the string `blob` (or, for type 14, a
// quicklist of those node strings).
std::string file_with(uint8_t type, const std::vector<std::string>& blobs) {
    std::string f = "REDIS0009";
    f.push_back(static_cast<char>(type));
    f.push_back(1);
    f.push_back('k');
    auto str = [&](const std::string& s) {
        f.push_back(static_cast<char>(rdb::kLen32));
        for (int i = 3; i >= 0; --i) f.push_back(static_cast<char>(s.size() >> (8 * i)));
        f += s;
    };
    if (type == rdb::kTypeListQuicklist) f.push_back(static_cast<char>(blobs.size()));
    for (const auto& b : blobs) str(b);
    f.push_back(static_cast<char>(rdb::kOpEof));
    put_le(f, crc64(0, f.data(), f.size()), 8);
    return f;
}

struct One final : RdbLoadTarget {
    Status aux(std::string_view, std::string_view) override { return Ok{}; }
    Status select_db(uint64_t) override { return Ok{}; }
    Status resize_db(uint64_t, uint64_t) override { return Ok{}; }
    Status key(std::string_view, Value v, int64_t) override {
        value = std::move(v);
        ++keys;
        return Ok{};
    }
    Value value;
    int keys = 0;
};

RdbReadResult load(const std::string& f, One& one, const RdbReadOptions& opt = {}) {
    return read_rdb({reinterpret_cast<const uint8_t*>(f.data()), f.size()}, opt, one);
}

std::vector<std::string> list_items(const Value& v) {
    std::vector<std::string> out;
    const auto* ql = static_cast<const QuickList*>(v.obj());
    char buf[Listpack::kIntBufSize];
    for (QuickList::Cursor c = ql->front(); c; ql->next(c)) out.emplace_back(ql->get_str(c, buf));
    return out;
}

TEST(RdbReaderLegacy, ListZiplistIsPushedWithTheFill) {
    One one;
    RdbReadOptions opt;
    opt.limits.list_fill = 2;
    const auto r = load(
        file_with(rdb::kTypeListZiplist, {ziplist({std::string("a"), int64_t{5}, std::string("12"),
                                                   int64_t{-100000}, std::string(300, 'x')})}),
        one, opt);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(list_items(one.value),
              (std::vector<std::string>{"a", "5", "12", "-100000", std::string(300, 'x')}));
    EXPECT_EQ(static_cast<const QuickList*>(one.value.obj())->node_count(), 3u);
    EXPECT_STREQ(encoding_name(one.value), "quicklist");
}

TEST(RdbReaderLegacy, QuicklistOfZiplistsKeepsItsNodes) {
    One one;
    const auto r =
        load(file_with(rdb::kTypeListQuicklist, {ziplist({std::string("a"), std::string("b")}),
                                                 ziplist({}), ziplist({int64_t{1} << 40})}),
             one);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(list_items(one.value), (std::vector<std::string>{"a", "b", "1099511627776"}));
    EXPECT_EQ(static_cast<const QuickList*>(one.value.obj())->node_count(), 2u);
    One empty;
    const auto e = load(file_with(rdb::kTypeListQuicklist, {ziplist({})}), empty);
    ASSERT_TRUE(e.ok()) << e.error;
    EXPECT_EQ(e.empty_keys_skipped, 1u);
    EXPECT_EQ(empty.keys, 0);
}

TEST(RdbReaderLegacy, HashZiplistListpackOrHashtable) {
    const std::string zl = ziplist({std::string("f1"), std::string("v1"), std::string("f2"),
                                    int64_t{7}, std::string("f3"), std::string(100, 'v')});
    One one;
    ASSERT_TRUE(load(file_with(rdb::kTypeHashZiplist, {zl}), one).ok());
    // Only the count decides (the 100-byte value does not convert it), as in Redis.
    EXPECT_STREQ(encoding_name(one.value), "listpack");
    std::map<std::string, std::string> got;
    hash_type::for_each(one.value,
                        [&](std::string_view f, std::string_view v) { got.emplace(f, v); });
    EXPECT_EQ(got, (std::map<std::string, std::string>{
                       {"f1", "v1"}, {"f2", "7"}, {"f3", std::string(100, 'v')}}));
    RdbReadOptions opt;
    opt.limits.hash_max_listpack_entries = 2;
    One two;
    ASSERT_TRUE(load(file_with(rdb::kTypeHashZiplist, {zl}), two, opt).ok());
    EXPECT_STREQ(encoding_name(two.value), "hashtable");

    One bad;
    EXPECT_EQ(
        load(file_with(rdb::kTypeHashZiplist, {ziplist({std::string("f"), std::string("1"),
                                                        std::string("f"), std::string("2")})}),
             bad)
            .error,
        "hash ziplist has duplicate fields at offset 12");
    EXPECT_EQ(load(file_with(rdb::kTypeHashZiplist, {ziplist({std::string("f")})}), bad).error,
              "hash ziplist has an odd number of entries at offset 12");
    const auto e = load(file_with(rdb::kTypeHashZiplist, {ziplist({})}), bad);
    EXPECT_TRUE(e.ok());
    EXPECT_EQ(e.empty_keys_skipped, 1u);
}

TEST(RdbReaderLegacy, ZsetZiplist) {
    const std::string zl = ziplist({std::string("a"), int64_t{1}, std::string("b"),
                                    std::string("2.5"), std::string("c"), int64_t{300}});
    One one;
    ASSERT_TRUE(load(file_with(rdb::kTypeZSetZiplist, {zl}), one).ok());
    EXPECT_STREQ(encoding_name(one.value), "listpack");
    std::vector<std::pair<std::string, double>> got;
    zset::walk(one.value, 0, zset::length(one.value), false,
               [&](std::string_view m, double s) { got.emplace_back(m, s); });
    EXPECT_EQ(got, (std::vector<std::pair<std::string, double>>{{"a", 1}, {"b", 2.5}, {"c", 300}}));
    RdbReadOptions opt;
    opt.limits.zset_max_listpack_entries = 2;
    One two;
    ASSERT_TRUE(load(file_with(rdb::kTypeZSetZiplist, {zl}), two, opt).ok());
    EXPECT_STREQ(encoding_name(two.value), "skiplist");
    EXPECT_EQ(zset::length(two.value), 3u);
}

TEST(RdbReaderLegacy, Zipmap) {
    One one;
    ASSERT_TRUE(
        load(file_with(rdb::kTypeHashZipmap, {zipmap({{"a", "1"}, {"bb", "two"}})}), one).ok());
    EXPECT_STREQ(encoding_name(one.value), "listpack");
    EXPECT_EQ(hash_type::size(one.value), 2u);
    // A long element converts a zipmap (unlike the other blob types).
    One two;
    ASSERT_TRUE(
        load(file_with(rdb::kTypeHashZipmap, {zipmap({{"a", std::string(65, 'v')}})}), two).ok());
    EXPECT_STREQ(encoding_name(two.value), "hashtable");
    One bad;
    EXPECT_EQ(load(file_with(rdb::kTypeHashZipmap, {zipmap({{"a", "1"}, {"a", "2"}})}), bad).error,
              "zipmap has duplicate fields at offset 12");
}

TEST(RdbReaderLegacy, CorruptBlobsFailAtEveryTruncation) {
    const std::string zl = ziplist({std::string("abc"), int64_t{1} << 33, std::string(70, 'x')});
    for (size_t cut = 0; cut < zl.size(); ++cut) {
        std::string broken = zl.substr(0, cut);
        One one;
        const auto r = load(file_with(rdb::kTypeListZiplist, {broken}), one);
        EXPECT_FALSE(r.ok()) << cut;
    }
    const std::string zm = zipmap({{"field", "value"}, {"f2", std::string(300, 'y')}});
    for (size_t cut = 0; cut < zm.size(); ++cut) {
        One one;
        EXPECT_FALSE(load(file_with(rdb::kTypeHashZipmap, {zm.substr(0, cut)}), one).ok()) << cut;
    }
}

}  // namespace
}  // namespace snapstream
