#include "persistence/command_stream.h"

#include <cstring>

#include "persistence/crc64.h"

namespace snapstream {
namespace {

// Decimal digits of v appended to `out`.
void append_uint(std::string& out, uint64_t v) {
    char buf[20];
    size_t n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) out.push_back(buf[--n]);
}

size_t uint_digits(uint64_t v) {
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

constexpr size_t kMaxAnnotation = 1024;

// The unsigned decimal in [p, end) (no sign, no leading '+'), or false.
bool parse_uint(const char* p, const char* end, uint64_t& out) {
    if (p == end || end - p > 19) return false;
    uint64_t v = 0;
    for (; p < end; ++p) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + static_cast<uint64_t>(*p - '0');
    }
    out = v;
    return true;
}

bool parse_hex(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 16) return false;
    uint64_t v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return false;
        v = (v << 4) | static_cast<uint64_t>(d);
    }
    out = v;
    return true;
}

}  // namespace

size_t encoded_command_size(std::span<const std::string_view> argv) {
    size_t n = 1 + uint_digits(argv.size()) + 2;
    for (std::string_view a : argv) n += 1 + uint_digits(a.size()) + 2 + a.size() + 2;
    return n;
}

void append_command(std::string& out, std::span<const std::string_view> argv) {
    out.reserve(out.size() + encoded_command_size(argv));
    out.push_back('*');
    append_uint(out, argv.size());
    out.append("\r\n", 2);
    for (std::string_view a : argv) {
        out.push_back('$');
        append_uint(out, a.size());
        out.append("\r\n", 2);
        out.append(a);
        out.append("\r\n", 2);
    }
}

void append_command(std::string& out, std::initializer_list<std::string_view> argv) {
    append_command(out, std::span<const std::string_view>(argv.begin(), argv.size()));
}

std::string stream_origin_annotation(uint64_t offset, std::string_view replid) {
    std::string out = "#SO:";
    append_uint(out, offset);
    out.push_back(':');
    out.append(replid);
    out.append("\r\n", 2);
    return out;
}

std::string batch_checksum_annotation(std::string_view batch) {
    static const char* kHex = "0123456789abcdef";
    std::string out = "#SC:";
    append_uint(out, batch.size());
    out.push_back(':');
    const uint64_t crc = crc64(0, batch.data(), batch.size());
    for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(crc >> shift) & 15]);
    out.append("\r\n", 2);
    return out;
}

AofScanner::AofScanner(std::span<const char> data, AofScanLimits limits)
    : data_(data), limits_(limits) {}

uint64_t AofScanner::position() const {
    return pos_;
}
uint64_t AofScanner::valid_up_to() const {
    return valid_up_to_;
}
uint64_t AofScanner::command_offset() const {
    return cmd_offset_;
}
bool AofScanner::in_multi() const {
    return in_multi_;
}
uint64_t AofScanner::stream_bytes() const {
    return stream_bytes_;
}
const std::optional<StreamOrigin>& AofScanner::origin() const {
    return origin_;
}
bool AofScanner::checksummed() const {
    return checksummed_;
}
const std::string& AofScanner::error() const {
    return error_;
}
uint64_t AofScanner::error_offset() const {
    return error_offset_;
}

AofScanner::Step AofScanner::fail(Step kind, uint64_t at, std::string why) {
    error_ = std::move(why);
    error_offset_ = at;
    return kind;
}

// Parses one annotation line at pos_ ('#' ... "\r\n"); acts on #SO (first line only) and #SC.
AofScanner::Step AofScanner::annotation() {
    const uint64_t start = pos_;
    const char* base = data_.data();
    const size_t size = data_.size();
    const size_t limit = std::min<size_t>(size, start + kMaxAnnotation);
    const void* nl = std::memchr(base + start, '\n', limit - start);
    if (!nl) {
        if (limit == size) return fail(Step::Truncated, start, "unterminated annotation line");
        return fail(Step::Corrupt, start, "annotation line longer than 1024 bytes");
    }
    const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
    std::string_view line(base + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    if (line.rfind("#SO:", 0) == 0 && start == 0) {
        const std::string_view rest = line.substr(4);
        const size_t colon = rest.find(':');
        uint64_t off = 0;
        if (colon == std::string_view::npos || !parse_uint(rest.data(), rest.data() + colon, off))
            return fail(Step::Corrupt, start, "bad #SO annotation");
        origin_ = StreamOrigin{off, std::string(rest.substr(colon + 1))};
    } else if (line.rfind("#SC:", 0) == 0) {
        if (batch_end_ != 0 && start < batch_end_)
            return fail(Step::Corrupt, start, "checksum annotation inside a checksummed batch");
        const std::string_view rest = line.substr(4);
        const size_t colon = rest.find(':');
        uint64_t len = 0, crc = 0;
        if (colon == std::string_view::npos || !parse_uint(rest.data(), rest.data() + colon, len) ||
            !parse_hex(rest.substr(colon + 1), crc))
            return fail(Step::Corrupt, start, "bad #SC annotation");
        checksummed_ = true;
        if (len > size - pos_)
            return fail(Step::Truncated, start, "checksummed batch cut short by the end of data");
        if (crc64(0, base + pos_, len) != crc) {
            // A mismatch in the final batch is a torn last write; anywhere else, damage.
            if (pos_ + len == size)
                return fail(Step::Truncated, start, "checksum mismatch in the last batch");
            return fail(Step::Corrupt, start,
                        "checksum mismatch in the batch of " + std::to_string(len) + " bytes");
        }
        batch_end_ = pos_ + len;
    }
    return Step::Command;  // "keep going"
}

AofScanner::Step AofScanner::next(std::vector<std::string_view>& argv) {
    argv.clear();
    const char* base = data_.data();
    const size_t size = data_.size();
    for (;;) {
        if (pos_ >= size) {
            if (in_multi_) return fail(Step::Truncated, pos_, "MULTI without EXEC at end of data");
            return Step::End;
        }
        if (base[pos_] != '#') break;
        if (Step s = annotation(); s != Step::Command) return s;
        if (!in_multi_) valid_up_to_ = pos_;
    }
    const uint64_t start = pos_;
    cmd_offset_ = start;
    if (batch_end_ != 0 && start >= batch_end_) batch_end_ = 0;
    // Reads "<prefix><number>\r\n" at p; false = Truncated or Corrupt already recorded.
    size_t p = start;
    Step bad = Step::Command;
    auto header = [&](char prefix, uint64_t& value) -> bool {
        if (p >= size) {
            bad = fail(Step::Truncated, start, "unexpected end of data inside a command");
            return false;
        }
        if (base[p] != prefix) {
            bad = fail(Step::Corrupt, p,
                       std::string("expected '") + prefix + "' but found byte " +
                           std::to_string(static_cast<unsigned char>(base[p])));
            return false;
        }
        const size_t limit = std::min<size_t>(size, p + 24);
        const void* cr = std::memchr(base + p + 1, '\r', limit - p - 1);
        if (!cr) {
            if (limit == size) {
                bad = fail(Step::Truncated, start, "unexpected end of data inside a command");
            } else {
                bad = fail(Step::Corrupt, p, "bad length line");
            }
            return false;
        }
        const size_t cr_at = static_cast<size_t>(static_cast<const char*>(cr) - base);
        if (cr_at + 1 >= size) {
            bad = fail(Step::Truncated, start, "unexpected end of data inside a command");
            return false;
        }
        if (base[cr_at + 1] != '\n' || !parse_uint(base + p + 1, base + cr_at, value)) {
            bad = fail(Step::Corrupt, p, "bad length line");
            return false;
        }
        p = cr_at + 2;
        return true;
    };
    uint64_t argc = 0;
    if (!header('*', argc)) return bad;
    if (argc < 1 || argc > limits_.max_args)
        return fail(Step::Corrupt, start, "bad argument count " + std::to_string(argc));
    argv.reserve(static_cast<size_t>(argc));
    for (uint64_t i = 0; i < argc; ++i) {
        uint64_t len = 0;
        if (!header('$', len)) return bad;
        if (len > limits_.max_bulk)
            return fail(Step::Corrupt, p, "argument of " + std::to_string(len) + " bytes");
        if (len + 2 > size - p)
            return fail(Step::Truncated, start, "unexpected end of data inside a command");
        if (base[p + len] != '\r' || base[p + len + 1] != '\n')
            return fail(Step::Corrupt, p + len, "argument not followed by CRLF");
        argv.emplace_back(base + p, static_cast<size_t>(len));
        p += static_cast<size_t>(len) + 2;
    }
    if (batch_end_ != 0 && p > batch_end_)
        return fail(Step::Corrupt, start, "command crosses the end of its checksummed batch");
    pos_ = p;
    stream_bytes_ += p - start;
    const std::string_view name = argv[0];
    auto is = [&](const char* word, size_t n) {
        if (name.size() != n) return false;
        for (size_t k = 0; k < n; ++k)
            if ((name[k] | 0x20) != word[k]) return false;
        return true;
    };
    if (is("multi", 5)) {
        if (!in_multi_) multi_start_ = start;
        in_multi_ = true;
    } else if (is("exec", 4)) {
        in_multi_ = false;
    }
    if (!in_multi_) valid_up_to_ = pos_;
    return Step::Command;
}

}  // namespace snapstream
