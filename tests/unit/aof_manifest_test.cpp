// The Redis 7.0 manifest: names, the exact text Redis writes, what its parser accepts and
// refuses (with the line), quoting, and the transitions a rewrite makes.
#include <gtest/gtest.h>

#include "persistence/aof_manifest.h"

namespace snapstream {
namespace {

AofFileInfo file(std::string name, int64_t seq, AofFileType t) {
    return AofFileInfo{std::move(name), seq, t};
}

TEST(AofManifest, NamesAsRedis) {
    EXPECT_EQ(aof_manifest_name("appendonly.aof"), "appendonly.aof.manifest");
    EXPECT_EQ(aof_temp_manifest_name("appendonly.aof"), "temp-appendonly.aof.manifest");
    EXPECT_EQ(aof_base_name("appendonly.aof", 3, true), "appendonly.aof.3.base.rdb");
    EXPECT_EQ(aof_base_name("appendonly.aof", 3, false), "appendonly.aof.3.base.aof");
    EXPECT_EQ(aof_incr_name("x.aof", 12), "x.aof.12.incr.aof");
}

TEST(AofManifest, SerializeAndParseRoundTrip) {
    AofManifest m;
    m.base = file("appendonly.aof.2.base.rdb", 2, AofFileType::Base);
    m.history = {file("appendonly.aof.1.incr.aof", 1, AofFileType::History),
                 file("appendonly.aof.1.base.rdb", 1, AofFileType::History)};
    m.incr = {file("appendonly.aof.2.incr.aof", 2, AofFileType::Incr),
              file("appendonly.aof.3.incr.aof", 3, AofFileType::Incr)};
    m.curr_base_seq = 2;
    m.curr_incr_seq = 3;
    const std::string text = m.serialize();
    EXPECT_EQ(text,
              "file appendonly.aof.2.base.rdb seq 2 type b\n"
              "file appendonly.aof.1.incr.aof seq 1 type h\n"
              "file appendonly.aof.1.base.rdb seq 1 type h\n"
              "file appendonly.aof.2.incr.aof seq 2 type i\n"
              "file appendonly.aof.3.incr.aof seq 3 type i\n");
    Result<AofManifest> back = parse_aof_manifest(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, m);
}

TEST(AofManifest, QuotedNamesRoundTrip) {
    AofManifest m;
    m.base = file("odd name \"q\"\t.aof", 1, AofFileType::Base);
    m.curr_base_seq = 1;
    const std::string text = m.serialize();
    EXPECT_EQ(text, "file \"odd name \\\"q\\\"\\t.aof\" seq 1 type b\n");
    Result<AofManifest> back = parse_aof_manifest(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->base->name, m.base->name);
}

TEST(AofManifest, CommentsAndUnknownKeysAndOrderOfPairs) {
    Result<AofManifest> m = parse_aof_manifest(
        "# a comment\n"
        "type b seq 5 file a.base.rdb extra 1\n"
        "FILE a.6.incr.aof SEQ 6 TYPE i\n");
    ASSERT_TRUE(m) << m.error();
    EXPECT_EQ(m->base->name, "a.base.rdb");
    EXPECT_EQ(m->curr_base_seq, 5);
    ASSERT_EQ(m->incr.size(), 1u);
    EXPECT_EQ(m->curr_incr_seq, 6);
}

TEST(AofManifest, ErrorsNameTheLine) {
    struct Case {
        const char* text;
        const char* error;
    };
    const Case cases[] = {
        {"", "Found an empty AOF manifest"},
        {"file a seq 1 type b\n\n", "Invalid AOF manifest file format (line 2)"},
        {"file a seq 1\n", "Invalid AOF manifest file format (line 1)"},
        {"file a seq 1 type b x\n", "Invalid AOF manifest file format (line 1)"},
        {"file a seq 0 type b\n", "Invalid AOF manifest file format (line 1)"},
        {"file \"a seq 1 type b\n", "Invalid AOF manifest file format (line 1)"},
        {"file a seq 1 type b\nfile b seq 2 type b\n",
         "Found duplicate base file information (line 2)"},
        {"file a seq 2 type i\nfile b seq 2 type i\n",
         "Found a non-monotonic sequence number (line 2)"},
        {"file a seq 1 type x\n", "Unknown AOF file type (line 1)"},
        {"file dir/a seq 1 type b\n", "File can't be a path, just a filename (line 1)"},
        {"file a seq 1 type b", "The AOF manifest file contains too long line (line 1)"},
    };
    for (const Case& c : cases) {
        Result<AofManifest> m = parse_aof_manifest(c.text);
        ASSERT_FALSE(m) << c.text;
        EXPECT_EQ(m.error(), c.error) << c.text;
    }
    const std::string long_line = "file " + std::string(1100, 'a') + " seq 1 type b\n";
    Result<AofManifest> m = parse_aof_manifest(long_line);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error(), "The AOF manifest file contains too long line (line 1)");
}

TEST(AofManifest, RewriteTransitionsKeepRedisOrder) {
    AofManifest m;
    m.base = file("a.1.base.rdb", 1, AofFileType::Base);
    m.curr_base_seq = 1;
    std::string name;
    m = manifest_with_new_incr(m, "a", name);
    EXPECT_EQ(name, "a.1.incr.aof");
    m = manifest_with_new_incr(m, "a", name);
    m = manifest_with_new_incr(m, "a", name);
    EXPECT_EQ(name, "a.3.incr.aof");
    // A rewrite that started when INCR 3 was opened: 1 and 2 and the old base become history,
    // in the order Redis lists them.
    const AofFileInfo base = file(aof_base_name("a", 2, true), 2, AofFileType::Base);
    AofManifest after = manifest_after_rewrite(m, base, 3);
    EXPECT_EQ(after.serialize(),
              "file a.2.base.rdb seq 2 type b\n"
              "file a.1.incr.aof seq 1 type h\n"
              "file a.2.incr.aof seq 2 type h\n"
              "file a.1.base.rdb seq 1 type h\n"
              "file a.3.incr.aof seq 3 type i\n");
    EXPECT_EQ(after.curr_base_seq, 2);
    EXPECT_EQ(after.curr_incr_seq, 3);
    AofManifest clean = manifest_without_history(after);
    EXPECT_EQ(clean.serialize(),
              "file a.2.base.rdb seq 2 type b\n"
              "file a.3.incr.aof seq 3 type i\n");
    // BGREWRITEAOF with the AOF off: every INCR becomes history.
    AofManifest off = manifest_after_rewrite(clean, file("a.3.base.rdb", 3, AofFileType::Base),
                                             clean.curr_incr_seq + 1);
    EXPECT_TRUE(off.incr.empty());
    EXPECT_EQ(off.history.size(), 2u);
}

}  // namespace
}  // namespace snapstream
