#include "tests/support/legacy_rdb.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "common/numeric.h"
#include "persistence/crc64.h"
#include "persistence/lzf.h"

namespace snapstream::test {
namespace {

void put_le(std::string& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_be(std::string& out, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

std::span<const uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Integral doubles strictly inside (-2^52, 2^52) print as integers (Redis's double2ll range).
std::optional<int64_t> integral(double v) {
    constexpr double kLimit = 4503599627370496.0;  // 2^52
    if (!(v > -kLimit && v < kLimit)) return std::nullopt;
    const auto i = static_cast<int64_t>(v);
    if (static_cast<double>(i) != v) return std::nullopt;
    return i;
}

std::vector<std::string> flatten(const LegacyRdbWriter::Pairs& pairs) {
    std::vector<std::string> out;
    out.reserve(pairs.size() * 2);
    for (const auto& [k, v] : pairs) {
        out.push_back(k);
        out.push_back(v);
    }
    return out;
}

std::vector<std::string> flatten(const LegacyRdbWriter::Scored& members) {
    std::vector<std::string> out;
    out.reserve(members.size() * 2);
    for (const auto& [m, s] : members) {
        out.push_back(m);
        out.push_back(legacy_score_text(s));
    }
    return out;
}

}  // namespace

std::string legacy_score_text(double score) {
    if (std::isnan(score)) return "nan";
    if (std::isinf(score)) return score < 0 ? "-inf" : "inf";
    if (score == 0) return std::signbit(score) ? "-0" : "0";
    if (std::optional<int64_t> i = integral(score)) return std::to_string(*i);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", score);
    return buf;
}

LegacyRdbWriter::LegacyRdbWriter(int version, bool compress)
    : version_(version), compress_(compress) {
    if (version < 0 || version > 9999) throw std::invalid_argument("RDB version");
    char header[16];
    std::snprintf(header, sizeof header, "REDIS%04d", version);
    out_ = header;
}

LegacyRdbWriter& LegacyRdbWriter::byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::raw(std::string_view bytes) {
    out_.append(bytes);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::length(uint64_t n) {
    if (n < (1u << 6)) {
        out_.push_back(static_cast<char>(n));
    } else if (n < (1u << 14)) {
        put_be(out_, 0x4000 | n, 2);
    } else if (n <= UINT32_MAX) {
        out_.push_back(static_cast<char>(0x80));
        put_be(out_, n, 4);
    } else {
        out_.push_back(static_cast<char>(0x81));
        put_be(out_, n, 8);
    }
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::string(std::string_view s) {
    if (s.size() <= 11) {
        if (std::optional<int64_t> v = parse_int64(s)) {
            if (*v >= INT8_MIN && *v <= INT8_MAX) {
                out_.push_back(static_cast<char>(0xC0));
                put_le(out_, static_cast<uint64_t>(*v), 1);
                return *this;
            }
            if (*v >= INT16_MIN && *v <= INT16_MAX) {
                out_.push_back(static_cast<char>(0xC1));
                put_le(out_, static_cast<uint64_t>(*v), 2);
                return *this;
            }
            if (*v >= INT32_MIN && *v <= INT32_MAX) {
                out_.push_back(static_cast<char>(0xC2));
                put_le(out_, static_cast<uint64_t>(*v), 4);
                return *this;
            }
        }
    }
    if (compress_ && s.size() > 20) {
        std::vector<uint8_t> packed(s.size() - 4);
        const size_t n = lzf_compress_into(as_bytes(s), packed);
        if (n > 0) {
            out_.push_back(static_cast<char>(0xC3));
            length(n);
            length(s.size());
            out_.append(reinterpret_cast<const char*>(packed.data()), n);
            return *this;
        }
    }
    return plain_string(s);
}

LegacyRdbWriter& LegacyRdbWriter::plain_string(std::string_view s) {
    length(s.size());
    out_.append(s);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::text_score(double score) {
    if (std::isnan(score)) return byte(253);
    if (std::isinf(score)) return byte(score < 0 ? 255 : 254);
    char buf[64];
    if (std::optional<int64_t> i = integral(score))
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(*i));
    else
        std::snprintf(buf, sizeof buf, "%.17g", score);
    return text_score_raw(buf);
}

LegacyRdbWriter& LegacyRdbWriter::text_score_raw(std::string_view text) {
    if (text.size() > 252) throw std::invalid_argument("score text too long");
    byte(static_cast<uint8_t>(text.size()));
    return raw(text);
}

LegacyRdbWriter& LegacyRdbWriter::aux(std::string_view key, std::string_view value) {
    byte(0xFA);
    string(key);
    return string(value);
}

LegacyRdbWriter& LegacyRdbWriter::select_db(uint64_t db) {
    byte(0xFE);
    return length(db);
}

LegacyRdbWriter& LegacyRdbWriter::resize_db(uint64_t keys, uint64_t expires) {
    byte(0xFB);
    length(keys);
    return length(expires);
}

LegacyRdbWriter& LegacyRdbWriter::expire_seconds(uint32_t unix_seconds) {
    byte(0xFD);
    put_le(out_, unix_seconds, 4);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::expire_ms(int64_t unix_ms) {
    byte(0xFC);
    put_le(out_, static_cast<uint64_t>(unix_ms), 8);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::key(uint8_t type, std::string_view k) {
    byte(type);
    return string(k);
}

LegacyRdbWriter& LegacyRdbWriter::string_key(std::string_view k, std::string_view value) {
    key(0, k);
    return string(value);
}

LegacyRdbWriter& LegacyRdbWriter::list_key(std::string_view k,
                                           const std::vector<std::string>& elements) {
    key(1, k);
    length(elements.size());
    for (const auto& e : elements) string(e);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::set_key(std::string_view k,
                                          const std::vector<std::string>& members) {
    key(2, k);
    length(members.size());
    for (const auto& m : members) string(m);
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::zset_key(std::string_view k, const Scored& members) {
    key(3, k);
    length(members.size());
    for (const auto& [m, s] : members) {
        string(m);
        text_score(s);
    }
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::hash_key(std::string_view k, const Pairs& pairs) {
    key(4, k);
    length(pairs.size());
    for (const auto& [f, v] : pairs) {
        string(f);
        string(v);
    }
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::zipmap_hash_key(std::string_view k, const Pairs& pairs,
                                                  const ZipmapOptions& o) {
    return blob_key(9, k, encode_zipmap(pairs, o));
}

LegacyRdbWriter& LegacyRdbWriter::ziplist_list_key(std::string_view k,
                                                   const std::vector<std::string>& elements,
                                                   const ZiplistOptions& o) {
    return blob_key(10, k, encode_ziplist(elements, o));
}

LegacyRdbWriter& LegacyRdbWriter::intset_key(std::string_view k,
                                             const std::vector<int64_t>& values) {
    return blob_key(11, k, encode_intset(values));
}

LegacyRdbWriter& LegacyRdbWriter::ziplist_zset_key(std::string_view k, const Scored& members,
                                                   const ZiplistOptions& o) {
    return blob_key(12, k, encode_ziplist(flatten(members), o));
}

LegacyRdbWriter& LegacyRdbWriter::ziplist_hash_key(std::string_view k, const Pairs& pairs,
                                                   const ZiplistOptions& o) {
    return blob_key(13, k, encode_ziplist(flatten(pairs), o));
}

LegacyRdbWriter& LegacyRdbWriter::quicklist_key(std::string_view k,
                                                const std::vector<std::vector<std::string>>& nodes,
                                                const ZiplistOptions& o) {
    key(14, k);
    length(nodes.size());
    for (const auto& node : nodes) string(encode_ziplist(node, o));
    return *this;
}

LegacyRdbWriter& LegacyRdbWriter::blob_key(uint8_t type, std::string_view k,
                                           std::string_view blob) {
    key(type, k);
    return string(blob);
}

std::string LegacyRdbWriter::finish(bool checksum) {
    byte(0xFF);
    if (version_ >= 5) {
        const uint64_t crc = checksum ? crc64(0, out_.data(), out_.size()) : 0;
        put_le(out_, crc, 8);
    }
    return out_;
}

}  // namespace snapstream::test
