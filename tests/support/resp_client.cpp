#include "tests/support/resp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ostream>
#include <utility>

namespace snapstream::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    if (left.count() > 1'000'000) return 1'000'000;
    return static_cast<int>(left.count());
}

constexpr int kMaxDepth = 64;

}  // namespace

RespValue RespValue::simple(std::string s) {
    RespValue v;
    v.type = RespType::Simple;
    v.str = std::move(s);
    return v;
}
RespValue RespValue::error(std::string s) {
    RespValue v;
    v.type = RespType::Error;
    v.str = std::move(s);
    return v;
}
RespValue RespValue::integer_value(int64_t i) {
    RespValue v;
    v.type = RespType::Integer;
    v.integer = i;
    return v;
}
RespValue RespValue::bulk(std::string s) {
    RespValue v;
    v.type = RespType::Bulk;
    v.str = std::move(s);
    return v;
}
RespValue RespValue::null() {
    return RespValue{};
}
RespValue RespValue::null_array() {
    RespValue v;
    v.type = RespType::NullArray;
    return v;
}
RespValue RespValue::array(std::vector<RespValue> elems) {
    RespValue v;
    v.type = RespType::Array;
    v.elems = std::move(elems);
    return v;
}
RespValue RespValue::bulk_array(const std::vector<std::string>& items) {
    std::vector<RespValue> elems;
    elems.reserve(items.size());
    for (const auto& s : items) elems.push_back(bulk(s));
    return array(std::move(elems));
}

std::string escape_bytes(std::string_view s, size_t max_len) {
    std::string out;
    size_t n = s.size() > max_len ? max_len : s.size();
    static const char* hex = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\0':
                out += "\\0";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c >= 0x20 && c < 0x7f) {
                    out += static_cast<char>(c);
                } else {
                    out += "\\x";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                }
        }
    }
    if (n < s.size()) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

std::string command_to_string(const std::vector<std::string>& args, size_t max_arg_len) {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += ' ';
        out += '"' + escape_bytes(args[i], max_arg_len) + '"';
    }
    return out;
}

std::string encode_command(const std::vector<std::string>& args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) {
        out += "$" + std::to_string(a.size()) + "\r\n";
        out += a;
        out += "\r\n";
    }
    return out;
}

std::string RespValue::to_string() const {
    auto join = [this](const char* open, const char* close) {
        std::string out = open;
        for (size_t i = 0; i < elems.size(); ++i) {
            if (i) out += ", ";
            out += elems[i].to_string();
        }
        return out + close;
    };
    switch (type) {
        case RespType::Simple:
            return "+" + escape_bytes(str);
        case RespType::Error:
            return "-" + escape_bytes(str);
        case RespType::Integer:
            return ":" + std::to_string(integer);
        case RespType::Bulk:
            return "\"" + escape_bytes(str) + "\"";
        case RespType::Null:
            return "(nil)";
        case RespType::NullArray:
            return "(nil-array)";
        case RespType::Double:
            return "," + str;
        case RespType::Boolean:
            return integer ? "#t" : "#f";
        case RespType::BigNumber:
            return "(" + str;
        case RespType::Verbatim:
            return "=\"" + escape_bytes(str) + "\"";
        case RespType::Array:
            return join("[", "]");
        case RespType::Map:
            return join("%{", "}");
        case RespType::Set:
            return join("~{", "}");
        case RespType::Push:
            return join(">[", "]");
        case RespType::Attribute:
            return join("|{", "}");
    }
    return "?";
}

void PrintTo(const RespValue& v, std::ostream* os) {
    *os << v.to_string();
}

std::ostream& operator<<(std::ostream& os, const RespValue& v) {
    return os << v.to_string();
}

const char* type_name(RespType t) {
    switch (t) {
        case RespType::Simple:
            return "simple";
        case RespType::Error:
            return "error";
        case RespType::Integer:
            return "integer";
        case RespType::Bulk:
            return "bulk";
        case RespType::Null:
            return "null";
        case RespType::Array:
            return "array";
        case RespType::NullArray:
            return "null-array";
        case RespType::Double:
            return "double";
        case RespType::Boolean:
            return "boolean";
        case RespType::BigNumber:
            return "big-number";
        case RespType::Verbatim:
            return "verbatim";
        case RespType::Map:
            return "map";
        case RespType::Set:
            return "set";
        case RespType::Push:
            return "push";
        case RespType::Attribute:
            return "attribute";
    }
    return "?";
}

void PrintTo(RespType t, std::ostream* os) {
    *os << type_name(t);
}

RespClient::RespClient(int port, Ms timeout) : port_(port), timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw RespIoError(errno_text("socket"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    if (rc != 0 && errno != EINPROGRESS) {
        std::string msg = errno_text("connect");
        close();
        throw RespIoError(msg + " (port " + std::to_string(port) + ")");
    }
    if (rc != 0) {
        pollfd pfd{fd_, POLLOUT, 0};
        int pr = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
        int err = 0;
        socklen_t len = sizeof err;
        if (pr <= 0 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            std::string msg =
                pr <= 0 ? "connect timed out" : std::string("connect: ") + std::strerror(err);
            close();
            throw RespIoError(msg + " (port " + std::to_string(port) + ")");
        }
    }
    // Blocking from here on; SO_RCVTIMEO / SO_SNDTIMEO bound every single call, and the reads
    // also poll against an overall deadline.
    int flags = ::fcntl(fd_, F_GETFL);
    ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

RespClient::~RespClient() {
    close();
}

RespClient::RespClient(RespClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      port_(other.port_),
      timeout_(other.timeout_),
      buf_(std::move(other.buf_)),
      pos_(std::exchange(other.pos_, 0)),
      keep_raw_(other.keep_raw_) {}

RespClient& RespClient::operator=(RespClient&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        port_ = other.port_;
        timeout_ = other.timeout_;
        buf_ = std::move(other.buf_);
        pos_ = std::exchange(other.pos_, 0);
        keep_raw_ = other.keep_raw_;
    }
    return *this;
}

void RespClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void RespClient::send_raw(std::string_view bytes) {
    if (fd_ < 0) throw RespClosed("send on a closed client");
    auto deadline = Clock::now() + timeout_;
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (Clock::now() >= deadline) throw RespTimeout("send timed out");
            continue;
        }
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) throw RespClosed(errno_text("send"));
        throw RespIoError(errno_text("send"));
    }
}

void RespClient::send_command(const std::vector<std::string>& args) {
    send_raw(encode_command(args));
}

bool RespClient::fill(Clock::time_point deadline) {
    if (fd_ < 0) throw RespClosed("read on a closed client");
    for (;;) {
        pollfd pfd{fd_, POLLIN, 0};
        int pr = ::poll(&pfd, 1, remaining_ms(deadline));
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) throw RespIoError(errno_text("poll"));
        if (pr == 0) return false;
        char chunk[65536];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
            // Drop consumed bytes now and then so the buffer does not grow without bound.
            if (pos_ > 0 && pos_ == buf_.size()) {
                buf_.clear();
                pos_ = 0;
            } else if (pos_ > (1u << 20)) {
                buf_.erase(0, pos_);
                pos_ = 0;
            }
            buf_.append(chunk, static_cast<size_t>(n));
            return true;
        }
        if (n == 0) throw RespClosed("connection closed by server");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (Clock::now() >= deadline) return false;
            continue;
        }
        if (errno == ECONNRESET) throw RespClosed("connection reset by server");
        throw RespIoError(errno_text("recv"));
    }
}

// Finds "\r\n" from p; returns the line end index or npos.
static size_t find_crlf(const std::string& buf, size_t p) {
    size_t i = buf.find("\r\n", p);
    return i;
}

static int64_t parse_len(std::string_view s, const char* what) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
        throw RespIoError(std::string("malformed ") + what + " in reply: '" + escape_bytes(s) +
                          "'");
    }
    return v;
}

bool RespClient::parse(size_t& p, RespValue& out, int depth) {
    if (depth > kMaxDepth) throw RespIoError("reply nested too deeply");
    if (p >= buf_.size()) return false;
    size_t eol = find_crlf(buf_, p + 1);
    if (eol == std::string::npos) return false;
    char tag = buf_[p];
    std::string_view line(buf_.data() + p + 1, eol - p - 1);
    size_t next = eol + 2;
    out = RespValue{};
    auto aggregate = [&](RespType type, int64_t count) -> bool {
        out.type = type;
        out.elems.resize(static_cast<size_t>(count));
        for (auto& e : out.elems) {
            if (!parse(next, e, depth + 1)) return false;
        }
        p = next;
        return true;
    };
    switch (tag) {
        case '+':
            out.type = RespType::Simple;
            out.str = line;
            p = next;
            return true;
        case '-':
            out.type = RespType::Error;
            out.str = line;
            p = next;
            return true;
        case ':':
            out.type = RespType::Integer;
            out.integer = parse_len(line, "integer");
            p = next;
            return true;
        case '_':
            out.type = RespType::Null;
            p = next;
            return true;
        case ',':
            out.type = RespType::Double;
            out.str = line;
            p = next;
            return true;
        case '(':
            out.type = RespType::BigNumber;
            out.str = line;
            p = next;
            return true;
        case '#':
            out.type = RespType::Boolean;
            if (line != "t" && line != "f") throw RespIoError("malformed boolean in reply");
            out.integer = line == "t" ? 1 : 0;
            p = next;
            return true;
        case '$':
        case '=': {
            int64_t len = parse_len(line, "bulk length");
            if (len < 0) {
                out.type = RespType::Null;
                p = next;
                return true;
            }
            if (buf_.size() < next + static_cast<size_t>(len) + 2) return false;
            if (buf_.compare(next + static_cast<size_t>(len), 2, "\r\n") != 0) {
                throw RespIoError("bulk reply not terminated by CRLF");
            }
            out.type = tag == '$' ? RespType::Bulk : RespType::Verbatim;
            out.str.assign(buf_, next, static_cast<size_t>(len));
            p = next + static_cast<size_t>(len) + 2;
            return true;
        }
        case '*':
        case '~':
        case '>': {
            int64_t n = parse_len(line, "aggregate length");
            if (n < 0) {
                out.type = RespType::NullArray;
                p = next;
                return true;
            }
            RespType t = tag == '*' ? RespType::Array : tag == '~' ? RespType::Set : RespType::Push;
            return aggregate(t, n);
        }
        case '%':
        case '|': {
            int64_t n = parse_len(line, "map length");
            if (n < 0) throw RespIoError("negative map length in reply");
            return aggregate(tag == '%' ? RespType::Map : RespType::Attribute, 2 * n);
        }
        default:
            throw RespIoError("unexpected reply type byte '" + escape_bytes(std::string(1, tag)) +
                              "' in: " + escape_bytes(std::string_view(buf_).substr(p, 80)));
    }
}

bool RespClient::try_parse_one(RespValue& out) {
    size_t p = pos_;
    if (!parse(p, out, 0)) return false;
    if (keep_raw_) last_raw_.assign(buf_, pos_, p - pos_);
    pos_ = p;
    return true;
}

RespValue RespClient::read_reply() {
    auto r = read_reply_for(timeout_);
    if (!r) {
        throw RespTimeout("no reply within " + std::to_string(timeout_.count()) + " ms (port " +
                          std::to_string(port_) + ")");
    }
    return std::move(*r);
}

std::optional<RespValue> RespClient::read_reply_for(Ms timeout) {
    auto deadline = Clock::now() + timeout;
    RespValue v;
    for (;;) {
        if (try_parse_one(v)) return v;
        if (!fill(deadline)) return std::nullopt;
    }
}

std::vector<RespValue> RespClient::read_replies(size_t n) {
    std::vector<RespValue> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(read_reply());
    return out;
}

RespValue RespClient::command(const std::vector<std::string>& args) {
    send_command(args);
    return read_reply();
}

RespValue RespClient::command(std::initializer_list<std::string_view> args) {
    std::vector<std::string> v;
    v.reserve(args.size());
    for (auto a : args) v.emplace_back(a);
    return command(v);
}

std::vector<RespValue> RespClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
    std::string out;
    for (const auto& c : commands) out += encode_command(c);
    send_raw(out);
    return read_replies(commands.size());
}

std::vector<RespValue> RespClient::read_until_closed(Ms timeout, bool* closed) {
    auto deadline = Clock::now() + timeout;
    std::vector<RespValue> out;
    *closed = false;
    // Bounded: at most one reply per byte received, and by the deadline.
    for (;;) {
        try {
            RespValue v;
            while (try_parse_one(v)) out.push_back(v);
            if (!fill(deadline)) return out;
        } catch (const RespClosed&) {
            RespValue v;
            while (try_parse_one(v)) out.push_back(v);
            *closed = true;
            close();
            return out;
        }
    }
}

bool RespClient::wait_closed(Ms timeout) {
    bool closed = false;
    read_until_closed(timeout, &closed);
    return closed;
}

}  // namespace snapstream::test
