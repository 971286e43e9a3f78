// The RDB reader (contract: rdb_reader.h; byte layout: rdb_format.h).
//
// One Parser walks the bytes front to back. Every value type has a builder that returns the
// Value in the representation Redis 7.0's loader ends up with for the same bytes and limits,
// or nothing for an empty collection (which Redis skips with a warning instead of failing).
//
// Internally a problem is thrown as a ReadError (message + offset of the item) and caught once
// at the top, where it becomes the RdbReadResult. Everything built so far is owned by RAII
// objects (Value, Listpack, Intset, unique_ptr), so unwinding frees it.
//
// Safety without trusting the file: every length is compared with the bytes left before
// anything is read or allocated, and a collection count is compared with the least number of
// bytes its elements can take, so a corrupt count fails as "unexpected end of file" instead of
// reserving memory for it. Listpack and intset blobs get Redis's header checks always and the
// full entry walk when deep_check is on; a blob the loader itself has to walk (to convert it or
// to count entries the header does not count) gets the full walk first in any case, so a
// corrupt blob can never be read out of bounds here. With deep_check off, a blob kept as is is
// trusted as Redis trusts it; a file that was damaged then still fails its CRC64 at the end.
//
// Copies: strings stored verbatim are read in place (the file is mapped); keys and values are
// copied once into their final allocations. Listpack and intset blobs stored verbatim are
// copied once into the malloc'd buffer the value adopts; LZF-compressed ones are decompressed
// straight into that buffer.
#include "persistence/rdb_reader.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/numeric.h"
#include "node/dict.h"
#include "node/hash_type.h"
#include "node/intset.h"
#include "node/list_type.h"
#include "node/listpack.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/crc64.h"
#include "persistence/legacy_encodings.h"
#include "persistence/lzf.h"
#include "persistence/rdb_format.h"

namespace snapstream {
namespace {

struct ReadError {
    std::string message;
    uint64_t offset;
};

[[noreturn]] void fail(std::string message, uint64_t offset) {
    throw ReadError{std::move(message), offset};
}

constexpr const char* kEofMessage = "unexpected end of file";

// An LZF back reference of at most 264 bytes takes 3 input bytes and literals expand nothing,
// so no stream of c bytes decompresses to more than 88 * c: larger claims are corrupt.
constexpr uint64_t kLzfMaxRatio = 88;

// Redis never lets a listpack grow past 1 GiB (lpSafeToAdd).
constexpr size_t kListpackSafeBytes = Listpack::kMaxSafeBytes;

// Dicts of collections are pre-sized only above Redis's initial table size.
constexpr uint64_t kDictInitialSize = 4;

uint32_t load_le32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t load_le64(const uint8_t* p) {
    return uint64_t{load_le32(p)} | uint64_t{load_le32(p + 4)} << 32;
}
uint64_t load_be(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

std::string_view as_chars(const uint8_t* p, size_t n) {
    return std::string_view(reinterpret_cast<const char*>(p), n);
}

// Growable scratch space for strings that are not stored verbatim (integers, LZF).
class Scratch {
  public:
    uint8_t* get(size_t n) {
        if (n > cap_) {
            const size_t want = n > 2 * cap_ ? n : 2 * cap_;
            buf_.reset(new uint8_t[want]);
            cap_ = want;
        }
        return buf_.get();
    }

  private:
    std::unique_ptr<uint8_t[]> buf_;
    size_t cap_ = 0;
};

// The bytes of a blob string (listpack, intset, ziplist, zipmap): a view into the file, into a
// scratch buffer, or into a malloc'd buffer of its own (LZF strings, decompressed there).
class Blob {
  public:
    Blob() = default;
    Blob(const Blob&) = delete;
    Blob& operator=(const Blob&) = delete;
    ~Blob() { std::free(owned_); }

    void set_view(const uint8_t* p, size_t n) { bytes_ = {p, n}; }
    void set_owned(uint8_t* p, size_t n) {
        owned_ = p;
        bytes_ = {p, n};
    }
    std::span<const uint8_t> bytes() const { return bytes_; }
    size_t size() const { return bytes_.size(); }
    std::string_view chars() const { return as_chars(bytes_.data(), bytes_.size()); }

    // The bytes in a malloc'd buffer the caller owns (the decompressed buffer itself, or one
    // copy of the view).
    uint8_t* take() {
        if (owned_) {
            uint8_t* p = owned_;
            owned_ = nullptr;
            return p;
        }
        auto* p = static_cast<uint8_t*>(std::malloc(bytes_.empty() ? 1 : bytes_.size()));
        if (!p) throw std::bad_alloc();
        if (!bytes_.empty()) std::memcpy(p, bytes_.data(), bytes_.size());
        return p;
    }

  private:
    std::span<const uint8_t> bytes_;
    uint8_t* owned_ = nullptr;
};

// Renders a key or field for an error message: printable ASCII as is, the rest as \xNN, cut
// after 64 bytes.
std::string printable(std::string_view s) {
    std::string out;
    const size_t n = s.size() < 64 ? s.size() : 64;
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > n) out += "...";
    return out;
}

// Text of a listpack element (integers rendered into buf).
std::string_view lp_text(const Listpack::Item& it, char (&buf)[Listpack::kIntBufSize]) {
    if (!it.is_int) return it.str;
    return std::string_view(buf, format_int64(buf, it.num));
}

// The Dict of a hashtable hash, built from a listpack of field/value pairs.
std::unique_ptr<Dict> hash_dict_from_pairs(const Listpack& lp, uint64_t at) {
    auto d = std::make_unique<Dict>();
    const size_t pairs = lp.size() / 2;
    if (pairs > kDictInitialSize) d->reserve(pairs);
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp.first(); p != Listpack::kNone;) {
        const Listpack::Pos vp = lp.next(p);
        const Listpack::Item v = lp.get(vp);
        Entry* e = Entry::create(lp_text(lp.get(p), buf),
                                 v.is_int ? Value::integer(v.num) : Value::string(v.str));
        if (!d->insert_if_absent(e)) {
            const std::string field(e->key());
            Entry::destroy(e);
            fail("duplicate hash field '" + printable(field) + "'", at);
        }
        p = lp.next(vp);
    }
    return d;
}

// Adds a member to a big sorted set; false if it is already there.
bool zset_big_add(ZSetBig& z, std::string_view member, double score) {
    Entry* e = Entry::create(member, Value());
    zset::set_entry_score(e, score);
    if (!z.dict.insert_if_absent(e)) {
        Entry::destroy(e);
        return false;
    }
    z.index.insert(score, e);  // the entry is the dict's now, even if this throws
    return true;
}

// The big form of a sorted set, built from a listpack of member/score pairs.
std::unique_ptr<ZSetBig> zset_big_from_pairs(const Listpack& lp, uint64_t at) {
    auto z = std::make_unique<ZSetBig>();
    const size_t pairs = lp.size() / 2;
    if (pairs > kDictInitialSize) z->dict.reserve(pairs);
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp.first(); p != Listpack::kNone;) {
        const Listpack::Pos sp = lp.next(p);
        const double score = zset::lp_score(lp, sp);
        const std::string_view member = lp.get_str(p, buf);
        if (std::isnan(score)) fail("NaN score in sorted set listpack", at);
        if (!zset_big_add(*z, member, score))
            fail("duplicate sorted set member '" + printable(member) + "'", at);
        p = lp.next(sp);
    }
    return z;
}

// Whether the even-numbered elements (fields, members) of a listpack repeat.
bool pairs_have_duplicates(const Listpack& lp) {
    std::unordered_set<std::string> seen;
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp.first(); p != Listpack::kNone;) {
        if (!seen.emplace(lp.get_str(p, buf)).second) return true;
        p = lp.next(p);
        if (p != Listpack::kNone) p = lp.next(p);
    }
    return false;
}

Value hash_value(std::unique_ptr<Dict> d) {
    return Value::object(ValueType::Hash, Encoding::Hashtable, d.release());
}
Value hash_value(Listpack lp) {
    return Value::object(ValueType::Hash, Encoding::Listpack, lp.release());
}
Value zset_value(std::unique_ptr<ZSetBig> z) {
    return Value::object(ValueType::ZSet, Encoding::Skiplist, z.release());
}
Value zset_value(Listpack lp) {
    return Value::object(ValueType::ZSet, Encoding::Listpack, lp.release());
}
Value set_value(std::unique_ptr<Dict> d) {
    return Value::object(ValueType::Set, Encoding::Hashtable, d.release());
}
Value list_value(std::unique_ptr<QuickList> ql) {
    return Value::object(ValueType::List, Encoding::Quicklist, ql.release());
}

void register_value_ops() {
    static const bool done = [] {
        register_list_object_ops();
        hash_type::register_ops();
        set_type::register_ops();
        zset::register_ops();
        return true;
    }();
    (void)done;
}

class Parser {
  public:
    Parser(std::span<const uint8_t> data, const RdbReadOptions& opt, RdbLoadTarget& target)
        : p_(data.data()), n_(data.size()), opt_(opt), lim_(opt.limits), target_(target) {}

    void run(RdbReadResult& r);
    uint64_t pos() const { return pos_; }

  private:
    size_t left() const { return n_ - pos_; }
    // Consumes k bytes of the item that starts at `at`.
    const uint8_t* take(uint64_t k, uint64_t at) {
        if (k > left()) fail(kEofMessage, at);
        const uint8_t* q = p_ + pos_;
        pos_ += static_cast<size_t>(k);
        return q;
    }
    void check(const Status& s, uint64_t at) {
        if (!s.ok()) fail(s.error(), at);
    }

    uint64_t length(bool* encoded);
    // A count of elements that each take at least `min_bytes` bytes.
    uint64_t count(uint64_t min_bytes);
    int64_t encoded_int(uint64_t enc, uint64_t at);
    // Decompresses an LZF string (after its 0xC3 marker) into a buffer from `alloc(len)`.
    template <typename Alloc>
    std::span<const uint8_t> lzf(uint64_t at, Alloc&& alloc);
    std::string_view string(Scratch& s);
    Value string_value();
    void blob(Blob& b);
    double text_score(uint64_t at);

    // Value builders; nullopt: an empty collection, skipped.
    std::optional<Value> value(uint8_t type);
    std::optional<Value> list_plain();
    std::optional<Value> set_plain();
    std::optional<Value> zset_plain(bool binary_scores);
    std::optional<Value> hash_plain();
    std::optional<Value> quicklist(bool v2);
    std::optional<Value> list_ziplist();
    std::optional<Value> set_intset();
    std::optional<Value> pairs_blob(uint8_t type);
    std::optional<Value> hash_zipmap();

    // The listpack blob of a hash/zset/list node, validated (header always, entries when
    // deep_check) and adopted; the entries are also validated when the header does not count
    // them, since counting walks them.
    Listpack adopt_listpack(Blob& b, uint64_t at, const char* what);
    void ensure_walkable(const Listpack& lp, uint64_t at, const char* what);
    void crc_upto(size_t end) {
        if (!opt_.verify_checksum) return;
        crc_ = crc64(crc_, p_ + crc_pos_, end - crc_pos_);
        crc_pos_ = end;
    }

    const uint8_t* p_;
    size_t n_;
    size_t pos_ = 0;
    const RdbReadOptions& opt_;
    const RdbEncodingLimits& lim_;
    RdbLoadTarget& target_;
    uint64_t crc_ = 0;
    size_t crc_pos_ = 0;
    Scratch key_buf_, s1_, s2_;
};

uint64_t Parser::length(bool* encoded) {
    const uint64_t at = pos_;
    const uint8_t b = *take(1, at);
    if (encoded) *encoded = false;
    switch (b >> 6) {
        case rdb::kLen6:
            return b & 0x3F;
        case rdb::kLen14:
            return uint64_t{b & 0x3Fu} << 8 | *take(1, at);
        case rdb::kEncVal:
            // Where a plain length is expected, Redis takes the six bits as the length too.
            if (encoded) *encoded = true;
            return b & 0x3F;
        default:
            break;
    }
    if (b == rdb::kLen32) return load_be(take(4, at), 4);
    if (b == rdb::kLen64) return load_be(take(8, at), 8);
    char msg[64];
    std::snprintf(msg, sizeof msg, "unknown length encoding 0x%02x", b);
    fail(msg, at);
}

uint64_t Parser::count(uint64_t min_bytes) {
    const uint64_t at = pos_;
    const uint64_t n = length(nullptr);
    if (n > left() / min_bytes) fail(kEofMessage, at);
    return n;
}

int64_t Parser::encoded_int(uint64_t enc, uint64_t at) {
    switch (enc) {
        case rdb::kEncInt8:
            return static_cast<int8_t>(*take(1, at));
        case rdb::kEncInt16: {
            const uint8_t* q = take(2, at);
            return static_cast<int16_t>(static_cast<uint16_t>(q[0] | q[1] << 8));
        }
        default:
            return static_cast<int32_t>(load_le32(take(4, at)));
    }
}

template <typename Alloc>
std::span<const uint8_t> Parser::lzf(uint64_t at, Alloc&& alloc) {
    const uint64_t clen = length(nullptr);
    const uint64_t len = length(nullptr);
    if (clen > left()) fail(kEofMessage, at);
    if (len > UINT32_MAX) fail("string of " + std::to_string(len) + " bytes is too long", at);
    if (len > clen * kLzfMaxRatio) fail("invalid LZF compressed string", at);
    const uint8_t* in = take(clen, at);
    uint8_t* out = alloc(static_cast<size_t>(len));
    if (!lzf_expand_into({in, static_cast<size_t>(clen)}, {out, static_cast<size_t>(len)}))
        fail("invalid LZF compressed string", at);
    return {out, static_cast<size_t>(len)};
}

std::string_view Parser::string(Scratch& s) {
    const uint64_t at = pos_;
    bool encoded;
    const uint64_t len = length(&encoded);
    if (!encoded) {
        if (len > left()) fail(kEofMessage, at);
        if (len > UINT32_MAX) fail("string of " + std::to_string(len) + " bytes is too long", at);
        return as_chars(take(len, at), static_cast<size_t>(len));
    }
    if (len <= rdb::kEncInt32) {
        const int64_t v = encoded_int(len, at);
        char* buf = reinterpret_cast<char*>(s.get(24));
        return std::string_view(buf, format_int64(buf, v));
    }
    if (len == rdb::kEncLzf) {
        const auto out = lzf(at, [&](size_t n) { return s.get(n); });
        return as_chars(out.data(), out.size());
    }
    fail("unknown string encoding " + std::to_string(len), at);
}

Value Parser::string_value() {
    const uint64_t at = pos_;
    bool encoded;
    const uint64_t len = length(&encoded);
    if (encoded && len <= rdb::kEncInt32) return Value::integer(encoded_int(len, at));
    pos_ = static_cast<size_t>(at);
    return Value::string(string(s1_));
}

void Parser::blob(Blob& b) {
    const uint64_t at = pos_;
    bool encoded;
    const uint64_t len = length(&encoded);
    if (encoded && len == rdb::kEncLzf) {
        // Decompressed straight into the buffer the value will adopt.
        lzf(at, [&](size_t n) {
            auto* p = static_cast<uint8_t*>(std::malloc(n == 0 ? 1 : n));
            if (!p) throw std::bad_alloc();
            b.set_owned(p, n);
            return p;
        });
        return;
    }
    pos_ = static_cast<size_t>(at);
    const std::string_view sv = string(s2_);
    b.set_view(reinterpret_cast<const uint8_t*>(sv.data()), sv.size());
}

double Parser::text_score(uint64_t at) {
    const uint8_t len = *take(1, at);
    switch (len) {
        case rdb::kScoreNan:
            return std::nan("");
        case rdb::kScorePosInf:
            return INFINITY;
        case rdb::kScoreNegInf:
            return -INFINITY;
        default:
            break;
    }
    char buf[256];
    std::memcpy(buf, take(len, at), len);
    buf[len] = '\0';
    char* end = nullptr;
    const double d = std::strtod(buf, &end);
    if (end == buf) fail("invalid sorted set score", at);
    return d;
}

Listpack Parser::adopt_listpack(Blob& b, uint64_t at, const char* what) {
    if (!Listpack::validate(b.bytes(), opt_.deep_check))
        fail(std::string(what) + " integrity check failed", at);
    Listpack lp = Listpack::adopt(b.take());
    if (lp.header_count() == Listpack::kUnknownCount) ensure_walkable(lp, at, what);
    return lp;
}

void Parser::ensure_walkable(const Listpack& lp, uint64_t at, const char* what) {
    if (!opt_.deep_check && !Listpack::validate(lp.span(), true))
        fail(std::string(what) + " integrity check failed", at);
}

// ---------------------------------------------------------------------------------------------
// Values

std::optional<Value> Parser::value(uint8_t type) {
    switch (type) {
        case rdb::kTypeString:
            return string_value();
        case rdb::kTypeList:
            return list_plain();
        case rdb::kTypeSet:
            return set_plain();
        case rdb::kTypeZSet:
        case rdb::kTypeZSet2:
            return zset_plain(type == rdb::kTypeZSet2);
        case rdb::kTypeHash:
            return hash_plain();
        case rdb::kTypeHashZipmap:
            return hash_zipmap();
        case rdb::kTypeListZiplist:
            return list_ziplist();
        case rdb::kTypeSetIntset:
            return set_intset();
        case rdb::kTypeZSetZiplist:
        case rdb::kTypeHashZiplist:
        case rdb::kTypeHashListpack:
        case rdb::kTypeZSetListpack:
            return pairs_blob(type);
        case rdb::kTypeListQuicklist:
        case rdb::kTypeListQuicklist2:
            return quicklist(type == rdb::kTypeListQuicklist2);
        default:
            break;
    }
    return std::nullopt;  // not reached: run() rejects other types before the key
}

std::optional<Value> Parser::list_plain() {
    const uint64_t n = count(1);
    if (n == 0) return std::nullopt;
    auto ql = std::make_unique<QuickList>(lim_.list_fill);
    for (uint64_t i = 0; i < n; ++i) ql->push_back(string(s1_));
    return list_value(std::move(ql));
}

std::optional<Value> Parser::set_plain() {
    const uint64_t n = count(1);
    if (n == 0) return std::nullopt;
    std::unique_ptr<Dict> d;
    std::optional<Intset> is;
    // Redis caps set-max-intset-entries at 2^30 here.
    if (n > set_type::intset_limit(static_cast<int64_t>(lim_.set_max_intset_entries))) {
        d = std::make_unique<Dict>();
        if (n > kDictInitialSize) d->reserve(n);
    } else {
        is.emplace();
    }
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t at = pos_;
        const std::string_view member = string(s1_);
        if (is) {
            if (const auto v = parse_int64(member)) {
                if (!is->add(*v)) fail("duplicate set member '" + printable(member) + "'", at);
                continue;
            }
            // A member that is not an integer: the rest goes to a hashtable.
            d = std::make_unique<Dict>();
            d->reserve(n);
            char buf[24];
            for (size_t k = 0; k < is->size(); ++k)
                d->insert(
                    Entry::create(std::string_view(buf, format_int64(buf, is->at(k))), Value()));
            is.reset();
        }
        Entry* e = Entry::create(member, Value());
        if (!d->insert_if_absent(e)) {
            Entry::destroy(e);
            fail("duplicate set member '" + printable(member) + "'", at);
        }
    }
    if (is) return Value::object(ValueType::Set, Encoding::Intset, is->release());
    return set_value(std::move(d));
}

std::optional<Value> Parser::zset_plain(bool binary_scores) {
    const uint64_t n = count(binary_scores ? 9 : 2);
    if (n == 0) return std::nullopt;
    auto z = std::make_unique<ZSetBig>();
    if (n > kDictInitialSize) z->dict.reserve(n);
    size_t max_len = 0, total_len = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t at = pos_;
        const std::string_view member = string(s1_);
        double score;
        if (binary_scores) {
            const uint64_t bits = load_le64(take(8, pos_));
            std::memcpy(&score, &bits, sizeof score);
        } else {
            score = text_score(pos_);
        }
        if (std::isnan(score)) fail("NaN score in sorted set", at);
        if (member.size() > max_len) max_len = member.size();
        total_len += member.size();
        if (!zset_big_add(*z, member, score))
            fail("duplicate sorted set member '" + printable(member) + "'", at);
    }
    // Sorted sets are not stored in order, so Redis converts after loading every member.
    if (n <= lim_.zset_max_listpack_entries && max_len <= lim_.zset_max_listpack_value &&
        total_len <= kListpackSafeBytes) {
        Listpack lp;
        for (ZIndex::Cursor c = z->index.at_rank(0); c.valid(); c.next()) {
            const ZIndex::Item it = c.get();
            zset::lp_append_pair(lp, it.member(), it.score);
        }
        return zset_value(std::move(lp));
    }
    return zset_value(std::move(z));
}

std::optional<Value> Parser::hash_plain() {
    uint64_t n = count(2);
    if (n == 0) return std::nullopt;
    std::unique_ptr<Dict> d;
    std::optional<Listpack> lp;
    std::unordered_set<std::string> seen;  // duplicate search in the listpack phase (deep only)
    if (n > lim_.hash_max_listpack_entries) {
        d = std::make_unique<Dict>();
        if (n > kDictInitialSize) d->reserve(n);
    } else {
        lp.emplace();
    }
    auto add_to_dict = [&](std::string_view field, std::string_view value, uint64_t at) {
        Entry* e = Entry::create(field, Value::string(value));
        if (!d->insert_if_absent(e)) {
            Entry::destroy(e);
            fail("duplicate hash field '" + printable(field) + "'", at);
        }
    };
    while (n > 0 && lp) {
        --n;
        const uint64_t at = pos_;
        const std::string_view field = string(s1_);
        const std::string_view value = string(s2_);
        if (opt_.deep_check && !seen.emplace(field).second)
            fail("duplicate hash field '" + printable(field) + "'", at);
        if (field.size() > lim_.hash_max_listpack_value ||
            value.size() > lim_.hash_max_listpack_value ||
            !Listpack::safe_to_add(lp->bytes(), field.size() + value.size())) {
            d = hash_dict_from_pairs(*lp, at);
            lp.reset();
            if (n > kDictInitialSize) d->reserve(d->size() + n);
            add_to_dict(field, value, at);
            break;
        }
        const std::string_view pair[2] = {field, value};
        lp->append_all(pair);
    }
    if (lp) return hash_value(std::move(*lp));
    while (n > 0) {
        --n;
        const uint64_t at = pos_;
        const std::string_view field = string(s1_);
        add_to_dict(field, string(s2_), at);
    }
    return hash_value(std::move(d));
}

std::optional<Value> Parser::quicklist(bool v2) {
    const uint64_t n = count(v2 ? 2 : 1);
    if (n == 0) return std::nullopt;
    auto ql = std::make_unique<QuickList>(lim_.list_fill);
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t container = rdb::kQuicklistNodePacked;
        if (v2) {
            const uint64_t at = pos_;
            container = length(nullptr);
            if (container != rdb::kQuicklistNodePacked && container != rdb::kQuicklistNodePlain)
                fail("invalid quicklist node container " + std::to_string(container), at);
        }
        const uint64_t at = pos_;
        Blob b;
        blob(b);
        if (b.size() == 0) fail("empty quicklist node", at);
        if (container == rdb::kQuicklistNodePlain) {
            // One large element in a node of its own: here a one-element listpack node.
            Listpack lp;
            lp.append(b.chars());
            ql->append_node(std::move(lp));
            continue;
        }
        if (v2) {
            ql->append_node(adopt_listpack(b, at, "quicklist listpack"));
        } else {
            std::optional<Listpack> lp = ziplist_to_listpack(b.bytes());
            if (!lp) fail("quicklist ziplist integrity check failed", at);
            ql->append_node(std::move(*lp));  // an empty node is dropped, as Redis skips it
        }
    }
    if (ql->empty()) return std::nullopt;
    return list_value(std::move(ql));
}

std::optional<Value> Parser::list_ziplist() {
    const uint64_t at = pos_;
    Blob b;
    blob(b);
    std::optional<Listpack> lp = ziplist_to_listpack(b.bytes());
    if (!lp) fail("list ziplist integrity check failed", at);
    if (lp->empty()) return std::nullopt;
    // Redis pushes the elements one by one, so the nodes follow list-max-listpack-size.
    auto ql = std::make_unique<QuickList>(lim_.list_fill);
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp->first(); p != Listpack::kNone; p = lp->next(p))
        ql->push_back(lp->get_str(p, buf));
    return list_value(std::move(ql));
}

std::optional<Value> Parser::set_intset() {
    const uint64_t at = pos_;
    Blob b;
    blob(b);
    if (!Intset::validate(b.bytes(), opt_.deep_check)) fail("intset integrity check failed", at);
    Intset is = Intset::adopt(b.take());
    if (is.size() <= lim_.set_max_intset_entries)
        return Value::object(ValueType::Set, Encoding::Intset, is.release());
    auto d = std::make_unique<Dict>();
    d->reserve(is.size());
    char buf[24];
    for (size_t k = 0; k < is.size(); ++k) {
        const std::string_view member(buf, format_int64(buf, is.at(k)));
        Entry* e = Entry::create(member, Value());
        if (!d->insert_if_absent(e)) {
            Entry::destroy(e);
            fail("duplicate set member '" + std::string(member) + "' in intset", at);
        }
    }
    return set_value(std::move(d));
}

// Types 12, 13 (ziplists, converted) and 16, 17 (listpacks, adopted): pairs of field/value or
// member/score.
std::optional<Value> Parser::pairs_blob(uint8_t type) {
    const bool zset = type == rdb::kTypeZSetZiplist || type == rdb::kTypeZSetListpack;
    const bool legacy = type == rdb::kTypeZSetZiplist || type == rdb::kTypeHashZiplist;
    const char* what = zset ? (legacy ? "zset ziplist" : "zset listpack")
                            : (legacy ? "hash ziplist" : "hash listpack");
    const uint64_t at = pos_;
    Blob b;
    blob(b);
    std::optional<Listpack> lp;
    if (legacy) {
        lp = ziplist_to_listpack(b.bytes());
        if (!lp) fail(std::string(what) + " integrity check failed", at);
    } else {
        lp.emplace(adopt_listpack(b, at, what));
    }
    const size_t entries = lp->size();
    if (entries % 2 != 0) fail(std::string(what) + " has an odd number of entries", at);
    // Redis searches ziplists for duplicates always, listpacks only with deep sanitization.
    if ((legacy || opt_.deep_check) && pairs_have_duplicates(*lp))
        fail(std::string(what) + " has duplicate " + (zset ? "members" : "fields"), at);
    if (entries == 0) return std::nullopt;
    const size_t max_entries =
        zset ? lim_.zset_max_listpack_entries : lim_.hash_max_listpack_entries;
    if (entries / 2 <= max_entries)
        return zset ? zset_value(std::move(*lp)) : hash_value(std::move(*lp));
    if (!legacy) ensure_walkable(*lp, at, what);
    if (zset) return zset_value(zset_big_from_pairs(*lp, at));
    return hash_value(hash_dict_from_pairs(*lp, at));
}

std::optional<Value> Parser::hash_zipmap() {
    const uint64_t at = pos_;
    Blob b;
    blob(b);
    std::optional<Listpack> lp = zipmap_to_listpack(b.bytes());
    if (!lp) fail("zipmap integrity check failed", at);
    if (pairs_have_duplicates(*lp)) fail("zipmap has duplicate fields", at);
    // Redis also checks the total against the listpack limit, and converts on long elements
    // as well as on the count.
    size_t max_len = 0;
    char buf[Listpack::kIntBufSize];
    for (Listpack::Pos p = lp->first(); p != Listpack::kNone; p = lp->next(p)) {
        const size_t len = lp->get_str(p, buf).size();
        if (len > max_len) max_len = len;
    }
    if (lp->bytes() > kListpackSafeBytes) fail("zipmap too big for a listpack", at);
    if (lp->empty()) return std::nullopt;  // not produced: the decoder rejects empty zipmaps
    if (lp->size() / 2 > lim_.hash_max_listpack_entries || max_len > lim_.hash_max_listpack_value)
        return hash_value(hash_dict_from_pairs(*lp, at));
    return hash_value(std::move(*lp));
}

// ---------------------------------------------------------------------------------------------
// The file

void Parser::run(RdbReadResult& r) {
    const uint8_t* header = take(rdb::kHeaderSize, 0);
    if (std::memcmp(header, rdb::kMagic, 5) != 0) fail("wrong signature (not an RDB file)", 0);
    int version = 0;
    for (int i = 5; i < 9; ++i) {
        if (header[i] < '0' || header[i] > '9')
            fail("unsupported RDB version '" + printable(as_chars(header + 5, 4)) + "'", 5);
        version = version * 10 + (header[i] - '0');
    }
    if (version < 1 || version > rdb::kVersion)
        fail("unsupported RDB version " + std::to_string(version), 5);
    r.version = version;

    int64_t expire_ms = -1;
    for (;;) {
        const uint64_t at = pos_;
        const uint8_t type = *take(1, at);
        switch (type) {
            case rdb::kOpExpireTime:
                expire_ms = int64_t{static_cast<int32_t>(load_le32(take(4, at)))} * 1000;
                continue;
            case rdb::kOpExpireTimeMs:
                expire_ms = static_cast<int64_t>(load_le64(take(8, at)));
                continue;
            case rdb::kOpFreq:
                take(1, at);
                continue;
            case rdb::kOpIdle:
                length(nullptr);
                continue;
            case rdb::kOpSelectDb:
                check(target_.select_db(length(nullptr)), at);
                continue;
            case rdb::kOpResizeDb: {
                uint64_t keys = length(nullptr);
                uint64_t expires = length(nullptr);
                // Hints only: a key takes at least 3 bytes, so larger claims are clamped
                // before anyone sizes a table on them.
                if (keys > left() / 3) keys = left() / 3;
                if (expires > keys) expires = keys;
                check(target_.resize_db(keys, expires), at);
                continue;
            }
            case rdb::kOpAux: {
                const std::string_view key = string(s1_);
                const std::string_view value = string(s2_);
                check(target_.aux(key, value), at);
                continue;
            }
            case rdb::kOpModuleAux:
                fail("module aux data (opcode 247) not supported", at);
            case rdb::kOpFunction2:
            case rdb::kOpFunctionPreGa:
                fail("function libraries (opcode " + std::to_string(type) + ") not supported", at);
            case rdb::kOpEof:
                break;
            case rdb::kTypeModule:
            case rdb::kTypeModule2:
                fail("unsupported value type module (" + std::to_string(type) + ")", at);
            case rdb::kTypeStreamListpacks:
            case rdb::kTypeStreamListpacks2:
                fail("unsupported value type stream (" + std::to_string(type) + ")", at);
            default:
                if (type > rdb::kTypeListQuicklist2 || type == 8)
                    fail("unknown value type " + std::to_string(type), at);
                {
                    const std::string_view key = string(key_buf_);
                    std::optional<Value> v = value(type);
                    if (v) {
                        check(target_.key(key, std::move(*v), expire_ms), at);
                        ++r.keys;
                    } else {
                        ++r.empty_keys_skipped;
                    }
                }
                expire_ms = -1;
                if (pos_ - crc_pos_ >= (size_t{1} << 20)) crc_upto(pos_);
                continue;
        }
        break;  // EOF opcode
    }
    crc_upto(pos_);
    if (version >= 5) {
        const uint64_t at = pos_;
        const uint64_t stored = load_le64(take(8, at));
        if (opt_.verify_checksum && stored != 0) {
            if (stored != crc_) {
                char msg[96];
                std::snprintf(
                    msg, sizeof msg, "CRC64 mismatch: file says %016llx, computed %016llx",
                    static_cast<unsigned long long>(stored), static_cast<unsigned long long>(crc_));
                fail(msg, at);
            }
            r.checksum_checked = true;
        }
    }
    r.bytes = pos_;
}

}  // namespace

RdbReadResult read_rdb(std::span<const uint8_t> data, const RdbReadOptions& opt,
                       RdbLoadTarget& target) {
    register_value_ops();
    RdbReadResult r;
    Parser parser(data, opt, target);
    auto set_error = [&](const std::string& message, uint64_t offset) {
        r.error = message + " at offset " + std::to_string(offset);
        r.error_offset = offset;
        r.checksum_checked = false;
    };
    try {
        parser.run(r);
    } catch (const ReadError& e) {
        set_error(e.message, e.offset);
    } catch (const std::bad_alloc&) {
        set_error("out of memory", parser.pos());
    } catch (const std::length_error& e) {
        set_error(std::string("value too large (") + e.what() + ")", parser.pos());
    }
    return r;
}

}  // namespace snapstream
