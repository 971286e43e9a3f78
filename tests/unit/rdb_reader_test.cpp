// read_rdb on hand-built files: every opcode and string/length encoding with its edge values,
// every value type and the representation it must come out in, the error cases (with their
// offsets), and robustness: a small multi-type file truncated at every offset and with every
// byte flipped must fail cleanly.
#include "persistence/rdb_reader.h"
#include "tests/support/value_items.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "node/hash_type.h"
#include "node/intset.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/listpack.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/crc64.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_load.h"

namespace snapstream {
namespace {

// Builds RDB bytes.
class Rdb {
  public:
    explicit Rdb(const char* version = "0010") {
        b_ = "REDIS";
        b_ += version;
    }
    Rdb& byte(uint8_t x) {
        b_.push_back(static_cast<char>(x));
        return *this;
    }
    Rdb& raw(std::string_view s) {
        b_ += s;
        return *this;
    }
    Rdb& le(uint64_t v, int n) {
        for (int i = 0; i < n; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    Rdb& be(uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i) byte(static_cast<uint8_t>(v >> (8 * i)));
        return *this;
    }
    // The shortest length encoding.
    Rdb& len(uint64_t n) {
        if (n < 64) return byte(static_cast<uint8_t>(n));
        if (n < 16384) return byte(static_cast<uint8_t>(0x40 | (n >> 8))).byte(n & 0xFF);
        if (n <= UINT32_MAX) return byte(rdb::kLen32).be(n, 4);
        return byte(rdb::kLen64).be(n, 8);
    }
    Rdb& len32(uint64_t n) { return byte(rdb::kLen32).be(n, 4); }
    Rdb& len64(uint64_t n) { return byte(rdb::kLen64).be(n, 8); }
    Rdb& str(std::string_view s) { return len(s.size()).raw(s); }
    Rdb& int8(int8_t v) { return byte(0xC0).le(static_cast<uint8_t>(v), 1); }
    Rdb& int16(int16_t v) { return byte(0xC1).le(static_cast<uint16_t>(v), 2); }
    Rdb& int32(int32_t v) { return byte(0xC2).le(static_cast<uint32_t>(v), 4); }
    Rdb& lzf(std::string_view s) {
        std::string out(s.size(), '\0');
        const size_t n =
            lzf_compress_into({reinterpret_cast<const uint8_t*>(s.data()), s.size()},
                              {reinterpret_cast<uint8_t*>(out.data()), out.size() - 4});
        EXPECT_GT(n, 0u) << "not compressible";
        return byte(0xC3).len(n).len(s.size()).raw(out.substr(0, n));
    }
    Rdb& blob(std::span<const uint8_t> bytes) {
        return str(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    Rdb& aux(std::string_view k, std::string_view v) { return byte(rdb::kOpAux).str(k).str(v); }
    Rdb& select(uint64_t db) { return byte(rdb::kOpSelectDb).len(db); }
    Rdb& key(uint8_t type, std::string_view k) { return byte(type).str(k); }
    Rdb& string_key(std::string_view k, std::string_view v) {
        return key(rdb::kTypeString, k).str(v);
    }
    Rdb& expire_ms(int64_t ms) {
        return byte(rdb::kOpExpireTimeMs).le(static_cast<uint64_t>(ms), 8);
    }
    // EOF, then the CRC64 of everything so far (or zero).
    Rdb& eof(bool checksum = true) {
        byte(rdb::kOpEof);
        return le(checksum ? crc64(0, b_.data(), b_.size()) : 0, 8);
    }
    const std::string& bytes() const { return b_; }
    size_t size() const { return b_.size(); }

  private:
    std::string b_;
};

struct Key {
    uint64_t db;
    std::string key;
    Value value;
    int64_t expire;
};

class Recorder final : public RdbLoadTarget {
  public:
    Status aux(std::string_view k, std::string_view v) override {
        aux_fields.emplace_back(k, v);
        return Ok{};
    }
    Status select_db(uint64_t d) override {
        db = d;
        selects.push_back(d);
        return Ok{};
    }
    Status resize_db(uint64_t k, uint64_t e) override {
        resizes.emplace_back(k, e);
        return Ok{};
    }
    Status key(std::string_view k, Value v, int64_t e) override {
        if (fail_on == k) return make_error("target refused '" + std::string(k) + "'");
        keys.push_back({db, std::string(k), std::move(v), e});
        return Ok{};
    }
    const Value& value(std::string_view k) const {
        for (const Key& x : keys)
            if (x.key == k) return x.value;
        ADD_FAILURE() << "no key " << k;
        static Value none;
        return none;
    }

    uint64_t db = 0;
    std::vector<std::pair<std::string, std::string>> aux_fields;
    std::vector<uint64_t> selects;
    std::vector<std::pair<uint64_t, uint64_t>> resizes;
    std::vector<Key> keys;
    std::string fail_on = "\xff-none";
};

std::span<const uint8_t> span_of(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

RdbReadResult read(const std::string& bytes, Recorder& rec, const RdbReadOptions& opt = {}) {
    return read_rdb(span_of(bytes), opt, rec);
}

std::string text(const Value& v) {
    char buf[24];
    return std::string(v.str(buf));
}

using test::hash_items;
using test::list_items;
using test::list_nodes;
using test::set_items;
using test::zset_items;

Listpack make_listpack(const std::vector<std::string>& items) {
    Listpack lp;
    for (const auto& s : items) lp.append(s);
    return lp;
}

// ---------------------------------------------------------------------------------------------
// Header, trailer, opcodes

TEST(RdbReader, EmptyFileWithChecksum) {
    Rdb r;
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(res.version, 10);
    EXPECT_EQ(res.keys, 0u);
    EXPECT_EQ(res.bytes, r.size());
    EXPECT_TRUE(res.checksum_checked);
}

TEST(RdbReader, BytesAfterTheTrailerAreLeftAlone) {
    Rdb r;
    r.string_key("k", "v").eof();
    const std::string bytes = r.bytes() + "*1\r\n$4\r\nPING\r\n";
    Recorder rec;
    const RdbReadResult res = read(bytes, rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(res.bytes, r.size());
}

TEST(RdbReader, BadMagicAndVersions) {
    Recorder rec;
    RdbReadResult res = read("RODIS0010\xff", rec);
    EXPECT_EQ(res.error, "wrong signature (not an RDB file) at offset 0");
    res = read("REDIS0011" + std::string(9, '\0'), rec);
    EXPECT_EQ(res.error, "unsupported RDB version 11 at offset 5");
    res = read("REDIS0000\xff", rec);
    EXPECT_EQ(res.error, "unsupported RDB version 0 at offset 5");
    res = read("REDIS00a1\xff", rec);
    EXPECT_EQ(res.error, "unsupported RDB version '00a1' at offset 5");
    res = read("REDIS", rec);
    EXPECT_EQ(res.error, "unexpected end of file at offset 0");
    EXPECT_EQ(res.error_offset, 0u);
    res = read("", rec);
    EXPECT_FALSE(res.ok());
}

TEST(RdbReader, OldVersionsHaveNoTrailer) {
    Rdb r("0004");
    r.string_key("k", "v").byte(rdb::kOpEof);
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(res.version, 4);
    EXPECT_FALSE(res.checksum_checked);
    EXPECT_EQ(rec.keys.size(), 1u);
    Rdb r1("0001");
    r1.byte(rdb::kOpEof);
    EXPECT_TRUE(read(r1.bytes(), rec).ok());
    Rdb r5("0005");
    r5.byte(rdb::kOpEof);  // version 5 needs the 8-byte trailer
    EXPECT_EQ(read(r5.bytes(), rec).error, "unexpected end of file at offset 10");
}

TEST(RdbReader, ChecksumMismatchZeroAndDisabled) {
    Rdb r;
    r.string_key("k", "v").eof();
    std::string bad = r.bytes();
    bad[bad.size() - 1] ^= 1;
    Recorder rec;
    RdbReadResult res = read(bad, rec);
    EXPECT_EQ(res.error_offset, r.size() - 8);
    EXPECT_EQ(res.error.rfind("CRC64 mismatch: file says ", 0), 0u) << res.error;
    EXPECT_NE(res.error.find(", computed "), std::string::npos) << res.error;
    EXPECT_FALSE(res.checksum_checked);

    RdbReadOptions off;
    off.verify_checksum = false;
    res = read(bad, rec, off);
    EXPECT_TRUE(res.ok()) << res.error;
    EXPECT_FALSE(res.checksum_checked);

    Rdb zero;
    zero.string_key("k", "v").eof(false);
    res = read(zero.bytes(), rec);
    EXPECT_TRUE(res.ok()) << res.error;
    EXPECT_FALSE(res.checksum_checked);
}

TEST(RdbReader, AuxFieldsSelectResizeIdleFreq) {
    Rdb r;
    r.aux("redis-ver", "7.0.15")
        .aux("redis-bits", "")
        .byte(rdb::kOpAux)
        .str("ctime")
        .int32(1700000000);
    r.aux("%info", "x").aux("lua", "return 1").aux("totally-unknown", std::string(300, 'z'));
    r.select(3).byte(rdb::kOpResizeDb).len(2).len(1);
    r.byte(rdb::kOpIdle).len(123456).byte(rdb::kOpFreq).byte(7).string_key("a", "1");
    r.byte(rdb::kOpFreq).byte(1).string_key("b", "2");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    ASSERT_EQ(rec.aux_fields.size(), 6u);
    EXPECT_EQ(rec.aux_fields[0], (std::pair<std::string, std::string>("redis-ver", "7.0.15")));
    EXPECT_EQ(rec.aux_fields[2], (std::pair<std::string, std::string>("ctime", "1700000000")));
    EXPECT_EQ(rec.aux_fields[5].second, std::string(300, 'z'));
    EXPECT_EQ(rec.selects, std::vector<uint64_t>{3});
    ASSERT_EQ(rec.resizes.size(), 1u);
    EXPECT_EQ(rec.resizes[0], (std::pair<uint64_t, uint64_t>(2, 1)));
    ASSERT_EQ(rec.keys.size(), 2u);
    EXPECT_EQ(rec.keys[0].db, 3u);
    EXPECT_EQ(rec.keys[0].expire, -1);
}

TEST(RdbReader, ResizeHintsAreClampedToWhatTheFileCanHold) {
    Rdb r;
    r.select(0).byte(rdb::kOpResizeDb).len64(uint64_t{1} << 60).len64(uint64_t{1} << 60).eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    ASSERT_EQ(rec.resizes.size(), 1u);
    EXPECT_LE(rec.resizes[0].first, r.size());
    EXPECT_LE(rec.resizes[0].second, rec.resizes[0].first);
}

TEST(RdbReader, ExpireTimesInMillisecondsAndSeconds) {
    Rdb r;
    r.expire_ms(1700000000123).string_key("ms", "x");
    r.byte(rdb::kOpExpireTime).le(1700000000, 4).string_key("s", "y");
    r.string_key("none", "z");
    // An expire before other opcodes still belongs to the next key.
    r.expire_ms(42).select(1).string_key("later", "w");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    ASSERT_EQ(rec.keys.size(), 4u);
    EXPECT_EQ(rec.keys[0].expire, 1700000000123);
    EXPECT_EQ(rec.keys[1].expire, 1700000000000);
    EXPECT_EQ(rec.keys[2].expire, -1);
    EXPECT_EQ(rec.keys[3].expire, 42);
}

TEST(RdbReader, UnsupportedOpcodesAndTypes) {
    struct Case {
        uint8_t byte;
        std::string error;
    };
    const std::vector<Case> cases = {
        {rdb::kOpModuleAux, "module aux data (opcode 247) not supported at offset 9"},
        {rdb::kOpFunction2, "function libraries (opcode 245) not supported at offset 9"},
        {rdb::kOpFunctionPreGa, "function libraries (opcode 246) not supported at offset 9"},
        {rdb::kTypeModule, "unsupported value type module (6) at offset 9"},
        {rdb::kTypeModule2, "unsupported value type module (7) at offset 9"},
        {rdb::kTypeStreamListpacks, "unsupported value type stream (15) at offset 9"},
        {rdb::kTypeStreamListpacks2, "unsupported value type stream (19) at offset 9"},
        {8, "unknown value type 8 at offset 9"},
        {20, "unknown value type 20 at offset 9"},
        {244, "unknown value type 244 at offset 9"},
    };
    for (const Case& c : cases) {
        Rdb r;
        r.byte(c.byte).str("key").str("value").eof();
        Recorder rec;
        const RdbReadResult res = read(r.bytes(), rec);
        EXPECT_EQ(res.error, c.error);
        EXPECT_EQ(res.error_offset, 9u);
    }
}

TEST(RdbReader, TargetErrorsStopTheReadAtTheKey) {
    Rdb r;
    r.string_key("a", "1");
    const size_t at = r.size();
    r.string_key("bad", "2").string_key("c", "3").eof();
    Recorder rec;
    rec.fail_on = "bad";
    const RdbReadResult res = read(r.bytes(), rec);
    EXPECT_EQ(res.error, "target refused 'bad' at offset " + std::to_string(at));
    EXPECT_EQ(rec.keys.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Strings

TEST(RdbReader, LengthEncodingsAtTheirEdges) {
    Rdb r;
    const std::vector<size_t> sizes = {0, 1, 63, 64, 16383, 16384, 70000};
    for (size_t n : sizes) r.string_key("k" + std::to_string(n), std::string(n, 'x'));
    // Longer encodings than needed are accepted.
    r.key(rdb::kTypeString, "wide32").len32(3).raw("abc");
    r.key(rdb::kTypeString, "wide64").len64(3).raw("abc");
    r.key(rdb::kTypeString, "wide14").byte(0x40).byte(3).raw("abc");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    for (size_t n : sizes) {
        const Value& v = rec.value("k" + std::to_string(n));
        EXPECT_EQ(text(v), std::string(n, 'x'));
        EXPECT_STREQ(encoding_name(v), n <= 44 ? "embstr" : "raw");
    }
    EXPECT_EQ(text(rec.value("wide32")), "abc");
    EXPECT_EQ(text(rec.value("wide64")), "abc");
    EXPECT_EQ(text(rec.value("wide14")), "abc");
}

TEST(RdbReader, UnknownLengthAndStringEncodings) {
    Recorder rec;
    Rdb r;
    r.key(rdb::kTypeString, "k").byte(0x82).eof();
    EXPECT_EQ(read(r.bytes(), rec).error, "unknown length encoding 0x82 at offset 12");
    Rdb r2;
    r2.key(rdb::kTypeString, "k").byte(0xC4).eof();
    EXPECT_EQ(read(r2.bytes(), rec).error, "unknown string encoding 4 at offset 12");
}

TEST(RdbReader, IntegerEncodedStrings) {
    Rdb r;
    r.key(rdb::kTypeString, "i8min").int8(-128);
    r.key(rdb::kTypeString, "i8max").int8(127);
    r.key(rdb::kTypeString, "i16min").int16(-32768);
    r.key(rdb::kTypeString, "i16max").int16(32767);
    r.key(rdb::kTypeString, "i32min").int32(INT32_MIN);
    r.key(rdb::kTypeString, "i32max").int32(INT32_MAX);
    r.byte(rdb::kTypeString).int16(1234).str("key-was-an-int");
    r.string_key("raw-int", "9223372036854775807");
    r.string_key("not-int", "0123");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    const std::map<std::string, int64_t> want = {
        {"i8min", -128},       {"i8max", 127},        {"i16min", -32768},    {"i16max", 32767},
        {"i32min", INT32_MIN}, {"i32max", INT32_MAX}, {"raw-int", INT64_MAX}};
    for (const auto& [k, n] : want) {
        const Value& v = rec.value(k);
        EXPECT_TRUE(v.is_int()) << k;
        EXPECT_EQ(v.int_value(), n) << k;
    }
    EXPECT_EQ(text(rec.value("1234")), "key-was-an-int");
    EXPECT_STREQ(encoding_name(rec.value("not-int")), "embstr");
}

TEST(RdbReader, LzfStrings) {
    const std::string mid(30, 'a');  // compressed in the file, embstr in memory
    std::string big;
    for (int i = 0; i < 500; ++i) big += "compress me " + std::to_string(i % 7);
    Rdb r;
    r.key(rdb::kTypeString, "mid").lzf(mid);
    r.key(rdb::kTypeString, "big").lzf(big);
    r.byte(rdb::kTypeString).lzf(std::string(40, 'k')).str("lzf-key");
    r.key(rdb::kTypeString, "digits").lzf("11111111111111111111111");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(text(rec.value("mid")), mid);
    EXPECT_STREQ(encoding_name(rec.value("mid")), "embstr");
    EXPECT_EQ(text(rec.value("big")), big);
    EXPECT_STREQ(encoding_name(rec.value("big")), "raw");
    EXPECT_EQ(text(rec.value(std::string(40, 'k'))), "lzf-key");
    EXPECT_EQ(text(rec.value("digits")), "11111111111111111111111");
}

TEST(RdbReader, CorruptLzf) {
    Recorder rec;
    // Declared length larger than the data decompresses to.
    Rdb r;
    r.key(rdb::kTypeString, "k");
    const size_t at = r.size();
    r.byte(0xC3).len(3).len(10).raw("\x02xyz").eof();
    EXPECT_EQ(read(r.bytes(), rec).error,
              "invalid LZF compressed string at offset " + std::to_string(at));
    // An impossible expansion ratio is rejected before allocating.
    Rdb r2;
    r2.key(rdb::kTypeString, "k").byte(0xC3).len(2).len64(uint64_t{1} << 31).raw("ab").eof();
    EXPECT_EQ(read(r2.bytes(), rec).error,
              "invalid LZF compressed string at offset " + std::to_string(at));
    // Compressed length past the end of the file.
    Rdb r3;
    r3.key(rdb::kTypeString, "k").byte(0xC3).len(200).len(300).raw("ab");
    EXPECT_EQ(read(r3.bytes(), rec).error,
              "unexpected end of file at offset " + std::to_string(at));
}

TEST(RdbReader, AbsurdLengthsFailBeforeAllocating) {
    Recorder rec;
    Rdb r;
    r.key(rdb::kTypeString, "k").len64(uint64_t{1} << 62).raw("abc");
    EXPECT_EQ(read(r.bytes(), rec).error, "unexpected end of file at offset 12");
    for (uint8_t type : {rdb::kTypeList, rdb::kTypeSet, rdb::kTypeZSet2, rdb::kTypeHash,
                         rdb::kTypeListQuicklist2}) {
        Rdb c;
        c.key(type, "k").len64(uint64_t{1} << 40).str("a").str("b").eof();
        EXPECT_EQ(read(c.bytes(), rec).error, "unexpected end of file at offset 12") << int{type};
    }
}

// ---------------------------------------------------------------------------------------------
// Collections

TEST(RdbReader, PlainListFollowsTheFill) {
    Rdb r;
    r.key(rdb::kTypeList, "l").len(7);
    for (int i = 0; i < 7; ++i) r.str("e" + std::to_string(i));
    r.eof();
    RdbReadOptions opt;
    opt.limits.list_fill = 3;
    Recorder rec;
    ASSERT_TRUE(read(r.bytes(), rec, opt).ok());
    const Value& v = rec.value("l");
    EXPECT_EQ(v.type(), ValueType::List);
    EXPECT_STREQ(encoding_name(v), "quicklist");
    EXPECT_EQ(list_items(v), (std::vector<std::string>{"e0", "e1", "e2", "e3", "e4", "e5", "e6"}));
    EXPECT_EQ(list_nodes(v), 3u);
}

TEST(RdbReader, Quicklist2PackedPlainAndEmptyNodes) {
    const Listpack a = make_listpack({"a", "1", "b"});
    const Listpack empty;
    const Listpack c = make_listpack({"c"});
    Rdb r;
    r.key(rdb::kTypeListQuicklist2, "l").len(4);
    r.len(2).blob(a.span());
    r.len(2).blob(empty.span());  // skipped, as Redis skips it
    r.len(1).str(std::string(100, 'p'));
    r.len(2).blob(c.span());
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    const Value& v = rec.value("l");
    EXPECT_EQ(list_items(v), (std::vector<std::string>{"a", "1", "b", std::string(100, 'p'), "c"}));
    EXPECT_EQ(list_nodes(v), 3u);  // nodes kept as they are, not re-packed

    // A bad container, an empty node string, a corrupt listpack.
    Rdb bad;
    bad.key(rdb::kTypeListQuicklist2, "l").len(1).len(3).blob(a.span()).eof();
    EXPECT_EQ(read(bad.bytes(), rec).error, "invalid quicklist node container 3 at offset 13");
    Rdb bad2;
    bad2.key(rdb::kTypeListQuicklist2, "l").len(1).len(2).str("").eof();
    EXPECT_EQ(read(bad2.bytes(), rec).error, "empty quicklist node at offset 14");
    std::string broken(reinterpret_cast<const char*>(a.data()), a.bytes());
    broken[0] = 99;
    Rdb bad3;
    bad3.key(rdb::kTypeListQuicklist2, "l").len(1).len(2).str(broken).eof();
    EXPECT_EQ(read(bad3.bytes(), rec).error,
              "quicklist listpack integrity check failed at offset 14");
}

TEST(RdbReader, EmptyCollectionsAreSkipped) {
    const Listpack empty;
    Rdb r;
    for (uint8_t type : {rdb::kTypeList, rdb::kTypeSet, rdb::kTypeZSet, rdb::kTypeZSet2,
                         rdb::kTypeHash, rdb::kTypeListQuicklist2})
        r.key(type, "e" + std::to_string(type)).len(0);
    r.key(rdb::kTypeListQuicklist2, "only-empty-nodes").len(1).len(2).blob(empty.span());
    r.key(rdb::kTypeHashListpack, "hlp").blob(empty.span());
    r.key(rdb::kTypeZSetListpack, "zlp").blob(empty.span());
    r.expire_ms(5).string_key("kept", "v");
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(res.empty_keys_skipped, 9u);
    EXPECT_EQ(res.keys, 1u);
    ASSERT_EQ(rec.keys.size(), 1u);
    EXPECT_EQ(rec.keys[0].expire, 5);
}

TEST(RdbReader, PlainSetIntsetHashtableAndConversion) {
    Rdb r;
    r.key(rdb::kTypeSet, "ints").len(3).str("5").int8(-3).str("100000");
    r.key(rdb::kTypeSet, "mixed").len(3).str("1").str("two").str("3");
    r.key(rdb::kTypeSet, "many").len(5).str("1").str("2").str("3").str("4").str("5");
    r.key(rdb::kTypeSet, "noncanonical").len(1).str("007");
    r.eof();
    RdbReadOptions opt;
    opt.limits.set_max_intset_entries = 4;
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec, opt);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_STREQ(encoding_name(rec.value("ints")), "intset");
    EXPECT_EQ(set_items(rec.value("ints")), (std::set<std::string>{"5", "-3", "100000"}));
    EXPECT_STREQ(encoding_name(rec.value("mixed")), "hashtable");
    EXPECT_EQ(set_items(rec.value("mixed")), (std::set<std::string>{"1", "two", "3"}));
    EXPECT_STREQ(encoding_name(rec.value("many")), "hashtable");
    EXPECT_EQ(set_items(rec.value("many")).size(), 5u);
    EXPECT_STREQ(encoding_name(rec.value("noncanonical")), "hashtable");

    for (const char* dup : {"1", "x"}) {
        Rdb d;
        d.key(rdb::kTypeSet, "s").len(3).str("x").str("1").str(dup).eof();
        const RdbReadResult e = read(d.bytes(), rec);
        EXPECT_EQ(e.error.rfind(std::string("duplicate set member '") + dup + "'", 0), 0u)
            << e.error;
    }
    Rdb d2;
    d2.key(rdb::kTypeSet, "s").len(2).str("1").str("1").eof();
    EXPECT_EQ(read(d2.bytes(), rec).error.rfind("duplicate set member '1'", 0), 0u);
}

TEST(RdbReader, IntsetBlob) {
    Intset is;
    for (int64_t v : {int64_t{-70000}, int64_t{3}, int64_t{9}, int64_t{1} << 40}) is.add(v);
    Rdb r;
    r.key(rdb::kTypeSetIntset, "small").blob(is.span());
    r.eof();
    Recorder rec;
    RdbReadOptions opt;
    ASSERT_TRUE(read(r.bytes(), rec, opt).ok());
    EXPECT_STREQ(encoding_name(rec.value("small")), "intset");
    EXPECT_EQ(set_items(rec.value("small")),
              (std::set<std::string>{"-70000", "3", "9", "1099511627776"}));
    opt.limits.set_max_intset_entries = 3;
    Recorder rec2;
    ASSERT_TRUE(read(r.bytes(), rec2, opt).ok());
    EXPECT_STREQ(encoding_name(rec2.value("small")), "hashtable");
    EXPECT_EQ(set_items(rec2.value("small")).size(), 4u);

    // Unsorted values pass the header check but not the deep one; duplicates are caught when
    // converting.
    std::string unsorted(reinterpret_cast<const char*>(is.data()), is.bytes());
    std::swap(unsorted[8], unsorted[16]);
    Rdb u;
    u.key(rdb::kTypeSetIntset, "u").str(unsorted).eof();
    Recorder rec3;
    EXPECT_TRUE(read(u.bytes(), rec3).ok());
    opt.deep_check = true;
    EXPECT_EQ(read(u.bytes(), rec3, opt).error, "intset integrity check failed at offset 12");
    std::string bad = unsorted.substr(0, unsorted.size() - 1);
    Rdb b;
    b.key(rdb::kTypeSetIntset, "b").str(bad).eof();
    EXPECT_EQ(read(b.bytes(), rec3).error, "intset integrity check failed at offset 12");
}

TEST(RdbReader, ZsetsTextAndBinaryScores) {
    Rdb r;
    r.key(rdb::kTypeZSet, "text").len(4);
    r.str("a").byte(3).raw("1.5").str("b").byte(rdb::kScorePosInf).str("c").byte(rdb::kScoreNegInf);
    r.str("d").byte(2).raw("-2");
    r.key(rdb::kTypeZSet2, "bin").len(3);
    for (auto [m, s] :
         std::vector<std::pair<std::string, double>>{{"x", 3.25}, {"y", -1e300}, {"z", 3.25}}) {
        uint64_t bits;
        std::memcpy(&bits, &s, 8);
        r.str(m).le(bits, 8);
    }
    r.key(rdb::kTypeZSet2, "longmember").len(1).str(std::string(70, 'm')).le(0, 8);
    r.eof();
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec);
    ASSERT_TRUE(res.ok()) << res.error;
    const Value& t = rec.value("text");
    EXPECT_STREQ(encoding_name(t), "listpack");
    const auto ti = zset_items(t);
    ASSERT_EQ(ti.size(), 4u);
    EXPECT_EQ(ti[0], (std::pair<std::string, double>("c", -INFINITY)));
    EXPECT_EQ(ti[1], (std::pair<std::string, double>("d", -2)));
    EXPECT_EQ(ti[2], (std::pair<std::string, double>("a", 1.5)));
    EXPECT_EQ(ti[3], (std::pair<std::string, double>("b", INFINITY)));
    const auto bi = zset_items(rec.value("bin"));
    ASSERT_EQ(bi.size(), 3u);
    EXPECT_EQ(bi[0].first, "y");
    EXPECT_EQ(bi[1].first, "x");
    EXPECT_EQ(bi[2].first, "z");
    EXPECT_STREQ(encoding_name(rec.value("longmember")), "skiplist");

    // More members than the listpack limit: skiplist.
    Rdb many;
    many.key(rdb::kTypeZSet2, "many").len(5);
    for (int i = 0; i < 5; ++i) many.str("m" + std::to_string(i)).le(0, 8);
    many.eof();
    RdbReadOptions opt;
    opt.limits.zset_max_listpack_entries = 4;
    Recorder rec2;
    ASSERT_TRUE(read(many.bytes(), rec2, opt).ok());
    EXPECT_STREQ(encoding_name(rec2.value("many")), "skiplist");
    EXPECT_EQ(zset_items(rec2.value("many")).size(), 5u);

    Rdb nan;
    nan.key(rdb::kTypeZSet, "n").len(1).str("a").byte(rdb::kScoreNan).eof();
    EXPECT_EQ(read(nan.bytes(), rec).error, "NaN score in sorted set at offset 13");
    Rdb dup;
    dup.key(rdb::kTypeZSet, "n").len(2).str("a").byte(1).raw("1").str("a").byte(1).raw("2").eof();
    EXPECT_EQ(read(dup.bytes(), rec).error, "duplicate sorted set member 'a' at offset 17");
    Rdb garbage;
    garbage.key(rdb::kTypeZSet, "n").len(1).str("a").byte(3).raw("xyz").eof();
    EXPECT_EQ(read(garbage.bytes(), rec).error, "invalid sorted set score at offset 15");
}

TEST(RdbReader, PlainHashListpackOrHashtable) {
    Rdb r;
    r.key(rdb::kTypeHash, "small").len(2).str("f1").str("v1").str("f2").int8(7);
    r.key(rdb::kTypeHash, "longvalue").len(3).str("a").str("1").str("b").str(std::string(65, 'v'));
    r.str("c").str("3");
    r.key(rdb::kTypeHash, "many").len(3).str("a").str("1").str("b").str("2").str("c").str("3");
    r.eof();
    RdbReadOptions opt;
    opt.limits.hash_max_listpack_entries = 2;
    Recorder rec;
    const RdbReadResult res = read(r.bytes(), rec, opt);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_STREQ(encoding_name(rec.value("small")), "listpack");
    EXPECT_EQ(hash_items(rec.value("small")),
              (std::map<std::string, std::string>{{"f1", "v1"}, {"f2", "7"}}));
    EXPECT_STREQ(encoding_name(rec.value("many")), "hashtable");
    EXPECT_EQ(hash_items(rec.value("many")).size(), 3u);

    RdbReadOptions def;
    Recorder rec2;
    ASSERT_TRUE(read(r.bytes(), rec2, def).ok());
    EXPECT_STREQ(encoding_name(rec2.value("longvalue")), "hashtable");
    EXPECT_EQ(hash_items(rec2.value("longvalue")).size(), 3u);
    EXPECT_STREQ(encoding_name(rec2.value("many")), "listpack");

    // Duplicates: in the hashtable phase always, in the listpack phase with deep checks.
    Rdb d;
    d.key(rdb::kTypeHash, "h").len(3).str("a").str("1").str("b").str(std::string(65, 'v'));
    d.str("a").str("2").eof();
    EXPECT_EQ(read(d.bytes(), rec2).error.rfind("duplicate hash field 'a'", 0), 0u);
    Rdb d2;
    d2.key(rdb::kTypeHash, "h").len(2).str("a").str("1").str("a").str("2").eof();
    EXPECT_TRUE(read(d2.bytes(), rec2).ok());
    RdbReadOptions deep;
    deep.deep_check = true;
    EXPECT_EQ(read(d2.bytes(), rec2, deep).error, "duplicate hash field 'a' at offset 17");
}

TEST(RdbReader, ListpackHashesAndZsets) {
    const Listpack h = make_listpack({"f1", "v1", "f2", "2", "f3", "v3"});
    const Listpack z = make_listpack({"a", "1", "b", "2.5", "c", "inf"});
    Rdb r;
    r.key(rdb::kTypeHashListpack, "h").blob(h.span());
    r.key(rdb::kTypeZSetListpack, "z").blob(z.span());
    r.eof();
    Recorder rec;
    ASSERT_TRUE(read(r.bytes(), rec).ok());
    EXPECT_STREQ(encoding_name(rec.value("h")), "listpack");
    EXPECT_EQ(hash_items(rec.value("h")).size(), 3u);
    EXPECT_STREQ(encoding_name(rec.value("z")), "listpack");
    EXPECT_EQ(zset_items(rec.value("z"))[2], (std::pair<std::string, double>("c", INFINITY)));

    RdbReadOptions small;
    small.limits.hash_max_listpack_entries = 2;
    small.limits.zset_max_listpack_entries = 2;
    Recorder rec2;
    ASSERT_TRUE(read(r.bytes(), rec2, small).ok());
    EXPECT_STREQ(encoding_name(rec2.value("h")), "hashtable");
    EXPECT_EQ(hash_items(rec2.value("h")),
              (std::map<std::string, std::string>{{"f1", "v1"}, {"f2", "2"}, {"f3", "v3"}}));
    EXPECT_STREQ(encoding_name(rec2.value("z")), "skiplist");
    EXPECT_EQ(zset_items(rec2.value("z")).size(), 3u);
    // The listpack limits on element length are not applied to stored listpacks (as Redis).
    RdbReadOptions short_values;
    short_values.limits.hash_max_listpack_value = 1;
    Recorder rec3;
    ASSERT_TRUE(read(r.bytes(), rec3, short_values).ok());
    EXPECT_STREQ(encoding_name(rec3.value("h")), "listpack");

    // Odd count, duplicates (deep or when converting), corrupt header, corrupt entry.
    const Listpack odd = make_listpack({"f1", "v1", "f2"});
    Rdb o;
    o.key(rdb::kTypeHashListpack, "h").blob(odd.span()).eof();
    EXPECT_EQ(read(o.bytes(), rec).error,
              "hash listpack has an odd number of entries at offset 12");
    const Listpack dup = make_listpack({"a", "1", "b", "2", "a", "3"});
    Rdb d;
    d.key(rdb::kTypeZSetListpack, "z").blob(dup.span()).eof();
    EXPECT_TRUE(read(d.bytes(), rec).ok());
    RdbReadOptions deep;
    deep.deep_check = true;
    EXPECT_EQ(read(d.bytes(), rec, deep).error, "zset listpack has duplicate members at offset 12");
    EXPECT_EQ(read(d.bytes(), rec, small).error.rfind("duplicate sorted set member 'a'", 0), 0u);
    std::string entry_broken(reinterpret_cast<const char*>(h.data()), h.bytes());
    entry_broken[6] = static_cast<char>(0xF8);  // an invalid encoding tag
    Rdb e;
    e.key(rdb::kTypeHashListpack, "h").str(entry_broken).eof();
    EXPECT_TRUE(read(e.bytes(), rec).ok());  // header checks only, as Redis
    EXPECT_EQ(read(e.bytes(), rec, deep).error,
              "hash listpack integrity check failed at offset 12");
    // Converting walks the entries, so they are checked then even without deep checks.
    EXPECT_EQ(read(e.bytes(), rec, small).error,
              "hash listpack integrity check failed at offset 12");
}

TEST(RdbReader, LegacyEncodingsUseTheConverters) {
    // Until the ziplist/zipmap decoders land these only have to fail cleanly; with them, a
    // garbage blob still fails.
    Recorder rec;
    for (uint8_t type : {rdb::kTypeHashZipmap, rdb::kTypeListZiplist, rdb::kTypeZSetZiplist,
                         rdb::kTypeHashZiplist}) {
        Rdb r;
        r.key(type, "k").str("garbage").eof();
        const RdbReadResult res = read(r.bytes(), rec);
        EXPECT_NE(res.error.find("integrity check failed at offset 12"), std::string::npos)
            << res.error;
    }
    Rdb q;
    q.key(rdb::kTypeListQuicklist, "k").len(1).str("garbage").eof();
    EXPECT_EQ(read(q.bytes(), rec).error, "quicklist ziplist integrity check failed at offset 13");
}

// ---------------------------------------------------------------------------------------------
// Keyspace target

TEST(RdbReader, KeyspaceTarget) {
    Keyspace ks(4);
    KeyspaceLoadTarget t(ks, 1000, true);
    Rdb r;
    r.aux("redis-ver", "7.0.15").aux("REPL-ID", std::string(40, 'a')).aux("repl-offset", "77");
    r.aux("repl-stream-db", "2").aux("aof-base", "1").aux("ctime", "12345").aux("used-mem", "9");
    r.select(2).byte(rdb::kOpResizeDb).len(3).len(1);
    r.string_key("a", "1")
        .expire_ms(999)
        .string_key("old", "x")
        .expire_ms(1001)
        .string_key("new", "y");
    r.eof();
    const RdbReadResult res = read_rdb(span_of(r.bytes()), {}, t);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(t.loaded(), 2u);
    EXPECT_EQ(t.expired_dropped(), 1u);
    EXPECT_EQ(t.db_keys()[2], 2u);
    EXPECT_EQ(ks.db(2).size(), 2u);
    EXPECT_GE(ks.db(2).dict.buckets(), 4u);
    Entry* e = ks.peek(ks.db(2), "new");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(ks.expire_of(ks.db(2), e), 1001);
    const RdbLoadedAux& aux = t.aux_info();
    EXPECT_EQ(aux.redis_ver, "7.0.15");
    EXPECT_EQ(aux.repl_id, std::string(40, 'a'));
    EXPECT_EQ(aux.repl_offset, 77);
    EXPECT_EQ(aux.repl_stream_db, 2);
    EXPECT_TRUE(aux.aof_base);
    EXPECT_EQ(aux.ctime, 12345);
    EXPECT_EQ(aux.used_mem, 9);

    Rdb dup;
    dup.select(1).string_key("k", "1");
    const size_t at = dup.size();
    dup.string_key("k", "2").eof();
    KeyspaceLoadTarget t2(ks, 0, true);
    EXPECT_EQ(read_rdb(span_of(dup.bytes()), {}, t2).error,
              "Duplicate key 'k' found in RDB file at offset " + std::to_string(at));
    Rdb far;
    far.select(4).eof();
    KeyspaceLoadTarget t3(ks, 0, true);
    const RdbReadResult fr = read_rdb(span_of(far.bytes()), {}, t3);
    EXPECT_NE(fr.error.find("SELECTDB 4 is out of range"), std::string::npos) << fr.error;
    EXPECT_EQ(fr.error_offset, 9u);

    // A replica keeps expired keys.
    Keyspace ks2(4);
    KeyspaceLoadTarget keep(ks2, 1000000, false);
    ASSERT_TRUE(read_rdb(span_of(r.bytes()), {}, keep).ok());
    EXPECT_EQ(keep.loaded(), 3u);
}

// ---------------------------------------------------------------------------------------------
// Robustness

// A small file with every kind of item.
std::string sample_file(bool checksum = true) {
    Intset is;
    for (int64_t v : {1, 2, 300000}) is.add(v);
    const Listpack h = make_listpack({"f", "v", "n", "12"});
    const Listpack z = make_listpack({"a", "1", "b", "2.5"});
    const Listpack l = make_listpack({"x", "-7", "yy"});
    Rdb r;
    r.aux("redis-ver", "7.0.15").aux("ctime", "1700000000");
    r.select(0).byte(rdb::kOpResizeDb).len(12).len(2);
    r.string_key("s", "hello").key(rdb::kTypeString, "i").int16(-300);
    r.expire_ms(1800000000000).key(rdb::kTypeString, "lz").lzf(std::string(50, 'q'));
    r.key(rdb::kTypeListQuicklist2, "l").len(2).len(2).blob(l.span()).len(1).str("plain");
    r.key(rdb::kTypeList, "l1").len(2).str("a").int8(5);
    r.key(rdb::kTypeSetIntset, "si").blob(is.span());
    r.key(rdb::kTypeSet, "sh").len(2).str("m").str("n");
    r.key(rdb::kTypeZSetListpack, "zl").blob(z.span());
    r.key(rdb::kTypeZSet2, "z2").len(1).str("m").le(0x3ff0000000000000ull, 8);
    r.key(rdb::kTypeZSet, "z1").len(1).str("m").byte(3).raw("2.5");
    r.select(1).byte(rdb::kOpExpireTime).le(1800000000, 4);
    r.key(rdb::kTypeHashListpack, "hl").blob(h.span());
    r.key(rdb::kTypeHash, "hh").len(1).str("f").lzf(std::string(80, 'w'));
    r.byte(rdb::kOpIdle).len(5).byte(rdb::kOpFreq).byte(3).string_key("last", "x");
    r.eof(checksum);
    return r.bytes();
}

TEST(RdbReader, SampleFileLoads) {
    Recorder rec;
    const std::string f = sample_file();
    const RdbReadResult res = read(f, rec);
    ASSERT_TRUE(res.ok()) << res.error;
    EXPECT_EQ(res.keys, 13u);
    EXPECT_EQ(list_items(rec.value("l")), (std::vector<std::string>{"x", "-7", "yy", "plain"}));
    EXPECT_EQ(hash_items(rec.value("hh")).at("f"), std::string(80, 'w'));
    EXPECT_STREQ(encoding_name(rec.value("hh")), "hashtable");
}

TEST(RdbReader, TruncationAtEveryOffsetFailsCleanly) {
    const std::string f = sample_file();
    for (const bool deep : {false, true}) {
        RdbReadOptions opt;
        opt.deep_check = deep;
        for (size_t cut = 0; cut < f.size(); ++cut) {
            // A copy of exactly `cut` bytes, so reading past it is a real overrun.
            const std::string prefix = f.substr(0, cut);
            Recorder rec;
            const RdbReadResult res = read(prefix, rec, opt);
            ASSERT_FALSE(res.ok()) << "cut at " << cut;
            EXPECT_LE(res.error_offset, cut) << res.error;
            EXPECT_NE(res.error.find(" at offset " + std::to_string(res.error_offset)),
                      std::string::npos)
                << res.error;
        }
    }
}

TEST(RdbReader, EveryByteFlipFailsCleanly) {
    const std::string f = sample_file();
    for (const bool deep : {false, true}) {
        RdbReadOptions opt;
        opt.deep_check = deep;
        for (size_t at = 0; at < f.size(); ++at) {
            for (const uint8_t mask : {0x01, 0x10, 0x80, 0xFF}) {
                std::string bad = f;
                bad[at] = static_cast<char>(bad[at] ^ mask);
                Recorder rec;
                const RdbReadResult res = read(bad, rec, opt);
                ASSERT_FALSE(res.ok()) << "flip " << int{mask} << " at " << at;
                EXPECT_LT(res.error_offset, f.size());
            }
        }
    }
}

TEST(RdbReader, ByteFlipsWithoutChecksumNeverCrash) {
    // Without a CRC some flips load (a changed string). None may crash or read out of bounds,
    // and with deep checks whatever loaded must be safe to read.
    const std::string f = sample_file(false);
    size_t failed = 0;
    for (const bool deep : {false, true}) {
        RdbReadOptions opt;
        opt.deep_check = deep;
        for (size_t at = 0; at < f.size(); ++at) {
            for (const uint8_t mask : {0x01, 0x04, 0x40, 0xFF}) {
                std::string bad = f;
                bad[at] = static_cast<char>(bad[at] ^ mask);
                Recorder rec;
                if (!read(bad, rec, opt).ok()) ++failed;
                if (!deep) continue;
                for (const Key& k : rec.keys) {
                    switch (k.value.type()) {
                        case ValueType::List:
                            list_items(k.value);
                            break;
                        case ValueType::Hash:
                            hash_items(k.value);
                            break;
                        case ValueType::Set:
                            set_items(k.value);
                            break;
                        case ValueType::ZSet:
                            zset_items(k.value);
                            break;
                        default:
                            text(k.value);
                    }
                }
            }
        }
    }
    EXPECT_GT(failed, f.size());
}

}  // namespace
}  // namespace snapstream
