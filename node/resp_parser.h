// Incremental parser of client requests, as Redis 7.0 reads them.
//
// Two forms share one connection:
//   multibulk  *<n>\r\n then n times $<len>\r\n<len bytes>\r\n   (what every client library sends)
//   inline     words separated by spaces, ending at \n (or \r\n); "double" quotes take \n \r \t
//              \b \a \xHH \\ escapes, 'single' quotes take \' (what telnet and redis-cli --pipe
//              users type)
// The first byte of a request decides: '*' means multibulk, anything else inline. An empty
// inline line and "*0"/"*-1" are no-ops.
//
// The parser keeps its position between calls, so a request split at any byte boundary across
// reads is resumed, not re-scanned. Arguments of the request under way are remembered as offsets
// into the caller's buffer, which the caller may compact (drop a consumed prefix) between reads.
//
// Errors carry Redis's exact reply text ("Protocol error: invalid bulk length", ...); after one
// the connection is answered and closed, as Redis does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream {

class RequestParser {
  public:
    enum class Status { NeedMore, Command, Error };

    struct Limits {
        uint64_t max_bulk_len = 512ull * 1024 * 1024;  // proto-max-bulk-len
        bool authenticated = true;                     // else 10 args / 16 KiB bulks at most
    };

    // Parses the next request from buf starting at the parser's position. On Command, argv()
    // holds it (views into buf, or into the parser for inline requests) until the next call.
    Status parse(std::string_view buf, const Limits& limits);

    std::span<const std::string_view> argv() const { return argv_; }
    const std::string& error() const { return error_; }
    // Bytes of buf consumed by complete requests; everything before may be dropped.
    size_t consumed() const { return request_start_; }
    // The caller dropped the first n bytes (n <= consumed()) of its buffer.
    void discard_prefix(size_t n);
    // Bytes still needed to finish the bulk under way (0 if unknown), to size the next read.
    size_t bulk_remaining(size_t buffered) const;
    // True when nothing of a next request has been parsed yet.
    bool idle() const { return pos_ == request_start_; }

  private:
    Status fail(std::string message);
    Status parse_inline(std::string_view buf);
    Status parse_multibulk(std::string_view buf, const Limits& limits);
    void finish_request();

    size_t request_start_ = 0;  // start of the request under way
    size_t pos_ = 0;            // next byte to parse
    int64_t multibulk_left_ = 0;
    int64_t bulk_len_ = -1;
    std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of parsed args
    std::vector<std::string> inline_args_;
    std::vector<std::string_view> argv_;
    std::string error_;
    const char* base_ = nullptr;
};

// Splits an inline request line as Redis's sdssplitargs does. Returns false on unbalanced quotes.
bool split_inline_args(std::string_view line, std::vector<std::string>& out);

}  // namespace snapstream
