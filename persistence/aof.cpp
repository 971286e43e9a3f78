#include "persistence/aof.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "node/log.h"
#include "persistence/aof_base_writer.h"
#include "persistence/byte_sink.h"
#include "persistence/command_stream.h"
#include "persistence/rdb_file.h"

namespace snapstream {
namespace {

uint64_t file_size_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int64_t unix_now() {
    return static_cast<int64_t>(::time(nullptr));
}

// Writes the BASE of a rewrite to `path` (created, written, fsynced, closed); runs in the child
// (or in the loop for an empty dataset's base at start-up): no logging here.
Status write_base_file(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                       bool rdb_preamble, const std::string& path, ChildReport* rep) {
    if (rdb_preamble) {
        RdbAux a = aux;
        a.aof_base = true;
        Result<RdbWriteStats> w = write_rdb_file(ks, a, opt, path);
        if (!w) return make_error(w.error());
        if (rep) {
            rep->keys = w->keys;
            rep->bytes = w->bytes;
        }
        return Ok{};
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("open " + path + ": " + std::strerror(errno));
    FdSink sink(fd);
    Result<AofBaseStats> w = write_aof_base(ks, sink, opt.key_save_delay_us);
    std::string err;
    if (!w)
        err = w.error();
    else if (::fsync(fd) != 0)
        err = std::string("fsync: ") + std::strerror(errno);
    if (::close(fd) != 0 && err.empty()) err = std::string("close: ") + std::strerror(errno);
    if (!err.empty()) {
        ::unlink(path.c_str());
        return make_error(err);
    }
    if (rep) {
        rep->keys = w->keys;
        rep->bytes = w->bytes;
    }
    return Ok{};
}

}  // namespace

std::string temp_rewrite_name(pid_t pid) {
    return "temp-rewriteaof-bg-" + std::to_string(static_cast<long>(pid)) + ".aof";
}

Status AppendOnlyFile::open_incr(const std::string& name, uint64_t origin_offset,
                                 const std::string& replid) {
    const std::string path = path_in_dir(name);
    const bool fresh = file_size_of(path) == 0;
    if (Status r = writer_.open(path, settings_.checksums); !r) return r;
    if (fresh) {
        writer_.feed(stream_origin_annotation(origin_offset, replid), /*raw=*/true);
        if (relay_db_ >= 0) writer_.feed(outside_select(relay_db_), /*raw=*/true);
        if (writer_.flush(FsyncPolicy::Always, 0, true) == AofWriter::Flush::Failed)
            return make_error("write " + path + ": " + writer_.last_write_error());
    }
    return Ok{};
}

Status AppendOnlyFile::open_on_startup(AofManifest m, const Keyspace& ks, const RdbAux& aux,
                                       uint64_t origin_offset, const std::string& replid) {
    manifest_ = std::move(m);
    if (::mkdir(aof_dir().c_str(), 0755) != 0 && errno != EEXIST)
        return make_error("Can't open or create append-only dir " + aof_dir() + ": " +
                          std::strerror(errno));
    if (!manifest_.base && manifest_.incr.empty()) {
        // A new directory: the (empty) dataset becomes the BASE, as Redis 7.0 does on start.
        AofFileInfo base{aof_base_name(settings_.appendfilename, manifest_.curr_base_seq + 1,
                                       settings_.rdb_preamble),
                         manifest_.curr_base_seq + 1, AofFileType::Base};
        RdbWriteOptions opt;
        if (Status r = write_base_file(ks, aux, opt, settings_.rdb_preamble, path_in_dir(base.name),
                                       nullptr);
            !r)
            return r;
        manifest_ = manifest_after_rewrite(manifest_, base, manifest_.curr_incr_seq + 1);
    }
    std::string incr_name;
    if (manifest_.incr.empty())
        manifest_ = manifest_with_new_incr(manifest_, settings_.appendfilename, incr_name);
    else
        incr_name = manifest_.incr.back().name;
    if (Status r = open_incr(incr_name, origin_offset, replid); !r) return r;
    if (Status r = write_aof_manifest(aof_dir(), settings_.appendfilename, manifest_); !r) return r;
    info.base_size = manifest_.base ? file_size_of(path_in_dir(manifest_.base->name)) : 0;
    info.history_incr_size = 0;
    for (size_t i = 0; i + 1 < manifest_.incr.size(); ++i)
        info.history_incr_size += file_size_of(path_in_dir(manifest_.incr[i].name));
    info.rewrite_base_size = current_size();
    state_ = AofState::On;
    return Ok{};
}

Status AppendOnlyFile::start_rewrite(const Keyspace& ks, const RdbAux& aux,
                                     const RdbWriteOptions& opt, uint64_t origin_offset,
                                     const std::string& replid,
                                     std::span<const int> close_in_child) {
    if (child_.running())
        return make_error("Background append only file rewriting already in progress");
    if (::mkdir(aof_dir().c_str(), 0755) != 0 && errno != EEXIST)
        return make_error("Can't open or create append-only dir " + aof_dir() + ": " +
                          std::strerror(errno));
    // Step 1: the current INCR file is complete and durable; a new one takes what follows.
    if (state_ == AofState::On) {
        if (writer_.flush(FsyncPolicy::Always, 0, true) == AofWriter::Flush::Failed)
            return make_error("flushing " + writer_.path() + ": " + writer_.last_write_error());
        const uint64_t old_size = writer_.file_size();
        std::string name;
        AofManifest next = manifest_with_new_incr(manifest_, settings_.appendfilename, name);
        writer_.close();
        if (Status r = open_incr(name, origin_offset, replid); !r) {
            // Fall back to appending to the previous file: nothing changed on disk.
            (void)writer_.open(path_in_dir(manifest_.incr.back().name), settings_.checksums);
            return r;
        }
        if (Status r = write_aof_manifest(aof_dir(), settings_.appendfilename, next); !r) {
            writer_.close();
            ::unlink(path_in_dir(name).c_str());
            (void)writer_.open(path_in_dir(manifest_.incr.back().name), settings_.checksums);
            return r;
        }
        info.history_incr_size += old_size;
        manifest_ = std::move(next);
        first_kept_incr_seq_ = manifest_.incr.back().seq;
    } else if (state_ == AofState::WaitRewrite) {
        temp_incr_ = "temp-" + settings_.appendfilename + ".incr";
        ::unlink(path_in_dir(temp_incr_).c_str());
        if (Status r = open_incr(temp_incr_, origin_offset, replid); !r) return r;
    }
    // Step 2: the child writes the new BASE from its copy of the keyspace.
    const bool preamble = settings_.rdb_preamble;
    auto body = [&ks, &aux, &opt, preamble](ChildReport& rep) -> int {
        set_log_role('C');
        const std::string temp = temp_rewrite_name(::getpid());
        Status w = write_base_file(ks, aux, opt, preamble, temp, &rep);
        if (!w) {
            log_from_child(true, "Error writing the rewritten AOF: " + w.error());
            return 1;
        }
        log_from_child(false, "Successfully created the temporary AOF base file " + temp);
        const uint64_t cow = private_dirty_bytes();
        if (cow > 0)
            log_from_child(false, "Fork CoW for AOF rewrite: current " +
                                      std::to_string(cow / (1024 * 1024)) + " MB");
        return 0;
    };
    Result<ForkedChild> c = ForkedChild::start(body, close_in_child);
    if (!c) {
        info.last_bgrewrite_ok = false;
        ++info.rewrites_consecutive_failures;
        info.last_failure_sec = unix_now();
        return make_error("Can't rewrite append only file in background: fork: " + c.error());
    }
    child_ = std::move(*c);
    child_temp_ = temp_rewrite_name(child_.pid());
    info.rewrite_start_ms = static_cast<int64_t>(::time(nullptr)) * 1000;
    info.rewrite_scheduled = false;
    info.latest_fork_usec = child_.fork_usec();
    return Ok{};
}

bool AppendOnlyFile::reap_child(const std::function<void(bool, const std::string&)>& log) {
    std::optional<ChildExit> ex = child_.try_reap();
    if (!ex) return false;
    const std::string temp = child_temp_;
    info.last_rewrite_time_sec = unix_now() - info.rewrite_start_ms / 1000;
    info.rewrite_start_ms = 0;
    info.last_cow_size = child_.report().cow_bytes;
    auto fail = [&](const std::string& why) {
        ::unlink(temp.c_str());
        info.last_bgrewrite_ok = false;
        ++info.rewrites_consecutive_failures;
        info.last_failure_sec = unix_now();
        log(true, why);
    };
    if (!ex->ok()) {
        if (ex->signal == SIGUSR1) {
            ::unlink(temp.c_str());
            log(false, "Background AOF rewrite terminated by signal 10");
            return true;
        }
        fail(ex->signal
                 ? "Background AOF rewrite terminated by signal " + std::to_string(ex->signal)
                 : "Background AOF rewrite terminated with error");
        return true;
    }
    log(false, "Background AOF rewrite terminated with success");
    AofFileInfo base{aof_base_name(settings_.appendfilename, manifest_.curr_base_seq + 1,
                                   settings_.rdb_preamble),
                     manifest_.curr_base_seq + 1, AofFileType::Base};
    if (Status r = rename_durably(temp, path_in_dir(base.name)); !r) {
        fail("Error trying to rename the temporary AOF base file " + temp + " into " + base.name +
             ": " + r.error());
        return true;
    }
    log(false, "Successfully renamed the temporary AOF base file " + temp + " into " + base.name);
    AofManifest next;
    if (state_ == AofState::WaitRewrite) {
        std::string incr;
        AofManifest with_incr = manifest_with_new_incr(manifest_, settings_.appendfilename, incr);
        if (Status r = rename_durably(path_in_dir(temp_incr_), path_in_dir(incr)); !r) {
            ::unlink(path_in_dir(base.name).c_str());
            fail("Error trying to rename the temporary AOF incr file " + temp_incr_ + " into " +
                 incr + ": " + r.error());
            return true;
        }
        // The writer keeps appending through its descriptor: the file only changed its name.
        next = manifest_after_rewrite(with_incr, base, with_incr.incr.back().seq);
        log(false,
            "Successfully renamed the temporary AOF incr file " + temp_incr_ + " into " + incr);
        temp_incr_.clear();
    } else if (state_ == AofState::Off) {
        // BGREWRITEAOF with appendonly no: a BASE alone, every INCR file becomes history.
        next = manifest_after_rewrite(manifest_, base, manifest_.curr_incr_seq + 1);
    } else {
        next = manifest_after_rewrite(manifest_, base, first_kept_incr_seq_);
    }
    if (Status r = write_aof_manifest(aof_dir(), settings_.appendfilename, next); !r) {
        ::unlink(path_in_dir(base.name).c_str());
        fail("Error persisting the AOF manifest after a rewrite: " + r.error());
        return true;
    }
    manifest_ = std::move(next);
    if (state_ == AofState::WaitRewrite) state_ = AofState::On;
    info.base_size = file_size_of(path_in_dir(manifest_.base->name));
    info.history_incr_size = 0;
    for (size_t i = 0; i + 1 < manifest_.incr.size(); ++i)
        info.history_incr_size += file_size_of(path_in_dir(manifest_.incr[i].name));
    info.rewrite_base_size = current_size();
    info.last_bgrewrite_ok = true;
    info.rewrites_consecutive_failures = 0;
    ++info.rewrites;
    // The history is no longer named as live: delete it, then forget it in the manifest.
    if (!manifest_.history.empty()) {
        AofManifest clean = manifest_without_history(manifest_);
        if (write_aof_manifest(aof_dir(), settings_.appendfilename, clean)) {
            const AofManifest old = manifest_;
            const std::string dir = aof_dir();
            for (const AofFileInfo& h : old.history)
                log(false, "Removing the history file " + h.name + " in the background");
            bg_.submit([dir, old] { delete_aof_history_files(dir, old); });
            manifest_ = std::move(clean);
        }
    }
    log(false, "Background AOF rewrite finished successfully");
    return true;
}

void AppendOnlyFile::kill_child() {
    if (!child_.running()) return;
    child_.kill_and_reap();
    ::unlink(child_temp_.c_str());
    info.rewrite_start_ms = 0;
}

void AppendOnlyFile::switch_on() {
    if (state_ == AofState::Off) state_ = AofState::WaitRewrite;
}

void AppendOnlyFile::switch_off() {
    kill_child();
    if (writer_.is_open()) {
        (void)writer_.flush(FsyncPolicy::Always, 0, true);
        writer_.close();
    }
    if (!temp_incr_.empty()) {
        ::unlink(path_in_dir(temp_incr_).c_str());
        temp_incr_.clear();
    }
    state_ = AofState::Off;
    info.rewrite_scheduled = false;
}

bool AppendOnlyFile::rewrite_limited(int64_t now_sec) const {
    const uint64_t n = info.rewrites_consecutive_failures;
    if (n < 3) return false;
    const int64_t delay = std::min<int64_t>(3600, int64_t{60} << std::min<uint64_t>(n - 3, 6));
    return now_sec - info.last_failure_sec < delay;
}

bool AppendOnlyFile::growth_rewrite_due(int64_t percentage, int64_t min_size) const {
    if (state_ != AofState::On || percentage <= 0 || child_.running()) return false;
    const uint64_t size = current_size();
    if (size <= static_cast<uint64_t>(min_size)) return false;
    const uint64_t base = info.rewrite_base_size ? info.rewrite_base_size : 1;
    const int64_t growth = static_cast<int64_t>(size * 100 / base) - 100;
    return growth >= percentage;
}

}  // namespace snapstream
