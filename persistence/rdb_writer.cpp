// The RDB writer (see rdb_writer.h and rdb_format.h).
//
// Everything goes through one Out object: a 64 KiB buffer flushed to the sink when full (the
// CRC64 is updated over each flushed chunk, so the data is touched once more, in cache), and a
// scratch buffer for LZF output that only ever grows. Small items (opcodes, lengths, integer
// forms, string headers) are encoded straight into the buffer after making room for their
// largest size; payloads larger than the buffer bypass it.
//
// The walk only reads the keyspace: values are inspected through their blobs' own headers, never
// through wrappers that store the pointer back, so a forked child does not dirty (copy) pages
// it merely saves.
#include "persistence/rdb_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/numeric.h"
#include "node/dict.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/value.h"
#include "node/zset_type.h"
#include "persistence/crc64.h"
#include "persistence/dict_walk.h"
#include "persistence/lzf.h"
#include "persistence/rdb_encoding.h"
#include "persistence/rdb_format.h"

namespace snapstream {
namespace {

constexpr size_t kBufferSize = 64 * 1024;
// Room for the largest small item: an LZF header (opcode + two lengths).
constexpr size_t kMaxHeader = 1 + 2 * rdb::kMaxLengthBytes;

// Total size of a listpack blob (the uint32 LE at its start).
size_t listpack_bytes(const void* blob) {
    const auto* p = static_cast<const uint8_t*>(blob);
    return size_t{p[0]} | size_t{p[1]} << 8 | size_t{p[2]} << 16 | size_t{p[3]} << 24;
}

// Total size of an intset blob: 8 header bytes + length * encoding (both uint32 LE).
size_t intset_bytes(const void* blob) {
    uint32_t enc, len;
    std::memcpy(&enc, blob, 4);
    std::memcpy(&len, static_cast<const uint8_t*>(blob) + 4, 4);
    return 8 + size_t{enc} * len;
}

std::string_view as_chars(const void* p, size_t n) {
    return {static_cast<const char*>(p), n};
}

class Out {
  public:
    Out(ByteSink& sink, const RdbWriteOptions& opt)
        : sink_(sink),
          buf_(new uint8_t[kBufferSize]),
          compress_(opt.compress),
          checksum_(opt.checksum) {}

    bool failed() const { return failed_; }
    const std::string& error() const { return error_; }
    // The first failure is kept; after it nothing more reaches the sink.
    void fail(std::string why) {
        if (failed_) return;
        failed_ = true;
        error_ = std::move(why);
    }

    void byte(uint8_t b) {
        if (pos_ == kBufferSize) flush();
        buf_[pos_++] = b;
    }

    void put(const void* p, size_t n) {
        if (n <= kBufferSize - pos_) {
            std::memcpy(buf_.get() + pos_, p, n);
            pos_ += n;
            return;
        }
        flush();
        if (n < kBufferSize) {
            std::memcpy(buf_.get(), p, n);
            pos_ = n;
            return;
        }
        emit(static_cast<const uint8_t*>(p), n);
    }

    void length(uint64_t len) { pos_ += rdb::encode_length(room(rdb::kMaxLengthBytes), len); }

    void int64_le(int64_t v) {
        uint8_t* r = room(8);
        const auto u = static_cast<uint64_t>(v);
        for (int i = 0; i < 8; ++i) r[i] = static_cast<uint8_t>(u >> (8 * i));
        pos_ += 8;
    }

    void double_le(double d) {
        int64_t bits;
        std::memcpy(&bits, &d, 8);
        int64_le(bits);
    }

    // A string as rdbSaveRawString writes it: integer form, LZF, or length + bytes.
    void string(std::string_view s) {
        const size_t n = s.size();
        if (n <= 11) {
            if (const size_t k = rdb::encode_int_string(room(rdb::kMaxIntBytes), s)) {
                pos_ += k;
                return;
            }
        } else if (compress_ && n >= rdb::kLzfMinLength && lzf(s)) {
            return;
        }
        length(n);
        put(s.data(), n);
    }

    // An int64 string value as rdbSaveLongLongAsStringObject writes it.
    void int64_string(int64_t v) {
        if (const size_t k = rdb::encode_int(room(rdb::kMaxIntBytes), v)) {
            pos_ += k;
            return;
        }
        char text[24];
        const size_t n = format_int64(text, v);
        length(n);
        put(text, n);
    }

    // Writes the EOF opcode and the trailer; returns the total size.
    uint64_t finish() {
        byte(rdb::kOpEof);
        flush();
        // The trailer is not part of what it checksums.
        const uint64_t crc = checksum_ ? crc_ : 0;
        uint8_t trailer[8];
        for (int i = 0; i < 8; ++i) trailer[i] = static_cast<uint8_t>(crc >> (8 * i));
        write_out(trailer, 8);
        return flushed_;
    }

  private:
    // At least n contiguous bytes at the write position (n <= kMaxHeader).
    uint8_t* room(size_t n) {
        if (kBufferSize - pos_ < n) flush();
        return buf_.get() + pos_;
    }

    void flush() {
        if (pos_ > 0) emit(buf_.get(), pos_);
        pos_ = 0;
    }

    void emit(const uint8_t* p, size_t n) {
        if (checksum_) crc_ = crc64(crc_, p, n);
        write_out(p, n);
    }

    void write_out(const uint8_t* p, size_t n) {
        if (failed()) return;
        Status st = sink_.write({p, n});
        if (!st) {
            fail(st.error());
            return;
        }
        flushed_ += n;
    }

    // rdbSaveLzfStringObject: worth it only when the output is at least 4 bytes shorter.
    bool lzf(std::string_view s) {
        const size_t limit = s.size() - 4;
        if (scratch_cap_ < limit) {
            scratch_cap_ = std::max(limit, 2 * scratch_cap_);
            scratch_.reset(new uint8_t[scratch_cap_]);
        }
        const size_t clen = lzf_compress_into(
            {reinterpret_cast<const uint8_t*>(s.data()), s.size()}, {scratch_.get(), limit});
        if (clen == 0) return false;
        uint8_t* r = room(kMaxHeader);
        r[0] = (rdb::kEncVal << 6) | rdb::kEncLzf;
        size_t h = 1 + rdb::encode_length(r + 1, clen);
        h += rdb::encode_length(r + h, s.size());
        pos_ += h;
        put(scratch_.get(), clen);
        return true;
    }

    ByteSink& sink_;
    std::unique_ptr<uint8_t[]> buf_;
    size_t pos_ = 0;
    uint64_t flushed_ = 0;
    uint64_t crc_ = 0;
    std::unique_ptr<uint8_t[]> scratch_;
    size_t scratch_cap_ = 0;
    bool compress_;
    bool checksum_;
    bool failed_ = false;
    std::string error_;
};

void aux_string(Out& out, std::string_view key, std::string_view value) {
    out.byte(rdb::kOpAux);
    out.string(key);
    out.string(value);
}

void aux_int(Out& out, std::string_view key, int64_t value) {
    out.byte(rdb::kOpAux);
    out.string(key);
    out.int64_string(value);
}

void write_string_value(Out& out, const Value& v) {
    if (v.is_int()) {
        out.int64_string(v.int_value());
        return;
    }
    char scratch[24];
    out.string(v.str(scratch));
}

// The type byte Redis 7.0 writes for this value's representation, or -1.
int type_byte(const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            return rdb::kTypeString;
        case ValueType::List:
            return v.encoding() == Encoding::Quicklist ? rdb::kTypeListQuicklist2 : -1;
        case ValueType::Set:
            if (v.encoding() == Encoding::Intset) return rdb::kTypeSetIntset;
            return v.encoding() == Encoding::Hashtable ? rdb::kTypeSet : -1;
        case ValueType::ZSet:
            if (v.encoding() == Encoding::Listpack) return rdb::kTypeZSetListpack;
            return v.encoding() == Encoding::Skiplist ? rdb::kTypeZSet2 : -1;
        case ValueType::Hash:
            if (v.encoding() == Encoding::Listpack) return rdb::kTypeHashListpack;
            return v.encoding() == Encoding::Hashtable ? rdb::kTypeHash : -1;
    }
    return -1;
}

// The value body for a type byte chosen by type_byte().
void write_value(Out& out, int type, const Value& v) {
    switch (type) {
        case rdb::kTypeString:
            write_string_value(out, v);
            return;
        case rdb::kTypeListQuicklist2: {
            const auto* ql = static_cast<const QuickList*>(v.obj());
            out.length(ql->node_count());
            for (const QuickListNode* n = ql->head(); n; n = n->next) {
                out.length(rdb::kQuicklistNodePacked);
                out.string(as_chars(n->lp.data(), listpack_bytes(n->lp.data())));
            }
            return;
        }
        case rdb::kTypeSetIntset:
            out.string(as_chars(v.obj(), intset_bytes(v.obj())));
            return;
        case rdb::kTypeSet: {
            const Dict& d = *static_cast<const Dict*>(v.obj());
            out.length(d.size());
            walk_prefetched(d, [&](const Entry* e) { out.string(e->key()); });
            return;
        }
        case rdb::kTypeZSetListpack:
        case rdb::kTypeHashListpack:
            out.string(as_chars(v.obj(), listpack_bytes(v.obj())));
            return;
        case rdb::kTypeZSet2: {
            // Highest rank first, as Redis walks its skiplist from the tail.
            const ZIndex& index = static_cast<const ZSetBig*>(v.obj())->index;
            const size_t n = index.size();
            out.length(n);
            if (n == 0) return;
            for (ZIndex::Cursor c = index.at_rank(n - 1); c.valid(); c.prev()) {
                const ZIndex::Item it = c.get();
                out.string(it.member());
                out.double_le(it.score);
            }
            return;
        }
        case rdb::kTypeHash: {
            const Dict& d = *static_cast<const Dict*>(v.obj());
            out.length(d.size());
            walk_prefetched(d, [&](const Entry* e) {
                out.string(e->key());
                write_string_value(out, e->value);
            });
            return;
        }
        default:
            return;
    }
}

}  // namespace

Result<RdbWriteStats> write_rdb(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                                ByteSink& sink) {
    Out out(sink, opt);
    RdbWriteStats stats;

    char magic[16];
    std::memcpy(magic, rdb::kMagic, 5);
    for (int i = 0, v = rdb::kVersion; i < 4; ++i, v /= 10)
        magic[8 - i] = static_cast<char>('0' + v % 10);
    out.put(magic, rdb::kHeaderSize);

    // rdbSaveInfoAuxFields, in its order; integers go through the integer string forms.
    aux_string(out, "redis-ver", aux.redis_ver);
    aux_int(out, "redis-bits", 64);
    aux_int(out, "ctime", aux.ctime != 0 ? aux.ctime : static_cast<int64_t>(::time(nullptr)));
    aux_int(out, "used-mem", static_cast<int64_t>(aux.used_mem));
    if (!aux.repl_id.empty()) {
        aux_int(out, "repl-stream-db", aux.repl_stream_db);
        aux_string(out, "repl-id", aux.repl_id);
        aux_int(out, "repl-offset", aux.repl_offset);
    }
    aux_int(out, "aof-base", aux.aof_base ? 1 : 0);

    const useconds_t delay =
        opt.key_save_delay_us > 0 ? static_cast<useconds_t>(opt.key_save_delay_us) : 0;
    for (int i = 0; i < ks.count() && !out.failed(); ++i) {
        const Database& db = ks.db(i);
        if (db.size() == 0) continue;
        out.byte(rdb::kOpSelectDb);
        out.length(static_cast<uint64_t>(i));
        out.byte(rdb::kOpResizeDb);
        out.length(db.dict.size());
        out.length(db.expires.size());
        walk_prefetched(db.dict, [&](const Entry* e) {
            if (out.failed()) return;
            const Value& v = e->value;
            const int type = type_byte(v);
            if (type < 0) {
                out.fail("cannot save key '" + std::string(e->key()) + "': unknown " +
                         type_name(v.type()) + " encoding " + encoding_name(v));
                return;
            }
            if (e->has_expire()) {
                out.byte(rdb::kOpExpireTimeMs);
                out.int64_le(db.expires.get(e));
            }
            out.byte(static_cast<uint8_t>(type));
            out.string(e->key());
            write_value(out, type, v);
            ++stats.keys;
            if (delay > 0) ::usleep(delay);
        });
    }
    if (out.failed()) return make_error(out.error());
    stats.bytes = out.finish();
    if (out.failed()) return make_error(out.error());
    return stats;
}

}  // namespace snapstream
