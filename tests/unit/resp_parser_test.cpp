// Unit tests for node/resp_parser (RequestParser, split_inline_args).
//
// Error texts and parsing rules were checked against Redis 7.0.15's networking.c
// (processInlineBuffer / processMultibulkBuffer) and sds.c (sdssplitargs), and the interesting
// cases also against a real redis-server 7.0.15 fed raw bytes.
#include "node/resp_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;
using Status = RequestParser::Status;

constexpr size_t kInlineMax = 64 * 1024;  // Redis's PROTO_INLINE_MAX_SIZE

// Mirrors Client::on_readable/process_input (node/client.cpp): bytes are appended to a query
// buffer, requests are parsed until NeedMore or an error, and the consumed prefix is then dropped
// from the buffer (memmove) and reported to the parser with discard_prefix(). Each read moves the
// buffer to a fresh exact-size allocation, so a parser that kept pointers into an old buffer, or
// read past the end of the current one, is caught by AddressSanitizer.
class FakeClient {
  public:
    explicit FakeClient(bool compact = true) : compact_(compact) {}

    RequestParser::Limits limits;
    std::vector<Args> commands;
    std::optional<std::string> error;

    void read(std::string_view bytes) {
        if (error) return;  // the connection is closed after a protocol error
        auto fresh = std::make_unique<char[]>(used_ + bytes.size());
        if (used_ > 0) std::memcpy(fresh.get(), buf_.get(), used_);
        if (!bytes.empty()) std::memcpy(fresh.get() + used_, bytes.data(), bytes.size());
        buf_ = std::move(fresh);
        used_ += bytes.size();
        process_input();
    }

    size_t buffered() const { return used_; }
    RequestParser& parser() { return parser_; }

  private:
    void process_input() {
        while (!error) {
            Status st = parser_.parse(std::string_view(buf_.get(), used_), limits);
            if (st == Status::NeedMore) break;
            if (st == Status::Error) {
                error = parser_.error();
                break;
            }
            auto argv = parser_.argv();
            EXPECT_FALSE(argv.empty()) << "empty requests must not be returned as commands";
            commands.emplace_back(argv.begin(), argv.end());
        }
        const size_t consumed = parser_.consumed();
        EXPECT_LE(consumed, used_);
        if (compact_ && consumed > 0 && consumed <= used_) {
            std::memmove(buf_.get(), buf_.get() + consumed, used_ - consumed);
            used_ -= consumed;
            parser_.discard_prefix(consumed);
        }
    }

    bool compact_;
    RequestParser parser_;
    std::unique_ptr<char[]> buf_;
    size_t used_ = 0;
};

struct Outcome {
    std::vector<Args> commands;
    std::optional<std::string> error;
};

// Feeds `data` cut at the given increasing offsets.
Outcome feed_split(std::string_view data, const std::vector<size_t>& cuts, bool compact = true,
                   RequestParser::Limits limits = {}) {
    FakeClient c(compact);
    c.limits = limits;
    size_t prev = 0;
    for (size_t cut : cuts) {
        c.read(data.substr(prev, cut - prev));
        prev = cut;
    }
    c.read(data.substr(prev));
    return {c.commands, c.error};
}

Outcome feed_all(std::string_view data, RequestParser::Limits limits = {}) {
    return feed_split(data, {}, true, limits);
}

// Parses one complete buffer with a bare parser and returns the first command (or the error).
struct One {
    Status status;
    Args argv;
    std::string error;
};

One parse_once(std::string_view data, RequestParser::Limits limits = {}) {
    RequestParser p;
    One out{p.parse(data, limits), {}, {}};
    if (out.status == Status::Command) out.argv.assign(p.argv().begin(), p.argv().end());
    if (out.status == Status::Error) out.error = p.error();
    return out;
}

std::string multibulk(const Args& args) {
    std::string s = "*" + std::to_string(args.size()) + "\r\n";
    for (const auto& a : args) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return s;
}

// A pipelined buffer mixing every request form, with the commands it must produce.
struct Stream {
    std::string bytes;
    std::vector<Args> expected;

    void add(std::string_view raw, std::vector<Args> cmds) {
        bytes += raw;
        for (auto& c : cmds) expected.push_back(std::move(c));
    }
};

Stream mixed_stream() {
    Stream s;
    // Binary-safe bulk arguments: CR LF, NUL, protocol-looking bytes and high bytes inside.
    const std::string key = "k\r\n\0x"s;
    const std::string val = "*1\r\n$3\r\nGET\r\n\xff\x00\r"s;
    s.add(multibulk({"SET", key, val}), {{"SET", key, val}});
    s.add("PING\r\n", {{"PING"}});
    s.add("\r\n", {});        // blank inline line: no-op
    s.add("*0\r\n", {});      // empty multibulk: no-op
    s.add("*-1\r\n", {});     // null multibulk: no-op
    s.add("   \t \r\n", {});  // whitespace-only inline line: no-op
    s.add("  ECHO   \"a b\\x41\\n\"  'c\\'d'\r\n", {{"ECHO", "a bA\n", "c'd"}});
    s.add("\n", {});                                 // LF-only blank line
    s.add("GET k\n", {{"GET", "k"}});                // LF-only inline request
    s.add(multibulk({"ECHO", ""}), {{"ECHO", ""}});  // zero-length bulk
    // Redis skips the two bytes after bulk data without checking them.
    s.add("*1\r\n$4\r\nPINGxx", {{"PING"}});
    s.add("*-7\r\n", {});
    s.add(multibulk({"MSET", "a", "1", "b", "2", "c", std::string(40, 'z')}),
          {{"MSET", "a", "1", "b", "2", "c", std::string(40, 'z')}});
    s.add("SET q \"\"\r\n", {{"SET", "q", ""}});
    s.add(multibulk({"GET", "\0"s}), {{"GET", "\0"s}});
    return s;
}

// ---------------------------------------------------------------------------------------------
// split_inline_args (sdssplitargs)

Args split_ok(std::string_view line) {
    Args out{"stale"};
    EXPECT_TRUE(split_inline_args(line, out)) << "line: " << line;
    return out;
}

bool split_fails(std::string_view line) {
    Args out;
    return !split_inline_args(line, out);
}

TEST(SplitInlineArgs, SplitsOnWhitespaceAndClearsOutput) {
    EXPECT_EQ(split_ok(""), Args{});
    EXPECT_EQ(split_ok("   \t  "), Args{});
    EXPECT_EQ(split_ok("PING"), Args{"PING"});
    EXPECT_EQ(split_ok("  SET   key \t value  "), (Args{"SET", "key", "value"}));
    EXPECT_EQ(split_ok("a\rb\nc"), (Args{"a", "b", "c"}));
    // \v and \f are skipped between words but (as in sdssplitargs) do not end a word.
    EXPECT_EQ(split_ok("\x0b x"), Args{"x"});
    EXPECT_EQ(split_ok("a\x0b"
                       "b"),
              Args{"a\x0b"
                   "b"});
}

TEST(SplitInlineArgs, DoubleQuotesAndEscapes) {
    EXPECT_EQ(split_ok("SET \"a b\" c"), (Args{"SET", "a b", "c"}));
    EXPECT_EQ(split_ok("\"\""), Args{""});
    EXPECT_EQ(split_ok("\"\\n\\r\\t\\b\\a\\\\\\\"\""), Args{"\n\r\t\b\a\\\""});
    EXPECT_EQ(split_ok("\"\\q\""), Args{"q"});  // unknown escape: the character itself
    EXPECT_EQ(split_ok("\"a\\\"b\""), Args{"a\"b"});
    // \xHH with two hex digits of either case is one byte.
    EXPECT_EQ(split_ok("\"\\x41\\x4a\\x4A\\x00\\xff\""), Args{"AJJ\0\xff"s});
    // Not two hex digits: a plain escape of 'x'.
    EXPECT_EQ(split_ok("\"\\x4g\""), Args{"x4g"});
    EXPECT_EQ(split_ok("\"\\xZZ\""), Args{"xZZ"});
    EXPECT_EQ(split_ok("\"\\x4\""), Args{"x4"});
    // Quotes may start in the middle of a word; the word continues inside them.
    EXPECT_EQ(split_ok("foo\"bar baz\""), Args{"foobar baz"});
    // Whitespace inside quotes is kept as is.
    EXPECT_EQ(split_ok("\" \t \""), Args{" \t "});
}

TEST(SplitInlineArgs, SingleQuotes) {
    EXPECT_EQ(split_ok("ECHO 'it\\'s'"), (Args{"ECHO", "it's"}));
    EXPECT_EQ(split_ok("''"), Args{""});
    // Only \' is an escape inside single quotes.
    EXPECT_EQ(split_ok("'a\\nb'"), Args{"a\\nb"});
    EXPECT_EQ(split_ok("'\\x41'"), Args{"\\x41"});
    EXPECT_EQ(split_ok("'a\"b'"), Args{"a\"b"});
    EXPECT_EQ(split_ok("'a b' \"c d\""), (Args{"a b", "c d"}));
}

TEST(SplitInlineArgs, ClosingQuoteMustBeFollowedBySpaceOrEnd) {
    EXPECT_TRUE(split_fails("SET a \"b\"c"));
    EXPECT_TRUE(split_fails("SET a 'b'c"));
    EXPECT_TRUE(split_fails("\"a\"\"b\""));
    EXPECT_TRUE(split_fails("'a''b'"));
    EXPECT_EQ(split_ok("\"a\" b"), (Args{"a", "b"}));
    EXPECT_EQ(split_ok("\"a\"\tb"), (Args{"a", "b"}));
    EXPECT_EQ(split_ok("'a'\x0b"), Args{"a"});  // isspace() includes \v
    EXPECT_EQ(split_ok("\"a\""), Args{"a"});
}

TEST(SplitInlineArgs, UnbalancedQuotes) {
    EXPECT_TRUE(split_fails("\""));
    EXPECT_TRUE(split_fails("'"));
    EXPECT_TRUE(split_fails("SET a \"b"));
    EXPECT_TRUE(split_fails("SET a 'b"));
    EXPECT_TRUE(split_fails("\"abc\\\""));  // the last quote is escaped
    EXPECT_TRUE(split_fails("'abc\\'"));
    EXPECT_TRUE(split_fails("'\\\\'"));  // \\ is not an escape in single quotes; \' is
    EXPECT_TRUE(split_fails("\"\\"));
}

// ---------------------------------------------------------------------------------------------
// Inline requests through the parser

TEST(RespParserInline, SimpleRequests) {
    EXPECT_EQ(feed_all("PING\r\n").commands, std::vector<Args>{{"PING"}});
    EXPECT_EQ(feed_all("PING\n").commands, std::vector<Args>{{"PING"}});
    EXPECT_EQ(feed_all("SET a b\r\nGET a\n").commands,
              (std::vector<Args>{{"SET", "a", "b"}, {"GET", "a"}}));
    // Only one \r before the \n belongs to the line ending; a second one is whitespace.
    EXPECT_EQ(feed_all("PING\r\r\n").commands, std::vector<Args>{{"PING"}});
    // A \r inside the line separates words.
    EXPECT_EQ(feed_all("a\rb\r\n").commands, (std::vector<Args>{{"a", "b"}}));
}

TEST(RespParserInline, QuotingAsRedis) {
    EXPECT_EQ(feed_all("ECHO 'it\\'s'\r\n").commands, (std::vector<Args>{{"ECHO", "it's"}}));
    EXPECT_EQ(feed_all("ECHO \"\\x41\\x4a\\n\"\r\n").commands,
              (std::vector<Args>{{"ECHO", "AJ\n"}}));
    EXPECT_EQ(feed_all("ECHO \"\"\r\n").commands, (std::vector<Args>{{"ECHO", ""}}));
}

TEST(RespParserInline, NeedsNewline) {
    RequestParser p;
    EXPECT_EQ(p.parse("PING", {}), Status::NeedMore);
    EXPECT_EQ(p.consumed(), 0u);
    EXPECT_EQ(p.parse("PING\r", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("PING\r\n", {}), Status::Command);
    ASSERT_EQ(p.argv().size(), 1u);
    EXPECT_EQ(p.argv()[0], "PING");
    EXPECT_EQ(p.consumed(), 6u);
    EXPECT_EQ(p.parse("PING\r\n", {}), Status::NeedMore);
}

TEST(RespParserInline, UnbalancedQuotesError) {
    for (std::string_view line :
         {"SET a \"b\r\n", "SET a \"b\"c\r\n", "SET a 'b'c\r\n", "ECHO '\\\\'\r\n"}) {
        auto r = feed_all(line);
        EXPECT_TRUE(r.commands.empty()) << line;
        EXPECT_EQ(r.error, "Protocol error: unbalanced quotes in request") << line;
    }
    // Requests before the bad one still run.
    auto r = feed_all("PING\r\nSET a \"b\r\nPING\r\n");
    EXPECT_EQ(r.commands, std::vector<Args>{{"PING"}});
    EXPECT_EQ(r.error, "Protocol error: unbalanced quotes in request");
}

TEST(RespParserInline, TooBigInlineRequest) {
    // Exactly PROTO_INLINE_MAX_SIZE bytes without a newline: still waiting.
    {
        FakeClient c;
        c.read(std::string(kInlineMax, 'a'));
        EXPECT_FALSE(c.error);
        EXPECT_TRUE(c.commands.empty());
        c.read("a");  // one more
        EXPECT_EQ(c.error, "Protocol error: too big inline request");
    }
    // In one read, too.
    EXPECT_EQ(feed_all(std::string(kInlineMax + 1, 'a')).error,
              "Protocol error: too big inline request");
    // The limit counts from the start of the request under way, not of the buffer.
    {
        FakeClient c(/*compact=*/false);
        c.read("PING\r\n" + std::string(kInlineMax, 'a'));
        EXPECT_EQ(c.commands, std::vector<Args>{{"PING"}});
        EXPECT_FALSE(c.error);
        c.read("a");
        EXPECT_EQ(c.error, "Protocol error: too big inline request");
    }
    // A long line whose newline is already buffered is accepted (as Redis does).
    {
        std::string word(kInlineMax + 1000, 'b');
        auto r = feed_all("ECHO " + word + "\r\n");
        EXPECT_FALSE(r.error);
        EXPECT_EQ(r.commands, (std::vector<Args>{{"ECHO", word}}));
    }
}

TEST(RespParserInline, ManyArgumentsAllowedWhenUnauthenticated) {
    // The 10-argument limit applies to the multibulk count only.
    RequestParser::Limits unauth;
    unauth.authenticated = false;
    std::string line = "CMD";
    Args expected{"CMD"};
    for (int i = 0; i < 20; ++i) {
        line += " a" + std::to_string(i);
        expected.push_back("a" + std::to_string(i));
    }
    auto r = feed_all(line + "\r\n", unauth);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.commands, std::vector<Args>{expected});
}

// ---------------------------------------------------------------------------------------------
// Multibulk requests

TEST(RespParserMultibulk, SimpleRequest) {
    One r = parse_once("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
    ASSERT_EQ(r.status, Status::Command);
    EXPECT_EQ(r.argv, (Args{"GET", "key"}));
}

TEST(RespParserMultibulk, BinarySafeArguments) {
    const std::string a = "\r\n"s;
    const std::string b = "\0\0\0"s;
    const std::string c = "x\r\ny\0z\r"s;
    const std::string d = "$3\r\nfoo\r\n"s;
    const std::string e(256, '\0');
    auto r = feed_all(multibulk({a, b, c, d, e}));
    EXPECT_FALSE(r.error);
    ASSERT_EQ(r.commands.size(), 1u);
    EXPECT_EQ(r.commands[0], (Args{a, b, c, d, e}));
    // Sizes are exact (string_view over the buffer, not NUL-terminated text).
    EXPECT_EQ(r.commands[0][1].size(), 3u);
    EXPECT_EQ(r.commands[0][4].size(), 256u);
}

TEST(RespParserMultibulk, ArgvViewsPointIntoTheCallersBuffer) {
    // The header promises views into buf for multibulk requests (no copy).
    std::string buf = "*1\r\n$5\r\nhello\r\n";
    RequestParser p;
    ASSERT_EQ(p.parse(buf, {}), Status::Command);
    ASSERT_EQ(p.argv().size(), 1u);
    EXPECT_EQ(p.argv()[0].data(), buf.data() + 8);
    EXPECT_EQ(p.argv()[0].size(), 5u);
}

TEST(RespParserMultibulk, TrailingTwoBytesAreNotChecked) {
    auto r = feed_all("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n");
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.commands, (std::vector<Args>{{"PING"}, {"PING"}}));
}

TEST(RespParserMultibulk, EmptyRequestsAreNoOps) {
    const std::string noops = "*0\r\n*-1\r\n\r\n\n   \r\n*-5\r\n*-2147483649\r\n";
    RequestParser p;
    EXPECT_EQ(p.parse(noops, {}), Status::NeedMore);
    EXPECT_EQ(p.consumed(), noops.size());
    EXPECT_TRUE(p.idle());
    // And they do not disturb a following request.
    auto r = feed_all(noops + "PING\r\n" + noops + multibulk({"GET", "a"}) + noops);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.commands, (std::vector<Args>{{"PING"}, {"GET", "a"}}));
}

TEST(RespParserMultibulk, PartialHeaderNeedsMore) {
    RequestParser p;
    EXPECT_EQ(p.parse("*", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("*2", {}), Status::NeedMore);
    // The \r has arrived but not the \n.
    EXPECT_EQ(p.parse("*2\r", {}), Status::NeedMore);
    EXPECT_TRUE(p.idle());
    EXPECT_EQ(p.parse("*2\r\n", {}), Status::NeedMore);
    EXPECT_FALSE(p.idle());
    EXPECT_EQ(p.parse("*2\r\n$3\r", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("*2\r\n$3\r\nGE", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("*2\r\n$3\r\nGET", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("*2\r\n$3\r\nGET\r", {}), Status::NeedMore);
    EXPECT_EQ(p.parse("*2\r\n$3\r\nGET\r\n$1\r\na\r", {}), Status::NeedMore);
    EXPECT_EQ(p.consumed(), 0u);
    EXPECT_EQ(p.parse("*2\r\n$3\r\nGET\r\n$1\r\na\r\n", {}), Status::Command);
    EXPECT_EQ(std::vector<std::string_view>(p.argv().begin(), p.argv().end()),
              (std::vector<std::string_view>{"GET", "a"}));
    EXPECT_EQ(p.consumed(), 20u);  // 4 + 4 + 5 + 4 + 3 bytes
    EXPECT_TRUE(p.idle());
}

TEST(RespParserMultibulk, InvalidMultibulkLength) {
    for (std::string_view req :
         {"*abc\r\n", "*\r\n", "*+1\r\n", "*01\r\n", "* 1\r\n", "*1 \r\n", "*1x\r\n", "*-0\r\n",
          "*2147483648\r\n", "*3000000000\r\n", "*99999999999999999999\r\n"}) {
        One r = parse_once(req);
        EXPECT_EQ(r.status, Status::Error) << req;
        EXPECT_EQ(r.error, "Protocol error: invalid multibulk length") << req;
    }
    // INT_MAX itself is accepted (the arguments are then awaited).
    EXPECT_EQ(parse_once("*2147483647\r\n").status, Status::NeedMore);
}

TEST(RespParserMultibulk, ExpectedDollar) {
    One r = parse_once("*1\r\nx3\r\n");
    EXPECT_EQ(r.status, Status::Error);
    EXPECT_EQ(r.error, "Protocol error: expected '$', got 'x'");
    r = parse_once("*2\r\n$1\r\na\r\n:1\r\n");
    EXPECT_EQ(r.error, "Protocol error: expected '$', got ':'");
    r = parse_once("*2\r\n$1\r\na\r\n*1\r\n");
    EXPECT_EQ(r.error, "Protocol error: expected '$', got '*'");
    // An empty line where the bulk header belongs: the offending byte is the \r (Redis's reply
    // writer turns it into a space on the wire).
    r = parse_once("*1\r\n\r\n");
    EXPECT_EQ(r.error, "Protocol error: expected '$', got '\r'");
    // The check waits for the whole line, as Redis does.
    EXPECT_EQ(parse_once("*1\r\nx3").status, Status::NeedMore);
}

TEST(RespParserMultibulk, InvalidBulkLength) {
    for (std::string_view req :
         {"*1\r\n$-1\r\n", "*1\r\n$-5\r\n", "*1\r\n$abc\r\n", "*1\r\n$04\r\n", "*1\r\n$ 4\r\n",
          "*1\r\n$4 \r\n", "*1\r\n$\r\n", "*1\r\n$+4\r\n", "*1\r\n$9223372036854775808\r\n",
          "*1\r\n$536870913\r\n"}) {
        One r = parse_once(req);
        EXPECT_EQ(r.status, Status::Error) << req;
        EXPECT_EQ(r.error, "Protocol error: invalid bulk length") << req;
    }
    // proto-max-bulk-len itself is allowed (default 512 MiB).
    EXPECT_EQ(parse_once("*1\r\n$536870912\r\n").status, Status::NeedMore);
    RequestParser::Limits small;
    small.max_bulk_len = 100;
    EXPECT_EQ(parse_once("*1\r\n$100\r\n", small).status, Status::NeedMore);
    One r = parse_once("*1\r\n$101\r\n", small);
    EXPECT_EQ(r.status, Status::Error);
    EXPECT_EQ(r.error, "Protocol error: invalid bulk length");
    // A later argument is checked too.
    r = parse_once("*2\r\n$3\r\nGET\r\n$-1\r\n");
    EXPECT_EQ(r.error, "Protocol error: invalid bulk length");
}

TEST(RespParserMultibulk, TooBigCountStrings) {
    // Multibulk count line: '*' plus digits and no \r, measured from the request start.
    {
        FakeClient c;
        c.read("*" + std::string(kInlineMax - 1, '1'));
        EXPECT_FALSE(c.error);
        c.read("1");
        EXPECT_EQ(c.error, "Protocol error: too big mbulk count string");
    }
    {
        FakeClient c(/*compact=*/false);
        c.read("PING\r\n*" + std::string(kInlineMax - 1, '1'));
        EXPECT_EQ(c.commands, std::vector<Args>{{"PING"}});
        EXPECT_FALSE(c.error);
        c.read("1");
        EXPECT_EQ(c.error, "Protocol error: too big mbulk count string");
    }
    // Bulk count line.
    {
        FakeClient c;
        c.read("*1\r\n$" + std::string(kInlineMax - 1, '1'));
        EXPECT_FALSE(c.error);
        c.read("1");
        EXPECT_EQ(c.error, "Protocol error: too big bulk count string");
    }
    {
        FakeClient c;
        c.read("*2\r\n$1\r\na\r\n$" + std::string(kInlineMax - 1, '1'));
        EXPECT_FALSE(c.error);
        c.read("1");
        EXPECT_EQ(c.error, "Protocol error: too big bulk count string");
    }
}

TEST(RespParserMultibulk, UnauthenticatedLimits) {
    RequestParser::Limits unauth;
    unauth.authenticated = false;
    // 10 arguments and 16 KiB bulks are allowed before AUTH.
    Args ten(10, "x");
    auto r = feed_all(multibulk(ten), unauth);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.commands, std::vector<Args>{ten});
    Args big{"AUTH", std::string(16384, 'p')};
    r = feed_all(multibulk(big), unauth);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.commands, std::vector<Args>{big});

    One one = parse_once("*11\r\n", unauth);
    EXPECT_EQ(one.status, Status::Error);
    EXPECT_EQ(one.error, "Protocol error: unauthenticated multibulk length");
    one = parse_once("*1\r\n$16385\r\n", unauth);
    EXPECT_EQ(one.status, Status::Error);
    EXPECT_EQ(one.error, "Protocol error: unauthenticated bulk length");
    // Malformed lengths report the generic error first.
    EXPECT_EQ(parse_once("*abc\r\n", unauth).error, "Protocol error: invalid multibulk length");
    EXPECT_EQ(parse_once("*1\r\n$-1\r\n", unauth).error, "Protocol error: invalid bulk length");
    RequestParser::Limits unauth_small = unauth;
    unauth_small.max_bulk_len = 1000;
    EXPECT_EQ(parse_once("*1\r\n$1001\r\n", unauth_small).error,
              "Protocol error: invalid bulk length");

    // Once authenticated, the limits are gone.
    EXPECT_EQ(parse_once("*11\r\n").status, Status::NeedMore);
    EXPECT_EQ(parse_once("*1\r\n$16385\r\n").status, Status::NeedMore);
}

TEST(RespParserMultibulk, AuthenticationChangeBetweenRequests) {
    // process_input() re-reads the client's authenticated flag before each request.
    Args many(11, "v");
    const std::string buf = multibulk({"AUTH", "pw"}) + multibulk(many);
    RequestParser p;
    RequestParser::Limits limits;
    limits.authenticated = false;
    ASSERT_EQ(p.parse(buf, limits), Status::Command);
    EXPECT_EQ(p.argv()[0], "AUTH");
    limits.authenticated = true;
    ASSERT_EQ(p.parse(buf, limits), Status::Command);
    EXPECT_EQ(p.argv().size(), 11u);
}

TEST(RespParserMultibulk, BulkRemaining) {
    RequestParser p;
    EXPECT_EQ(p.bulk_remaining(0), 0u);
    std::string buf = "*1\r\n";
    EXPECT_EQ(p.parse(buf, {}), Status::NeedMore);
    EXPECT_EQ(p.bulk_remaining(buf.size()), 0u);  // bulk length not known yet
    buf += "$10\r\n";
    EXPECT_EQ(p.parse(buf, {}), Status::NeedMore);
    EXPECT_EQ(p.bulk_remaining(buf.size()), 12u);  // 10 data bytes + CRLF
    buf += "abc";
    EXPECT_EQ(p.parse(buf, {}), Status::NeedMore);
    EXPECT_EQ(p.bulk_remaining(buf.size()), 9u);
    buf += "defghij\r";
    EXPECT_EQ(p.parse(buf, {}), Status::NeedMore);
    EXPECT_EQ(p.bulk_remaining(buf.size()), 1u);
    buf += "\n";
    EXPECT_EQ(p.parse(buf, {}), Status::Command);
    EXPECT_EQ(p.bulk_remaining(buf.size()), 0u);

    // After a compaction the caller passes its new buffered size.
    RequestParser q;
    std::string b2 = "PING\r\n*2\r\n$3\r\nSET\r\n$1000000\r\nxy";
    ASSERT_EQ(q.parse(b2, {}), Status::Command);
    ASSERT_EQ(q.parse(b2, {}), Status::NeedMore);
    EXPECT_EQ(q.bulk_remaining(b2.size()), 1000000u);
    ASSERT_EQ(q.consumed(), 6u);
    b2.erase(0, 6);
    q.discard_prefix(6);
    EXPECT_EQ(q.bulk_remaining(b2.size()), 1000000u);
    b2 += std::string(999998, 'z') + "\r\n";
    ASSERT_EQ(q.parse(b2, {}), Status::Command);
    ASSERT_EQ(q.argv().size(), 2u);
    EXPECT_EQ(q.argv()[1].size(), 1000000u);
    EXPECT_EQ(q.argv()[1].substr(0, 3), "xyz");
}

TEST(RespParserMultibulk, ConsumedAndIdle) {
    RequestParser p;
    EXPECT_TRUE(p.idle());
    EXPECT_EQ(p.consumed(), 0u);
    const std::string first = multibulk({"GET", "a"});
    const std::string buf = first + "*2\r\n$3\r\nGET";
    ASSERT_EQ(p.parse(buf, {}), Status::Command);
    EXPECT_EQ(p.consumed(), first.size());
    EXPECT_TRUE(p.idle());
    ASSERT_EQ(p.parse(buf, {}), Status::NeedMore);
    EXPECT_EQ(p.consumed(), first.size());  // the partial request is not consumed
    EXPECT_FALSE(p.idle());
}

// ---------------------------------------------------------------------------------------------
// Pipelining and read boundaries

TEST(RespParserPipeline, WholeBuffer) {
    Stream s = mixed_stream();
    auto r = feed_all(s.bytes);
    EXPECT_FALSE(r.error) << *r.error;
    EXPECT_EQ(r.commands, s.expected);
}

TEST(RespParserPipeline, SplitIntoTwoReadsAtEveryOffset) {
    Stream s = mixed_stream();
    for (bool compact : {true, false}) {
        for (size_t cut = 0; cut <= s.bytes.size(); ++cut) {
            auto r = feed_split(s.bytes, {cut}, compact);
            ASSERT_FALSE(r.error) << "cut " << cut << ": " << *r.error;
            ASSERT_EQ(r.commands, s.expected) << "cut at " << cut << " compact " << compact;
        }
    }
}

TEST(RespParserPipeline, SplitIntoThreeReadsAtEveryPairOfOffsets) {
    Stream s = mixed_stream();
    for (size_t a = 0; a <= s.bytes.size(); ++a) {
        for (size_t b = a; b <= s.bytes.size(); ++b) {
            auto r = feed_split(s.bytes, {a, b});
            ASSERT_FALSE(r.error) << "cuts " << a << "," << b;
            ASSERT_EQ(r.commands, s.expected) << "cuts " << a << "," << b;
        }
    }
}

TEST(RespParserPipeline, OneByteAtATime) {
    Stream s = mixed_stream();
    for (bool compact : {true, false}) {
        FakeClient c(compact);
        for (char ch : s.bytes) {
            c.read(std::string_view(&ch, 1));
            ASSERT_FALSE(c.error);
        }
        EXPECT_EQ(c.commands, s.expected);
        EXPECT_TRUE(c.parser().idle());
        if (compact) {
            EXPECT_EQ(c.buffered(), 0u);
        } else {
            EXPECT_EQ(c.parser().consumed(), s.bytes.size());
        }
    }
}

TEST(RespParserPipeline, CompactionLeavesOnlyThePartialRequest) {
    const std::string first = multibulk({"SET", "k", "v"});
    const std::string second = multibulk({"GET", "k"});
    // Every cut that leaves the second request incomplete.
    for (size_t cut = first.size(); cut < first.size() + second.size(); ++cut) {
        FakeClient c;
        const std::string all = first + second;
        c.read(std::string_view(all).substr(0, cut));
        EXPECT_EQ(c.commands, (std::vector<Args>{{"SET", "k", "v"}}));
        // Everything of the first request was consumed and dropped.
        EXPECT_EQ(c.buffered(), cut - first.size());
        c.read(std::string_view(all).substr(cut));
        EXPECT_EQ(c.commands, (std::vector<Args>{{"SET", "k", "v"}, {"GET", "k"}}));
        EXPECT_EQ(c.buffered(), 0u);
    }
}

TEST(RespParserPipeline, RandomRequestsRandomChunks) {
    std::mt19937_64 rng(20240607);
    auto rnd = [&](uint64_t n) { return static_cast<size_t>(rng() % n); };
    for (int round = 0; round < 200; ++round) {
        Stream s;
        const int requests = 1 + static_cast<int>(rnd(12));
        for (int i = 0; i < requests; ++i) {
            switch (rnd(5)) {
                case 0: {  // multibulk with arbitrary bytes
                    Args args(1 + rnd(5));
                    for (auto& a : args) {
                        a.resize(rnd(40));
                        for (auto& ch : a) ch = static_cast<char>(rng());
                    }
                    s.add(multibulk(args), {args});
                    break;
                }
                case 1: {  // inline of plain words
                    Args args(1 + rnd(4));
                    std::string line;
                    for (auto& a : args) {
                        a.resize(1 + rnd(8));
                        for (auto& ch : a) ch = static_cast<char>('a' + rnd(26));
                        line += std::string(rnd(3), ' ') + a + " ";
                    }
                    s.add(line + (rnd(2) ? "\r\n" : "\n"), {args});
                    break;
                }
                case 2:
                    s.add(rnd(2) ? "*0\r\n" : "*-1\r\n", {});
                    break;
                case 3:
                    s.add(rnd(2) ? "\r\n" : "\n", {});
                    break;
                default: {  // big argument, to exercise bulk_remaining-sized reads
                    std::string big(1000 + rnd(5000), 'q');
                    s.add(multibulk({"SET", "big", big}), {{"SET", "big", big}});
                    break;
                }
            }
        }
        FakeClient c(/*compact=*/rnd(4) != 0);
        size_t at = 0;
        while (at < s.bytes.size()) {
            size_t want = 1 + rnd(64);
            size_t hint = c.parser().bulk_remaining(c.buffered());
            if (hint > 0 && rnd(2)) want = hint;  // what Client::on_readable would ask for
            want = std::min(want, s.bytes.size() - at);
            c.read(std::string_view(s.bytes).substr(at, want));
            at += want;
            ASSERT_FALSE(c.error) << "round " << round;
        }
        ASSERT_EQ(c.commands, s.expected) << "round " << round;
        EXPECT_TRUE(c.parser().idle());
    }
}

TEST(RespParserPipeline, ErrorsAreFoundAtEverySplit) {
    struct Case {
        std::string bytes;
        std::vector<Args> before;
        std::string error;
    };
    const std::string ok = "PING\r\n" + multibulk({"GET", "a\r\nb"});
    const std::vector<Args> ok_cmds{{"PING"}, {"GET", "a\r\nb"}};
    const std::vector<Case> cases{
        {ok + "*abc\r\n", ok_cmds, "Protocol error: invalid multibulk length"},
        {ok + "*2\r\n$3\r\nGET\r\nx1\r\n", ok_cmds, "Protocol error: expected '$', got 'x'"},
        {ok + "*2\r\n$3\r\nGET\r\n$-3\r\n", ok_cmds, "Protocol error: invalid bulk length"},
        {ok + "SET a \"b\r\n", ok_cmds, "Protocol error: unbalanced quotes in request"},
        {ok + "SET a 'b'c\r\n", ok_cmds, "Protocol error: unbalanced quotes in request"},
    };
    for (const auto& tc : cases) {
        const std::string bytes = tc.bytes + "PING\r\n";  // never reached
        for (size_t cut = 0; cut <= bytes.size(); ++cut) {
            auto r = feed_split(bytes, {cut});
            ASSERT_EQ(r.commands, tc.before) << "cut " << cut;
            ASSERT_EQ(r.error, tc.error) << "cut " << cut;
        }
    }
}

TEST(RespParserPipeline, UnauthenticatedErrorsAtEverySplit) {
    RequestParser::Limits unauth;
    unauth.authenticated = false;
    const std::string ok = multibulk({"AUTH", "pw"});
    for (const auto& [tail, error] : std::vector<std::pair<std::string, std::string>>{
             {"*11\r\n", "Protocol error: unauthenticated multibulk length"},
             {"*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"}}) {
        const std::string bytes = ok + tail;
        for (size_t cut = 0; cut <= bytes.size(); ++cut) {
            auto r = feed_split(bytes, {cut}, true, unauth);
            ASSERT_EQ(r.commands, (std::vector<Args>{{"AUTH", "pw"}})) << cut;
            ASSERT_EQ(r.error, error) << cut;
        }
    }
}

}  // namespace
}  // namespace snapstream
