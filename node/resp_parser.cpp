#include "node/resp_parser.h"

#include <climits>
#include <cstring>

#include "common/numeric.h"

namespace snapstream {
namespace {

constexpr size_t kInlineMax = 64 * 1024;  // longest inline line / count line accepted

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

}  // namespace

bool split_inline_args(std::string_view line, std::vector<std::string>& out) {
    out.clear();
    size_t i = 0;
    const size_t n = line.size();
    auto at = [&](size_t k) -> char { return k < n ? line[k] : '\0'; };
    for (;;) {
        while (i < n && is_space(line[i])) ++i;
        if (i >= n) return true;
        std::string cur;
        bool in_dq = false, in_sq = false, done = false;
        while (!done) {
            char c = at(i);
            if (in_dq) {
                if (c == '\\' && at(i + 1) == 'x' && hex_value(at(i + 2)) >= 0 &&
                    hex_value(at(i + 3)) >= 0) {
                    cur.push_back(
                        static_cast<char>(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3))));
                    i += 3;
                } else if (c == '\\' && i + 1 < n) {
                    ++i;
                    switch (line[i]) {
                        case 'n':
                            cur.push_back('\n');
                            break;
                        case 'r':
                            cur.push_back('\r');
                            break;
                        case 't':
                            cur.push_back('\t');
                            break;
                        case 'b':
                            cur.push_back('\b');
                            break;
                        case 'a':
                            cur.push_back('\a');
                            break;
                        default:
                            cur.push_back(line[i]);
                            break;
                    }
                } else if (c == '"') {
                    // A closing quote must be followed by a space or the end.
                    if (i + 1 < n && !is_space(line[i + 1])) return false;
                    done = true;
                } else if (i >= n) {
                    return false;
                } else {
                    cur.push_back(c);
                }
            } else if (in_sq) {
                if (c == '\\' && at(i + 1) == '\'') {
                    ++i;
                    cur.push_back('\'');
                } else if (c == '\'') {
                    if (i + 1 < n && !is_space(line[i + 1])) return false;
                    done = true;
                } else if (i >= n) {
                    return false;
                } else {
                    cur.push_back(c);
                }
            } else {
                switch (c) {
                    case ' ':
                    case '\n':
                    case '\r':
                    case '\t':
                    case '\0':
                        // A NUL byte ends the word (and, at the end of input, the line).
                        done = true;
                        break;
                    case '"':
                        in_dq = true;
                        break;
                    case '\'':
                        in_sq = true;
                        break;
                    default:
                        cur.push_back(c);
                        break;
                }
            }
            if (i < n) ++i;
        }
        out.push_back(std::move(cur));
    }
}

RequestParser::Status RequestParser::fail(std::string message) {
    error_ = std::move(message);
    return Status::Error;
}

void RequestParser::discard_prefix(size_t n) {
    request_start_ -= n;
    pos_ -= n;
    for (auto& s : spans_) s.first -= n;
}

size_t RequestParser::bulk_remaining(size_t buffered) const {
    if (bulk_len_ < 0) return 0;
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    return need > buffered ? need - buffered : 0;
}

void RequestParser::finish_request() {
    argv_.clear();
    for (auto& s : spans_) argv_.emplace_back(base_ + s.first, s.second);
    spans_.clear();
    request_start_ = pos_;
}

RequestParser::Status RequestParser::parse(std::string_view buf, const Limits& limits) {
    base_ = buf.data();
    for (;;) {
        if (pos_ >= buf.size()) return Status::NeedMore;
        Status st;
        if (pos_ == request_start_ && multibulk_left_ == 0 && buf[pos_] != '*') {
            st = parse_inline(buf);
        } else {
            st = parse_multibulk(buf, limits);
        }
        if (st != Status::Command) return st;
        if (!argv_.empty()) return st;
        // An empty request (blank line, *0): nothing to run, keep going.
    }
}

RequestParser::Status RequestParser::parse_inline(std::string_view buf) {
    const char* start = buf.data() + pos_;
    const size_t avail = buf.size() - pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
    if (!nl) {
        if (avail > kInlineMax) return fail("Protocol error: too big inline request");
        return Status::NeedMore;
    }
    size_t line_len = static_cast<size_t>(nl - start);
    size_t consumed = line_len + 1;
    if (line_len > 0 && start[line_len - 1] == '\r') --line_len;
    if (!split_inline_args(std::string_view(start, line_len), inline_args_))
        return fail("Protocol error: unbalanced quotes in request");
    pos_ += consumed;
    request_start_ = pos_;
    spans_.clear();
    argv_.clear();
    for (const auto& a : inline_args_) argv_.emplace_back(a);
    return Status::Command;
}

RequestParser::Status RequestParser::parse_multibulk(std::string_view buf, const Limits& limits) {
    if (multibulk_left_ == 0) {
        const char* start = buf.data() + pos_;
        const size_t avail = buf.size() - pos_;
        const char* cr = static_cast<const char*>(std::memchr(start, '\r', avail));
        if (!cr) {
            if (avail > kInlineMax) return fail("Protocol error: too big mbulk count string");
            return Status::NeedMore;
        }
        const size_t line_len = static_cast<size_t>(cr - start);
        if (line_len + 2 > avail) return Status::NeedMore;  // the '\n' has not arrived yet
        auto n = parse_int64(std::string_view(start + 1, line_len - 1));
        if (!n || *n > INT_MAX) return fail("Protocol error: invalid multibulk length");
        if (*n > 10 && !limits.authenticated)
            return fail("Protocol error: unauthenticated multibulk length");
        pos_ += line_len + 2;
        if (*n <= 0) {
            request_start_ = pos_;
            spans_.clear();
            argv_.clear();
            return Status::Command;
        }
        multibulk_left_ = *n;
        spans_.clear();
        if (spans_.capacity() < static_cast<size_t>(*n) && *n <= 1024)
            spans_.reserve(static_cast<size_t>(*n));
    }
    while (multibulk_left_ > 0) {
        if (bulk_len_ < 0) {
            const char* start = buf.data() + pos_;
            const size_t avail = buf.size() - pos_;
            const char* cr = static_cast<const char*>(std::memchr(start, '\r', avail));
            if (!cr) {
                if (avail > kInlineMax) return fail("Protocol error: too big bulk count string");
                return Status::NeedMore;
            }
            const size_t line_len = static_cast<size_t>(cr - start);
            if (line_len + 2 > avail) return Status::NeedMore;
            if (start[0] != '$')
                return fail(std::string("Protocol error: expected '$', got '") + start[0] + "'");
            auto n = parse_int64(std::string_view(start + 1, line_len - 1));
            if (!n || *n < 0 || static_cast<uint64_t>(*n) > limits.max_bulk_len)
                return fail("Protocol error: invalid bulk length");
            if (*n > 16384 && !limits.authenticated)
                return fail("Protocol error: unauthenticated bulk length");
            pos_ += line_len + 2;
            bulk_len_ = *n;
        }
        // Redis skips the two bytes after the data without checking them; so do we.
        const size_t need = static_cast<size_t>(bulk_len_) + 2;
        if (buf.size() - pos_ < need) return Status::NeedMore;
        spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
        pos_ += need;
        bulk_len_ = -1;
        --multibulk_left_;
    }
    finish_request();
    return Status::Command;
}

}  // namespace snapstream
