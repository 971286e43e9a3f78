// Crash safety of the AOF through the real binary and kill -9. The oracle is a client-side log
// of acknowledged writes: every write whose reply arrived before the kill must be there after a
// restart on the same directory.
//   - appendfsync always and everysec under concurrent writers (SIGKILL keeps the page cache,
//     so with replies held until write(2) even everysec must lose nothing here; the ≤ 2 s
//     window of everysec applies to an OS crash, which a test cannot stage);
//   - kills during a rewrite: while the child runs (temp base half written), after the parent
//     died and the orphaned child finished (complete temp base, manifest not switched), and
//     after the rewrite completed;
//   - damaged files: a torn tail on the last INCR file (loaded and cut with
//     aof-load-truncated yes, refused with no), a corrupted byte in the middle (always refused,
//     naming the file and offset, file left as it was), and with aof-checksums yes a flipped
//     byte inside a value (which still parses) caught by the batch CRC.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/integration/integration_util.h"

namespace snapstream::test {
namespace {

namespace fs = std::filesystem;

// What one writer thread saw acknowledged.
struct WriterLog {
    int64_t last_incr = 0;      // last INCR reply
    int64_t pushes = 0;         // RPUSHes acknowledged (values 0..pushes-1, in order)
    std::vector<int64_t> sets;  // SET w:<t>:<i> i acknowledged
};

// Writers hammer the server until it dies (or `stop`); each logs what was acknowledged.
class Writers {
  public:
    Writers(int port, int n) : logs_(static_cast<size_t>(n)) {
        for (int t = 0; t < n; ++t) threads_.emplace_back([this, port, t] { run(port, t); });
    }
    ~Writers() { join(); }
    void join() {
        stop_ = true;
        for (auto& th : threads_)
            if (th.joinable()) th.join();
    }
    int64_t acknowledged() const { return acked_.load(); }
    const std::vector<WriterLog>& logs() const { return logs_; }

  private:
    void run(int port, int t) {
        WriterLog& log = logs_[static_cast<size_t>(t)];
        const std::string id = std::to_string(t);
        try {
            RespClient c(port, Ms(5000));
            for (int64_t i = 0; !stop_ && i < 1000000; ++i) {
                switch (i % 3) {
                    case 0: {
                        RespValue r = c.command({"INCR", "ctr:" + id});
                        if (r.type != RespType::Integer) return;
                        log.last_incr = r.integer;
                        break;
                    }
                    case 1: {
                        RespValue r =
                            c.command({"RPUSH", "list:" + id, std::to_string(log.pushes)});
                        if (r.type != RespType::Integer) return;
                        ++log.pushes;
                        break;
                    }
                    default: {
                        RespValue r = c.command({"SET", "w:" + id + ":" + std::to_string(i),
                                                 std::to_string(i), "EX", "100000"});
                        if (r.type == RespType::Error) return;
                        log.sets.push_back(i);
                    }
                }
                ++acked_;
            }
        } catch (const RespIoError&) {
            // The server was killed: what was acknowledged is in the log.
        }
    }

    std::vector<WriterLog> logs_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_{false};
    std::atomic<int64_t> acked_{0};
};

// Every acknowledged write is in the restarted server.
void expect_all_acknowledged(RespClient& c, const std::vector<WriterLog>& logs) {
    for (size_t t = 0; t < logs.size(); ++t) {
        const std::string id = std::to_string(t);
        const WriterLog& log = logs[t];
        const RespValue ctr = c.command({"GET", "ctr:" + id});
        const int64_t have = ctr.type == RespType::Bulk ? std::stoll(ctr.str) : 0;
        EXPECT_GE(have, log.last_incr) << "writer " << t << ": acknowledged INCR lost";
        const int64_t len = c.command({"LLEN", "list:" + id}).integer;
        EXPECT_GE(len, log.pushes) << "writer " << t << ": acknowledged RPUSH lost";
        if (log.pushes > 0) {
            const RespValue last =
                c.command({"LINDEX", "list:" + id, std::to_string(log.pushes - 1)});
            EXPECT_EQ(last.str, std::to_string(log.pushes - 1)) << "writer " << t;
        }
        size_t missing = 0;
        for (int64_t i : log.sets) {
            const RespValue v = c.command({"GET", "w:" + id + ":" + std::to_string(i)});
            if (v.str != std::to_string(i)) ++missing;
        }
        EXPECT_EQ(missing, 0u) << "writer " << t << ": acknowledged SETs lost of "
                               << log.sets.size();
    }
}

int64_t total_acked(const std::vector<WriterLog>& logs) {
    int64_t n = 0;
    for (const auto& l : logs) n += l.last_incr + l.pushes + static_cast<int64_t>(l.sets.size());
    return n;
}

class AofCrash : public ::testing::Test {
  protected:
    void TearDown() override {
        if (HasFailure() && snap_) std::cout << "--- snapstream log ---\n" << snap_->log_tail();
    }
    // Writers run, the server is killed once `after` writes were acknowledged, it restarts on
    // the same directory and must hold every acknowledged write.
    void kill_under_load(const std::vector<std::string>& args, int64_t after) {
        snap_ = start_in(dir_.path(), args);
        std::vector<WriterLog> logs;
        {
            Writers w(snap_->port(), 4);
            ASSERT_TRUE(wait_until([&] { return w.acknowledged() >= after; }, Ms(60000)));
            snap_->kill_now();
            w.join();
            logs = w.logs();
        }
        ASSERT_GE(total_acked(logs), after);
        snap_ = start_in(dir_.path(), args);
        RespClient c(snap_->port());
        expect_all_acknowledged(c, logs);
    }

    TempDir dir_;
    std::unique_ptr<ServerProcess> snap_;
};

TEST_F(AofCrash, AlwaysLosesNoAcknowledgedWrite) {
    kill_under_load({"--appendonly", "yes", "--appendfsync", "always"}, 3000);
}

TEST_F(AofCrash, EverysecLosesNoAcknowledgedWriteOnProcessKill) {
    kill_under_load({"--appendonly", "yes", "--appendfsync", "everysec"}, 20000);
}

TEST_F(AofCrash, ChecksummedAlwaysLosesNoAcknowledgedWrite) {
    kill_under_load({"--appendonly", "yes", "--appendfsync", "always", "--aof-checksums", "yes"},
                    3000);
}

// Gone or a zombie (an orphan's reaper may take its time): it writes nothing any more.
bool process_gone(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return true;
    const size_t paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z';
}

// Kill -9 at three points of a rewrite, with writers running throughout.
TEST_F(AofCrash, KillDuringRewriteLosesNothing) {
    for (int point = 0; point < 3; ++point) {
        SCOPED_TRACE("kill point " + std::to_string(point));
        // A slow child (1 ms per key) so that the kill lands while it runs.
        const std::vector<std::string> args = {"--appendonly",
                                               "yes",
                                               "--appendfsync",
                                               "always",
                                               "--rdb-key-save-delay",
                                               point == 2 ? "0" : "1000",
                                               "--auto-aof-rewrite-percentage",
                                               "0"};
        snap_ = start_in(dir_.path(), args);
        std::vector<WriterLog> logs;
        {
            Writers w(snap_->port(), 3);
            ASSERT_TRUE(wait_until([&] { return w.acknowledged() >= 1500; }, Ms(60000)));
            RespClient admin(snap_->port());
            EXPECT_EQ(admin.command({"BGREWRITEAOF"}).str,
                      "Background append only file rewriting started");
            const int64_t at_rewrite = w.acknowledged();
            ASSERT_TRUE(
                wait_until([&] { return w.acknowledged() >= at_rewrite + 500; }, Ms(60000)));
            pid_t child = -1;
            if (point < 2) {
                auto kids = children_of(snap_->pid());
                ASSERT_EQ(kids.size(), 1u) << "the rewrite child should still run";
                child = kids[0];
            } else {
                ASSERT_TRUE(wait_until(
                    [&] {
                        return info_field(info_text(admin, "persistence"),
                                          "aof_rewrite_in_progress") == "0";
                    },
                    Ms(60000)));
            }
            snap_->kill_now();
            w.join();
            logs = w.logs();
            if (point == 0 && child > 0) {
                ::kill(child, SIGKILL);  // the half-written temp base stays behind
            }
            if (child > 0) {
                ASSERT_TRUE(wait_until([&] { return process_gone(child); }, Ms(120000)));
            }
        }
        snap_ = start_in(dir_.path(), args);
        RespClient c(snap_->port());
        expect_all_acknowledged(c, logs);
        snap_->stop();
        // Next round starts from a clean directory.
        for (const auto& e : fs::directory_iterator(dir_.path())) fs::remove_all(e.path());
    }
}

void fill(RespClient& c, int n) {
    for (int i = 0; i < n; ++i)
        c.command(
            {"SET", "key:" + std::to_string(i), std::string(50, static_cast<char>('a' + i % 26))});
}

TEST_F(AofCrash, TornTailIsCutWithAofLoadTruncated) {
    snap_ = start_in(dir_.path(), {"--appendonly", "yes"});
    {
        RespClient c(snap_->port());
        fill(c, 200);
    }
    snap_->stop();
    const std::string incr = aof_last_incr_path(dir_.path());
    const auto size = fs::file_size(incr);
    fs::resize_file(incr, size - 7);  // inside the last SET
    // aof-load-truncated no: refused, naming the file; the file is left alone.
    snap_ = start_in(dir_.path(), {"--appendonly", "yes", "--aof-load-truncated", "no"}, false);
    ASSERT_TRUE(snap_->wait_exit(Ms(20000)).has_value());
    EXPECT_NE(snap_->log_text().find(fs::path(incr).filename().string()), std::string::npos)
        << snap_->log_text();
    EXPECT_EQ(fs::file_size(incr), size - 7);
    // yes: loaded up to the last whole command, the tail cut off, the server serves.
    snap_ = start_in(dir_.path(), {"--appendonly", "yes", "--aof-load-truncated", "yes"});
    RespClient c(snap_->port());
    EXPECT_EQ(c.command({"DBSIZE"}).integer, 199);
    EXPECT_NE(snap_->log_text().find("Truncating the AOF"), std::string::npos);
    EXPECT_LT(fs::file_size(incr), size - 7);
    // And it keeps appending after the cut: a write and a restart.
    c.command({"SET", "after", "cut"});
    snap_->stop();
    snap_ = start_in(dir_.path(), {"--appendonly", "yes"});
    RespClient c2(snap_->port());
    EXPECT_EQ(c2.command({"GET", "after"}).str, "cut");
    EXPECT_EQ(c2.command({"DBSIZE"}).integer, 200);
}

TEST_F(AofCrash, CorruptedMiddleIsRefusedWithFileAndOffset) {
    snap_ = start_in(dir_.path(), {"--appendonly", "yes"});
    {
        RespClient c(snap_->port());
        fill(c, 200);
    }
    snap_->stop();
    const std::string incr = aof_last_incr_path(dir_.path());
    std::string bytes = read_file(incr);
    // Turn a '$' of an argument header in the middle into garbage.
    const size_t at = bytes.find("$3\r\nSET", bytes.size() / 2);
    ASSERT_NE(at, std::string::npos);
    bytes[at] = '!';
    { std::ofstream(incr, std::ios::binary | std::ios::trunc) << bytes; }
    snap_ = start_in(dir_.path(), {"--appendonly", "yes", "--aof-load-truncated", "yes"}, false);
    ASSERT_TRUE(snap_->wait_exit(Ms(20000)).has_value());
    const std::string log = snap_->log_text();
    EXPECT_NE(log.find(fs::path(incr).filename().string()), std::string::npos) << log;
    EXPECT_NE(log.find("offset " + std::to_string(at)), std::string::npos) << log;
    EXPECT_EQ(read_file(incr), bytes);  // never rewritten
}

TEST_F(AofCrash, ChecksumCatchesAFlippedValueByte) {
    snap_ = start_in(dir_.path(), {"--appendonly", "yes", "--aof-checksums", "yes"});
    {
        RespClient c(snap_->port());
        fill(c, 200);
    }
    snap_->stop();
    const std::string incr = aof_last_incr_path(dir_.path());
    std::string bytes = read_file(incr);
    // A value byte: the file still parses as commands, only the CRC can tell.
    const size_t at = bytes.find(std::string(50, 'c'), bytes.size() / 3);
    ASSERT_NE(at, std::string::npos);
    bytes[at + 10] = 'X';
    { std::ofstream(incr, std::ios::binary | std::ios::trunc) << bytes; }
    snap_ = start_in(dir_.path(), {"--appendonly", "yes", "--aof-load-truncated", "yes"}, false);
    ASSERT_TRUE(snap_->wait_exit(Ms(20000)).has_value());
    const std::string log = snap_->log_text();
    EXPECT_NE(log.find(fs::path(incr).filename().string()), std::string::npos) << log;
    EXPECT_EQ(read_file(incr), bytes);
}

}  // namespace
}  // namespace snapstream::test
