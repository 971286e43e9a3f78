// A small blocking RESP client for tests: connects to 127.0.0.1:port, sends commands as RESP
// multibulk (binary-safe) or raw bytes, and reads replies as trees (RESP2 and RESP3 types).
// Every read and write is bounded by a deadline; a silent or dead server throws instead of
// hanging the test.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream::test {

enum class RespType {
    Simple,     // +
    Error,      // -
    Integer,    // :
    Bulk,       // $
    Null,       // $-1 (RESP2) or _ (RESP3)
    Array,      // *
    NullArray,  // *-1
    Double,     // , (RESP3; text kept as sent)
    Boolean,    // # (RESP3; integer 0/1)
    BigNumber,  // ( (RESP3; text kept as sent)
    Verbatim,   // = (RESP3; str holds "txt:..." as sent)
    Map,        // % (RESP3; elems hold k1, v1, k2, v2, ...)
    Set,        // ~ (RESP3)
    Push,       // > (RESP3)
    Attribute,  // | (RESP3; elems as Map)
};

struct RespValue {
    RespType type = RespType::Null;
    std::string str;               // Simple, Error, Bulk, Double, BigNumber, Verbatim
    int64_t integer = 0;           // Integer, Boolean
    std::vector<RespValue> elems;  // Array, Map, Set, Push, Attribute

    bool operator==(const RespValue&) const = default;

    static RespValue simple(std::string s);
    static RespValue error(std::string s);
    static RespValue integer_value(int64_t v);
    static RespValue bulk(std::string s);
    static RespValue null();
    static RespValue null_array();
    static RespValue array(std::vector<RespValue> elems);
    // An array of bulk strings.
    static RespValue bulk_array(const std::vector<std::string>& items);

    bool is_error() const { return type == RespType::Error; }
    bool is_null() const { return type == RespType::Null || type == RespType::NullArray; }
    bool is_array() const { return type == RespType::Array; }
    // Simple or bulk string equal to s.
    bool is_string(std::string_view s) const {
        return (type == RespType::Simple || type == RespType::Bulk) && str == s;
    }

    // One-line rendering for failure messages: +OK, -ERR x, :5, "bulk\x00", (nil), [a, b].
    std::string to_string() const;
};

// gtest and streams print a RespValue with to_string().
void PrintTo(const RespValue& v, std::ostream* os);
void PrintTo(RespType t, std::ostream* os);
const char* type_name(RespType t);
std::ostream& operator<<(std::ostream& os, const RespValue& v);

// Renders bytes for a diff: printable ASCII as is, '"' and '\\' escaped, others as \xNN
// (\r, \n, \t, \0 spelled out). Long strings are cut to max_len with a "...(N bytes)" note.
std::string escape_bytes(std::string_view s, size_t max_len = 200);
// A command for a failure message: each argument quoted and escaped.
std::string command_to_string(const std::vector<std::string>& args, size_t max_arg_len = 80);
// RESP multibulk encoding of a command.
std::string encode_command(const std::vector<std::string>& args);

class RespIoError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};
// No complete reply before the deadline.
class RespTimeout : public RespIoError {
  public:
    using RespIoError::RespIoError;
};
// The server closed the connection (EOF or reset).
class RespClosed : public RespIoError {
  public:
    using RespIoError::RespIoError;
};

class RespClient {
  public:
    using Ms = std::chrono::milliseconds;
    static constexpr Ms kDefaultTimeout{10000};

    // Connects to 127.0.0.1:port (bounded by timeout); throws RespIoError on failure.
    explicit RespClient(int port, Ms timeout = kDefaultTimeout);
    ~RespClient();
    RespClient(const RespClient&) = delete;
    RespClient& operator=(const RespClient&) = delete;
    RespClient(RespClient&& other) noexcept;
    RespClient& operator=(RespClient&& other) noexcept;

    // Sends one command and reads its reply.
    RespValue command(const std::vector<std::string>& args);
    RespValue command(std::initializer_list<std::string_view> args);

    void send_command(const std::vector<std::string>& args);
    void send_raw(std::string_view bytes);

    // Reads one reply within the client's timeout; throws RespTimeout / RespClosed.
    RespValue read_reply();
    // Reads one reply within `timeout`; nullopt if none arrived in time. Throws RespClosed.
    std::optional<RespValue> read_reply_for(Ms timeout);
    std::vector<RespValue> read_replies(size_t n);

    // Sends all commands in one write, then reads one reply for each.
    std::vector<RespValue> pipeline(const std::vector<std::vector<std::string>>& commands);

    // Reads replies until the server closes the connection or `timeout` passes. Returns the
    // replies read; *closed tells whether the connection was closed by the server.
    std::vector<RespValue> read_until_closed(Ms timeout, bool* closed);
    // True if the server closed the connection within `timeout` (replies read meanwhile are
    // discarded).
    bool wait_closed(Ms timeout);

    // When on, last_raw() holds the exact bytes of the last reply read (to check encodings
    // such as RESP3's "_\r\n" null, which RespValue does not distinguish from "$-1\r\n").
    void set_keep_raw(bool on) { keep_raw_ = on; }
    const std::string& last_raw() const { return last_raw_; }

    void set_timeout(Ms timeout) { timeout_ = timeout; }
    Ms timeout() const { return timeout_; }
    int port() const { return port_; }
    int fd() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    // Bytes received but not yet parsed into a reply.
    size_t buffered() const { return buf_.size() - pos_; }
    void close();

  private:
    // Parses one value at buf_[p...]; returns false if more bytes are needed.
    bool parse(size_t& p, RespValue& out, int depth);
    bool try_parse_one(RespValue& out);
    // Reads more bytes, waiting until `deadline`; returns false on timeout, throws on close.
    bool fill(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    int port_ = 0;
    Ms timeout_ = kDefaultTimeout;
    std::string buf_;
    size_t pos_ = 0;
    bool keep_raw_ = false;
    std::string last_raw_;
};

}  // namespace snapstream::test
