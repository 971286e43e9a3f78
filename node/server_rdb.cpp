// The node's side of RDB snapshots: what goes into a snapshot (aux fields, writer options), SAVE
// and BGSAVE on behalf of commands and save points, reaping the BGSAVE child on SIGCHLD, and
// loading dbfilename at start-up and for DEBUG RELOAD. The mechanics (files, fork, status) live
// in persistence/snapshots.h; this file only connects them to the server's state.
#include <unistd.h>

#include <ctime>

#include <spdlog/spdlog.h>

#include "node/server.h"
#include "persistence/rdb_load.h"

namespace snapstream {

size_t used_memory_bytes();  // node/info.cpp

RdbAux Server::rdb_aux() const {
    RdbAux aux;
    aux.redis_ver = "7.0.15";
    aux.ctime = static_cast<int64_t>(::time(nullptr));
    aux.used_mem = used_memory_bytes();
    add_repl_aux(aux);
    return aux;
}

RdbWriteOptions Server::rdb_write_options() const {
    RdbWriteOptions opt;
    opt.compress = cfg_.rdbcompression;
    opt.checksum = cfg_.rdbchecksum;
    opt.key_save_delay_us = cfg_.rdb_key_save_delay;
    return opt;
}

RdbReadOptions Server::rdb_read_options() const {
    RdbReadOptions opt;
    opt.verify_checksum = cfg_.rdbchecksum;
    opt.deep_check = cfg_.sanitize_dump_payload == config::SanitizePayload::Yes;
    RdbEncodingLimits& l = opt.limits;
    l.hash_max_listpack_entries = cfg_.hash_max_listpack_entries;
    l.hash_max_listpack_value = cfg_.hash_max_listpack_value;
    l.zset_max_listpack_entries = cfg_.zset_max_listpack_entries;
    l.zset_max_listpack_value = cfg_.zset_max_listpack_value;
    l.set_max_intset_entries = cfg_.set_max_intset_entries;
    l.list_fill = static_cast<int>(cfg_.list_max_listpack_size);
    return opt;
}

std::vector<int> Server::listener_fds() {
    std::vector<int> fds;
    for (auto& a : acceptors_) fds.push_back(a->native_handle());
    return fds;
}

Status Server::save_snapshot() {
    return snapshots_.save(ks_, rdb_aux(), rdb_write_options(), cfg_.dbfilename);
}

Status Server::start_bgsave() {
    const std::vector<int> fds = listener_fds();
    Status r = snapshots_.start_bgsave(ks_, rdb_aux(), rdb_write_options(), cfg_.dbfilename, fds);
    after_child_change();
    return r;
}

// While a child shares the parent's pages, growing or shrinking the keyspace's hash tables would
// copy them all: resizing waits (as Redis's updateDictResizePolicy) unless a table overflows.
void Server::after_child_change() {
    const bool allowed = !child_active();
    for (int i = 0; i < ks_.count(); ++i) ks_.db(i).dict.set_resize_allowed(allowed);
}

void Server::cancel_bgsave() {
    if (!snapshots_.bgsave_in_progress()) return;
    snapshots_.kill_child();
    after_child_change();
}

void Server::watch_child_signal() {
    child_signal_.async_wait([this](const std::error_code& ec, int) {
        if (ec) return;
        if (snapshots_.reap_child()) after_child_change();
        reap_aof_child();
        reap_sync_child();
        watch_child_signal();
    });
}

void Server::persistence_cron() {
    if (snapshots_.bgsave_in_progress() && snapshots_.reap_child()) after_child_change();
    reap_aof_child();
    // Save points and scheduled saves wait while any child (BGSAVE or AOF rewrite) runs.
    if (child_active()) return;
    const int64_t now = static_cast<int64_t>(::time(nullptr));
    if (auto sp = snapshots_.due_save_point(cfg_.save, now)) {
        spdlog::info("{} changes in {} seconds. Saving...", sp->changes, sp->seconds);
        (void)start_bgsave();
    } else if (snapshots_.scheduled_bgsave_due(now)) {
        if (start_bgsave()) snapshots_.info.bgsave_scheduled = false;
    }
}

Status Server::load_snapshot(bool merge, RdbLoadedAux* aux_out) {
    loading_ = true;
    const int64_t t0 = monotonic_us();
    RdbFileResult r = load_rdb_file(cfg_.dbfilename, ks_, rdb_read_options(), wall_clock_ms(),
                                    /*drop_expired=*/true, /*replace_existing=*/merge);
    loading_ = false;
    if (r.missing()) return Ok{};
    if (!r.ok()) return make_error(r.error);
    if (aux_out) *aux_out = r.aux;
    snapshots_.info.last_load_keys_loaded = r.keys_loaded;
    snapshots_.info.last_load_keys_expired = r.expired_dropped;
    spdlog::info("Loading RDB produced by version {}", r.aux.redis_ver);
    spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", r.keys_loaded,
                 r.expired_dropped);
    spdlog::info("DB loaded from disk: {:.3f} seconds",
                 static_cast<double>(monotonic_us() - t0) / 1e6);
    return Ok{};
}

}  // namespace snapstream
