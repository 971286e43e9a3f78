#include "replication/sync_payload.h"

#include <gtest/gtest.h>

#include <random>

namespace snapstream {
namespace {

struct Outcome {
    PayloadReceiver::Step step = PayloadReceiver::Step::NeedMore;
    std::string payload, rest, error;
};

// Feeds `wire` in pieces cut at `cuts` (sorted positions).
Outcome receive(const std::string& wire, const std::vector<size_t>& cuts) {
    Outcome o;
    PayloadReceiver r([&](std::string_view b) {
        o.payload.append(b);
        return Status(Ok{});
    });
    size_t at = 0;
    std::vector<size_t> ends = cuts;
    ends.push_back(wire.size());
    for (size_t end : ends) {
        if (end < at) continue;
        o.step = r.feed(std::string_view(wire).substr(at, end - at));
        at = end;
        if (o.step != PayloadReceiver::Step::NeedMore) break;
    }
    o.rest = r.rest() + wire.substr(std::min(at, wire.size()));  // what the caller reads next
    o.error = r.error();
    return o;
}

std::string random_bytes(std::mt19937_64& rng, size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
}

TEST(SyncPayload, BothFormsAtEveryCutPoint) {
    std::mt19937_64 rng(3);
    const std::string rdb = random_bytes(rng, 300);
    const std::string stream = "*1\r\n$4\r\nPING\r\n";
    const std::string mark = new_eof_mark();
    ASSERT_EQ(mark.size(), kEofMarkLen);
    const std::string sized = "\n\n" + sized_payload_header(rdb.size()) + rdb + stream;
    const std::string eof = "\n" + eof_payload_header(mark) + rdb + mark + stream;
    for (const std::string* wire : {&sized, &eof}) {
        for (size_t a = 0; a <= wire->size(); ++a) {
            const size_t b = std::min(wire->size(), a + 1 + rng() % 60);
            Outcome o = receive(*wire, {a, b});
            ASSERT_EQ(o.step, PayloadReceiver::Step::Done) << "cut " << a << "," << b;
            ASSERT_EQ(o.payload, rdb) << "cut " << a;
            ASSERT_EQ(o.rest, stream) << "cut " << a;
        }
    }
}

TEST(SyncPayload, ByteByByteEofMarkNeverLeaksIntoThePayload) {
    std::mt19937_64 rng(4);
    const std::string rdb = random_bytes(rng, 100);
    const std::string mark = new_eof_mark();
    const std::string wire = eof_payload_header(mark) + rdb + mark;
    std::vector<size_t> cuts;
    for (size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
    Outcome o = receive(wire, cuts);
    EXPECT_EQ(o.step, PayloadReceiver::Step::Done);
    EXPECT_EQ(o.payload, rdb);
    EXPECT_EQ(o.rest, "");
}

TEST(SyncPayload, EmptySizedPayloadAndBadHeaders) {
    Outcome o = receive("$0\r\nrest", {});
    EXPECT_EQ(o.step, PayloadReceiver::Step::Done);
    EXPECT_EQ(o.rest, "rest");
    for (const char* bad : {"+OK\r\n", "$12x\r\n", "$EOF:short\r\n", "-ERR no\r\n"}) {
        Outcome b = receive(bad, {});
        EXPECT_EQ(b.step, PayloadReceiver::Step::Failed) << bad;
        EXPECT_FALSE(b.error.empty());
    }
    Outcome partial = receive("$10\r\n12345", {});
    EXPECT_EQ(partial.step, PayloadReceiver::Step::NeedMore);
}

TEST(SyncPayload, SinkFailureStopsTheTransfer) {
    PayloadReceiver r(
        [](std::string_view) { return Status(make_error("No space left on device")); });
    EXPECT_EQ(r.feed("$3\r\nabc"), PayloadReceiver::Step::Failed);
    EXPECT_EQ(r.error(), "No space left on device");
}

}  // namespace
}  // namespace snapstream
