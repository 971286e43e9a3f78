// The command-stream codec (format: command_stream.h).
//
// What the scanner calls a torn tail and what corruption, compared with Redis 7.0:
//   - Redis's loader (aof.c) treats running out of bytes anywhere inside a command as an
//     unexpected end of file (cut with aof-load-truncated), and a line that does not start with
//     the expected '*' / '$' as a format error. It does not check the numbers' terminators or
//     the CRLF after an argument; redis-check-aof does ("Expected \r\n"). We follow the stricter
//     of the two: every "*<n>\r\n", "$<n>\r\n" and the CRLF after each argument must be exact,
//     numbers are plain decimal digits, "*0" is an error (Redis: argc < 1 is a format error).
//   - Redis skips any line starting with '#' (fgets with a 1024-byte buffer, so a line of up to
//     1023 bytes including its "\r\n"). We accept the same lines but demand the "\r\n"; a '#'
//     line cut by the end of the data is torn (Redis would load it, but appending after it would
//     glue the next command onto the comment).
//   - MULTI inside MULTI and EXEC without MULTI are errors, as redis-check-aof reports them
//     ("Unexpected MULTI/EXEC"); Redis's loader runs them, but no writer ever produces them.
//   - Data ending inside a MULTI block is torn; the cut goes before the MULTI (Redis: "Revert
//     incomplete MULTI/EXEC transaction"), or before the #SC line of the batch holding it: a cut
//     never lands inside a batch (that would leave a batch shorter than its annotation says).
//   - #SC batches are ours: a batch longer than the data left is torn; a checksum mismatch is
//     torn only when the batch ends exactly at the end of the data (a final write that did not
//     fully reach the disk), corruption otherwise. Inside a verified batch, commands must be
//     complete and no annotation may appear.
// For Truncated, error_offset() is where the incomplete unit (command, annotation, batch or
// MULTI block) starts; for Corrupt, the offending byte or line.
#include "persistence/command_stream.h"

#include <algorithm>
#include <cstring>

#include "persistence/crc64.h"

namespace snapstream {

namespace {

// Longest annotation line Redis reads as one line, "\r\n" included.
constexpr size_t kMaxAnnotationLine = 1023;
// More digits than any count or length we accept can have.
constexpr int kMaxDigits = 18;

size_t decimal_digits(uint64_t v) {
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// Writes v in decimal at p (exactly decimal_digits(v) characters); returns the end.
char* put_decimal(char* p, uint64_t v) {
    const size_t n = decimal_digits(v);
    char* end = p + n;
    char* q = end;
    do {
        *--q = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

// "<prefix><v>\r\n" into `out` (capacity already reserved).
void append_header(std::string& out, char prefix, uint64_t v) {
    char buf[24];
    buf[0] = prefix;
    char* p = put_decimal(buf + 1, v);
    *p++ = '\r';
    *p++ = '\n';
    out.append(buf, static_cast<size_t>(p - buf));
}

void append_decimal(std::string& out, uint64_t v) {
    char buf[24];
    out.append(buf, static_cast<size_t>(put_decimal(buf, v) - buf));
}

bool is_lower_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

uint64_t hex_value(std::string_view s) {
    uint64_t v = 0;
    for (const char c : s) v = (v << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return v;
}

std::string hex16(uint64_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i) {
        s[static_cast<size_t>(i)] = kDigits[v & 0xf];
        v >>= 4;
    }
    return s;
}

// "<digits>" making up all of `s`; false if empty, not digits or too long.
bool parse_decimal(std::string_view s, uint64_t& value) {
    if (s.empty() || s.size() > static_cast<size_t>(kMaxDigits)) return false;
    uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    value = v;
    return true;
}

bool equals_ascii_nocase(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

std::string describe_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s = "0x";
    s += kDigits[u >> 4];
    s += kDigits[u & 0xf];
    if (u >= 0x21 && u < 0x7f) {
        s += " '";
        s += c;
        s += '\'';
    }
    return s;
}

enum class Parsed { Ok, NeedMore, Bad };

// Parses "<digits>\r\n" starting at d[p], reading no byte at or past `limit`. Ok: `value` set
// and `p` moved past the "\r\n". Bad: `p` moved to the offending byte.
Parsed parse_count_line(const char* d, uint64_t& p, uint64_t limit, uint64_t& value) {
    uint64_t i = p;
    uint64_t v = 0;
    int digits = 0;
    while (i < limit && d[i] >= '0' && d[i] <= '9') {
        if (++digits > kMaxDigits) {
            p = i;
            return Parsed::Bad;
        }
        v = v * 10 + static_cast<uint64_t>(d[i] - '0');
        ++i;
    }
    if (i == limit) return Parsed::NeedMore;
    if (digits == 0 || d[i] != '\r') {
        p = i;
        return Parsed::Bad;
    }
    if (i + 1 == limit) return Parsed::NeedMore;
    if (d[i + 1] != '\n') {
        p = i + 1;
        return Parsed::Bad;
    }
    value = v;
    p = i + 2;
    return Parsed::Ok;
}

}  // namespace

// --- Encoding ------------------------------------------------------------------------------

size_t encoded_command_size(std::span<const std::string_view> argv) {
    size_t n = 3 + decimal_digits(argv.size());
    for (const std::string_view a : argv) n += 5 + decimal_digits(a.size()) + a.size();
    return n;
}

void append_command(std::string& out, std::span<const std::string_view> argv) {
    const size_t need = out.size() + encoded_command_size(argv);
    // Grow geometrically so that many appends to one buffer stay linear.
    if (out.capacity() < need) out.reserve(std::max(need, out.capacity() * 2));
    append_header(out, '*', argv.size());
    for (const std::string_view a : argv) {
        append_header(out, '$', a.size());
        out.append(a);
        out.append("\r\n", 2);
    }
}

void append_command(std::string& out, std::initializer_list<std::string_view> argv) {
    append_command(out, std::span<const std::string_view>(argv.begin(), argv.size()));
}

std::string outside_select(int db) {
    std::string s = "#XS\r\n";
    const std::string id = std::to_string(db);
    append_command(s, {"SELECT", id});
    return s;
}

std::string stream_origin_annotation(uint64_t offset, std::string_view replid) {
    std::string s;
    s.reserve(4 + 20 + 1 + replid.size() + 2);
    s.append("#SO:");
    append_decimal(s, offset);
    s.push_back(':');
    s.append(replid);
    s.append("\r\n");
    return s;
}

std::string batch_checksum_annotation(std::string_view batch) {
    std::string s;
    s.reserve(4 + 20 + 1 + 16 + 2);
    s.append("#SC:");
    append_decimal(s, batch.size());
    s.push_back(':');
    s.append(hex16(crc64(0, batch.data(), batch.size())));
    s.append("\r\n");
    return s;
}

// --- Scanning ------------------------------------------------------------------------------

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

AofScanner::Step AofScanner::fail(Step step, uint64_t offset, std::string message) {
    stopped_ = step;
    error_offset_ = offset;
    error_ = std::move(message);
    return step;
}

AofScanner::Step AofScanner::next(std::vector<std::string_view>& argv) {
    if (stopped_ != Step::Command) return stopped_;
    const uint64_t size = data_.size();
    // Each round consumes one annotation line or returns.
    while (true) {
        if (batch_end_ != 0 && pos_ == batch_end_) batch_end_ = 0;
        if (pos_ == size) {
            if (in_multi_)
                return fail(Step::Truncated, valid_up_to_,
                            "the data ends inside the MULTI block starting at offset " +
                                std::to_string(multi_offset_) + " (no EXEC)");
            return Step::End;
        }
        const char c = data_[pos_];
        if (c == '*') return parse_command(argv);
        if (c != '#')
            return fail(Step::Corrupt, pos_,
                        "expected '*' or '#' at the start of a line, found " + describe_byte(c));
        const Step s = parse_annotation();
        if (s != Step::Command) return s;
    }
}

// The '#' line at pos_: skipped, or #SO / #SC acted upon. Returns Step::Command to go on.
AofScanner::Step AofScanner::parse_annotation() {
    const uint64_t start = pos_;
    if (batch_end_ != 0)
        return fail(Step::Corrupt, start,
                    "annotation line inside the checksummed batch ending at offset " +
                        std::to_string(batch_end_));
    const char* d = data_.data();
    const uint64_t avail = data_.size() - start;
    const size_t window = static_cast<size_t>(std::min<uint64_t>(avail, kMaxAnnotationLine));
    const void* nl = std::memchr(d + start, '\n', window);
    if (nl == nullptr) {
        if (avail < kMaxAnnotationLine)
            return fail(
                Step::Truncated, start,
                "the data ends inside the annotation line at offset " + std::to_string(start));
        return fail(Step::Corrupt, start,
                    "annotation line at offset " + std::to_string(start) + " has no \\n within " +
                        std::to_string(kMaxAnnotationLine) + " bytes");
    }
    const uint64_t nl_pos = static_cast<uint64_t>(static_cast<const char*>(nl) - d);
    if (d[nl_pos - 1] != '\r')
        return fail(Step::Corrupt, nl_pos, "annotation line not terminated by \\r\\n");
    const std::string_view line(d + start, nl_pos - 1 - start);
    const uint64_t line_end = nl_pos + 1;

    if (line.starts_with("#SO:")) {
        const std::string_view rest = line.substr(4);
        const size_t colon = rest.find(':');
        uint64_t offset = 0;
        if (colon == std::string_view::npos || !parse_decimal(rest.substr(0, colon), offset))
            return fail(Step::Corrupt, start, "malformed #SO annotation (bad offset)");
        const std::string_view replid = rest.substr(colon + 1);
        if (replid.size() != 40 || !std::all_of(replid.begin(), replid.end(), is_lower_hex))
            return fail(Step::Corrupt, start,
                        "malformed #SO annotation (replication id is not 40 hex digits)");
        if (start == 0)
            origin_ = StreamOrigin{offset, std::string(replid)};
        else if (origin_)
            origin_->replid = std::string(replid);  // the id changed here (a promotion...)
    } else if (line == "#XS") {
        next_outside_ = true;
    } else if (line.starts_with("#SC:")) {
        const std::string_view rest = line.substr(4);
        const size_t colon = rest.find(':');
        uint64_t len = 0;
        if (colon == std::string_view::npos || !parse_decimal(rest.substr(0, colon), len))
            return fail(Step::Corrupt, start, "malformed #SC annotation (bad length)");
        const std::string_view hex = rest.substr(colon + 1);
        if (hex.size() != 16 || !std::all_of(hex.begin(), hex.end(), is_lower_hex))
            return fail(Step::Corrupt, start,
                        "malformed #SC annotation (checksum is not 16 hex digits)");
        const uint64_t left = data_.size() - line_end;
        if (len > left)
            return fail(Step::Truncated, start,
                        "the checksummed batch at offset " + std::to_string(start) + " holds " +
                            std::to_string(len) + " bytes but only " + std::to_string(left) +
                            " follow");
        const uint64_t expected = hex_value(hex);
        const uint64_t actual = crc64(0, d + line_end, static_cast<size_t>(len));
        if (actual != expected) {
            const std::string what = "checksum mismatch in the batch at offset " +
                                     std::to_string(start) + " (" + std::to_string(len) +
                                     " bytes): annotation says " + std::string(hex) +
                                     ", data gives " + hex16(actual);
            if (len == left) return fail(Step::Truncated, start, what + " (torn final write)");
            return fail(Step::Corrupt, start, what);
        }
        checksummed_ = true;
        if (len != 0) {
            // A batch is one unit: no cut point inside it, so valid_up_to_ stays before its
            // annotation until its last command is read.
            batch_end_ = line_end + len;
            pos_ = line_end;
            return Step::Command;
        }
    }
    pos_ = line_end;
    if (!in_multi_) valid_up_to_ = pos_;
    return Step::Command;
}

// The command at pos_ (which holds '*').
AofScanner::Step AofScanner::parse_command(std::vector<std::string_view>& argv) {
    const char* d = data_.data();
    const uint64_t start = pos_;
    const bool in_batch = batch_end_ != 0;
    const uint64_t limit = in_batch ? batch_end_ : data_.size();
    argv.clear();

    // Running out of bytes: torn at the end of the data; inside a verified batch, corruption.
    auto short_data = [&]() {
        if (in_batch)
            return fail(Step::Corrupt, start,
                        "the command at offset " + std::to_string(start) +
                            " runs past the end of its checksummed batch (offset " +
                            std::to_string(batch_end_) + ")");
        return fail(Step::Truncated, start,
                    "the data ends inside the command at offset " + std::to_string(start) + " (" +
                        std::to_string(argv.size()) + " arguments complete)");
    };

    uint64_t p = start + 1;
    uint64_t argc = 0;
    switch (parse_count_line(d, p, limit, argc)) {
        case Parsed::NeedMore:
            return short_data();
        case Parsed::Bad:
            return fail(Step::Corrupt, p,
                        "bad argument count in the command at offset " + std::to_string(start) +
                            ": found " + describe_byte(d[p]));
        case Parsed::Ok:
            break;
    }
    if (argc == 0)
        return fail(Step::Corrupt, start,
                    "command with zero arguments at offset " + std::to_string(start));
    if (argc > limits_.max_args)
        return fail(Step::Corrupt, start,
                    "command at offset " + std::to_string(start) + " has " + std::to_string(argc) +
                        " arguments (limit " + std::to_string(limits_.max_args) + ")");
    // Each argument takes at least 6 bytes ("$0\r\n\r\n"): no reserving more than can follow.
    argv.reserve(static_cast<size_t>(std::min<uint64_t>(argc, (limit - p) / 6 + 1)));

    for (uint64_t i = 0; i < argc; ++i) {
        if (p == limit) return short_data();
        if (d[p] != '$')
            return fail(Step::Corrupt, p,
                        "expected '$' for argument " + std::to_string(i + 1) +
                            " of the command at offset " + std::to_string(start) + ", found " +
                            describe_byte(d[p]));
        ++p;
        uint64_t len = 0;
        switch (parse_count_line(d, p, limit, len)) {
            case Parsed::NeedMore:
                return short_data();
            case Parsed::Bad:
                return fail(Step::Corrupt, p,
                            "bad length of argument " + std::to_string(i + 1) +
                                " of the command at offset " + std::to_string(start) + ": found " +
                                describe_byte(d[p]));
            case Parsed::Ok:
                break;
        }
        if (len > limits_.max_bulk)
            return fail(Step::Corrupt, p,
                        "argument " + std::to_string(i + 1) + " of the command at offset " +
                            std::to_string(start) + " is " + std::to_string(len) +
                            " bytes (limit " + std::to_string(limits_.max_bulk) + ")");
        if (limit - p < len + 2) {
            // Whatever is there of the argument and its CRLF must still be right.
            if (limit - p > len && d[p + len] != '\r')
                return fail(Step::Corrupt, p + len,
                            "expected \\r\\n after argument " + std::to_string(i + 1) +
                                " of the command at offset " + std::to_string(start));
            return short_data();
        }
        if (d[p + len] != '\r' || d[p + len + 1] != '\n')
            return fail(Step::Corrupt, p + len,
                        "expected \\r\\n after argument " + std::to_string(i + 1) +
                            " of the command at offset " + std::to_string(start) + ", found " +
                            describe_byte(d[p + len]) + " " + describe_byte(d[p + len + 1]));
        argv.emplace_back(d + p, static_cast<size_t>(len));
        p += len + 2;
    }

    const std::string_view name = argv[0];
    if (name.size() == 5 && equals_ascii_nocase(name, "multi")) {
        if (in_multi_)
            return fail(Step::Corrupt, start,
                        "MULTI at offset " + std::to_string(start) +
                            " inside the MULTI block starting at offset " +
                            std::to_string(multi_offset_));
        in_multi_ = true;
        multi_offset_ = start;
    } else if (name.size() == 4 && equals_ascii_nocase(name, "exec")) {
        if (!in_multi_)
            return fail(Step::Corrupt, start,
                        "EXEC without MULTI at offset " + std::to_string(start));
        in_multi_ = false;
    }
    pos_ = p;
    cmd_offset_ = start;
    last_outside_ = next_outside_;
    next_outside_ = false;
    if (!last_outside_) stream_bytes_ += p - start;
    if (!in_multi_ && (!in_batch || p == batch_end_)) valid_up_to_ = p;
    return Step::Command;
}

}  // namespace snapstream
