// The node's configuration: one typed struct that the server reads, filled from one parameter
// table (config/params.cpp). Each parameter has one name, the Redis 7.0 name where the concept is
// the same, used identically as a YAML key, as a `--name value` flag and by CONFIG GET/SET/REWRITE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace snapstream::config {

enum class LogLevel { Debug, Verbose, Notice, Warning, Nothing };
enum class AppendFsync { Always, Everysec, No };
enum class DisklessLoad { Disabled, OnEmptyDb, Swapdb };
enum class SanitizePayload { No, Yes, Clients };

struct SavePoint {
    int64_t seconds;
    int64_t changes;
    bool operator==(const SavePoint&) const = default;
};

struct ReplicaOf {
    std::string host;
    int port = 0;
    bool operator==(const ReplicaOf&) const = default;
};

// client-output-buffer-limit, one class (normal, replica, pubsub).
struct OutputBufferLimit {
    uint64_t hard_bytes = 0;
    uint64_t soft_bytes = 0;
    int64_t soft_seconds = 0;
    bool operator==(const OutputBufferLimit&) const = default;
};

struct Config {
    // network
    std::vector<std::string> bind{"127.0.0.1", "-::1"};  // "-" prefix: skip if unavailable
    int port = 6379;
    int tcp_backlog = 511;
    int64_t timeout = 0;  // seconds idle before a client is closed; 0 = never
    int64_t tcp_keepalive = 300;
    int64_t maxclients = 10000;
    bool protected_mode = true;

    // general
    int databases = 16;
    LogLevel loglevel = LogLevel::Notice;
    std::string logfile;  // "" = stdout
    std::string pidfile;
    int hz = 10;
    uint64_t proto_max_bulk_len = 512ull * 1024 * 1024;
    uint64_t client_query_buffer_limit = 1024ull * 1024 * 1024;
    OutputBufferLimit obl_normal{0, 0, 0};
    OutputBufferLimit obl_replica{256ull << 20, 64ull << 20, 60};
    OutputBufferLimit obl_pubsub{32ull << 20, 8ull << 20, 60};
    std::string requirepass;
    uint64_t maxmemory = 0;

    // RDB
    std::string dir = ".";
    std::string dbfilename = "dump.rdb";
    std::vector<SavePoint> save{{3600, 1}, {300, 100}, {60, 10000}};
    bool rdbcompression = true;
    bool rdbchecksum = true;
    bool stop_writes_on_bgsave_error = true;
    bool rdb_del_sync_files = false;
    int64_t rdb_key_save_delay = 0;  // microseconds per key written (a testing aid, as Redis's)
    SanitizePayload sanitize_dump_payload = SanitizePayload::No;
    bool disable_thp = true;  // transparent huge pages off for this process (fork COW cost)

    // AOF
    bool appendonly = false;
    std::string appendfilename = "appendonly.aof";
    std::string appenddirname = "appendonlydir";
    AppendFsync appendfsync = AppendFsync::Everysec;
    bool no_appendfsync_on_rewrite = false;
    int64_t auto_aof_rewrite_percentage = 100;
    uint64_t auto_aof_rewrite_min_size = 64ull * 1024 * 1024;
    bool aof_load_truncated = true;
    bool aof_use_rdb_preamble = true;
    bool aof_timestamp_enabled = false;
    bool aof_checksums = false;  // snapstream: CRC annotations on flushed batches

    // replication
    std::optional<ReplicaOf> replicaof;
    std::string masterauth;
    std::string masteruser;
    uint64_t repl_backlog_size = 1024ull * 1024;
    int64_t repl_backlog_ttl = 3600;
    int64_t repl_timeout = 60;
    int64_t repl_ping_replica_period = 10;
    bool repl_diskless_sync = true;
    int64_t repl_diskless_sync_delay = 5;
    int64_t repl_diskless_sync_max_replicas = 0;
    DisklessLoad repl_diskless_load = DisklessLoad::Disabled;
    bool repl_disable_tcp_nodelay = false;
    bool replica_serve_stale_data = true;
    bool replica_read_only = true;
    int64_t replica_priority = 100;
    std::string replica_announce_ip;
    int64_t replica_announce_port = 0;
    int64_t min_replicas_to_write = 0;
    int64_t min_replicas_max_lag = 10;
    bool repl_backlog_from_aof = false;  // snapstream: serve +CONTINUE from INCR files on disk

    // encodings (read by the data-types issue)
    int64_t hash_max_listpack_entries = 512;  // Redis 7.0's default
    int64_t hash_max_listpack_value = 64;
    int64_t list_max_listpack_size = -2;
    int64_t list_compress_depth = 0;
    int64_t set_max_intset_entries = 512;
    int64_t zset_max_listpack_entries = 128;
    int64_t zset_max_listpack_value = 64;

    // Where the config was loaded from ("" when started without a file); CONFIG REWRITE writes it.
    std::string config_file;
};

// Parses `snapstream-server [config.yaml] [--name value ...]` as redis-server parses its
// arguments: an optional file first, then flags whose values run up to the next "--" token
// (so `--save ""` and `--replicaof 127.0.0.1 6379` work). Flags override the file.
// Any error (unknown key, wrong type, out of range, malformed YAML) comes back as one line naming
// the file, line and key, e.g.
//   "node.yaml:7: key 'port': '70000' is out of range (must be between 0 and 65535)"
//   "command line: --port: '70000' is out of range (must be between 0 and 65535)"
// main prints it and exits 1. Check start_action() first for --help/--version. load() also makes
// `dir` and `config_file` absolute (relative to the working directory at start-up).
Result<Config> load(int argc, const char* const* argv);
// Just the YAML part (no flags, no path handling; config_file stays ""): for tests and tools.
Result<Config> load_yaml_text(std::string_view text, std::string_view file_name);

// redis-server looks at argv[1] alone for these: "-h"/"--help" and "-v"/"--version". main calls
// this before load() and prints usage or the version itself.
enum class StartAction { Run, Help, Version };
StartAction start_action(int argc, const char* const* argv);

// CONFIG GET: every parameter (and alias) whose name matches any glob pattern, as name/value
// pairs rendered the way Redis renders them ("yes"/"no", save as "3600 1 300 100", bytes as
// plain integers, enums lower-case). As in Redis 7.0, a pattern without glob characters is looked
// up directly (case-insensitive, aliases too) and answered under the spelling it was asked with;
// each name appears once; order is pattern order, then table order.
std::vector<std::pair<std::string, std::string>> get(const Config& cfg,
                                                     const std::vector<std::string_view>& patterns);

// CONFIG SET name value [name value ...]: atomic and validated: either every pair applies or
// none does. Returns the names changed on success; on failure the exact Redis error text
// without the leading '-' (e.g. "ERR Unknown option or number of arguments for CONFIG SET -
// 'foo'", "ERR CONFIG SET failed (possibly related to argument 'port') - ..."). The names
// returned are canonical and only those whose value actually changed, in request order; the
// caller applies them (rebinding, log level...) and restores the previous Config if that fails.
Result<std::vector<std::string>> set(
    Config& cfg, const std::vector<std::pair<std::string_view, std::string_view>>& pairs);

// CONFIG REWRITE: rewrites cfg.config_file, keeping the user's comments and key order, replacing
// values that changed and appending parameters that differ from their defaults (see
// rewrite_text). Writes a temporary file in the same directory, fsyncs it, renames it over the
// file and fsyncs the directory. Without a config_file the error is Redis's full reply "ERR The
// server is running without a config file"; an I/O failure gives just strerror() ("Permission
// denied"), which the command sends as "ERR Rewriting config file: <reason>" as Redis does.
Status rewrite(const Config& cfg);

// The pure part of rewrite(): the new text of a config file whose current text is old_text.
// Top-level `key: value` lines of parameters whose value changed are replaced (trailing comments
// kept, multi-line values dropped), other lines are kept as they are, and parameters that differ
// from their defaults but are absent are appended.
std::string rewrite_text(std::string_view old_text, const Config& cfg);

// cfg as YAML, one `name: value` line per parameter in table order (only those that differ from
// Config{} with only_non_default); load_yaml_text() reads it back to an equal configuration.
std::string to_yaml(const Config& cfg, bool only_non_default = false);

// Every parameter's canonical name (for COMMAND DOCS hints, CONFIG GET *).
std::vector<std::string_view> parameter_names();

// One parameter's metadata, found by canonical name or alias (case-insensitive), or nullptr; e.g.
// `sensitive` tells which CONFIG SET values to redact in SLOWLOG/MONITOR (requirepass, ...).
// The pointer stays valid for the life of the program.
struct ParameterInfo {
    std::string_view name;
    std::vector<std::string_view> aliases;
    bool mutable_at_runtime = true;
    bool sensitive = false;
    std::string_view default_value;  // as CONFIG GET renders it
};
const ParameterInfo* find_parameter(std::string_view name);

}  // namespace snapstream::config
