#include "persistence/command_stream.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "persistence/crc64.h"

namespace snapstream {
namespace {

using Argv = std::vector<std::string>;
using Step = AofScanner::Step;

const std::string kReplid = "0123456789abcdef0123456789abcdef01234567";

std::string encode(const Argv& argv) {
    std::vector<std::string_view> views(argv.begin(), argv.end());
    std::string out;
    append_command(out, views);
    return out;
}

// Everything a scan of `data` yields: the commands, then the final step.
struct ScanResult {
    std::vector<Argv> commands;
    Step step = Step::End;
    uint64_t valid_up_to = 0;
    uint64_t error_offset = 0;
    std::string error;
};

ScanResult scan(std::span<const char> data) {
    AofScanner s(data);
    ScanResult r;
    std::vector<std::string_view> argv;
    // Bounded: every Command step consumes at least 4 bytes.
    for (size_t i = 0; i <= data.size(); ++i) {
        r.step = s.next(argv);
        if (r.step != Step::Command) break;
        r.commands.emplace_back(argv.begin(), argv.end());
    }
    r.valid_up_to = s.valid_up_to();
    r.error_offset = s.error_offset();
    r.error = s.error();
    return r;
}
ScanResult scan(const std::string& data) {
    return scan(std::span<const char>(data));
}

// A copy of some bytes placed so that they end exactly where an inaccessible page starts: a
// scanner reading one byte too far faults.
class GuardedBytes {
  public:
    explicit GuardedBytes(std::string_view bytes) {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        data_pages_ = (bytes.size() + page - 1) / page;
        len_ = (data_pages_ + 1) * page;
        void* m = mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) throw std::runtime_error("mmap");
        base_ = static_cast<char*>(m);
        mprotect(base_ + data_pages_ * page, page, PROT_NONE);
        begin_ = base_ + data_pages_ * page - bytes.size();
        if (!bytes.empty()) std::memcpy(begin_, bytes.data(), bytes.size());
        size_ = bytes.size();
    }
    ~GuardedBytes() { munmap(base_, len_); }
    GuardedBytes(const GuardedBytes&) = delete;
    GuardedBytes& operator=(const GuardedBytes&) = delete;
    std::span<const char> span() const { return {begin_, size_}; }

  private:
    char* base_ = nullptr;
    char* begin_ = nullptr;
    size_t len_ = 0;
    size_t data_pages_ = 0;
    size_t size_ = 0;
};

// Builds a sample stream and records, as it goes, the offsets at which the data may end cleanly
// (the scanner's cut points): between units, outside MULTI blocks, never inside a batch.
class SampleBuilder {
  public:
    SampleBuilder() { cuts_.insert(0); }

    void annotation(const std::string& line) {
        add_range(line);
        data_ += line;
        note_end();
    }
    void command(const Argv& argv) {
        track(argv);
        commands_.push_back(argv);
        data_ += encode(argv);
        note_end();
    }
    void batch(const std::vector<Argv>& cmds) {
        std::string body;
        for (const Argv& a : cmds) {
            track(a);
            commands_.push_back(a);
            body += encode(a);
        }
        const std::string line = batch_checksum_annotation(body);
        add_range(line);
        batch_ranges_.emplace_back(data_.size() + line.size(), body.size());
        data_ += line;
        data_ += body;
        note_end();
    }

    const std::string& data() const { return data_; }
    const std::vector<Argv>& commands() const { return commands_; }
    const std::set<uint64_t>& cuts() const { return cuts_; }
    uint64_t cut_before(uint64_t k) const { return *std::prev(cuts_.upper_bound(k)); }
    bool in_annotation(uint64_t i) const {
        for (const auto& [start, len] : annotations_)
            if (i >= start && i < start + len) return true;
        return false;
    }
    bool in_batch_body(uint64_t i) const {
        for (const auto& [start, len] : batch_ranges_)
            if (i >= start && i < start + len) return true;
        return false;
    }

  private:
    void track(const Argv& a) {
        if (a[0] == "MULTI" || a[0] == "multi") in_multi_ = true;
        if (a[0] == "EXEC" || a[0] == "exec") in_multi_ = false;
    }
    void note_end() {
        if (!in_multi_) cuts_.insert(data_.size());
    }
    void add_range(const std::string& line) {
        annotations_.emplace_back(data_.size(), line.size());
    }

    std::string data_;
    std::vector<Argv> commands_;
    std::set<uint64_t> cuts_;
    std::vector<std::pair<uint64_t, uint64_t>> annotations_;
    std::vector<std::pair<uint64_t, uint64_t>> batch_ranges_;
    bool in_multi_ = false;
};

SampleBuilder mixed_sample() {
    SampleBuilder b;
    b.annotation(stream_origin_annotation(123456, kReplid));
    b.command({"SELECT", "0"});
    b.command({"SET", "key", std::string("v\r\n\0x", 5)});
    b.annotation("#TS:1700000000\r\n");
    b.command({"MULTI"});
    b.command({"INCR", "counter"});
    b.annotation("#TS:1700000001\r\n");
    b.command({"LPUSH", "list", "", "b"});
    b.command({"EXEC"});
    b.batch({{"SET", "a", "1"}, {"DEL", "b"}});
    b.batch({{"SET", "c", "2"}, {"multi"}, {"INCRBY", "n", "5"}});  // block open across batches
    b.batch({{"SADD", "s", "x", "y"}, {"exec"}});
    b.command({"PEXPIREAT", "a", "1700000000000"});
    b.batch({{"MULTI"}, {"SET", "t", "u"}, {"EXEC"}, {"PING"}});
    b.command({"DEL", "z"});
    return b;
}

SampleBuilder checksummed_sample() {
    SampleBuilder b;
    b.annotation(stream_origin_annotation(0, kReplid));
    b.batch({{"SELECT", "0"}, {"SET", "k", "v"}});
    b.batch({{"MULTI"}, {"INCR", "c"}});
    b.batch({{"HSET", "h", "f", std::string(300, 'x')}, {"EXEC"}});
    b.batch({{"DEL", "k"}});
    return b;
}

// --- Encoding ------------------------------------------------------------------------------

TEST(CommandStream, EncodesRespArrays) {
    std::string out = "prefix";
    append_command(out, {"SET", "k", "v"});
    EXPECT_EQ(out, "prefix*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    out.clear();
    append_command(out, {"X", "", std::string_view("a\0b", 3)});
    EXPECT_EQ(out, std::string("*3\r\n$1\r\nX\r\n$0\r\n\r\n$3\r\na\0b\r\n", 26));
    const std::string big(1234567, 'q');
    std::vector<std::string_view> argv(12, "ab");
    argv.push_back(big);
    out.clear();
    append_command(out, argv);
    EXPECT_EQ(out.size(), encoded_command_size(argv));
    EXPECT_TRUE(out.starts_with("*13\r\n$2\r\nab\r\n"));
    EXPECT_NE(out.find("$1234567\r\nqq"), std::string::npos);
}

TEST(CommandStream, SizeMatchesEncodingForAllDigitCounts) {
    for (const size_t len : {0, 1, 9, 10, 99, 100, 999, 1000, 10000, 100000}) {
        const std::string arg(len, 'z');
        const std::vector<std::string_view> argv{"CMD", arg};
        std::string out;
        append_command(out, argv);
        EXPECT_EQ(out.size(), encoded_command_size(argv)) << len;
        EXPECT_EQ(out, "*2\r\n$3\r\nCMD\r\n$" + std::to_string(len) + "\r\n" + arg + "\r\n");
    }
}

TEST(CommandStream, AnnotationBuilders) {
    EXPECT_EQ(stream_origin_annotation(0, kReplid), "#SO:0:" + kReplid + "\r\n");
    EXPECT_EQ(stream_origin_annotation(18446744073709551615ull, kReplid),
              "#SO:18446744073709551615:" + kReplid + "\r\n");
    EXPECT_EQ(batch_checksum_annotation(""), "#SC:0:0000000000000000\r\n");
    EXPECT_EQ(batch_checksum_annotation("123456789"), "#SC:9:e9c6d914c4b8d9ca\r\n");
}

// --- Scanning ------------------------------------------------------------------------------

TEST(CommandStream, RandomRoundTrips) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 50; ++round) {
        std::string data;
        std::vector<Argv> expected;
        for (int c = 0; c < 40; ++c) {
            Argv argv;
            const size_t argc = 1 + rng() % 6;
            for (size_t i = 0; i < argc; ++i) {
                const size_t kind = rng() % 4;
                size_t len = kind == 0 ? 0 : kind == 1 ? rng() % 4 : rng() % 200;
                if (rng() % 50 == 0) len = 5000 + rng() % 20000;
                std::string a(len, '\0');
                for (char& ch : a) ch = static_cast<char>(rng());
                argv.push_back(std::move(a));
            }
            // Never MULTI/EXEC by accident, so every command is its own unit.
            if (argv[0].size() == 4 || argv[0].size() == 5) argv[0] += "_";
            expected.push_back(argv);
            data += encode(argv);
            if (rng() % 8 == 0) data += "#TS:" + std::to_string(rng() % 100000) + "\r\n";
        }
        AofScanner s(data);
        std::vector<std::string_view> argv;
        size_t n = 0;
        uint64_t bytes = 0;
        Step step;
        while ((step = s.next(argv)) == Step::Command) {
            ASSERT_LT(n, expected.size());
            ASSERT_EQ(Argv(argv.begin(), argv.end()), expected[n]) << "round " << round;
            bytes += encode(expected[n]).size();
            EXPECT_EQ(s.position() - s.command_offset(), encode(expected[n]).size());
            EXPECT_EQ(s.stream_bytes(), bytes);
            ++n;
        }
        EXPECT_EQ(step, Step::End) << s.error();
        EXPECT_EQ(n, expected.size());
        EXPECT_EQ(s.position(), data.size());
        EXPECT_EQ(s.valid_up_to(), data.size());
        EXPECT_FALSE(s.origin().has_value());
        EXPECT_FALSE(s.checksummed());
    }
}

TEST(CommandStream, SampleScansWholeWithOriginAndBatches) {
    const SampleBuilder b = mixed_sample();
    AofScanner s(b.data());
    std::vector<std::string_view> argv;
    std::vector<Argv> got;
    Step step;
    while ((step = s.next(argv)) == Step::Command) got.emplace_back(argv.begin(), argv.end());
    ASSERT_EQ(step, Step::End) << s.error();
    EXPECT_EQ(got, b.commands());
    ASSERT_TRUE(s.origin().has_value());
    EXPECT_EQ(s.origin()->offset, 123456u);
    EXPECT_EQ(s.origin()->replid, kReplid);
    EXPECT_TRUE(s.checksummed());
    EXPECT_FALSE(s.in_multi());
    uint64_t command_bytes = 0;
    for (const Argv& a : b.commands()) command_bytes += encode(a).size();
    EXPECT_EQ(s.stream_bytes(), command_bytes);
    EXPECT_EQ(s.valid_up_to(), b.data().size());
}

// Every prefix of the sample: End exactly at the cut points, Truncated elsewhere with
// valid_up_to at the last cut point, never a byte read past the prefix.
void check_every_prefix(const SampleBuilder& b) {
    const std::string& data = b.data();
    for (size_t k = 0; k <= data.size(); ++k) {
        GuardedBytes g(std::string_view(data).substr(0, k));
        const ScanResult r = scan(g.span());
        const uint64_t cut = b.cut_before(k);
        if (b.cuts().count(k) != 0) {
            ASSERT_EQ(r.step, Step::End) << "prefix " << k << ": " << r.error;
        } else {
            ASSERT_EQ(r.step, Step::Truncated) << "prefix " << k << ": " << r.error;
            EXPECT_FALSE(r.error.empty());
            EXPECT_LE(r.error_offset, k);
        }
        ASSERT_EQ(r.valid_up_to, cut) << "prefix " << k;
        // Cutting there leaves a clean stream holding the commands returned before it.
        const ScanResult again = scan(data.substr(0, cut));
        ASSERT_EQ(again.step, Step::End) << "cut " << cut;
        ASSERT_LE(again.commands.size(), r.commands.size());
        for (size_t i = 0; i < again.commands.size(); ++i)
            ASSERT_EQ(again.commands[i], r.commands[i]);
    }
}

TEST(CommandStream, TruncationAtEveryOffsetOfTheMixedSample) {
    check_every_prefix(mixed_sample());
}
TEST(CommandStream, TruncationAtEveryOffsetOfTheChecksummedSample) {
    check_every_prefix(checksummed_sample());
}

// A flipped byte never goes unnoticed: the scan fails, or yields other commands; only a flip
// inside an annotation line may leave the commands as they were.
void check_single_byte_flips(const SampleBuilder& b, bool checksummed) {
    const std::string& data = b.data();
    for (size_t i = 0; i < data.size(); ++i) {
        for (const unsigned char mask : {0x01, 0x20, 0x80}) {
            std::string copy = data;
            copy[i] = static_cast<char>(copy[i] ^ mask);
            GuardedBytes g(copy);
            const ScanResult r = scan(g.span());
            if (checksummed && b.in_batch_body(i)) {
                ASSERT_TRUE(r.step == Step::Corrupt || r.step == Step::Truncated)
                    << "flip at " << i << " went unnoticed";
                continue;
            }
            if (r.step != Step::End) continue;
            if (b.in_annotation(i) && r.commands == b.commands()) continue;
            ASSERT_NE(r.commands, b.commands()) << "flip at " << i << " mask " << int(mask);
        }
    }
}

TEST(CommandStream, SingleByteFlipsOfTheMixedSample) {
    check_single_byte_flips(mixed_sample(), false);
}
TEST(CommandStream, SingleByteFlipsOfTheChecksummedSample) {
    check_single_byte_flips(checksummed_sample(), true);
}

TEST(CommandStream, ChecksumMismatchIsTornOnlyAtTheEnd) {
    const std::string b1 = encode({"SET", "a", "1"});
    const std::string b2 = encode({"SET", "b", "2"});
    std::string bad = b2;
    bad[bad.size() - 3] = '3';
    const std::string head = batch_checksum_annotation(b1) + b1;
    // Last batch damaged: a torn final write, cut before its annotation.
    ScanResult r = scan(head + batch_checksum_annotation(b2) + bad);
    EXPECT_EQ(r.step, Step::Truncated);
    EXPECT_EQ(r.valid_up_to, head.size());
    EXPECT_EQ(r.error_offset, head.size());
    EXPECT_NE(r.error.find("checksum mismatch"), std::string::npos) << r.error;
    ASSERT_EQ(r.commands.size(), 1u);
    // Followed by anything: corruption.
    r = scan(head + batch_checksum_annotation(b2) + bad + encode({"PING"}));
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_EQ(r.error_offset, head.size());
    // A batch longer than the data: torn.
    r = scan(head + batch_checksum_annotation(b2) + b2.substr(0, 5));
    EXPECT_EQ(r.step, Step::Truncated);
    EXPECT_EQ(r.valid_up_to, head.size());
    // An empty batch is fine.
    r = scan(head + batch_checksum_annotation("") + b2);
    EXPECT_EQ(r.step, Step::End) << r.error;
    EXPECT_EQ(r.commands.size(), 2u);
}

TEST(CommandStream, BatchContentMustBeWholeCommands) {
    const std::string c1 = encode({"SET", "a", "1"});
    const std::string c2 = encode({"SET", "b", "2"});
    // The batch covers half of the second command.
    const std::string part = c1 + c2.substr(0, 6);
    ScanResult r = scan(batch_checksum_annotation(part) + part + c2.substr(6));
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_NE(r.error.find("batch"), std::string::npos) << r.error;
    // An annotation inside a batch.
    const std::string with_note = c1 + "#TS:1\r\n" + c2;
    r = scan(batch_checksum_annotation(with_note) + with_note);
    EXPECT_EQ(r.step, Step::Corrupt);
    // Malformed #SC lines.
    for (const std::string_view line :
         {"#SC:x:0000000000000000\r\n", "#SC:1:00000000000000\r\n", "#SC:1\r\n",
          "#SC:1:000000000000000G\r\n", "#SC::0000000000000000\r\n"}) {
        r = scan(std::string(line) + c1);
        EXPECT_EQ(r.step, Step::Corrupt) << line;
    }
}

TEST(CommandStream, AnnotationLines) {
    const std::string cmd = encode({"PING"});
    // Redis's own timestamp annotations, and anything else starting with '#'.
    ScanResult r = scan("#TS:1700000000\r\n" + cmd + "#anything at all\r\n" + cmd + "#\r\n");
    EXPECT_EQ(r.step, Step::End) << r.error;
    EXPECT_EQ(r.commands.size(), 2u);
    // Up to 1023 bytes including the CRLF (what Redis reads as one line), not one more.
    const std::string longest = "#" + std::string(1020, 'a') + "\r\n";
    ASSERT_EQ(longest.size(), 1023u);
    r = scan(longest + cmd);
    EXPECT_EQ(r.step, Step::End) << r.error;
    r = scan("#" + std::string(1021, 'a') + "\r\n" + cmd);
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_EQ(r.error_offset, 0u);
    // A bare \n: not what any writer produces.
    r = scan(cmd + "#TS:1\n" + cmd);
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_EQ(r.error_offset, cmd.size() + 5);
    // Cut inside a long annotation (no \n yet, fewer than 1023 bytes left): torn.
    r = scan(cmd + "#" + std::string(900, 'a'));
    EXPECT_EQ(r.step, Step::Truncated);
    EXPECT_EQ(r.valid_up_to, cmd.size());
}

TEST(CommandStream, OriginOnlyOnTheFirstLine) {
    const std::string cmd = encode({"PING"});
    std::vector<std::string_view> argv;
    ScanResult r = scan(cmd + stream_origin_annotation(5, kReplid) + cmd);
    EXPECT_EQ(r.step, Step::End);
    {
        const std::string data = cmd + stream_origin_annotation(5, kReplid);
        AofScanner later(data);
        while (later.next(argv) == Step::Command) {
        }
        EXPECT_FALSE(later.origin().has_value());
    }
    for (const std::string& bad :
         {"#SO:12:" + kReplid.substr(1) + "\r\n", "#SO:x:" + kReplid + "\r\n",
          "#SO:" + kReplid + "\r\n",
          std::string("#SO:1:0123456789ABCDEF0123456789abcdef01234567\r\n")}) {
        r = scan(bad + cmd);
        EXPECT_EQ(r.step, Step::Corrupt) << bad;
        EXPECT_EQ(r.error_offset, 0u);
    }
    // The origin line alone is a clean (empty) stream.
    const std::string only = stream_origin_annotation(77, kReplid);
    AofScanner o(only);
    EXPECT_EQ(o.next(argv), Step::End);
    ASSERT_TRUE(o.origin().has_value());
    EXPECT_EQ(o.origin()->offset, 77u);
    EXPECT_EQ(o.stream_bytes(), 0u);
    EXPECT_EQ(o.valid_up_to(), only.size());
}

TEST(CommandStream, FormatErrors) {
    const std::string ok = encode({"SET", "k", "v"});
    struct Case {
        std::string data;
        uint64_t offset;
    };
    const std::vector<Case> cases = {
        {ok + "x", ok.size()},
        {ok + "*0\r\n", ok.size()},
        {ok + "*-1\r\n", ok.size() + 1},
        {ok + "*1x\r\n", ok.size() + 2},
        {ok + "*1\n", ok.size() + 2},
        {ok + "*1\r\r", ok.size() + 3},
        {ok + "*1\r\n:3\r\nfoo\r\n", ok.size() + 4},
        {ok + "*1\r\n$-1\r\n", ok.size() + 5},
        {ok + "*1\r\n$ 3\r\nfoo\r\n", ok.size() + 5},
        {ok + "*1\r\n$3\r\nfoo\n\n", ok.size() + 11},
        {ok + "*1\r\n$3\r\nfooo\r\n", ok.size() + 11},
        {ok + "*1\r\n$3\r\nfoo\rx", ok.size() + 11},
        {ok + "*1\r\n$3\r\nfoo" + std::string(1, '\0'), ok.size() + 11},
        {ok + "*1234567890123456789012\r\n", ok.size() + 19},
        {std::string("\0\0\0\0", 4), 0},
    };
    for (const Case& c : cases) {
        const ScanResult r = scan(c.data);
        EXPECT_EQ(r.step, Step::Corrupt) << c.data;
        EXPECT_EQ(r.error_offset, c.offset) << c.data << ": " << r.error;
        EXPECT_FALSE(r.error.empty());
        EXPECT_EQ(r.valid_up_to, c.data.starts_with(ok) ? ok.size() : 0u);
    }
}

TEST(CommandStream, MultiExecNesting) {
    const std::string m = encode({"MULTI"});
    const std::string e = encode({"EXEC"});
    const std::string x = encode({"INCR", "x"});
    ScanResult r = scan(x + m + x + m + x + e);
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_EQ(r.error_offset, x.size() + m.size() + x.size());
    EXPECT_NE(r.error.find("MULTI"), std::string::npos);
    EXPECT_EQ(r.valid_up_to, x.size());
    r = scan(x + e + x);
    EXPECT_EQ(r.step, Step::Corrupt);
    EXPECT_EQ(r.error_offset, x.size());
    EXPECT_NE(r.error.find("EXEC without MULTI"), std::string::npos);
    // Case-insensitive, and an unfinished block is cut before its MULTI.
    r = scan(x + encode({"mUlTi"}) + x + encode({"ExEc"}) + x + m + x);
    EXPECT_EQ(r.step, Step::Truncated);
    EXPECT_EQ(r.commands.size(), 7u);
    EXPECT_EQ(r.valid_up_to, 3 * x.size() + encode({"mUlTi"}).size() + e.size());
    // Only argv[0] counts.
    r = scan(encode({"SET", "MULTI", "EXEC"}));
    EXPECT_EQ(r.step, Step::End);
}

TEST(CommandStream, Limits) {
    AofScanLimits limits;
    limits.max_args = 3;
    limits.max_bulk = 10;
    std::vector<std::string_view> argv;
    const std::string four = encode({"A", "B", "C", "D"});
    AofScanner a(four, limits);
    EXPECT_EQ(a.next(argv), Step::Corrupt);
    const std::string big = encode({"SET", "k", std::string(11, 'v')});
    AofScanner b(big, limits);
    EXPECT_EQ(b.next(argv), Step::Corrupt);
    // A huge declared count with little data is torn, and nothing is reserved for it.
    AofScanner c(std::string_view("*1000000\r\n$3\r\nSET\r\n"));
    EXPECT_EQ(c.next(argv), Step::Truncated);
    EXPECT_LT(argv.capacity(), 100u);
}

TEST(CommandStream, ErrorsAreSticky) {
    const std::string data = encode({"PING"}) + "garbage";
    AofScanner s(data);
    std::vector<std::string_view> argv;
    EXPECT_EQ(s.next(argv), Step::Command);
    EXPECT_EQ(s.next(argv), Step::Corrupt);
    const std::string err = s.error();
    EXPECT_EQ(s.next(argv), Step::Corrupt);
    EXPECT_EQ(s.error(), err);
    EXPECT_EQ(s.position(), encode({"PING"}).size());
}

}  // namespace
}  // namespace snapstream
