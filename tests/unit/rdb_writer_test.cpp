// The RDB writer, byte for byte: the encoders of persistence/rdb_encoding.h at every boundary,
// whole small files (header, aux fields, SELECTDB/RESIZEDB, expires, each value type in the
// encoding Redis 7.0 writes for it, EOF, CRC64 trailer), LZF round trips, large payloads that
// bypass the buffer, and sink errors.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/byte_sink.h"
#include "persistence/crc64.h"
#include "persistence/lzf.h"
#include "persistence/rdb_encoding.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_writer.h"

namespace snapstream {
namespace {

using Bytes = std::string;

Bytes bytes(std::initializer_list<int> v) {
    Bytes out;
    for (int b : v) out.push_back(static_cast<char>(b));
    return out;
}

Bytes hex(std::string_view s) {
    static const char* d = "0123456789abcdef";
    Bytes out;
    for (unsigned char c : s) {
        out.push_back(d[c >> 4]);
        out.push_back(d[c & 15]);
        out.push_back(' ');
    }
    return out;
}

Bytes len_bytes(uint64_t n) {
    uint8_t b[rdb::kMaxLengthBytes];
    return Bytes(reinterpret_cast<char*>(b), rdb::encode_length(b, n));
}

Bytes str_bytes(std::string_view s, bool compress = true) {
    Bytes out;
    rdb::encode_string(out, s, compress);
    return out;
}

Bytes le64(uint64_t v) {
    Bytes out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
    return out;
}

void register_all_ops() {
    hash_type::register_ops();
    set_type::register_ops();
    zset::register_ops();
    register_list_object_ops();
}

RdbAux fixed_aux() {
    RdbAux aux;
    aux.ctime = 1700000000;
    aux.used_mem = 12345;
    return aux;
}

// The header and default aux fields as Redis 7.0 writes them for fixed_aux().
Bytes expected_prefix() {
    Bytes b = "REDIS0010";
    b += bytes({0xFA, 9}) + "redis-ver" + bytes({6}) + "7.0.15";
    b += bytes({0xFA, 10}) + "redis-bits" + bytes({0xC0, 64});
    b += bytes({0xFA, 5}) + "ctime" + bytes({0xC2, 0x00, 0xF1, 0x53, 0x65});
    b += bytes({0xFA, 8}) + "used-mem" + bytes({0xC1, 0x39, 0x30});
    b += bytes({0xFA, 8}) + "aof-base" + bytes({0xC0, 0});
    return b;
}

Bytes write(const Keyspace& ks, RdbWriteOptions opt = {}, RdbAux aux = fixed_aux()) {
    StringSink sink;
    auto r = write_rdb(ks, aux, opt, sink);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    if (r.ok()) {
        EXPECT_EQ(r->bytes, sink.data.size());
    }
    return sink.data;
}

// The file without its 8-byte trailer, checking that the trailer is the CRC64 of the rest.
Bytes body_checked(const Bytes& file) {
    EXPECT_GE(file.size(), 8u);
    const Bytes body = file.substr(0, file.size() - 8);
    EXPECT_EQ(file.substr(file.size() - 8), le64(crc64(0, body.data(), body.size())));
    EXPECT_EQ(body.back(), static_cast<char>(rdb::kOpEof));
    return body;
}

// The bytes of one database holding one key, as the writer frames it.
Bytes one_key_db(int db, int type, std::string_view key, const Bytes& value, int64_t expire = -1) {
    Bytes b = bytes({0xFE}) + len_bytes(static_cast<uint64_t>(db));
    b += bytes({0xFB, 1, expire >= 0 ? 1 : 0});
    if (expire >= 0) b += bytes({0xFC}) + le64(static_cast<uint64_t>(expire));
    b += bytes({type}) + str_bytes(key) + value;
    return b;
}

TEST(RdbEncoding, LengthBoundaries) {
    EXPECT_EQ(len_bytes(0), bytes({0x00}));
    EXPECT_EQ(len_bytes(63), bytes({0x3F}));
    EXPECT_EQ(len_bytes(64), bytes({0x40, 0x40}));
    EXPECT_EQ(len_bytes(300), bytes({0x41, 0x2C}));
    EXPECT_EQ(len_bytes(16383), bytes({0x7F, 0xFF}));
    EXPECT_EQ(len_bytes(16384), bytes({0x80, 0x00, 0x00, 0x40, 0x00}));
    EXPECT_EQ(len_bytes(UINT32_MAX), bytes({0x80, 0xFF, 0xFF, 0xFF, 0xFF}));
    EXPECT_EQ(len_bytes(uint64_t{UINT32_MAX} + 1), bytes({0x81, 0, 0, 0, 0x01, 0, 0, 0, 0}));
    EXPECT_EQ(len_bytes(UINT64_MAX), bytes({0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(RdbEncoding, IntegerForms) {
    auto enc = [](int64_t v) {
        uint8_t b[rdb::kMaxIntBytes];
        return Bytes(reinterpret_cast<char*>(b), rdb::encode_int(b, v));
    };
    EXPECT_EQ(enc(0), bytes({0xC0, 0x00}));
    EXPECT_EQ(enc(127), bytes({0xC0, 0x7F}));
    EXPECT_EQ(enc(-128), bytes({0xC0, 0x80}));
    EXPECT_EQ(enc(128), bytes({0xC1, 0x80, 0x00}));
    EXPECT_EQ(enc(-129), bytes({0xC1, 0x7F, 0xFF}));
    EXPECT_EQ(enc(32767), bytes({0xC1, 0xFF, 0x7F}));
    EXPECT_EQ(enc(-32768), bytes({0xC1, 0x00, 0x80}));
    EXPECT_EQ(enc(32768), bytes({0xC2, 0x00, 0x80, 0x00, 0x00}));
    EXPECT_EQ(enc(-32769), bytes({0xC2, 0xFF, 0x7F, 0xFF, 0xFF}));
    EXPECT_EQ(enc(INT32_MAX), bytes({0xC2, 0xFF, 0xFF, 0xFF, 0x7F}));
    EXPECT_EQ(enc(INT32_MIN), bytes({0xC2, 0x00, 0x00, 0x00, 0x80}));
    EXPECT_EQ(enc(int64_t{INT32_MAX} + 1), "");
    EXPECT_EQ(enc(int64_t{INT32_MIN} - 1), "");

    Bytes out;
    rdb::encode_int64_string(out, int64_t{INT32_MAX} + 1);
    EXPECT_EQ(out, bytes({10}) + "2147483648");
    out.clear();
    rdb::encode_int64_string(out, INT64_MIN);
    EXPECT_EQ(out, bytes({20}) + "-9223372036854775808");
    out.clear();
    rdb::encode_int64_string(out, -5);
    EXPECT_EQ(out, bytes({0xC0, 0xFB}));
}

TEST(RdbEncoding, IntegerStringsOnlyWhenCanonical) {
    EXPECT_EQ(str_bytes("0"), bytes({0xC0, 0x00}));
    EXPECT_EQ(str_bytes("127"), bytes({0xC0, 0x7F}));
    EXPECT_EQ(str_bytes("128"), bytes({0xC1, 0x80, 0x00}));
    EXPECT_EQ(str_bytes("-128"), bytes({0xC0, 0x80}));
    EXPECT_EQ(str_bytes("-32768"), bytes({0xC1, 0x00, 0x80}));
    EXPECT_EQ(str_bytes("32768"), bytes({0xC2, 0x00, 0x80, 0x00, 0x00}));
    EXPECT_EQ(str_bytes("2147483647"), bytes({0xC2, 0xFF, 0xFF, 0xFF, 0x7F}));
    EXPECT_EQ(str_bytes("-2147483648"), bytes({0xC2, 0x00, 0x00, 0x00, 0x80}));
    // Out of the int32 range, or not canonical: text.
    for (std::string_view s : {"2147483648", "-2147483649", "12345678901", "007", "-0", "+1", " 1",
                               "1 ", "1.0", "0x10", "-", "", "99999999999999999999"}) {
        EXPECT_EQ(str_bytes(s), len_bytes(s.size()) + Bytes(s)) << s;
    }
}

TEST(RdbEncoding, LzfOnlyPastTwentyBytesAndWhenItSaves) {
    const Bytes twenty(20, 'a');
    EXPECT_EQ(str_bytes(twenty), bytes({20}) + twenty);
    const Bytes long_run(21, 'a');
    const Bytes enc = str_bytes(long_run);
    ASSERT_EQ(static_cast<uint8_t>(enc[0]), 0xC3) << hex(enc);
    // Compression off: verbatim.
    EXPECT_EQ(str_bytes(long_run, false), bytes({21}) + long_run);

    // Incompressible bytes stay verbatim.
    std::mt19937_64 rng(1);
    Bytes noise(200, 0);
    for (auto& c : noise) c = static_cast<char>(rng());
    EXPECT_EQ(str_bytes(noise), len_bytes(200) + noise);

    // Round trip through the decoder; the header is 0xC3 clen len.
    for (size_t n : {64u, 1000u, 20000u, 100000u}) {
        Bytes s;
        while (s.size() < n) s += "pattern-" + std::to_string(s.size() % 7) + "|";
        s.resize(n);
        const Bytes e = str_bytes(s);
        ASSERT_EQ(static_cast<uint8_t>(e[0]), 0xC3) << n;
        // Decode the two lengths.
        auto read_len = [&](size_t& p) {
            const auto b = static_cast<uint8_t>(e[p]);
            if (b < 0x40) return static_cast<uint64_t>(e[p++]);
            if (b < 0x80) {
                const uint64_t v = (uint64_t{b} & 0x3F) << 8 | static_cast<uint8_t>(e[p + 1]);
                p += 2;
                return v;
            }
            EXPECT_EQ(b, 0x80);
            uint64_t v = 0;
            for (int i = 1; i <= 4; ++i) v = v << 8 | static_cast<uint8_t>(e[p + i]);
            p += 5;
            return v;
        };
        size_t p = 1;
        const uint64_t clen = read_len(p);
        const uint64_t len = read_len(p);
        EXPECT_EQ(len, n);
        EXPECT_LE(clen, n - 4);
        ASSERT_EQ(p + clen, e.size());
        Bytes back(n, 0);
        ASSERT_TRUE(lzf_expand_into(
            {reinterpret_cast<const uint8_t*>(e.data() + p), static_cast<size_t>(clen)},
            {reinterpret_cast<uint8_t*>(back.data()), back.size()}));
        EXPECT_EQ(back, s);
    }
}

TEST(RdbWriter, EmptyKeyspace) {
    register_all_ops();
    Keyspace ks(16);
    const Bytes file = write(ks);
    EXPECT_EQ(body_checked(file), expected_prefix() + bytes({0xFF}));
}

TEST(RdbWriter, OneStringKeyByteExact) {
    register_all_ops();
    Keyspace ks(16);
    ks.add(ks.db(0), "foo", Value::string("bar"));
    const Bytes file = write(ks);
    const Bytes expect = expected_prefix() + bytes({0xFE, 0x00, 0xFB, 0x01, 0x00}) +
                         bytes({0x00, 3}) + "foo" + bytes({3}) + "bar" + bytes({0xFF});
    EXPECT_EQ(body_checked(file), expect) << hex(file);
    // The CRC is CRC-64/Jones over every byte before the trailer.
    EXPECT_EQ(file.substr(file.size() - 8), le64(crc64(0, expect.data(), expect.size())));
}

TEST(RdbWriter, ChecksumOffWritesZeroTrailer) {
    register_all_ops();
    Keyspace ks(16);
    ks.add(ks.db(0), "foo", Value::string("bar"));
    RdbWriteOptions opt;
    opt.checksum = false;
    const Bytes file = write(ks, opt);
    EXPECT_EQ(file.substr(file.size() - 8), Bytes(8, '\0'));
    const Bytes with = write(ks);
    EXPECT_EQ(file.substr(0, file.size() - 8), with.substr(0, with.size() - 8));
}

TEST(RdbWriter, ReplicationAuxFieldsAndAofBase) {
    register_all_ops();
    Keyspace ks(16);
    RdbAux aux = fixed_aux();
    aux.repl_id = "0123456789abcdef0123456789abcdef01234567";
    aux.repl_stream_db = 3;
    aux.repl_offset = 5000000000;  // beyond int32: text
    aux.aof_base = true;
    aux.used_mem = 3000000000;
    RdbWriteOptions opt;
    opt.compress = false;
    const Bytes body = body_checked(write(ks, opt, aux));
    Bytes expect = "REDIS0010";
    expect += bytes({0xFA, 9}) + "redis-ver" + bytes({6}) + "7.0.15";
    expect += bytes({0xFA, 10}) + "redis-bits" + bytes({0xC0, 64});
    expect += bytes({0xFA, 5}) + "ctime" + bytes({0xC2, 0x00, 0xF1, 0x53, 0x65});
    expect += bytes({0xFA, 8}) + "used-mem" + bytes({10}) + "3000000000";
    expect += bytes({0xFA, 14}) + "repl-stream-db" + bytes({0xC0, 3});
    expect += bytes({0xFA, 7}) + "repl-id" + bytes({40}) + aux.repl_id;
    expect += bytes({0xFA, 11}) + "repl-offset" + bytes({10}) + "5000000000";
    expect += bytes({0xFA, 8}) + "aof-base" + bytes({0xC0, 1});
    expect += bytes({0xFF});
    EXPECT_EQ(body, expect) << hex(body);
}

TEST(RdbWriter, ZeroCtimeMeansNow) {
    register_all_ops();
    Keyspace ks(16);
    RdbAux aux;
    const int64_t before = ::time(nullptr);
    const Bytes file = write(ks, {}, aux);
    const size_t at = file.find("ctime");
    ASSERT_NE(at, Bytes::npos);
    ASSERT_EQ(static_cast<uint8_t>(file[at + 5]), 0xC2);
    int32_t t;
    std::memcpy(&t, file.data() + at + 6, 4);
    EXPECT_GE(t, before);
    EXPECT_LE(t, before + 5);
}

TEST(RdbWriter, ExpiresDatabasesAndStringEncodings) {
    register_all_ops();
    Keyspace ks(16);
    // db 3: one key with a TTL, value int-encoded beyond int32.
    Entry* e = ks.add(ks.db(3), "k", Value::integer(int64_t{1} << 40));
    ks.set_expire(ks.db(3), e, 1800000000123);
    // db 15: an int-encoded key name, a long compressible value.
    const Bytes longv(100, 'x');
    ks.add(ks.db(15), "12", Value::string(longv));
    const Bytes body = body_checked(write(ks));
    const Bytes expect = expected_prefix() +
                         one_key_db(3, 0, "k", bytes({13}) + "1099511627776", 1800000000123) +
                         one_key_db(15, 0, "12", str_bytes(longv)) + bytes({0xFF});
    EXPECT_EQ(body, expect) << hex(body);
    EXPECT_EQ(static_cast<uint8_t>(str_bytes(longv)[0]), 0xC3);
    EXPECT_NE(body.find(bytes({0x00, 0xC0, 12})), Bytes::npos);  // key "12" as an int8

    // The same value uncompressed.
    RdbWriteOptions opt;
    opt.compress = false;
    EXPECT_NE(write(ks, opt).find(bytes({100}) + longv), Bytes::npos);
}

TEST(RdbWriter, SmallIntegerValueEncodings) {
    register_all_ops();
    Keyspace ks(16);
    ks.add(ks.db(0), "v", Value::integer(-32768));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 0, "v", bytes({0xC1, 0x00, 0x80})) + bytes({0xFF}));
    // An embstr holding canonical digits is written in the integer form too; "007" is text.
    ks.set(ks.db(0), "v", Value::plain_string("2147483647"));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 0, "v", bytes({0xC2, 0xFF, 0xFF, 0xFF, 0x7F})) +
                  bytes({0xFF}));
    ks.set(ks.db(0), "v", Value::string("007"));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 0, "v", bytes({3}) + "007") + bytes({0xFF}));
    ks.set(ks.db(0), "v", Value::string(""));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 0, "v", bytes({0})) + bytes({0xFF}));
}

TEST(RdbWriter, ListpackAndIntsetBlobsVerbatim) {
    register_all_ops();
    Keyspace ks(16);
    // List: one node.
    auto* ql = new QuickList(-2);
    for (const char* s : {"a", "b", "100"}) ql->push_back(s);
    const Bytes list_blob(reinterpret_cast<const char*>(ql->head()->lp.data()),
                          ql->head()->lp.bytes());
    ks.add(ks.db(0), "l", Value::object(ValueType::List, Encoding::Quicklist, ql));
    Bytes body = body_checked(write(ks));
    EXPECT_EQ(body,
              expected_prefix() +
                  one_key_db(0, 18, "l", bytes({1, 2}) + len_bytes(list_blob.size()) + list_blob) +
                  bytes({0xFF}))
        << hex(body);
    ks.flush_all();

    // Set: intset.
    Value s = set_type::create_intset();
    for (const char* m : {"5", "-3", "70000"}) set_type::add(s, m, 512);
    ASSERT_EQ(s.encoding(), Encoding::Intset);
    Bytes set_blob;
    {
        set_type::IntsetView is(s);
        set_blob.assign(reinterpret_cast<const char*>(is->data()), is->bytes());
    }
    ks.add(ks.db(0), "s", std::move(s));
    body = body_checked(write(ks));
    EXPECT_EQ(body,
              expected_prefix() + one_key_db(0, 11, "s", str_bytes(set_blob)) + bytes({0xFF}));
    ks.flush_all();

    // Hash and zset: listpacks.
    Value h = hash_type::create();
    hash_type::set(h, "f", "v", {});
    hash_type::set(h, "n", "12", {});
    Bytes hash_blob;
    {
        hash_type::ListpackView lp(h);
        hash_blob.assign(reinterpret_cast<const char*>(lp->data()), lp->bytes());
    }
    ks.add(ks.db(0), "h", std::move(h));
    body = body_checked(write(ks));
    EXPECT_EQ(body,
              expected_prefix() + one_key_db(0, 16, "h", str_bytes(hash_blob)) + bytes({0xFF}));
    ks.flush_all();

    Value z = zset::create_listpack();
    int out_flags = 0;
    zset::add(z, 1.5, "m", 0, out_flags, nullptr, {});
    zset::add(z, -2, "n", 0, out_flags, nullptr, {});
    ASSERT_EQ(z.encoding(), Encoding::Listpack);
    Bytes zset_blob;
    {
        hash_type::ListpackView lp(z);
        zset_blob.assign(reinterpret_cast<const char*>(lp->data()), lp->bytes());
    }
    ks.add(ks.db(0), "z", std::move(z));
    body = body_checked(write(ks));
    EXPECT_EQ(body,
              expected_prefix() + one_key_db(0, 17, "z", str_bytes(zset_blob)) + bytes({0xFF}));
}

TEST(RdbWriter, LongListpacksAreCompressed) {
    register_all_ops();
    Keyspace ks(16);
    Value h = hash_type::create();
    for (int i = 0; i < 20; ++i) hash_type::set(h, "field" + std::to_string(i), "value", {});
    Bytes blob;
    {
        hash_type::ListpackView lp(h);
        blob.assign(reinterpret_cast<const char*>(lp->data()), lp->bytes());
    }
    ks.add(ks.db(0), "h", std::move(h));
    const Bytes body = body_checked(write(ks));
    ASSERT_EQ(static_cast<uint8_t>(str_bytes(blob)[0]), 0xC3);
    EXPECT_EQ(body, expected_prefix() + one_key_db(0, 16, "h", str_bytes(blob)) + bytes({0xFF}));
}

TEST(RdbWriter, QuicklistNodesInOrder) {
    register_all_ops();
    Keyspace ks(16);
    auto* ql = new QuickList(2);  // two elements per node
    for (int i = 0; i < 5; ++i) ql->push_back("e" + std::to_string(i));
    ASSERT_EQ(ql->node_count(), 3u);
    Bytes value = bytes({3});
    for (const QuickListNode* n = ql->head(); n; n = n->next)
        value += bytes({2}) +
                 str_bytes(Bytes(reinterpret_cast<const char*>(n->lp.data()), n->lp.bytes()));
    ks.add(ks.db(0), "l", Value::object(ValueType::List, Encoding::Quicklist, ql));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 18, "l", value) + bytes({0xFF}));
}

TEST(RdbWriter, HashtableSetAndHash) {
    register_all_ops();
    Keyspace ks(16);
    Value s = set_type::create_hashtable();
    set_type::add(s, "member", 512);
    ks.add(ks.db(0), "s", std::move(s));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 2, "s", bytes({1, 6}) + "member") + bytes({0xFF}));
    ks.flush_all();

    // One field with an int-encoded value (as a hashtable hash stores canonical integers).
    Value h = hash_type::create_hashtable();
    hash_type::set(h, "100", "-7", {});
    ASSERT_EQ(h.encoding(), Encoding::Hashtable);
    ks.add(ks.db(0), "h", std::move(h));
    EXPECT_EQ(body_checked(write(ks)),
              expected_prefix() + one_key_db(0, 4, "h", bytes({1, 0xC0, 100, 0xC0, 0xF9})) +
                  bytes({0xFF}));
}

TEST(RdbWriter, SkiplistZsetFromHighestRankDown) {
    register_all_ops();
    Keyspace ks(16);
    Value z = zset::create_big();
    int out_flags = 0;
    const double inf = std::numeric_limits<double>::infinity();
    zset::add(z, 2.5, "b", 0, out_flags, nullptr, {});
    zset::add(z, -inf, "lo", 0, out_flags, nullptr, {});
    zset::add(z, inf, "hi", 0, out_flags, nullptr, {});
    zset::add(z, -0.0, "7", 0, out_flags, nullptr, {});
    ASSERT_EQ(z.encoding(), Encoding::Skiplist);
    ks.add(ks.db(0), "z", std::move(z));
    auto dbl = [](double d) {
        uint64_t u;
        std::memcpy(&u, &d, 8);
        return le64(u);
    };
    const Bytes value = bytes({4}) + bytes({2}) + "hi" + dbl(inf) + bytes({1}) + "b" + dbl(2.5) +
                        bytes({0xC0, 7}) + dbl(-0.0) + bytes({2}) + "lo" + dbl(-inf);
    const Bytes body = body_checked(write(ks));
    EXPECT_EQ(body, expected_prefix() + one_key_db(0, 5, "z", value) + bytes({0xFF})) << hex(body);
}

TEST(RdbWriter, LargeValuesBypassTheBufferAndKeepTheChecksum) {
    register_all_ops();
    Keyspace ks(16);
    std::mt19937_64 rng(9);
    Bytes big(1 << 20, 0);
    for (auto& c : big) c = static_cast<char>(rng());
    ks.add(ks.db(0), "big", Value::string(big));
    // Enough small keys to cross several buffer boundaries around it.
    for (int i = 0; i < 20000; ++i)
        ks.add(ks.db(0), "key:" + std::to_string(i), Value::string("value-" + std::to_string(i)));
    const Bytes file = write(ks);
    body_checked(file);
    EXPECT_NE(file.find(len_bytes(big.size()) + big), Bytes::npos);
}

class FailingSink : public ByteSink {
  public:
    explicit FailingSink(size_t ok_writes) : left_(ok_writes) {}
    Status write(std::span<const uint8_t> b) override {
        if (left_ == 0) return make_error("No space left on device");
        --left_;
        taken += b.size();
        return Ok{};
    }
    size_t taken = 0;

  private:
    size_t left_;
};

TEST(RdbWriter, SinkErrorsAreReturned) {
    register_all_ops();
    Keyspace ks(16);
    for (int i = 0; i < 50000; ++i)
        ks.add(ks.db(0), "key:" + std::to_string(i), Value::string("v"));
    for (size_t ok : {0u, 1u, 3u}) {
        FailingSink sink(ok);
        auto r = write_rdb(ks, fixed_aux(), {}, sink);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), "No space left on device");
    }
    // An empty keyspace fails at the final flush.
    Keyspace empty(16);
    FailingSink sink(0);
    EXPECT_FALSE(write_rdb(empty, fixed_aux(), {}, sink).ok());
}

TEST(RdbWriter, KeySaveDelaySleepsPerKey) {
    register_all_ops();
    Keyspace ks(16);
    for (int i = 0; i < 5; ++i) ks.add(ks.db(0), "k" + std::to_string(i), Value::string("v"));
    RdbWriteOptions opt;
    opt.key_save_delay_us = 4000;
    StringSink sink;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = write_rdb(ks, fixed_aux(), opt, sink);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->keys, 5u);
    EXPECT_GE(us, 5 * 4000);
}

}  // namespace
}  // namespace snapstream
