#include "node/info.h"

#include <jemalloc/jemalloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <set>

#include "node/command_table.h"
#include "node/master_link.h"
#include "node/server.h"

namespace snapstream {
namespace {

// The Redis version this node speaks for: clients pick features by it.
constexpr const char* kRedisCompatVersion = "7.0.15";

std::string human_bytes(uint64_t n) {
    char buf[64];
    double d = static_cast<double>(n);
    if (n < 1024)
        std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
    else if (n < (1ull << 20))
        std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
    else if (n < (1ull << 30))
        std::snprintf(buf, sizeof(buf), "%.2fM", d / (1 << 20));
    else if (n < (1ull << 40))
        std::snprintf(buf, sizeof(buf), "%.2fG", d / (1ull << 30));
    else
        std::snprintf(buf, sizeof(buf), "%.2fT", d / (1ull << 40));
    return buf;
}

template <typename T>
void field(std::string& out, std::string_view name, const T& value) {
    out.append(name);
    out.push_back(':');
    if constexpr (std::is_convertible_v<T, std::string_view>) {
        out.append(std::string_view(value));
    } else {
        out.append(std::to_string(value));
    }
    out.append("\r\n");
}

uint64_t peak_memory = 0;

}  // namespace

size_t used_memory_bytes() {
    uint64_t epoch = 1;
    size_t sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    size_t allocated = 0;
    sz = sizeof(allocated);
    if (mallctl("stats.allocated", &allocated, &sz, nullptr, 0) != 0) return 0;
    return allocated;
}

size_t rss_bytes() {
    std::ifstream f("/proc/self/statm");
    size_t pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// INFO replication, field for field as Redis 7.0 (server.c).
void replication_info(Server& server, std::string& out) {
    const int64_t now = server.mstime();
    const WriteStream& ws = server.write_stream();
    const config::Config& cfg = server.cfg();
    if (const MasterLink* link = server.master_link()) {
        field(out, "role", "slave");
        field(out, "master_host", link->host());
        field(out, "master_port", link->port());
        field(out, "master_link_status", link->link_up() ? "up" : "down");
        field(out, "master_last_io_seconds_ago",
              link->link_up() ? (now - link->last_io_ms()) / 1000 : -1);
        field(out, "master_sync_in_progress", link->sync_in_progress() ? 1 : 0);
        field(out, "slave_read_repl_offset", ws.offset());
        field(out, "slave_repl_offset", ws.offset());
        if (link->sync_in_progress()) {
            const uint64_t total = link->transfer_size(), read = link->transfer_read();
            field(out, "master_sync_total_bytes",
                  total == 0 ? int64_t{-1} : static_cast<int64_t>(total));
            field(out, "master_sync_read_bytes", read);
            field(out, "master_sync_left_bytes",
                  total == 0 ? int64_t{-1} - static_cast<int64_t>(read)
                             : static_cast<int64_t>(total) - static_cast<int64_t>(read));
            char perc[32];
            std::snprintf(
                perc, sizeof perc, "%.2f",
                total ? static_cast<double>(read) * 100.0 / static_cast<double>(total) : 0.0);
            field(out, "master_sync_perc", perc);
            field(out, "master_sync_last_io_seconds_ago",
                  (now - link->transfer_last_io_ms()) / 1000);
        }
        if (!link->link_up())
            field(out, "master_link_down_since_seconds",
                  link->down_since_ms() ? (now - link->down_since_ms()) / 1000 : -1);
        field(out, "slave_priority", cfg.replica_priority);
        field(out, "slave_read_only", cfg.replica_read_only ? 1 : 0);
        field(out, "replica_announced", 1);
    } else {
        field(out, "role", "master");
    }
    field(out, "connected_slaves", server.replicas().size());
    if (cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0)
        field(out, "min_slaves_good_slaves", server.good_replicas());
    int n = 0;
    for (const Client* c : server.replicas()) {
        const ReplicaLink& r = *c->replica;
        std::string ip = r.announced_ip;
        if (ip.empty()) ip = c->addr.substr(0, c->addr.rfind(':'));
        const int64_t lag = r.state == ReplicaState::Online ? (now - r.ack_time_ms) / 1000 : 0;
        field(out, "slave" + std::to_string(n++),
              "ip=" + ip + ",port=" + std::to_string(r.listening_port) +
                  ",state=" + replica_state_name(r.state) +
                  ",offset=" + std::to_string(r.ack_offset) + ",lag=" + std::to_string(lag));
    }
    const auto& backlog = server.backlog();
    field(out, "master_failover_state", "no-failover");
    field(out, "master_replid", ws.replid());
    field(out, "master_replid2", server.replid2());
    field(out, "master_repl_offset", ws.offset());
    field(out, "second_repl_offset", server.second_repl_offset());
    field(out, "repl_backlog_active", backlog ? 1 : 0);
    field(out, "repl_backlog_size", cfg.repl_backlog_size);
    field(out, "repl_backlog_first_byte_offset", backlog ? backlog->first_byte_offset() : 0);
    field(out, "repl_backlog_histlen", backlog ? backlog->histlen() : 0);
}

std::string render_info(Server& server, const std::vector<std::string_view>& asked) {
    std::set<std::string> want;
    bool everything = false, all = false;
    for (auto s : asked) {
        std::string l(s);
        std::transform(l.begin(), l.end(), l.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (l == "everything")
            everything = true;
        else if (l == "all")
            all = true;
        else if (l == "default")
            want.insert({"server", "clients", "memory", "persistence", "stats", "replication",
                         "cpu", "modules", "errorstats", "cluster", "keyspace"});
        else
            want.insert(l);
    }
    if (asked.empty())
        want = {"server", "clients", "memory",     "persistence", "stats",   "replication",
                "cpu",    "modules", "errorstats", "cluster",     "keyspace"};
    // "all" is every section but modules' own; "everything" adds those. With no modules loaded
    // both mean every section here.
    auto section_on = [&](const char* s) { return everything || all || want.count(s) > 0; };

    const config::Config& cfg = server.cfg();
    const int64_t now_ms = server.mstime();
    std::string out;
    bool first = true;
    auto header = [&](const char* name) {
        if (!first) out.append("\r\n");
        first = false;
        out.append("# ").append(name).append("\r\n");
    };

    if (section_on("server")) {
        header("Server");
        struct utsname u;
        uname(&u);
        const int64_t uptime = (now_ms - server.start_time_ms()) / 1000;
        field(out, "redis_version", kRedisCompatVersion);
        field(out, "snapstream_version", SNAPSTREAM_VERSION);
        field(out, "redis_git_sha1", "00000000");
        field(out, "redis_git_dirty", 0);
        field(out, "redis_build_id", "0");
        field(out, "redis_mode", "standalone");
        field(out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
        field(out, "arch_bits", 64);
        field(out, "monotonic_clock", "POSIX clock_gettime");
        field(out, "multiplexing_api", "epoll");
        field(out, "atomicvar_api", "c11-builtin");
        field(out, "gcc_version",
              std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                  std::to_string(__GNUC_PATCHLEVEL__));
        field(out, "process_id", static_cast<int64_t>(getpid()));
        field(out, "process_supervised", "no");
        field(out, "run_id", server.run_id());
        field(out, "tcp_port", server.tcp_port());
        field(out, "server_time_usec", wall_clock_us());
        field(out, "uptime_in_seconds", uptime);
        field(out, "uptime_in_days", uptime / 86400);
        field(out, "hz", cfg.hz);
        field(out, "configured_hz", cfg.hz);
        field(out, "lru_clock", server.keyspace().lru_clock());
        field(out, "executable", "snapstream-server");
        field(out, "config_file", cfg.config_file);
        field(out, "io_threads_active", 0);
    }
    if (section_on("clients")) {
        header("Clients");
        size_t biggest_in = 0, biggest_out = 0;
        field(out, "connected_clients", server.clients().size());
        field(out, "cluster_connections", 0);
        field(out, "maxclients", cfg.maxclients);
        for (auto& [id, c] : server.clients()) biggest_out = std::max(biggest_out, c->out.size());
        field(out, "client_recent_max_input_buffer", biggest_in);
        field(out, "client_recent_max_output_buffer", biggest_out);
        field(out, "blocked_clients", server.blocked_clients());
        field(out, "tracking_clients", 0);
        field(out, "clients_in_timeout_table", 0);
    }
    if (section_on("memory")) {
        header("Memory");
        const uint64_t used = used_memory_bytes();
        const uint64_t rss = rss_bytes();
        peak_memory = std::max(peak_memory, used);
        field(out, "used_memory", used);
        field(out, "used_memory_human", human_bytes(used));
        field(out, "used_memory_rss", rss);
        field(out, "used_memory_rss_human", human_bytes(rss));
        field(out, "used_memory_peak", peak_memory);
        field(out, "used_memory_peak_human", human_bytes(peak_memory));
        char perc[32];
        std::snprintf(perc, sizeof(perc), "%.2f%%",
                      peak_memory
                          ? 100.0 * static_cast<double>(used) / static_cast<double>(peak_memory)
                          : 100.0);
        field(out, "used_memory_peak_perc", perc);
        field(out, "maxmemory", cfg.maxmemory);
        field(out, "maxmemory_human", human_bytes(cfg.maxmemory));
        field(out, "maxmemory_policy", "noeviction");
        char frag[32];
        std::snprintf(frag, sizeof(frag), "%.2f",
                      used ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
        field(out, "mem_fragmentation_ratio", frag);
        field(out, "mem_fragmentation_bytes",
              static_cast<int64_t>(rss) - static_cast<int64_t>(used));
        const char* version = nullptr;
        size_t vsz = sizeof(version);
        mallctl("version", &version, &vsz, nullptr, 0);
        field(out, "mem_allocator",
              std::string("jemalloc-") + (version ? std::string(version).substr(0, 5) : "?"));
        field(out, "lazyfree_pending_objects", 0);
    }
    if (section_on("persistence")) {
        header("Persistence");
        const SnapshotInfo& si = server.snapshots().info;
        const bool bgsave = server.snapshots().bgsave_in_progress();
        const int64_t now_s = now_ms / 1000;
        field(out, "loading", server.loading() ? 1 : 0);
        field(out, "async_loading", 0);
        field(out, "current_cow_peak", 0);
        field(out, "current_cow_size", 0);
        field(out, "current_cow_size_age", 0);
        field(out, "current_fork_perc", "0.00");
        field(out, "current_save_keys_processed", 0);
        field(out, "current_save_keys_total", 0);
        field(out, "rdb_changes_since_last_save", server.stats().dirty);
        field(out, "rdb_bgsave_in_progress", bgsave ? 1 : 0);
        field(out, "rdb_last_save_time", si.lastsave);
        field(out, "rdb_last_bgsave_status", si.last_bgsave_ok ? "ok" : "err");
        field(out, "rdb_last_bgsave_time_sec", si.last_bgsave_time_sec);
        field(out, "rdb_current_bgsave_time_sec", bgsave ? now_s - si.bgsave_start_sec : -1);
        field(out, "rdb_saves", si.saves);
        field(out, "rdb_last_cow_size", si.last_cow_size);
        field(out, "rdb_last_load_keys_expired", si.last_load_keys_expired);
        field(out, "rdb_last_load_keys_loaded", si.last_load_keys_loaded);
        const AppendOnlyFile& aof = server.aof();
        const AofInfo& ai = aof.info;
        const bool rewriting = aof.rewrite_in_progress();
        field(out, "aof_enabled", aof.enabled() ? 1 : 0);
        field(out, "aof_rewrite_in_progress", rewriting ? 1 : 0);
        field(out, "aof_rewrite_scheduled", ai.rewrite_scheduled ? 1 : 0);
        field(out, "aof_last_rewrite_time_sec", ai.last_rewrite_time_sec);
        field(out, "aof_current_rewrite_time_sec",
              rewriting ? now_s - ai.rewrite_start_ms / 1000 : -1);
        field(out, "aof_last_bgrewrite_status", ai.last_bgrewrite_ok ? "ok" : "err");
        field(out, "aof_rewrites", ai.rewrites);
        field(out, "aof_rewrites_consecutive_failures", ai.rewrites_consecutive_failures);
        field(out, "aof_last_write_status", aof.writer().last_write_ok() ? "ok" : "err");
        field(out, "aof_last_cow_size", ai.last_cow_size);
        field(out, "module_fork_in_progress", 0);
        field(out, "module_fork_last_cow_size", 0);
        if (aof.enabled()) {
            field(out, "aof_current_size", aof.current_size());
            // As Redis 7.0 reports it: the size when the last rewrite ended (the growth base).
            field(out, "aof_base_size", ai.rewrite_base_size);
            field(out, "aof_pending_rewrite", ai.rewrite_scheduled ? 1 : 0);
            field(out, "aof_buffer_length", aof.writer().pending());
            field(out, "aof_pending_bio_fsync", aof.writer().fsync_in_progress() ? 1 : 0);
            field(out, "aof_delayed_fsync", aof.writer().delayed_fsyncs());
        }
    }
    if (section_on("stats")) {
        header("Stats");
        const ServerStats& s = server.stats();
        const KeyspaceStats& k = server.keyspace().stats;
        field(out, "total_connections_received", s.total_connections_received);
        field(out, "total_commands_processed", s.total_commands_processed);
        field(out, "instantaneous_ops_per_sec", server.ops_metric().per_second());
        field(out, "total_net_input_bytes", s.total_net_input_bytes);
        field(out, "total_net_output_bytes", s.total_net_output_bytes);
        char kbps[32];
        std::snprintf(kbps, sizeof(kbps), "%.2f",
                      static_cast<double>(server.net_in_metric().per_second()) / 1024);
        field(out, "instantaneous_input_kbps", kbps);
        std::snprintf(kbps, sizeof(kbps), "%.2f",
                      static_cast<double>(server.net_out_metric().per_second()) / 1024);
        field(out, "instantaneous_output_kbps", kbps);
        field(out, "rejected_connections", s.rejected_connections);
        field(out, "sync_full", server.repl_stats().sync_full);
        field(out, "sync_partial_ok", server.repl_stats().sync_partial_ok);
        field(out, "sync_partial_err", server.repl_stats().sync_partial_err);
        field(out, "expired_keys", k.expired_keys);
        field(out, "expired_stale_perc", k.expired_stale_perc);
        field(out, "expire_cycle_cpu_milliseconds", k.expire_cycle_cpu_ms);
        field(out, "evicted_keys", 0);
        field(out, "evicted_clients", 0);
        field(out, "keyspace_hits", k.keyspace_hits);
        field(out, "keyspace_misses", k.keyspace_misses);
        field(out, "pubsub_channels", 0);
        field(out, "pubsub_patterns", 0);
        field(out, "latest_fork_usec", server.snapshots().info.latest_fork_usec);
        field(out, "total_forks", server.snapshots().info.total_forks);
        field(out, "client_query_buffer_limit_disconnections",
              s.client_query_buffer_limit_disconnections);
        field(out, "total_error_replies", s.total_error_replies);
        field(out, "total_reads_processed", s.total_reads_processed);
        field(out, "total_writes_processed", s.total_writes_processed);
    }
    if (section_on("replication")) {
        header("Replication");
        replication_info(server, out);
    }
    if (section_on("cpu")) {
        header("CPU");
        struct rusage self {
        }, children{};
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        auto secs = [](const timeval& tv) {
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                          static_cast<long>(tv.tv_usec));
            return std::string(buf);
        };
        field(out, "used_cpu_sys", secs(self.ru_stime));
        field(out, "used_cpu_user", secs(self.ru_utime));
        field(out, "used_cpu_sys_children", secs(children.ru_stime));
        field(out, "used_cpu_user_children", secs(children.ru_utime));
    }
    if (section_on("modules")) header("Modules");
    if (section_on("commandstats")) {
        header("Commandstats");
        auto emit = [&](const CommandSpec& c) {
            if (c.calls == 0 && c.rejected_calls == 0 && c.failed_calls == 0) return;
            char buf[256];
            std::snprintf(
                buf, sizeof(buf),
                "calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
                ",failed_calls=%" PRIu64,
                c.calls, c.usec,
                c.calls ? static_cast<double>(c.usec) / static_cast<double>(c.calls) : 0.0,
                c.rejected_calls, c.failed_calls);
            field(out, "cmdstat_" + c.full_name(), std::string(buf));
        };
        for (const auto& spec : command_table().all()) {
            emit(*spec);
            for (const auto& sub : spec->subcommands) emit(sub);
        }
    }
    if (section_on("errorstats")) header("Errorstats");
    if (section_on("cluster")) {
        header("Cluster");
        field(out, "cluster_enabled", 0);
    }
    if (section_on("keyspace")) {
        header("Keyspace");
        Keyspace& ks = server.keyspace();
        for (int i = 0; i < ks.count(); ++i) {
            const Database& db = ks.db(i);
            if (db.size() == 0) continue;
            field(out, "db" + std::to_string(i),
                  "keys=" + std::to_string(db.size()) + ",expires=" +
                      std::to_string(db.expires.size()) + ",avg_ttl=" + std::to_string(db.avg_ttl));
        }
    }
    return out;
}

}  // namespace snapstream
