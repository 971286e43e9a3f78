#include "replication/backlog.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace snapstream {
namespace {

// The reference: the whole stream as one string.
std::string tail_from(const std::string& stream, uint64_t psync_offset) {
    return stream.substr(psync_offset - 1);
}

TEST(Backlog, EmptyServesOnlyItsOwnOffset) {
    Backlog b(16, 100);
    EXPECT_EQ(b.start(), 100u);
    EXPECT_EQ(b.first_byte_offset(), 101u);
    EXPECT_TRUE(b.can_serve(101));
    EXPECT_FALSE(b.can_serve(100));
    EXPECT_FALSE(b.can_serve(102));
    std::string out;
    b.copy_from(101, out);
    EXPECT_EQ(out, "");
}

TEST(Backlog, RandomAppendsMatchTheStreamTail) {
    std::mt19937_64 rng(7);
    for (uint64_t cap : {1u, 5u, 64u, 1000u}) {
        Backlog b(cap, 0);
        std::string stream;
        for (int i = 0; i < 400; ++i) {
            std::string chunk(rng() % (cap * 2 + 3), 'x');
            for (char& c : chunk) c = static_cast<char>('a' + rng() % 26);
            b.append(chunk);
            stream += chunk;
            ASSERT_EQ(b.end(), stream.size());
            ASSERT_EQ(b.histlen(), std::min<uint64_t>(cap, stream.size()));
            // Every servable offset gives exactly the stream's tail.
            for (uint64_t off = b.start() + 1; off <= b.end() + 1; off += 1 + rng() % 7) {
                std::string out = "prefix";
                b.copy_from(off, out);
                ASSERT_EQ(out, "prefix" + tail_from(stream, off)) << "cap " << cap;
            }
            ASSERT_FALSE(b.can_serve(b.start()));
            ASSERT_FALSE(b.can_serve(b.end() + 2));
        }
    }
}

TEST(Backlog, ResizeKeepsTheMostRecentBytes) {
    Backlog b(10, 0);
    b.append("0123456789abcdef");  // keeps 6..f
    b.resize(4);
    EXPECT_EQ(b.start(), 12u);
    std::string out;
    b.copy_from(13, out);
    EXPECT_EQ(out, "cdef");
    b.resize(20);
    b.append("gh");
    out.clear();
    b.copy_from(13, out);
    EXPECT_EQ(out, "cdefgh");
    b.reset(500);
    EXPECT_EQ(b.histlen(), 0u);
    EXPECT_TRUE(b.can_serve(501));
}

}  // namespace
}  // namespace snapstream
