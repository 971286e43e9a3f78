// snapstream-check-aof against Debian's redis-check-aof on the same files: multi-part
// directories written by a real redis-server (appendonly yes, RDB and RESP bases), an
// old-style single appendonly.aof (commands, and with an RDB preamble), truncated and
// corrupted copies. Same verdicts (exit codes, "AOF analyzed:" lines), --fix with "y" cuts a
// torn tail to the same size, and a corruption followed by more data is never "fixed" by ours.
// Also: redis-check-aof and redis-server accept files carrying our #SO/#SC annotations.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "persistence/command_stream.h"
#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

ProcessResult run_ours(const std::vector<std::string>& args, std::string_view input = "") {
    std::vector<std::string> argv{SNAPSTREAM_CHECK_AOF_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, input, Ms(60000));
}

ProcessResult run_redis(const std::vector<std::string>& args, std::string_view input = "") {
    std::vector<std::string> argv{find_in_path("redis-check-aof")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, input, Ms(60000));
}

// The "AOF analyzed: ..." lines of a report, in order.
std::vector<std::string> analyzed_lines(const std::string& out) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while ((pos = out.find("AOF analyzed:", pos)) != std::string::npos) {
        const size_t eol = out.find('\n', pos);
        lines.push_back(out.substr(pos, eol - pos));
        pos = eol;
    }
    return lines;
}

void write_bytes(const std::string& path, std::string_view bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The manifest's file names by type, in manifest order.
struct Layout {
    std::string base;
    std::vector<std::string> incr;
};
Layout read_layout(const std::string& manifest_path) {
    Layout l;
    std::ifstream f(manifest_path);
    std::string word, name, seq_kw, seq, type_kw, type;
    while (f >> word >> name >> seq_kw >> seq >> type_kw >> type) {
        if (type == "b") l.base = name;
        if (type == "i") l.incr.push_back(name);
    }
    return l;
}

class CheckAofTool : public ::testing::Test {
  protected:
    // Runs redis-server with appendonly yes in `dir`: a workload with MULTI blocks, a
    // BGREWRITEAOF (so the BASE holds data), more writes; then shuts it down cleanly.
    static void make_redis_aof(const std::string& dir, bool rdb_preamble) {
        ServerProcess::Options o;
        o.binary = redis_binary();
        o.name = "redis";
        o.dir = dir;
        o.extra_args = {"--appendonly", "yes", "--aof-use-rdb-preamble",
                        rdb_preamble ? "yes" : "no"};
        auto redis = ServerProcess::start(o);
        RespClient c(redis->port(), Ms(30000));
        auto writes = [&](int round) {
            for (int i = 0; i < 40; ++i) {
                const std::string k = "k" + std::to_string(round) + ":" + std::to_string(i);
                c.command({"SET", k, std::string(static_cast<size_t>(i * 7), 'v')});
                c.command({"RPUSH", "list" + std::to_string(i % 3), k, "x\r\ny"});
                if (i % 10 == 0) {
                    ASSERT_TRUE(c.command({"MULTI"}).is_string("OK"));
                    c.command({"INCR", "counter"});
                    c.command({"HSET", "h" + k, "f", "v"});
                    c.command({"SADD", "set", k});
                    ASSERT_TRUE(c.command({"EXEC"}).is_array());
                }
            }
            c.command({"PEXPIRE", "list0", "100000000"});
        };
        writes(1);
        ASSERT_FALSE(c.command({"BGREWRITEAOF"}).is_error());
        ASSERT_TRUE(wait_until(
            [&] {
                const std::string info = c.command({"INFO", "persistence"}).str;
                return info_field(info, "aof_rewrite_in_progress") == "0" &&
                       info_field(info, "aof_rewrite_scheduled") == "0" &&
                       info_field(info, "aof_last_bgrewrite_status") == "ok";
            },
            Ms(30000)));
        writes(2);
        redis->stop();
    }

    static void SetUpTestSuite() {
        rdb_dir_ = new TempDir();
        resp_dir_ = new TempDir();
        make_redis_aof(rdb_dir_->path(), true);
        make_redis_aof(resp_dir_->path(), false);
    }
    static void TearDownTestSuite() {
        delete rdb_dir_;
        delete resp_dir_;
        rdb_dir_ = nullptr;
        resp_dir_ = nullptr;
    }

    // A private copy of a redis-made appendonlydir; returns its manifest path.
    std::string copy_dir(const TempDir& from, const std::string& to_name) {
        const std::string to = work_.path() + "/" + to_name;
        fs::copy(from.path() + "/appendonlydir", to, fs::copy_options::recursive);
        return to + "/appendonly.aof.manifest";
    }

    // Both tools on their own copies of the same directory content (the same file names).
    struct Both {
        ProcessResult ours, redis;
        std::string ours_manifest, redis_manifest;
    };
    Both run_both_on_dirs(const TempDir& src, const std::function<void(const std::string&)>& edit,
                          const std::vector<std::string>& flags, std::string_view input = "") {
        static int n = 0;
        ++n;
        Both b;
        b.ours_manifest = copy_dir(src, "ours" + std::to_string(n));
        b.redis_manifest = copy_dir(src, "redis" + std::to_string(n));
        edit(fs::path(b.ours_manifest).parent_path().string());
        edit(fs::path(b.redis_manifest).parent_path().string());
        std::vector<std::string> a = flags;
        a.push_back(b.ours_manifest);
        b.ours = run_ours(a, input);
        a.back() = b.redis_manifest;
        b.redis = run_redis(a, input);
        return b;
    }

    void SetUp() override {
        if (find_in_path("redis-check-aof").empty()) GTEST_SKIP() << "no redis-check-aof";
    }

    static TempDir* rdb_dir_;
    static TempDir* resp_dir_;
    TempDir work_;
};
TempDir* CheckAofTool::rdb_dir_ = nullptr;
TempDir* CheckAofTool::resp_dir_ = nullptr;

std::string report(const ProcessResult& r) {
    return r.describe() + "\n" + r.out + r.err;
}

TEST_F(CheckAofTool, ValidMultiPartDirectoriesAgree) {
    for (TempDir* src : {rdb_dir_, resp_dir_}) {
        const Layout l = read_layout(src->path() + "/appendonlydir/appendonly.aof.manifest");
        ASSERT_FALSE(l.base.empty());
        ASSERT_FALSE(l.incr.empty());
        EXPECT_EQ(l.base.ends_with(".rdb"), src == rdb_dir_) << l.base;
        const Both b = run_both_on_dirs(*src, [](const std::string&) {}, {});
        ASSERT_EQ(b.redis.exit_code(), 0) << report(b.redis);
        ASSERT_EQ(b.ours.exit_code(), 0) << report(b.ours);
        EXPECT_NE(b.ours.out.find("All AOF files and manifest are valid"), std::string::npos);
        EXPECT_NE(b.ours.out.find("BASE AOF " + l.base + " is valid"), std::string::npos)
            << b.ours.out;
        EXPECT_NE(b.ours.out.find("INCR AOF " + l.incr.back() + " is valid"), std::string::npos)
            << b.ours.out;
        EXPECT_NE(b.ours.out.find(std::string("Start to check BASE AOF (") +
                                  (src == rdb_dir_ ? "RDB" : "RESP") + " format)."),
                  std::string::npos);
        EXPECT_EQ(analyzed_lines(b.ours.out), analyzed_lines(b.redis.out)) << b.redis.out;
        EXPECT_EQ(analyzed_lines(b.ours.out).size(), 2u) << b.ours.out;
    }
}

TEST_F(CheckAofTool, TruncatedLastIncrAgreesAndFixesToTheSameSize) {
    for (TempDir* src : {rdb_dir_, resp_dir_}) {
        const Layout l = read_layout(src->path() + "/appendonlydir/appendonly.aof.manifest");
        const std::string incr = read_file(src->path() + "/appendonlydir/" + l.incr.back());
        ASSERT_GT(incr.size(), 1000u);
        // Inside the last command, inside a MULTI block (the last one starts at its "MULTI"),
        // in the middle, a few bytes in.
        const size_t last_multi = incr.rfind("*1\r\n$5\r\nMULTI\r\n");
        ASSERT_NE(last_multi, std::string::npos);
        for (const size_t keep : {incr.size() - 1, incr.size() - 2, incr.size() / 2,
                                  last_multi + 20, last_multi + 40, size_t{3}}) {
            SCOPED_TRACE("keep " + std::to_string(keep));
            auto cut = [&](const std::string& dir) {
                fs::resize_file(dir + "/" + l.incr.back(), keep);
            };
            const Both check = run_both_on_dirs(*src, cut, {});
            EXPECT_EQ(check.redis.exit_code(), 1) << report(check.redis);
            EXPECT_EQ(check.ours.exit_code(), 1) << report(check.ours);
            EXPECT_NE(check.ours.out.find("is not valid. Use the --fix option"), std::string::npos)
                << check.ours.out;
            EXPECT_NE(check.ours.out.find("Unexpected end of data in AOF " + l.incr.back()),
                      std::string::npos)
                << check.ours.out;
            EXPECT_EQ(analyzed_lines(check.ours.out), analyzed_lines(check.redis.out))
                << check.redis.out;

            const Both fixed = run_both_on_dirs(*src, cut, {"--fix"}, "y\n");
            ASSERT_EQ(fixed.redis.exit_code(), 0) << report(fixed.redis);
            ASSERT_EQ(fixed.ours.exit_code(), 0) << report(fixed.ours);
            EXPECT_NE(fixed.ours.out.find("Successfully truncated AOF " + l.incr.back()),
                      std::string::npos)
                << fixed.ours.out;
            EXPECT_NE(fixed.ours.out.find("Continue? [y/N]: "), std::string::npos);
            const auto dir_of = [](const std::string& m) {
                return fs::path(m).parent_path().string();
            };
            const std::string ours_file = dir_of(fixed.ours_manifest) + "/" + l.incr.back();
            const std::string redis_file = dir_of(fixed.redis_manifest) + "/" + l.incr.back();
            EXPECT_EQ(fs::file_size(ours_file), fs::file_size(redis_file));
            EXPECT_EQ(read_file(ours_file), read_file(redis_file));
            // Both accept the result.
            EXPECT_EQ(run_ours({fixed.ours_manifest}).exit_code(), 0);
            EXPECT_EQ(run_redis({fixed.ours_manifest}).exit_code(), 0);

            // Answering anything but "y" leaves the file alone.
            const Both no = run_both_on_dirs(*src, cut, {"--fix"}, "n\n");
            EXPECT_EQ(no.ours.exit_code(), 1);
            EXPECT_EQ(no.redis.exit_code(), 1);
            EXPECT_EQ(fs::file_size(dir_of(no.ours_manifest) + "/" + l.incr.back()), keep);
        }
    }
}

TEST_F(CheckAofTool, CorruptionInTheMiddleIsNeverFixed) {
    const Layout l = read_layout(resp_dir_->path() + "/appendonlydir/appendonly.aof.manifest");
    const std::string incr = read_file(resp_dir_->path() + "/appendonlydir/" + l.incr.back());
    const size_t at = incr.find("\r\n$", incr.size() / 2);  // a CRLF mid-file
    ASSERT_NE(at, std::string::npos);
    auto damage = [&](const std::string& dir) {
        std::string bytes = incr;
        bytes[at] = 'X';
        write_bytes(dir + "/" + l.incr.back(), bytes);
    };
    const Both check = run_both_on_dirs(*resp_dir_, damage, {});
    EXPECT_EQ(check.redis.exit_code(), 1) << report(check.redis);
    EXPECT_EQ(check.ours.exit_code(), 1) << report(check.ours);
    EXPECT_NE(check.ours.out.find("Bad data in AOF " + l.incr.back() + " at offset " +
                                  std::to_string(at)),
              std::string::npos)
        << check.ours.out;
    EXPECT_EQ(analyzed_lines(check.ours.out), analyzed_lines(check.redis.out)) << check.redis.out;

    // redis-check-aof would cut there (dropping everything after); ours refuses.
    const Both fixed = run_both_on_dirs(*resp_dir_, damage, {"--fix"}, "y\n");
    EXPECT_EQ(fixed.ours.exit_code(), 1) << report(fixed.ours);
    EXPECT_NE(fixed.ours.out.find("Refusing to truncate"), std::string::npos) << fixed.ours.out;
    EXPECT_EQ(fs::file_size(fs::path(fixed.ours_manifest).parent_path() / l.incr.back()),
              incr.size());

    // A torn or damaged file that is not the last one: neither tool truncates it.
    auto cut_base = [&](const std::string& dir) {
        fs::resize_file(dir + "/" + l.base, fs::file_size(dir + "/" + l.base) - 3);
    };
    const Both base = run_both_on_dirs(*resp_dir_, cut_base, {"--fix"}, "y\n");
    EXPECT_EQ(base.redis.exit_code(), 1) << report(base.redis);
    EXPECT_EQ(base.ours.exit_code(), 1) << report(base.ours);
    EXPECT_NE(
        base.ours.out.find("Failed to truncate AOF " + l.base + " because it is not the last file"),
        std::string::npos)
        << base.ours.out;
    EXPECT_EQ(analyzed_lines(base.ours.out), analyzed_lines(base.redis.out));
}

// Old-style single files: the commands of a RESP base and an INCR file concatenated
// (appendonly.aof before 7.0), and an RDB base followed by commands (the RDB preamble).
TEST_F(CheckAofTool, OldStyleSingleFilesAgree) {
    for (TempDir* src : {resp_dir_, rdb_dir_}) {
        const Layout l = read_layout(src->path() + "/appendonlydir/appendonly.aof.manifest");
        const std::string whole = read_file(src->path() + "/appendonlydir/" + l.base) +
                                  read_file(src->path() + "/appendonlydir/" + l.incr.back());
        const bool preamble = src == rdb_dir_;
        SCOPED_TRACE(preamble ? "preamble" : "commands");
        const std::string ours_path = work_.write_file("ours.aof", whole);
        const std::string redis_path = work_.write_file("redis.aof", whole);
        ProcessResult ours = run_ours({ours_path});
        ProcessResult redis = run_redis({redis_path});
        ASSERT_EQ(redis.exit_code(), 0) << report(redis);
        ASSERT_EQ(ours.exit_code(), 0) << report(ours);
        EXPECT_NE(ours.out.find("Start checking Old-Style AOF"), std::string::npos);
        EXPECT_NE(ours.out.find("AOF " + ours_path + " is valid"), std::string::npos) << ours.out;
        EXPECT_EQ(ours.out.find("RDB preamble is OK") != std::string::npos, preamble);
        auto strip_name = [](std::vector<std::string> lines, const std::string& name) {
            for (std::string& s : lines) s.replace(s.find(name), name.size(), "F");
            return lines;
        };
        EXPECT_EQ(strip_name(analyzed_lines(ours.out), ours_path),
                  strip_name(analyzed_lines(redis.out), redis_path));

        // Torn tail: same verdict, --fix cuts to the same size.
        for (const size_t keep : {whole.size() - 5, whole.size() - 200}) {
            work_.write_file("ours.aof", whole.substr(0, keep));
            work_.write_file("redis.aof", whole.substr(0, keep));
            ours = run_ours({ours_path});
            redis = run_redis({redis_path});
            EXPECT_EQ(ours.exit_code(), 1);
            EXPECT_EQ(redis.exit_code(), 1);
            EXPECT_EQ(strip_name(analyzed_lines(ours.out), ours_path),
                      strip_name(analyzed_lines(redis.out), redis_path));
            ours = run_ours({"--fix", ours_path}, "y\n");
            redis = run_redis({"--fix", redis_path}, "y\n");
            ASSERT_EQ(ours.exit_code(), 0) << report(ours);
            ASSERT_EQ(redis.exit_code(), 0) << report(redis);
            EXPECT_EQ(fs::file_size(ours_path), fs::file_size(redis_path));
            EXPECT_LT(fs::file_size(ours_path), keep);
        }
        // Cut inside the RDB preamble: not sane, never fixable.
        if (preamble) {
            work_.write_file("ours.aof", whole.substr(0, 30));
            ours = run_ours({"--fix", ours_path}, "y\n");
            EXPECT_EQ(ours.exit_code(), 1);
            EXPECT_NE(ours.out.find("RDB preamble of AOF file is not sane"), std::string::npos)
                << ours.out;
            EXPECT_EQ(fs::file_size(ours_path), 30u);
        }
    }
}

TEST_F(CheckAofTool, UsageAndMissingFiles) {
    EXPECT_EQ(run_ours({}).exit_code(), 1);
    EXPECT_EQ(run_ours({"--bogus", "x"}).exit_code(), 1);
    const ProcessResult r = run_ours({work_.path() + "/nope.aof"});
    EXPECT_EQ(r.exit_code(), 1);
    EXPECT_NE(r.out.find("Cannot open file"), std::string::npos) << r.out;
    // An empty file.
    const std::string empty = work_.write_file("empty.aof", "");
    const ProcessResult e = run_ours({empty});
    EXPECT_EQ(e.exit_code(), 0);
    EXPECT_NE(e.out.find("AOF " + empty + " is empty"), std::string::npos) << e.out;
    // A manifest naming a missing file.
    const std::string m = work_.write_file("m.manifest", "file gone.aof seq 1 type b\n");
    const ProcessResult g = run_ours({m});
    EXPECT_EQ(g.exit_code(), 1);
    EXPECT_EQ(run_redis({m}).exit_code(), 1);
}

// Files written with our annotations (#SO first line, #SC batches, Redis's #TS too) pass
// redis-check-aof and load into redis-server.
TEST_F(CheckAofTool, RedisAcceptsOurAnnotations) {
    std::string incr = stream_origin_annotation(4242, "0123456789abcdef0123456789abcdef01234567");
    std::string batch;
    append_command(batch, {"SET", "plain", "1"});
    append_command(batch, {"MULTI"});
    append_command(batch, {"SET", "in-multi", std::string("a\r\n\0b", 5)});
    append_command(batch, {"EXEC"});
    incr += batch_checksum_annotation(batch) + batch;
    incr += "#TS:1700000000\r\n";
    batch.clear();
    append_command(batch, {"RPUSH", "list", "x", "", "y"});
    incr += batch_checksum_annotation(batch) + batch;
    append_command(incr, {"SET", "unbatched", "2"});

    const std::string dir = work_.path() + "/appendonlydir";
    fs::create_directories(dir);
    write_bytes(dir + "/appendonly.aof.1.incr.aof", incr);
    write_bytes(dir + "/appendonly.aof.manifest", "file appendonly.aof.1.incr.aof seq 1 type i\n");
    const ProcessResult redis = run_redis({dir + "/appendonly.aof.manifest"});
    EXPECT_EQ(redis.exit_code(), 0) << report(redis);
    EXPECT_NE(redis.out.find("is valid"), std::string::npos) << redis.out;
    const ProcessResult ours = run_ours({dir + "/appendonly.aof.manifest"});
    EXPECT_EQ(ours.exit_code(), 0) << report(ours);
    EXPECT_EQ(analyzed_lines(ours.out), analyzed_lines(redis.out));
    const std::string single = work_.write_file("annotated.aof", incr);
    EXPECT_EQ(run_redis({single}).exit_code(), 0);

    ServerProcess::Options o;
    o.binary = redis_binary();
    o.name = "redis";
    o.dir = work_.path();
    o.extra_args = {"--appendonly", "yes"};
    auto server = ServerProcess::start(o);
    RespClient c(server->port(), Ms(10000));
    EXPECT_TRUE(c.command({"GET", "plain"}).is_string("1"));
    EXPECT_TRUE(c.command({"GET", "in-multi"}).is_string(std::string("a\r\n\0b", 5)));
    EXPECT_TRUE(c.command({"GET", "unbatched"}).is_string("2"));
    EXPECT_EQ(c.command({"LLEN", "list"}).integer, 3);
    server->stop();
}

}  // namespace
}  // namespace snapstream::test
