// The AOF's open INCR file and its fsync policy: the one place where write-stream bytes reach
// the disk.
//
// Each loop iteration, before any reply is written (Server::before_sleep):
//   feed(stream bytes)  frames the iteration's bytes as one batch — with aof-checksums yes
//                       preceded by "#SC:<len>:<crc64>\r\n" (persistence/command_stream.h) — and
//                       queues it;
//   flush(now)          write(2)s the queue, then by policy:
//     always    fdatasync in the loop thread, once per iteration however many commands the
//               batch holds (group commit); replies wait for it;
//     everysec  at most once a second an fdatasync is handed to a worker thread; if the
//               previous one is still running, the write itself is postponed (write(2) would
//               block behind it) — for up to 2 s, then written anyway and counted in
//               aof_delayed_fsync, as Redis does;
//     no        the kernel decides.
// The server sends replies only when nothing is queued (pending() == 0), so a reply never
// leaves before its write reached the file (and, for always, the disk).
//
// Errors: a failed or short write is undone with ftruncate to the last good size and the
// batch is kept for the next attempt (every iteration, and from the cron); last_write_ok()
// turns false, which makes the server refuse writes (-MISCONF) until a write succeeds. If
// the partial write cannot be undone, the written prefix is kept and only the rest is retried
// (the batch header already covers it, so the file stays valid). A failed fdatasync is
// treated like a failed write.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "persistence/background_io.h"

namespace snapstream {

enum class FsyncPolicy { Always, Everysec, No };

class AofWriter {
  public:
    AofWriter() = default;
    ~AofWriter();
    AofWriter(const AofWriter&) = delete;
    AofWriter& operator=(const AofWriter&) = delete;

    // Opens `path` for appending (created if missing); `checksums` frames batches with #SC.
    Status open(const std::string& path, bool checksums);
    bool is_open() const { return fd_ >= 0; }
    const std::string& path() const { return path_; }
    // Hands the descriptor to the worker to close after its pending fsync (the file's data
    // was flushed and synced by the caller when it mattered).
    void close();

    // Queues bytes at the end of the file (a batch of stream bytes, or an annotation line when
    // `raw`).
    void feed(std::string_view bytes, bool raw = false);
    // Bytes queued and not yet written.
    size_t pending() const { return out_.size() - out_sent_; }
    // Whether everything fed so far is where the policy wants it before replies may leave:
    // written, and for `always` also fdatasync'ed.
    bool settled(FsyncPolicy policy) const {
        return pending() == 0 && (policy != FsyncPolicy::Always || synced_size_ == size_);
    }

    enum class Flush { Done, Postponed, Failed };
    // Writes what is queued and fsyncs by policy. `force` writes even while a background fsync
    // runs (rewrite start, shutdown, policy change).
    Flush flush(FsyncPolicy policy, int64_t now_ms, bool force = false);
    // fdatasync now, in the calling thread (shutdown, before switching files).
    Status sync_now();

    bool last_write_ok() const { return last_write_ok_; }
    const std::string& last_write_error() const { return last_write_error_; }
    uint64_t file_size() const { return size_; }  // bytes in the file
    uint64_t delayed_fsyncs() const { return delayed_fsync_; }
    bool fsync_in_progress() const { return worker_.outstanding() > 0; }
    // Waits for background fsyncs and closes (tests, shutdown).
    void drain() { worker_.drain(); }
    // A write error was logged less than 30 s ago (Redis rate-limits these logs).
    bool should_log_error(int64_t now_ms);

  private:
    Flush write_out(int64_t now_ms);
    Flush sync_always(int64_t now_ms);

    int fd_ = -1;
    std::string path_;
    bool checksums_ = false;
    std::string out_;      // framed bytes waiting for write(2)
    size_t out_sent_ = 0;  // prefix of out_ already in the file (a partial write kept)
    uint64_t size_ = 0;
    uint64_t synced_size_ = 0;
    int64_t last_fsync_ms_ = 0;
    int64_t postponed_since_ms_ = 0;
    uint64_t delayed_fsync_ = 0;
    bool last_write_ok_ = true;
    std::string last_write_error_;
    int64_t last_error_log_ms_ = 0;
    BackgroundIo worker_;  // everysec fsyncs and closes, in submission order
};

}  // namespace snapstream
