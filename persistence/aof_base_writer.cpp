// The command-format BASE writer (see aof_base_writer.h). One Out object buffers 64 KiB and
// hands it to the sink; RESP headers are formatted straight into the buffer, so nothing is
// allocated per key or per element.
#include "persistence/aof_base_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/numeric.h"
#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"

namespace snapstream {
namespace {

constexpr size_t kBufferSize = 64 * 1024;
constexpr uint64_t kItemsPerCommand = 64;  // Redis's AOF_REWRITE_ITEMS_PER_CMD

class Out {
  public:
    explicit Out(ByteSink& sink) : sink_(sink), buf_(new char[kBufferSize]) {}

    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    uint64_t bytes() const { return bytes_; }

    void put(const char* p, size_t n) {
        if (n > kBufferSize - used_) {
            flush();
            if (n > kBufferSize) {
                write_through(p, n);
                return;
            }
        }
        std::memcpy(buf_.get() + used_, p, n);
        used_ += n;
    }
    // "<prefix><n>\r\n"
    void header(char prefix, uint64_t n) {
        char tmp[24];
        tmp[0] = prefix;
        size_t len = 1 + format_int64(tmp + 1, static_cast<int64_t>(n));
        tmp[len++] = '\r';
        tmp[len++] = '\n';
        put(tmp, len);
    }
    void bulk(std::string_view s) {
        header('$', s.size());
        put(s.data(), s.size());
        put("\r\n", 2);
    }
    void bulk_int(int64_t v) {
        char tmp[24];
        bulk(std::string_view(tmp, format_int64(tmp, v)));
    }
    void flush() {
        if (used_ == 0 || failed()) {
            used_ = 0;
            return;
        }
        write_through(buf_.get(), used_);
        used_ = 0;
    }

  private:
    void write_through(const char* p, size_t n) {
        if (failed()) return;
        Status r = sink_.write({reinterpret_cast<const uint8_t*>(p), n});
        if (!r) error_ = r.error();
        bytes_ += n;
    }

    ByteSink& sink_;
    std::unique_ptr<char[]> buf_;
    size_t used_ = 0;
    uint64_t bytes_ = 0;
    std::string error_;
};

// Emits "<cmd> key item..." commands of at most 64 items each: begin(items) is called before
// every item with the number of items still to write, and opens a new command when needed.
class Batcher {
  public:
    Batcher(Out& out, std::string_view cmd, std::string_view key, uint64_t items,
            uint64_t args_per_item)
        : out_(out), cmd_(cmd), key_(key), left_(items), per_item_(args_per_item) {}
    void item() {
        if (in_cmd_ == 0) {
            const uint64_t n = std::min(left_, kItemsPerCommand);
            out_.header('*', 2 + n * per_item_);
            out_.bulk(cmd_);
            out_.bulk(key_);
        }
        if (++in_cmd_ == kItemsPerCommand) in_cmd_ = 0;
        --left_;
    }

  private:
    Out& out_;
    std::string_view cmd_, key_;
    uint64_t left_, per_item_;
    uint64_t in_cmd_ = 0;
};

void write_key(Out& out, const Entry* e) {
    const std::string_view key = e->key();
    const Value& v = e->value;
    switch (v.type()) {
        case ValueType::String: {
            char buf[24];
            out.put("*3\r\n$3\r\nSET\r\n", 13);
            out.bulk(key);
            out.bulk(v.str(buf));
            return;
        }
        case ValueType::List: {
            const auto* ql = static_cast<const QuickList*>(v.obj());
            Batcher b(out, "RPUSH", key, ql->size(), 1);
            for (const QuickListNode* n = ql->head(); n; n = n->next) {
                const Listpack& lp = n->lp;
                for (Listpack::Pos p = lp.first(); p != Listpack::kNone; p = lp.next(p)) {
                    const Listpack::Item it = lp.get(p);
                    b.item();
                    if (it.is_int)
                        out.bulk_int(it.num);
                    else
                        out.bulk(it.str);
                }
            }
            return;
        }
        case ValueType::Set: {
            Batcher b(out, "SADD", key, set_type::size(v), 1);
            set_type::for_each(v, [&](std::string_view m) {
                b.item();
                out.bulk(m);
            });
            return;
        }
        case ValueType::ZSet: {
            const size_t n = zset::length(v);
            Batcher b(out, "ZADD", key, n, 2);
            zset::walk(v, 0, n, false, [&](std::string_view m, double score) {
                b.item();
                out.bulk(double_to_string(score));
                out.bulk(m);
            });
            return;
        }
        case ValueType::Hash: {
            Batcher b(out, "HMSET", key, hash_type::size(v), 2);
            hash_type::for_each(v, [&](std::string_view f, std::string_view val) {
                b.item();
                out.bulk(f);
                out.bulk(val);
            });
            return;
        }
        default:
            return;
    }
}

}  // namespace

Result<AofBaseStats> write_aof_base(const Keyspace& ks, ByteSink& sink, int64_t key_save_delay_us) {
    Out out(sink);
    AofBaseStats stats;
    for (int i = 0; i < ks.count() && !out.failed(); ++i) {
        const Database& db = ks.db(i);
        if (db.size() == 0) continue;
        out.put("*2\r\n$6\r\nSELECT\r\n", 16);
        out.bulk_int(i);
        db.dict.for_each([&](const Entry* e) {
            if (out.failed()) return;
            write_key(out, e);
            if (e->has_expire()) {
                out.put("*3\r\n$9\r\nPEXPIREAT\r\n", 19);
                out.bulk(e->key());
                out.bulk_int(db.expires.get(e));
            }
            ++stats.keys;
            if (key_save_delay_us > 0) ::usleep(static_cast<useconds_t>(key_save_delay_us));
        });
    }
    out.flush();
    if (out.failed()) return make_error(out.error());
    stats.bytes = out.bytes();
    return stats;
}

}  // namespace snapstream
