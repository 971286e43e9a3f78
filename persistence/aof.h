// The append-only file of a running node: state (off / waiting for its first rewrite / on),
// the multi-part directory (aof_manifest.h), the open INCR file (aof_writer.h) and the rewrite
// child. Owned by the Server (event-loop thread); the child sees only its copy-on-write view.
//
// Rewrite (BGREWRITEAOF, automatic growth rule, CONFIG SET appendonly yes), step by step:
//   1. the parent writes and fdatasyncs every stream byte produced so far to the current INCR
//      file, opens INCR n+1 (its first line is "#SO:<offset>:<replid>", the stream position
//      its first command will have), and persists a manifest listing it — so from here on a
//      crash loads old BASE + old INCRs + the new INCR: nothing acknowledged is missing and
//      nothing is applied twice;
//   2. it forks; the child writes temp-rewriteaof-bg-<pid>.aof in `dir` (the RDB codec with the
//      aof-base aux field when aof-use-rdb-preamble yes, else commands: aof_base_writer.h),
//      fsyncs it and _exits; the parent keeps appending to INCR n+1 meanwhile;
//   3. on success the parent renames the temp file to appenddirname/<appendfilename>.<m>.base.*
//      (with a directory fsync), persists a manifest in which it is the BASE, the old base and
//      INCRs before n+1 are history, then deletes the history files and persists the manifest
//      without them. A crash between any two of these steps leaves a manifest whose files are
//      all present and replay to the full state (an orphaned temp file at worst).
//   On failure (or a kill) the temp file is removed; INCR n+1 stays in the manifest.
// No rewrite buffer and no double write: the parent's writes go once, to INCR n+1.
//
// Switching on at runtime (CONFIG SET appendonly yes): state WaitRewrite; the rewrite opens
// temp-<appendfilename>.incr (not in the manifest) instead of INCR n+1, and on success renames
// it to INCR n+1 together with the new BASE; then the state is On. As Redis 7.0.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "common/result.h"
#include "persistence/aof_manifest.h"
#include "persistence/aof_writer.h"
#include "persistence/background_io.h"
#include "persistence/forked_child.h"
#include "persistence/rdb_writer.h"

namespace snapstream {

class Keyspace;

enum class AofState { Off, On, WaitRewrite };

struct AofSettings {
    std::string appendfilename = "appendonly.aof";
    std::string appenddirname = "appendonlydir";
    bool rdb_preamble = true;
    bool checksums = true;
    FsyncPolicy policy = FsyncPolicy::Everysec;
};

struct AofInfo {
    bool rewrite_scheduled = false;
    int64_t last_rewrite_time_sec = -1;
    int64_t rewrite_start_ms = 0;  // while a rewrite child runs
    bool last_bgrewrite_ok = true;
    uint64_t last_cow_size = 0;
    uint64_t rewrites = 0;
    uint64_t base_size = 0;          // aof_base_size
    uint64_t rewrite_base_size = 0;  // total size after the last rewrite (growth rule)
    uint64_t history_incr_size = 0;  // INCR files before the open one (in aof_current_size)
    uint64_t rewrites_consecutive_failures = 0;
    int64_t last_failure_sec = 0;  // unix seconds of the last failed rewrite
    int64_t latest_fork_usec = 0;
};

class AppendOnlyFile {
  public:
    AofState state() const { return state_; }
    bool enabled() const { return state_ != AofState::Off; }
    AofSettings& settings() { return settings_; }
    const AofSettings& settings() const { return settings_; }
    const AofManifest& manifest() const { return manifest_; }
    // The manifest found at start-up with appendonly no (a later switch-on continues its seqs).
    void set_manifest(AofManifest m) { manifest_ = std::move(m); }
    AofWriter& writer() { return writer_; }
    const AofWriter& writer() const { return writer_; }
    AofInfo info;

    // aof_current_size: base + every INCR file.
    uint64_t current_size() const {
        return info.base_size + info.history_incr_size + writer_.file_size();
    }

    // Start-up with appendonly yes, after loading `m` (possibly empty): makes sure a BASE exists
    // (an empty dataset's, written synchronously, as Redis does when the directory is new),
    // opens the last INCR file for appending (a new one if none) with its #SO line, persists
    // the manifest. `origin` is the stream position the next command gets.
    Status open_on_startup(AofManifest m, const Keyspace& ks, const RdbAux& aux,
                           uint64_t origin_offset, const std::string& replid);

    // Rewrite (steps 1-2 above). `flush_stream` writes pending stream bytes to the current
    // INCR file before the switch; `close_in_child` are the listening sockets.
    Status start_rewrite(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                         uint64_t origin_offset, const std::string& replid,
                         std::span<const int> close_in_child);
    bool rewrite_in_progress() const { return child_.running(); }
    pid_t child_pid() const { return child_.pid(); }
    // Step 3 when the child has ended; returns true if a child was reaped. Errors are logged by
    // the caller through `log`.
    bool reap_child(const std::function<void(bool warn, const std::string&)>& log);
    void kill_child();

    // Switching at runtime. on(): state WaitRewrite (the caller starts or schedules the
    // rewrite). off(): flushes, fsyncs and closes the INCR file; kills a rewrite.
    void switch_on();
    void switch_off();

    // The growth rule of auto-aof-rewrite-percentage / -min-size.
    bool growth_rewrite_due(int64_t percentage, int64_t min_size) const;
    // After three failed rewrites in a row, automatic ones (growth, scheduled) wait 1 minute,
    // doubling with each further failure up to an hour, as Redis's aofRewriteLimited does, so a
    // full disk does not fork a child every cron tick. BGREWRITEAOF itself is never held back.
    bool rewrite_limited(int64_t now_sec) const;

    // Paths.
    std::string aof_dir() const { return settings_.appenddirname; }
    std::string path_in_dir(const std::string& name) const {
        return settings_.appenddirname + "/" + name;
    }

    // A replica relays its primary's stream byte for byte, with no SELECT where a new INCR
    // file starts: each new INCR file then begins with an #XS SELECT of this database (-1: a
    // primary, whose stream re-selects by itself).
    void set_relay_db(int db) { relay_db_ = db; }

  private:
    Status open_incr(const std::string& name, uint64_t origin_offset, const std::string& replid);
    int relay_db_ = -1;

    AofState state_ = AofState::Off;
    AofSettings settings_;
    AofManifest manifest_;
    AofWriter writer_;
    ForkedChild child_;
    std::string child_temp_;  // the child's temp base file
    std::string temp_incr_;   // WaitRewrite: the temp INCR file opened for the rewrite
    int64_t first_kept_incr_seq_ = 0;
    BackgroundIo bg_;  // history deletions
};

// "temp-rewriteaof-bg-<pid>.aof", the name Redis gives a rewrite child's output.
std::string temp_rewrite_name(pid_t pid);

}  // namespace snapstream
