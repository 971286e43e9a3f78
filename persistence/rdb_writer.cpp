// The RDB writer (format: rdb_format.h). Every choice below is the one Redis 7.0's rdbSave makes
// for the same value, so our files have the bytes and the size Redis's have (LZF output aside,
// which depends on the compressor build):
//   - strings are written as integers (0xC0..0xC2) when they are a canonical decimal int64 that
//     fits in 32 bits, else LZF-compressed when compression is on, they are longer than 20 bytes
//     and compress by at least 4 bytes, else raw; keys, members, fields and values alike;
//   - listpacks, intsets and quicklist nodes go out verbatim as such strings (so they get LZF too);
//   - hashtable hashes/sets and skiplist sorted sets go out element by element, sorted sets from
//     the highest score down (so a loader inserting at the front rebuilds them in order).
#include "persistence/rdb_writer.h"

#include <unistd.h>

#include <cstring>
#include <ctime>
#include <vector>

#include "common/numeric.h"
#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/crc64.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"

namespace snapstream {
namespace {

// Buffers output in 64 KiB chunks, computes the CRC64 over what it hands to the sink, and keeps
// the first sink error (later writes are dropped; the caller checks failed()).
class Encoder {
  public:
    Encoder(ByteSink& sink, const RdbWriteOptions& opt) : sink_(sink), opt_(opt) {
        buf_.resize(kChunk);
    }

    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    uint64_t total() const { return total_ + used_; }

    void raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        if (used_ + n > kChunk) {
            flush();
            if (n >= kChunk) {
                emit(b, n);
                return;
            }
        }
        std::memcpy(buf_.data() + used_, b, n);
        used_ += n;
    }
    void byte(uint8_t b) {
        if (used_ == kChunk) flush();
        buf_[used_++] = b;
    }

    void length(uint64_t len) {
        uint8_t b[9];
        if (len < (1u << 6)) {
            byte(static_cast<uint8_t>(len));
        } else if (len < (1u << 14)) {
            b[0] = static_cast<uint8_t>((len >> 8) | (rdb::kLen14 << 6));
            b[1] = static_cast<uint8_t>(len & 0xFF);
            raw(b, 2);
        } else if (len <= UINT32_MAX) {
            b[0] = rdb::kLen32;
            for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<uint8_t>(len >> (24 - 8 * i));
            raw(b, 5);
        } else {
            b[0] = rdb::kLen64;
            for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
            raw(b, 9);
        }
    }

    // The special integer encoding of v, if it fits in 32 bits.
    bool try_int(int64_t v) {
        uint8_t b[5];
        if (v >= INT8_MIN && v <= INT8_MAX) {
            b[0] = (rdb::kEncVal << 6) | rdb::kEncInt8;
            b[1] = static_cast<uint8_t>(v);
            raw(b, 2);
        } else if (v >= INT16_MIN && v <= INT16_MAX) {
            b[0] = (rdb::kEncVal << 6) | rdb::kEncInt16;
            b[1] = static_cast<uint8_t>(v);
            b[2] = static_cast<uint8_t>(v >> 8);
            raw(b, 3);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            b[0] = (rdb::kEncVal << 6) | rdb::kEncInt32;
            for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<uint8_t>(v >> (8 * i));
            raw(b, 5);
        } else {
            return false;
        }
        return true;
    }

    // An integer string value (an int-encoded Value, an aux number).
    void integer_string(int64_t v) {
        if (try_int(v)) return;
        char text[24];
        const size_t n = format_int64(text, v);
        length(n);
        raw(text, n);
    }

    // Any string: integer, LZF or raw, as Redis's rdbSaveRawString chooses.
    void string(const void* p, size_t len) {
        const auto* s = static_cast<const char*>(p);
        if (len <= 11 && len > 0) {
            if (auto v = parse_int64(std::string_view(s, len)); v && try_int(*v)) return;
        }
        if (opt_.compress && len >= rdb::kLzfMinLength && try_lzf(s, len)) return;
        length(len);
        raw(s, len);
    }
    void string(std::string_view s) { string(s.data(), s.size()); }
    void blob(std::span<const uint8_t> b) { string(b.data(), b.size()); }

    void double_le(double d) {
        uint8_t b[8];
        std::memcpy(b, &d, 8);  // little-endian host
        raw(b, 8);
    }
    void int64_le(int64_t v) {
        uint8_t b[8];
        for (int i = 0; i < 8; ++i)
            b[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
        raw(b, 8);
    }

    // Writes the buffered bytes and the checksum trailer.
    void finish() {
        flush();
        uint8_t b[8];
        const uint64_t crc = opt_.checksum ? crc_ : 0;
        for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(crc >> (8 * i));
        Status s = failed() ? Status(Ok{}) : sink_.write(b);
        if (!s) error_ = s.error();
        total_ += 8;
    }

    void flush() {
        if (used_ > 0) emit(buf_.data(), used_);
        used_ = 0;
    }

  private:
    static constexpr size_t kChunk = 64 * 1024;

    void emit(const uint8_t* p, size_t n) {
        total_ += n;
        if (failed()) return;
        if (opt_.checksum) crc_ = crc64(crc_, p, n);
        Status s = sink_.write({p, n});
        if (!s) error_ = s.error();
    }

    bool try_lzf(const char* s, size_t len) {
        if (lzf_.size() < len) lzf_.resize(len);
        const size_t clen =
            lzf_compress_into({reinterpret_cast<const uint8_t*>(s), len}, {lzf_.data(), len - 4});
        if (clen == 0) return false;
        byte((rdb::kEncVal << 6) | rdb::kEncLzf);
        length(clen);
        length(len);
        raw(lzf_.data(), clen);
        return true;
    }

    ByteSink& sink_;
    const RdbWriteOptions& opt_;
    std::vector<uint8_t> buf_;
    size_t used_ = 0;
    uint64_t total_ = 0;
    uint64_t crc_ = 0;
    std::string error_;
    std::vector<uint8_t> lzf_;
};

void aux_str(Encoder& e, std::string_view key, std::string_view value) {
    e.byte(rdb::kOpAux);
    e.string(key);
    e.string(value);
}

void aux_int(Encoder& e, std::string_view key, int64_t value) {
    e.byte(rdb::kOpAux);
    e.string(key);
    e.integer_string(value);
}

void write_string_value(Encoder& e, const Value& v) {
    if (v.is_int()) {
        e.integer_string(v.int_value());
        return;
    }
    char scratch[24];
    e.string(v.str(scratch));
}

uint8_t type_byte(const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            return rdb::kTypeString;
        case ValueType::List:
            return rdb::kTypeListQuicklist2;
        case ValueType::Set:
            return v.encoding() == Encoding::Intset ? rdb::kTypeSetIntset : rdb::kTypeSet;
        case ValueType::ZSet:
            return v.encoding() == Encoding::Listpack ? rdb::kTypeZSetListpack : rdb::kTypeZSet2;
        case ValueType::Hash:
            return v.encoding() == Encoding::Listpack ? rdb::kTypeHashListpack : rdb::kTypeHash;
    }
    return rdb::kTypeString;
}

void write_value(Encoder& e, const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            write_string_value(e, v);
            return;
        case ValueType::List: {
            const auto* ql = static_cast<const QuickList*>(v.obj());
            e.length(ql->node_count());
            for (const QuickListNode* n = ql->head(); n; n = n->next) {
                e.length(rdb::kQuicklistNodePacked);
                e.blob(n->lp.span());
            }
            return;
        }
        case ValueType::Set:
            if (v.encoding() == Encoding::Intset) {
                set_type::IntsetView is(v);
                e.blob(is->span());
            } else {
                const Dict& d = set_type::dict_of(v);
                e.length(d.size());
                d.for_each([&](const Entry* m) { e.string(m->key()); });
            }
            return;
        case ValueType::ZSet:
            if (v.encoding() == Encoding::Listpack) {
                hash_type::ListpackView lp(v);
                e.blob(lp->span());
            } else {
                const size_t n = zset::length(v);
                e.length(n);
                if (n > 0)
                    zset::walk(v, n - 1, n, /*backward=*/true, [&](std::string_view m, double s) {
                        e.string(m);
                        e.double_le(s);
                    });
            }
            return;
        case ValueType::Hash:
            if (v.encoding() == Encoding::Listpack) {
                hash_type::ListpackView lp(v);
                e.blob(lp->span());
            } else {
                const Dict& d = hash_type::dict_of(v);
                e.length(d.size());
                d.for_each([&](const Entry* f) {
                    e.string(f->key());
                    write_string_value(e, f->value);
                });
            }
            return;
    }
}

}  // namespace

Result<RdbWriteStats> write_rdb(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                                ByteSink& out) {
    Encoder e(out, opt);
    char magic[16];
    std::snprintf(magic, sizeof magic, "%s%04d", rdb::kMagic, rdb::kVersion);
    e.raw(magic, rdb::kHeaderSize);
    aux_str(e, "redis-ver", aux.redis_ver);
    aux_int(e, "redis-bits", 64);
    aux_int(e, "ctime", aux.ctime != 0 ? aux.ctime : static_cast<int64_t>(::time(nullptr)));
    aux_int(e, "used-mem", static_cast<int64_t>(aux.used_mem));
    if (!aux.repl_id.empty()) {
        aux_int(e, "repl-stream-db", aux.repl_stream_db);
        aux_str(e, "repl-id", aux.repl_id);
        aux_int(e, "repl-offset", aux.repl_offset);
    }
    aux_int(e, "aof-base", aux.aof_base ? 1 : 0);

    RdbWriteStats stats;
    for (int i = 0; i < ks.count() && !e.failed(); ++i) {
        const Database& db = ks.db(i);
        if (db.size() == 0) continue;
        e.byte(rdb::kOpSelectDb);
        e.length(static_cast<uint64_t>(i));
        e.byte(rdb::kOpResizeDb);
        e.length(db.size());
        e.length(db.expires.size());
        db.dict.for_each([&](const Entry* ent) {
            if (e.failed()) return;
            if (ent->has_expire()) {
                e.byte(rdb::kOpExpireTimeMs);
                e.int64_le(db.expires.get(ent));
            }
            e.byte(type_byte(ent->value));
            e.string(ent->key());
            write_value(e, ent->value);
            ++stats.keys;
            if (opt.key_save_delay_us > 0) ::usleep(static_cast<useconds_t>(opt.key_save_delay_us));
        });
    }
    e.byte(rdb::kOpEof);
    e.finish();
    if (e.failed()) return make_error(e.error());
    stats.bytes = e.total();
    return stats;
}

}  // namespace snapstream
