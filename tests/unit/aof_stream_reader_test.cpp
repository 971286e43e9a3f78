#include "persistence/aof_stream_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "persistence/command_stream.h"
#include "tests/support/server_process.h"

namespace snapstream {
namespace {

const std::string kId1(40, 'a');
const std::string kId2(40, 'b');

std::string cmd(std::initializer_list<std::string_view> argv) {
    std::string s;
    append_command(s, argv);
    return s;
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream(path, std::ios::binary) << data;
}

AofFileInfo incr(const std::string& name, int64_t seq) {
    AofFileInfo f;
    f.name = name;
    f.seq = seq;
    f.type = AofFileType::Incr;
    return f;
}

// Two INCR files: the stream continues across them; annotations and #XS SELECTs are not
// stream bytes; a mid-file #SO (id change) is skipped too.
TEST(AofStreamReader, ReadsTheStreamBackFromAnyCommandBoundary) {
    test::TempDir dir;
    const std::string a = cmd({"SELECT", "0"}), b = cmd({"SET", "k", "v"}), c = cmd({"INCR", "n"}),
                      d = cmd({"SELECT", "2"}), e = cmd({"DEL", "k"});
    const uint64_t origin = 1000;
    write_file(dir.path() + "/f1",
               stream_origin_annotation(origin, kId1) + a + b + batch_checksum_annotation(c) + c +
                   stream_origin_annotation(origin + a.size() + b.size() + c.size(), kId2));
    const uint64_t second = origin + a.size() + b.size() + c.size();
    write_file(dir.path() + "/f2",
               stream_origin_annotation(second, kId2) + outside_select(5) + d + e);
    AofManifest m;
    m.incr = {incr("f1", 1), incr("f2", 2)};
    const std::string whole = a + b + c + d + e;
    const uint64_t end = origin + whole.size();
    std::vector<uint64_t> boundaries = {0,
                                        a.size(),
                                        a.size() + b.size(),
                                        a.size() + b.size() + c.size(),
                                        a.size() + b.size() + c.size() + d.size(),
                                        whole.size()};
    for (uint64_t at : boundaries) {
        std::string out = "x";
        Status r = read_stream_from_incr_files(dir.path(), m, origin + at, end, 1 << 20, out);
        ASSERT_TRUE(r.ok()) << at << ": " << r.error();
        EXPECT_EQ(out, "x" + whole.substr(at)) << at;
    }
    std::string out;
    EXPECT_FALSE(read_stream_from_incr_files(dir.path(), m, origin + 3, end, 1 << 20, out).ok())
        << "inside a command";
    EXPECT_FALSE(read_stream_from_incr_files(dir.path(), m, origin - 1, end, 1 << 20, out).ok())
        << "before the first file";
    EXPECT_FALSE(read_stream_from_incr_files(dir.path(), m, origin, end + 1, 1 << 20, out).ok())
        << "the files end before the stream";
    EXPECT_FALSE(read_stream_from_incr_files(dir.path(), m, origin, end, 10, out).ok())
        << "over the limit";
    EXPECT_EQ(out, "");
}

TEST(AofStreamReader, ScannerKeepsOutsideSelectsAndIdChangesOutOfTheStream) {
    const std::string s = stream_origin_annotation(7, kId1) + outside_select(3) +
                          cmd({"SET", "a", "1"}) + stream_origin_annotation(99, kId2) +
                          cmd({"DEL", "a"});
    AofScanner sc(std::span<const char>(s.data(), s.size()));
    std::vector<std::string_view> argv;
    ASSERT_EQ(sc.next(argv), AofScanner::Step::Command);
    EXPECT_EQ(argv[0], "SELECT");
    EXPECT_TRUE(sc.outside_stream());
    ASSERT_EQ(sc.next(argv), AofScanner::Step::Command);
    EXPECT_FALSE(sc.outside_stream());
    ASSERT_EQ(sc.next(argv), AofScanner::Step::Command);
    EXPECT_EQ(argv[0], "DEL");
    EXPECT_EQ(sc.next(argv), AofScanner::Step::End);
    EXPECT_EQ(sc.stream_bytes(), cmd({"SET", "a", "1"}).size() + cmd({"DEL", "a"}).size());
    ASSERT_TRUE(sc.origin());
    EXPECT_EQ(sc.origin()->offset, 7u);    // where the file starts
    EXPECT_EQ(sc.origin()->replid, kId2);  // the id in force at its end
}

}  // namespace
}  // namespace snapstream
