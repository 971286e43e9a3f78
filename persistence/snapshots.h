// RDB snapshots of the running node: SAVE in the loop thread, BGSAVE in a forked child, the save
// points that trigger BGSAVE, and the bookkeeping INFO persistence reports. Owned by the Server
// (the event-loop thread); the child only ever sees its copy-on-write view.
//
// BGSAVE, step by step:
//   1. the parent forks (latest_fork_usec is the time fork() took) and keeps serving;
//   2. the child writes temp-<childpid>.rdb (persistence/rdb_file.h: write, fsync, close),
//      reports its copy-on-write bytes over a pipe and _exits 0 (1 on any error, which it logs
//      through log_from_child);
//   3. the parent reaps it (SIGCHLD on the loop, and the cron as a fallback) and, on success,
//      renames the temp file over dbfilename; the old dump's last close (which frees its blocks,
//      tens of ms for a large file) and the directory fsync run on a worker thread
//      (background_io.h), so the loop never stalls on them; the changes made since the fork stay
//      counted as unsaved (dirty - dirty_at_fork);
//   4. on failure or a kill, the temp file is removed and the previous dump is untouched;
//      rdb_last_bgsave_status becomes err (except for SIGUSR1, our own "cancel" signal), and with
//      stop-writes-on-bgsave-error and save points configured, writes get -MISCONF until a save
//      succeeds.
// Rules as Redis 7.0: one child at a time; SAVE and BGSAVE refused during a BGSAVE; a failed
// save point BGSAVE is retried after 5 seconds, a successful one waits for the next point.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "persistence/background_io.h"
#include "persistence/forked_child.h"
#include "persistence/rdb_writer.h"

namespace snapstream {

class Keyspace;

struct SnapshotInfo {
    int64_t lastsave = 0;        // unix seconds of the last successful save (or start-up)
    int64_t lastbgsave_try = 0;  // unix seconds of the last BGSAVE attempt
    bool last_bgsave_ok = true;  // rdb_last_bgsave_status
    int64_t last_bgsave_time_sec = -1;
    int64_t bgsave_start_sec = -1;  // while a BGSAVE runs
    uint64_t last_cow_size = 0;
    uint64_t saves = 0;  // rdb_saves: SAVE commands + BGSAVE attempts (not FLUSHALL's save)
    int64_t latest_fork_usec = 0;
    uint64_t total_forks = 0;
    bool bgsave_scheduled = false;
    uint64_t last_load_keys_loaded = 0;
    uint64_t last_load_keys_expired = 0;
};

class Snapshots {
  public:
    // `dirty` is the server's changes-since-last-save counter, which saves reset.
    explicit Snapshots(uint64_t& dirty);

    // SAVE: writes the snapshot synchronously. Refused during a BGSAVE (the caller checks
    // bgsave_in_progress() to word the error).
    Status save(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                const std::string& filename);

    // BGSAVE: forks a child writing the snapshot; `close_in_child` are the listening sockets.
    Status start_bgsave(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                        const std::string& filename, std::span<const int> close_in_child);
    bool bgsave_in_progress() const { return child_.running(); }

    // Finishes a child that has ended (rename, status, counters, logs); true if one had.
    bool reap_child();
    // Kills a running BGSAVE child (FLUSHALL, SHUTDOWN, DEBUG RELOAD) and removes its temp file;
    // the last status is left as it was (as Redis does for its SIGUSR1 kill).
    void kill_child();

    // Whether a configured save point has been reached (the cron then starts a BGSAVE).
    std::optional<config::SavePoint> due_save_point(const std::vector<config::SavePoint>& points,
                                                    int64_t now_sec) const;
    // Whether a scheduled BGSAVE (BGSAVE SCHEDULE) may start now.
    bool scheduled_bgsave_due(int64_t now_sec) const;

    // -MISCONF condition (stop-writes-on-bgsave-error with save points after a failed save).
    bool writes_denied(const config::Config& cfg) const {
        return cfg.stop_writes_on_bgsave_error && !cfg.save.empty() && !info.last_bgsave_ok;
    }

    SnapshotInfo info;

    // Waits for the background closes/fsyncs of finished saves (tests, shutdown).
    void drain_background() { bg_.drain(); }

  private:
    uint64_t& dirty_;
    BackgroundIo bg_;
    ForkedChild child_;
    std::string child_filename_;  // where the child's temp file goes when it succeeds
    uint64_t dirty_at_fork_ = 0;
};

}  // namespace snapstream
