#include "persistence/snapshots.h"

#include <signal.h>
#include <unistd.h>

#include <ctime>

#include <spdlog/spdlog.h>

#include "node/log.h"
#include "persistence/rdb_file.h"

namespace snapstream {
namespace {

// A failed BGSAVE triggered by a save point is retried after this many seconds (Redis's
// CONFIG_BGSAVE_RETRY_DELAY).
constexpr int64_t kBgsaveRetryDelaySec = 5;

int64_t unix_now() {
    return static_cast<int64_t>(::time(nullptr));
}

}  // namespace

Snapshots::Snapshots(uint64_t& dirty) : dirty_(dirty) {
    info.lastsave = unix_now();
}

Status Snapshots::save(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                       const std::string& filename) {
    const std::string temp = temp_rdb_name(::getpid());
    Result<RdbWriteStats> w = write_rdb_file(ks, aux, opt, temp);
    if (!w) {
        spdlog::warn("Write error saving DB on disk: {}", w.error());
        return make_error(w.error());
    }
    Status r = rename_durably(temp, filename);
    if (!r) {
        ::unlink(temp.c_str());
        spdlog::warn("Error moving temp DB file {} on the final destination {}: {}", temp, filename,
                     r.error());
        return r;
    }
    spdlog::info("DB saved on disk");
    dirty_ = 0;
    info.lastsave = unix_now();
    info.last_bgsave_ok = true;
    return Ok{};
}

Status Snapshots::start_bgsave(const Keyspace& ks, const RdbAux& aux, const RdbWriteOptions& opt,
                               const std::string& filename, std::span<const int> close_in_child) {
    if (child_.running()) return make_error("Background save already in progress");
    ++info.saves;
    dirty_at_fork_ = dirty_;
    info.lastbgsave_try = unix_now();
    auto body = [&ks, &aux, &opt](ChildReport& rep) -> int {
        set_log_role('C');
        Result<RdbWriteStats> w = write_rdb_file(ks, aux, opt, temp_rdb_name(::getpid()));
        if (!w) {
            log_from_child(true, "Write error saving DB on disk: " + w.error());
            return 1;
        }
        rep.keys = w->keys;
        rep.bytes = w->bytes;
        log_from_child(false, "DB saved on disk");
        const uint64_t cow = private_dirty_bytes();
        if (cow > 0)
            log_from_child(
                false, "Fork CoW for RDB: current " + std::to_string(cow / (1024 * 1024)) + " MB");
        return 0;
    };
    Result<ForkedChild> c = ForkedChild::start(body, close_in_child);
    if (!c) {
        info.last_bgsave_ok = false;
        spdlog::warn("Can't save in background: fork: {}", c.error());
        return make_error(c.error());
    }
    child_ = std::move(*c);
    child_filename_ = filename;
    info.latest_fork_usec = child_.fork_usec();
    ++info.total_forks;
    info.bgsave_start_sec = unix_now();
    spdlog::info("Background saving started by pid {}", static_cast<long>(child_.pid()));
    return Ok{};
}

bool Snapshots::reap_child() {
    const pid_t pid = child_.pid();
    std::optional<ChildExit> ex = child_.try_reap();
    if (!ex) return false;
    const std::string temp = temp_rdb_name(pid);
    info.last_bgsave_time_sec = unix_now() - info.bgsave_start_sec;
    info.bgsave_start_sec = -1;
    if (ex->ok()) {
        Status r = rename_in_background(temp, child_filename_, bg_);
        if (!r) {
            ::unlink(temp.c_str());
            spdlog::warn("Background saving error: moving {} to {}: {}", temp, child_filename_,
                         r.error());
            info.last_bgsave_ok = false;
            return true;
        }
        spdlog::info("Background saving terminated with success");
        dirty_ = dirty_ >= dirty_at_fork_ ? dirty_ - dirty_at_fork_ : 0;
        info.lastsave = unix_now();
        info.last_bgsave_ok = true;
        info.last_cow_size = child_.report().cow_bytes;
    } else if (ex->signal == 0) {
        ::unlink(temp.c_str());
        spdlog::warn("Background saving error");
        info.last_bgsave_ok = false;
    } else {
        ::unlink(temp.c_str());
        spdlog::warn("Background saving terminated by signal {}", ex->signal);
        if (ex->signal != SIGUSR1) info.last_bgsave_ok = false;
    }
    return true;
}

void Snapshots::kill_child() {
    if (!child_.running()) return;
    const pid_t pid = child_.pid();
    spdlog::warn("Killing running RDB child: {}", static_cast<long>(pid));
    child_.kill_and_reap();
    ::unlink(temp_rdb_name(pid).c_str());
    info.bgsave_start_sec = -1;
}

std::optional<config::SavePoint> Snapshots::due_save_point(
    const std::vector<config::SavePoint>& points, int64_t now_sec) const {
    if (child_.running()) return std::nullopt;
    for (const config::SavePoint& sp : points) {
        if (dirty_ >= static_cast<uint64_t>(sp.changes) && now_sec - info.lastsave > sp.seconds &&
            (now_sec - info.lastbgsave_try > kBgsaveRetryDelaySec || info.last_bgsave_ok))
            return sp;
    }
    return std::nullopt;
}

bool Snapshots::scheduled_bgsave_due(int64_t now_sec) const {
    return info.bgsave_scheduled && !child_.running() &&
           (now_sec - info.lastbgsave_try > kBgsaveRetryDelaySec || info.last_bgsave_ok);
}

}  // namespace snapstream
