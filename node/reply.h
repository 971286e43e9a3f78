// Reply encoding in RESP2 (what Redis 7.0 speaks to a client that did not send HELLO 3) and RESP3.
//
//   +<text>\r\n          simple string          -<text>\r\n      error ("ERR ...", "WRONGTYPE ...")
//   :<int64>\r\n         integer                $<len>\r\n<bytes>\r\n   bulk string
//   *<n>\r\n<n items>    array
//   null                 RESP2: $-1 (bulk) or *-1 (array)        RESP3: _
//   map of n pairs       RESP2: array of 2n items                RESP3: %<n>
//   set of n items       RESP2: array of n items                 RESP3: ~<n>
//   verbatim text        RESP2: bulk string                      RESP3: =<len>\r\ntxt:<text>
//
// Replies append to the client's output buffer; the event loop writes that buffer once per
// loop iteration, so a pipeline of N commands costs one write(2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/numeric.h"

namespace snapstream {

class Reply {
  public:
    explicit Reply(std::string& out, int resp = 2) : out_(&out), resp_(resp) {}

    void simple(std::string_view s) { line('+', s); }
    void ok() { out_->append("+OK\r\n", 5); }
    void pong() { out_->append("+PONG\r\n", 7); }
    // `s` is the whole error text after '-', e.g. "ERR syntax error" or "WRONGTYPE ...".
    void error(std::string_view s);
    void integer(int64_t v) { number(':', v); }
    void bulk(std::string_view s) {
        number('$', static_cast<int64_t>(s.size()));
        out_->append(s.data(), s.size());
        out_->append("\r\n", 2);
    }
    void bulk_int(int64_t v) {
        char buf[24];
        size_t n = format_int64(buf, v);
        bulk(std::string_view(buf, n));
    }
    void null() { out_->append(resp_ == 3 ? "_\r\n" : "$-1\r\n", resp_ == 3 ? 3 : 5); }
    void null_array() { out_->append(resp_ == 3 ? "_\r\n" : "*-1\r\n", resp_ == 3 ? 3 : 5); }
    void array(size_t n) { number('*', static_cast<int64_t>(n)); }
    // An unordered collection (SMEMBERS, SINTER, SPOP with a count): RESP3 '~', RESP2 array.
    void set(size_t n) { number(resp_ == 3 ? '~' : '*', static_cast<int64_t>(n)); }
    void map(size_t n) {
        if (resp_ == 3)
            number('%', static_cast<int64_t>(n));
        else
            array(2 * n);
    }
    // Plain text meant for humans (INFO, CLIENT LIST): RESP3 marks it as verbatim "txt".
    void verbatim(std::string_view s) {
        if (resp_ != 3) return bulk(s);
        number('=', static_cast<int64_t>(s.size() + 4));
        out_->append("txt:", 4);
        out_->append(s.data(), s.size());
        out_->append("\r\n", 2);
    }
    int resp() const { return resp_; }
    void empty_array() { out_->append("*0\r\n", 4); }
    void raw(std::string_view bytes) { out_->append(bytes.data(), bytes.size()); }

    // Number of error replies written through this object (INFO's total_error_replies).
    uint64_t errors() const { return errors_; }
    std::string& buffer() { return *out_; }

  private:
    void line(char prefix, std::string_view s) {
        out_->push_back(prefix);
        out_->append(s.data(), s.size());
        out_->append("\r\n", 2);
    }
    void number(char prefix, int64_t v) {
        char buf[24];
        buf[0] = prefix;
        size_t n = format_int64(buf + 1, v);
        buf[n + 1] = '\r';
        buf[n + 2] = '\n';
        out_->append(buf, n + 3);
    }

    std::string* out_;
    int resp_;
    uint64_t errors_ = 0;
};

}  // namespace snapstream
