// The command-format AOF base writer (see aof_base_writer.h).
//
// Output, as Redis 7.0's rewrite writes it (aof-use-rdb-preamble no, no functions, no
// #TS annotation):
//
//   per database with keys, in database order:
//     *2 SELECT <db>
//     per key, in the dictionary's walk order:
//       string   *3 SET <key> <value>
//       list     RPUSH <key> <items...>        head to tail
//       set      SADD <key> <members...>       intsets in increasing order
//       zset     ZADD <key> <score member...>  listpacks in their order, big zsets by rank
//       hash     HMSET <key> <field value...>  listpacks in their order
//       with TTL *3 PEXPIREAT <key> <unix ms>  (also for keys whose TTL has already passed:
//                                               the loader expires them, as with Redis)
//
// A collection of n items takes ceil(n / 64) commands: every one but the last carries 64 items
// (AOF_REWRITE_ITEMS_PER_CMD), so a command's array length is 2 + items (2 + 2 * items for
// pairs). Integers are written in decimal; listpack and intset integers as their decimal text;
// scores as "%.17g" ("inf", "-inf" for the infinities), which parses back to the same double.
// Every argument is a RESP bulk string; the RESP is encoded here directly into the output
// buffer (no argv array, no per-command allocation).
//
// Output goes through one 64 KiB buffer flushed to the sink when full; arguments larger than
// the buffer bypass it. The walk only reads the keyspace (listpacks and intsets through
// read-only views), so a forked child dirties no page it merely writes out.
#include "persistence/aof_base_writer.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "common/numeric.h"
#include "node/dict.h"
#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/listpack.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"
#include "persistence/dict_walk.h"

namespace snapstream {
namespace {

constexpr size_t kBufferSize = 64 * 1024;
// Items per command (Redis's AOF_REWRITE_ITEMS_PER_CMD).
constexpr uint64_t kItemsPerCommand = 64;
// Room for the largest small item: a "$" or "*" header ("$" + 20 digits + CRLF) or a whole
// formatted number as a bulk string.
constexpr size_t kMaxSmall = 64;

class Out {
  public:
    explicit Out(ByteSink& sink) : sink_(sink), buf_(new char[kBufferSize]) {}

    bool failed() const { return failed_; }
    const std::string& error() const { return error_; }

    // "<prefix><n>\r\n": an array header ('*') or a bulk length ('$').
    void header(char prefix, uint64_t n) {
        char* r = room(kMaxSmall);
        r[0] = prefix;
        size_t k = 1 + format_uint(r + 1, n);
        r[k++] = '\r';
        r[k++] = '\n';
        pos_ += k;
    }

    void bulk(std::string_view s) {
        header('$', s.size());
        put(s.data(), s.size());
        put("\r\n", 2);
    }

    void bulk_int(int64_t v) {
        char text[24];
        const size_t n = format_int64(text, v);
        bulk({text, n});
    }

    // A score as Redis's rioWriteBulkDouble prints it ("%.17g"; glibc spells infinities "inf").
    void bulk_double(double d) {
        char text[40];
        size_t n;
        if (std::isinf(d)) {
            n = d > 0 ? 3 : 4;
            std::memcpy(text, d > 0 ? "inf" : "-inf", n);
        } else {
            const auto res =
                std::to_chars(text, text + sizeof text, d, std::chars_format::general, 17);
            n = static_cast<size_t>(res.ptr - text);
        }
        bulk({text, n});
    }

    // Listpack items are strings or integers.
    void bulk_item(const Listpack::Item& it) {
        if (it.is_int)
            bulk_int(it.num);
        else
            bulk(it.str);
    }

    // A string Value (int-encoded ones as their decimal text).
    void bulk_value(const Value& v) {
        if (v.is_int()) {
            bulk_int(v.int_value());
            return;
        }
        char scratch[24];
        bulk(v.str(scratch));
    }

    void put(const char* p, size_t n) {
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
        write_out(p, n);
    }

    // Flushes what is buffered; returns the total size written.
    uint64_t finish() {
        flush();
        return flushed_;
    }

  private:
    static size_t format_uint(char* out, uint64_t v) {
        const auto res = std::to_chars(out, out + 20, v);
        return static_cast<size_t>(res.ptr - out);
    }

    // At least n contiguous bytes at the write position (n <= kMaxSmall).
    char* room(size_t n) {
        if (kBufferSize - pos_ < n) flush();
        return buf_.get() + pos_;
    }

    void flush() {
        if (pos_ > 0) write_out(buf_.get(), pos_);
        pos_ = 0;
    }

    // The first failure is kept; after it nothing more reaches the sink.
    void write_out(const char* p, size_t n) {
        if (failed_) return;
        Status st = sink_.write({reinterpret_cast<const uint8_t*>(p), n});
        if (!st) {
            failed_ = true;
            error_ = st.error();
            return;
        }
        flushed_ += n;
    }

    ByteSink& sink_;
    std::unique_ptr<char[]> buf_;
    size_t pos_ = 0;
    uint64_t flushed_ = 0;
    bool failed_ = false;
    std::string error_;
};

// Splits a collection of `items` items into commands of at most 64: call item() before writing
// each item's arguments (1 per item, or 2 for pairs).
class Batcher {
  public:
    Batcher(Out& out, std::string_view cmd, std::string_view key, uint64_t items, unsigned width)
        : out_(out), cmd_(cmd), key_(key), left_(items), width_(width) {}

    void item() {
        if (in_cmd_ == 0) {
            const uint64_t n = std::min(left_, kItemsPerCommand);
            out_.header('*', 2 + n * width_);
            out_.bulk(cmd_);
            out_.bulk(key_);
        }
        if (++in_cmd_ == kItemsPerCommand) in_cmd_ = 0;
        --left_;
    }

  private:
    Out& out_;
    std::string_view cmd_;
    std::string_view key_;
    uint64_t left_;
    unsigned width_;
    uint64_t in_cmd_ = 0;
};

void write_list(Out& out, std::string_view key, const Value& v) {
    const auto* ql = static_cast<const QuickList*>(v.obj());
    Batcher b(out, "RPUSH", key, ql->size(), 1);
    for (const QuickListNode* n = ql->head(); n; n = n->next) {
        const Listpack& lp = n->lp;
        for (Listpack::Pos p = lp.first(); p != Listpack::kNone; p = lp.next(p)) {
            b.item();
            out.bulk_item(lp.get(p));
        }
    }
}

void write_set(Out& out, std::string_view key, const Value& v) {
    if (v.encoding() == Encoding::Intset) {
        set_type::IntsetView is(v);
        const size_t n = is->size();
        Batcher b(out, "SADD", key, n, 1);
        for (size_t i = 0; i < n; ++i) {
            b.item();
            out.bulk_int(is->at(i));
        }
        return;
    }
    const Dict& d = set_type::dict_of(v);
    Batcher b(out, "SADD", key, d.size(), 1);
    walk_prefetched(d, [&](const Entry* e) {
        b.item();
        out.bulk(e->key());
    });
}

void write_zset(Out& out, std::string_view key, const Value& v) {
    if (v.encoding() == Encoding::Listpack) {
        hash_type::ListpackView lp(v);
        Batcher b(out, "ZADD", key, lp->size() / 2, 2);
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone;) {
            const Listpack::Pos sp = lp->next(p);
            b.item();
            out.bulk_double(zset::lp_score(*lp, sp));
            out.bulk_item(lp->get(p));
            p = lp->next(sp);
        }
        return;
    }
    const ZIndex& index = zset::big(v)->index;
    Batcher b(out, "ZADD", key, index.size(), 2);
    for (ZIndex::Cursor c = index.begin(); c.valid(); c.next()) {
        const ZIndex::Item it = c.get();
        b.item();
        out.bulk_double(it.score);
        out.bulk(it.member());
    }
}

void write_hash(Out& out, std::string_view key, const Value& v) {
    if (v.encoding() == Encoding::Listpack) {
        hash_type::ListpackView lp(v);
        Batcher b(out, "HMSET", key, lp->size() / 2, 2);
        for (Listpack::Pos p = lp->first(); p != Listpack::kNone; p = lp->next(p)) {
            b.item();
            out.bulk_item(lp->get(p));
            p = lp->next(p);
            out.bulk_item(lp->get(p));
        }
        return;
    }
    const Dict& d = hash_type::dict_of(v);
    Batcher b(out, "HMSET", key, d.size(), 2);
    walk_prefetched(d, [&](const Entry* e) {
        b.item();
        out.bulk(e->key());
        out.bulk_value(e->value);
    });
}

bool known_encoding(const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            return true;
        case ValueType::List:
            return v.encoding() == Encoding::Quicklist;
        case ValueType::Set:
            return v.encoding() == Encoding::Intset || v.encoding() == Encoding::Hashtable;
        case ValueType::ZSet:
            return v.encoding() == Encoding::Listpack || v.encoding() == Encoding::Skiplist;
        case ValueType::Hash:
            return v.encoding() == Encoding::Listpack || v.encoding() == Encoding::Hashtable;
    }
    return false;
}

void write_key(Out& out, std::string_view key, const Value& v) {
    switch (v.type()) {
        case ValueType::String:
            out.header('*', 3);
            out.bulk("SET");
            out.bulk(key);
            out.bulk_value(v);
            return;
        case ValueType::List:
            write_list(out, key, v);
            return;
        case ValueType::Set:
            write_set(out, key, v);
            return;
        case ValueType::ZSet:
            write_zset(out, key, v);
            return;
        case ValueType::Hash:
            write_hash(out, key, v);
            return;
    }
}

}  // namespace

Result<AofBaseStats> write_aof_base(const Keyspace& ks, ByteSink& sink, int64_t key_save_delay_us) {
    Out out(sink);
    AofBaseStats stats;
    std::string bad_key;  // set (once, on the error path) for a value of unknown encoding
    const Value* bad_value = nullptr;
    const useconds_t delay = key_save_delay_us > 0 ? static_cast<useconds_t>(key_save_delay_us) : 0;

    for (int i = 0; i < ks.count() && !out.failed() && !bad_value; ++i) {
        const Database& db = ks.db(i);
        if (db.size() == 0) continue;
        out.header('*', 2);
        out.bulk("SELECT");
        out.bulk_int(i);
        walk_prefetched(db.dict, [&](const Entry* e) {
            if (out.failed() || bad_value) return;
            const Value& v = e->value;
            if (!known_encoding(v)) {
                bad_key = e->key();
                bad_value = &v;
                return;
            }
            write_key(out, e->key(), v);
            if (e->has_expire()) {
                out.header('*', 3);
                out.bulk("PEXPIREAT");
                out.bulk(e->key());
                out.bulk_int(db.expires.get(e));
            }
            ++stats.keys;
            if (delay > 0) ::usleep(delay);
        });
    }
    if (bad_value)
        return make_error("cannot rewrite key '" + bad_key + "': unknown " +
                          type_name(bad_value->type()) + " encoding " + encoding_name(*bad_value));
    stats.bytes = out.finish();
    if (out.failed()) return make_error(out.error());
    return stats;
}

}  // namespace snapstream
