// Unit tests for the config module: the parameter table, YAML and flag loading, CONFIG GET/SET
// and CONFIG REWRITE. Expected texts come from Redis 7.0.15 (checked against redis-server).

#include "config/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace snapstream::config {
namespace {

namespace fs = std::filesystem;

using Values = std::map<std::string, std::string>;

// Every parameter (and alias) as CONFIG GET * renders it.
Values all_values(const Config& cfg) {
    Values v;
    for (auto& [name, value] : get(cfg, {"*"})) v[name] = value;
    return v;
}

std::string value_of(const Config& cfg, std::string_view name) {
    auto r = get(cfg, {name});
    if (r.size() != 1) return "<missing " + std::string(name) + ">";
    return r[0].second;
}

Config yaml_ok(std::string_view text) {
    Result<Config> r = load_yaml_text(text, "cfg.yaml");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
    return r.ok() ? *r : Config{};
}

std::string yaml_error(std::string_view text, std::string_view file = "cfg.yaml") {
    Result<Config> r = load_yaml_text(text, file);
    EXPECT_FALSE(r.ok()) << "expected an error for:\n" << text;
    return r.ok() ? std::string() : r.error();
}

Result<std::vector<std::string>> config_set(
    Config& cfg, std::vector<std::pair<std::string_view, std::string_view>> pairs) {
    return set(cfg, pairs);
}

std::string set_error(Config& cfg,
                      std::vector<std::pair<std::string_view, std::string_view>> pairs) {
    Result<std::vector<std::string>> r = set(cfg, pairs);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error();
}

// A scratch directory removed at the end of each test.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "snapstream-config-XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        EXPECT_NE(p, nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    std::string write(const std::string& name, std::string_view text) const {
        fs::path f = path_ / name;
        std::ofstream out(f, std::ios::binary);
        out << text;
        return f.string();
    }

  private:
    fs::path path_;
};

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<Config> load_args(std::vector<std::string> args) {
    args.insert(args.begin(), "snapstream-server");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    return load(static_cast<int>(argv.size()), argv.data());
}

// ----------------------------------------------------------------------------------------------
// Table and defaults

TEST(ConfigDefaults, RenderAsRedisDoes) {
    Config cfg;
    EXPECT_EQ(value_of(cfg, "port"), "6379");
    EXPECT_EQ(value_of(cfg, "bind"), "127.0.0.1 -::1");
    EXPECT_EQ(value_of(cfg, "save"), "3600 1 300 100 60 10000");
    EXPECT_EQ(value_of(cfg, "client-output-buffer-limit"),
              "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    EXPECT_EQ(value_of(cfg, "replicaof"), "");
    EXPECT_EQ(value_of(cfg, "slaveof"), "");
    EXPECT_EQ(value_of(cfg, "appendonly"), "no");
    EXPECT_EQ(value_of(cfg, "protected-mode"), "yes");
    EXPECT_EQ(value_of(cfg, "appendfsync"), "everysec");
    EXPECT_EQ(value_of(cfg, "loglevel"), "notice");
    EXPECT_EQ(value_of(cfg, "repl-diskless-load"), "disabled");
    EXPECT_EQ(value_of(cfg, "maxmemory"), "0");
    EXPECT_EQ(value_of(cfg, "proto-max-bulk-len"), "536870912");
    EXPECT_EQ(value_of(cfg, "client-query-buffer-limit"), "1073741824");
    EXPECT_EQ(value_of(cfg, "repl-backlog-size"), "1048576");
    EXPECT_EQ(value_of(cfg, "auto-aof-rewrite-min-size"), "67108864");
    EXPECT_EQ(value_of(cfg, "hash-max-listpack-entries"), "512");
    EXPECT_EQ(value_of(cfg, "hash-max-listpack-value"), "64");
    EXPECT_EQ(value_of(cfg, "zset-max-listpack-entries"), "128");
    EXPECT_EQ(value_of(cfg, "list-max-listpack-size"), "-2");
    EXPECT_EQ(value_of(cfg, "set-max-intset-entries"), "512");
    EXPECT_EQ(value_of(cfg, "maxclients"), "10000");
    EXPECT_EQ(value_of(cfg, "hz"), "10");
    EXPECT_EQ(value_of(cfg, "dbfilename"), "dump.rdb");
    EXPECT_EQ(value_of(cfg, "appenddirname"), "appendonlydir");
    EXPECT_EQ(value_of(cfg, "requirepass"), "");
}

TEST(ConfigDefaults, EveryRowsDocumentedDefaultMatchesTheStruct) {
    Config cfg;
    ASSERT_GT(parameter_names().size(), 60u);
    for (std::string_view name : parameter_names()) {
        const ParameterInfo* info = find_parameter(name);
        ASSERT_NE(info, nullptr) << name;
        EXPECT_EQ(info->name, name);
        EXPECT_EQ(info->default_value, value_of(cfg, name)) << name;
    }
}

TEST(ConfigDefaults, NamesAreUniqueLowerCaseAndAliasesResolve) {
    std::set<std::string> seen;
    for (std::string_view name : parameter_names()) {
        EXPECT_TRUE(seen.insert(std::string(name)).second) << name;
        for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
        for (std::string_view alias : find_parameter(name)->aliases) {
            EXPECT_TRUE(seen.insert(std::string(alias)).second) << alias;
            EXPECT_EQ(find_parameter(alias)->name, name);
        }
    }
    EXPECT_EQ(find_parameter("SLAVEOF")->name, "replicaof");
    EXPECT_EQ(find_parameter("hash-max-ziplist-entries")->name, "hash-max-listpack-entries");
    EXPECT_EQ(find_parameter("hash-max-ziplist-value")->name, "hash-max-listpack-value");
    EXPECT_EQ(find_parameter("zset-max-ziplist-entries")->name, "zset-max-listpack-entries");
    EXPECT_EQ(find_parameter("zset-max-ziplist-value")->name, "zset-max-listpack-value");
    EXPECT_EQ(find_parameter("list-max-ziplist-size")->name, "list-max-listpack-size");
    EXPECT_EQ(find_parameter("slave-read-only")->name, "replica-read-only");
    EXPECT_EQ(find_parameter("no-such-thing"), nullptr);
}

TEST(ConfigDefaults, MutabilityFollowsRedis70) {
    for (const char* name : {"port", "bind", "dir", "appendfsync", "save", "maxmemory",
                             "appendonly", "requirepass", "loglevel", "dbfilename"}) {
        EXPECT_TRUE(find_parameter(name)->mutable_at_runtime) << name;
    }
    for (const char* name : {"databases", "logfile", "pidfile", "tcp-backlog", "rdbchecksum",
                             "appendfilename", "appenddirname", "replicaof"}) {
        EXPECT_FALSE(find_parameter(name)->mutable_at_runtime) << name;
    }
    EXPECT_TRUE(find_parameter("requirepass")->sensitive);
    EXPECT_TRUE(find_parameter("masterauth")->sensitive);
    EXPECT_FALSE(find_parameter("port")->sensitive);
}

// One non-default value for every Config field (besides config_file), so that a field the table
// forgot would show up as "no parameter changed".
const std::vector<std::pair<std::string, std::function<void(Config&)>>>& field_mutations() {
    static const std::vector<std::pair<std::string, std::function<void(Config&)>>> m = {
        {"bind",
         [](Config& c) {
             c.bind = {"10.0.0.1", "::1"};
         }},
        {"port", [](Config& c) { c.port = 7001; }},
        {"tcp-backlog", [](Config& c) { c.tcp_backlog = 1024; }},
        {"timeout", [](Config& c) { c.timeout = 30; }},
        {"tcp-keepalive", [](Config& c) { c.tcp_keepalive = 60; }},
        {"maxclients", [](Config& c) { c.maxclients = 42; }},
        {"protected-mode", [](Config& c) { c.protected_mode = false; }},
        {"databases", [](Config& c) { c.databases = 4; }},
        {"loglevel", [](Config& c) { c.loglevel = LogLevel::Warning; }},
        {"logfile", [](Config& c) { c.logfile = "/var/log/snap stream.log"; }},
        {"pidfile", [](Config& c) { c.pidfile = "/run/snap.pid"; }},
        {"hz", [](Config& c) { c.hz = 100; }},
        {"proto-max-bulk-len", [](Config& c) { c.proto_max_bulk_len = 2 * 1024 * 1024; }},
        {"client-query-buffer-limit", [](Config& c) { c.client_query_buffer_limit = 3 << 20; }},
        {"client-output-buffer-limit",
         [](Config& c) {
             c.obl_normal = {1024, 512, 7};
         }},
        {"client-output-buffer-limit",
         [](Config& c) {
             c.obl_replica = {1000, 999, 1};
         }},
        {"client-output-buffer-limit",
         [](Config& c) {
             c.obl_pubsub = {0, 0, 0};
         }},
        {"requirepass", [](Config& c) { c.requirepass = "s3cr#t \"quoted\" null"; }},
        {"maxmemory", [](Config& c) { c.maxmemory = 1ull << 30; }},
        {"dir", [](Config& c) { c.dir = "/var/lib/snapstream"; }},
        {"dbfilename", [](Config& c) { c.dbfilename = "snap.rdb"; }},
        {"save",
         [](Config& c) {
             c.save = {{900, 1}};
         }},
        {"rdbcompression", [](Config& c) { c.rdbcompression = false; }},
        {"rdbchecksum", [](Config& c) { c.rdbchecksum = false; }},
        {"stop-writes-on-bgsave-error", [](Config& c) { c.stop_writes_on_bgsave_error = false; }},
        {"rdb-del-sync-files", [](Config& c) { c.rdb_del_sync_files = true; }},
        {"appendonly", [](Config& c) { c.appendonly = true; }},
        {"appendfilename", [](Config& c) { c.appendfilename = "a.aof"; }},
        {"appenddirname", [](Config& c) { c.appenddirname = "aofdir"; }},
        {"appendfsync", [](Config& c) { c.appendfsync = AppendFsync::Always; }},
        {"no-appendfsync-on-rewrite", [](Config& c) { c.no_appendfsync_on_rewrite = true; }},
        {"auto-aof-rewrite-percentage", [](Config& c) { c.auto_aof_rewrite_percentage = 50; }},
        {"auto-aof-rewrite-min-size", [](Config& c) { c.auto_aof_rewrite_min_size = 1000; }},
        {"aof-load-truncated", [](Config& c) { c.aof_load_truncated = false; }},
        {"aof-use-rdb-preamble", [](Config& c) { c.aof_use_rdb_preamble = false; }},
        {"aof-timestamp-enabled", [](Config& c) { c.aof_timestamp_enabled = true; }},
        {"aof-checksums", [](Config& c) { c.aof_checksums = true; }},
        {"rdb-key-save-delay", [](Config& c) { c.rdb_key_save_delay = 100; }},
        {"disable-thp", [](Config& c) { c.disable_thp = false; }},
        {"sanitize-dump-payload",
         [](Config& c) { c.sanitize_dump_payload = SanitizePayload::Yes; }},
        {"replicaof",
         [](Config& c) {
             c.replicaof = ReplicaOf{"10.1.2.3", 6380};
         }},
        {"masterauth", [](Config& c) { c.masterauth = "pw"; }},
        {"masteruser", [](Config& c) { c.masteruser = "repl"; }},
        {"repl-backlog-size", [](Config& c) { c.repl_backlog_size = 10 << 20; }},
        {"repl-backlog-ttl", [](Config& c) { c.repl_backlog_ttl = 1; }},
        {"repl-timeout", [](Config& c) { c.repl_timeout = 5; }},
        {"repl-ping-replica-period", [](Config& c) { c.repl_ping_replica_period = 2; }},
        {"repl-diskless-sync", [](Config& c) { c.repl_diskless_sync = false; }},
        {"repl-diskless-sync-delay", [](Config& c) { c.repl_diskless_sync_delay = 0; }},
        {"repl-diskless-sync-max-replicas",
         [](Config& c) { c.repl_diskless_sync_max_replicas = 3; }},
        {"repl-diskless-load", [](Config& c) { c.repl_diskless_load = DisklessLoad::Swapdb; }},
        {"repl-disable-tcp-nodelay", [](Config& c) { c.repl_disable_tcp_nodelay = true; }},
        {"replica-serve-stale-data", [](Config& c) { c.replica_serve_stale_data = false; }},
        {"replica-read-only", [](Config& c) { c.replica_read_only = false; }},
        {"replica-priority", [](Config& c) { c.replica_priority = 7; }},
        {"replica-announce-ip", [](Config& c) { c.replica_announce_ip = "1.2.3.4"; }},
        {"replica-announce-port", [](Config& c) { c.replica_announce_port = 1234; }},
        {"min-replicas-to-write", [](Config& c) { c.min_replicas_to_write = 1; }},
        {"min-replicas-max-lag", [](Config& c) { c.min_replicas_max_lag = 3; }},
        {"repl-backlog-from-aof", [](Config& c) { c.repl_backlog_from_aof = true; }},
        {"hash-max-listpack-entries", [](Config& c) { c.hash_max_listpack_entries = 1; }},
        {"hash-max-listpack-value", [](Config& c) { c.hash_max_listpack_value = 2; }},
        {"list-max-listpack-size", [](Config& c) { c.list_max_listpack_size = 5; }},
        {"list-compress-depth", [](Config& c) { c.list_compress_depth = 1; }},
        {"set-max-intset-entries", [](Config& c) { c.set_max_intset_entries = 3; }},
        {"zset-max-listpack-entries", [](Config& c) { c.zset_max_listpack_entries = 4; }},
        {"zset-max-listpack-value", [](Config& c) { c.zset_max_listpack_value = 5; }},
    };
    return m;
}

TEST(ConfigDefaults, EveryFieldIsBoundToItsParameter) {
    const Values defaults = all_values(Config{});
    std::set<std::string> covered;
    for (const auto& [name, mutate] : field_mutations()) {
        Config cfg;
        mutate(cfg);
        Values now = all_values(cfg);
        std::vector<std::string> differing;
        for (const auto& [k, v] : now) {
            if (defaults.at(k) != v && find_parameter(k)->name == k) differing.push_back(k);
        }
        ASSERT_EQ(differing.size(), 1u) << "mutating the field of " << name;
        EXPECT_EQ(differing[0], name);
        covered.insert(name);
    }
    for (std::string_view name : parameter_names()) {
        EXPECT_TRUE(covered.count(std::string(name))) << "no field mutation for " << name;
    }
}

// ----------------------------------------------------------------------------------------------
// YAML values

TEST(ConfigYaml, EmptyFileCommentsOnlyAndBareDocumentAreAllDefaults) {
    const Values defaults = all_values(Config{});
    EXPECT_EQ(all_values(yaml_ok("")), defaults);
    EXPECT_EQ(all_values(yaml_ok("# nothing here\n\n")), defaults);
    EXPECT_EQ(all_values(yaml_ok("---\n")), defaults);
    EXPECT_EQ(yaml_ok("").config_file, "");
}

TEST(ConfigYaml, Booleans) {
    Config c = yaml_ok(
        "appendonly: yes\nprotected-mode: NO\nrdbcompression: false\n"
        "aof-timestamp-enabled: True\n");
    EXPECT_TRUE(c.appendonly);
    EXPECT_FALSE(c.protected_mode);
    EXPECT_FALSE(c.rdbcompression);
    EXPECT_TRUE(c.aof_timestamp_enabled);
    EXPECT_EQ(yaml_error("appendonly: maybe\n"),
              "cfg.yaml:1: key 'appendonly': 'maybe' is not yes or no");
    EXPECT_EQ(yaml_error("appendonly: 1\n"), "cfg.yaml:1: key 'appendonly': '1' is not yes or no");
}

TEST(ConfigYaml, Integers) {
    Config c = yaml_ok("port: 6380\ntimeout: \"30\"\nlist-max-listpack-size: -5\ndatabases: 1\n");
    EXPECT_EQ(c.port, 6380);
    EXPECT_EQ(c.timeout, 30);
    EXPECT_EQ(c.list_max_listpack_size, -5);
    EXPECT_EQ(c.databases, 1);
    EXPECT_EQ(yaml_error("port: abc\n"), "cfg.yaml:1: key 'port': 'abc' is not an integer");
    EXPECT_EQ(yaml_error("port: +5\n"), "cfg.yaml:1: key 'port': '+5' is not an integer");
    EXPECT_EQ(yaml_error("port: 05\n"), "cfg.yaml:1: key 'port': '05' is not an integer");
    EXPECT_EQ(yaml_error("port: 1.5\n"), "cfg.yaml:1: key 'port': '1.5' is not an integer");
    EXPECT_EQ(yaml_error("port: -1\n"),
              "cfg.yaml:1: key 'port': '-1' is out of range (must be between 0 and 65535)");
    EXPECT_EQ(yaml_error("databases: 0\n"),
              "cfg.yaml:1: key 'databases': '0' is out of range (must be between 1 and "
              "2147483647)");
    EXPECT_EQ(yaml_error("maxclients: -1\n"),
              "cfg.yaml:1: key 'maxclients': '-1' is out of range (must be between 1 and "
              "4294967295)");
    EXPECT_EQ(yaml_error("port:\n"), "cfg.yaml:1: key 'port': '' is not an integer");
}

TEST(ConfigYaml, HzIsClampedLikeRedis) {
    EXPECT_EQ(yaml_ok("hz: 1000\n").hz, 500);
    EXPECT_EQ(yaml_ok("hz: 0\n").hz, 1);
    EXPECT_EQ(yaml_ok("hz: 50\n").hz, 50);
}

TEST(ConfigYaml, MemorySizesWithUnits) {
    EXPECT_EQ(yaml_ok("maxmemory: 1gb\n").maxmemory, 1073741824u);
    EXPECT_EQ(yaml_ok("maxmemory: 1g\n").maxmemory, 1000000000u);
    EXPECT_EQ(yaml_ok("maxmemory: 100MB\n").maxmemory, 100u * 1024 * 1024);
    EXPECT_EQ(yaml_ok("maxmemory: 100m\n").maxmemory, 100000000u);
    EXPECT_EQ(yaml_ok("maxmemory: 5kb\n").maxmemory, 5120u);
    EXPECT_EQ(yaml_ok("maxmemory: 5k\n").maxmemory, 5000u);
    EXPECT_EQ(yaml_ok("maxmemory: 10b\n").maxmemory, 10u);
    EXPECT_EQ(yaml_ok("maxmemory: 12345\n").maxmemory, 12345u);
    EXPECT_EQ(yaml_ok("repl-backlog-size: 16mb\n").repl_backlog_size, 16u << 20);
    EXPECT_EQ(yaml_ok("hash-max-ziplist-value: 1kb\n").hash_max_listpack_value, 1024);
    EXPECT_EQ(value_of(yaml_ok("maxmemory: 2gb\n"), "maxmemory"), "2147483648");
    const std::string units = "(a number with an optional unit b, k, kb, m, mb, g or gb)";
    EXPECT_EQ(yaml_error("maxmemory: 1.5gb\n"),
              "cfg.yaml:1: key 'maxmemory': '1.5gb' is not a memory size " + units);
    EXPECT_EQ(yaml_error("maxmemory: -1\n"),
              "cfg.yaml:1: key 'maxmemory': '-1' is not a memory size " + units);
    EXPECT_EQ(yaml_error("maxmemory: 10tb\n"),
              "cfg.yaml:1: key 'maxmemory': '10tb' is not a memory size " + units);
    EXPECT_EQ(yaml_error("proto-max-bulk-len: 1k\n"),
              "cfg.yaml:1: key 'proto-max-bulk-len': '1k' is out of range (must be between "
              "1048576 and 9223372036854775807)");
}

TEST(ConfigYaml, Enums) {
    Config c = yaml_ok("appendfsync: ALWAYS\nloglevel: warning\nrepl-diskless-load: on-empty-db\n");
    EXPECT_EQ(c.appendfsync, AppendFsync::Always);
    EXPECT_EQ(c.loglevel, LogLevel::Warning);
    EXPECT_EQ(c.repl_diskless_load, DisklessLoad::OnEmptyDb);
    EXPECT_EQ(value_of(c, "appendfsync"), "always");
    EXPECT_EQ(yaml_error("appendfsync: sometimes\n"),
              "cfg.yaml:1: key 'appendfsync': 'sometimes' must be one of: everysec, always, no");
    EXPECT_EQ(yaml_error("loglevel: nothing\n"),
              "cfg.yaml:1: key 'loglevel': 'nothing' must be one of: debug, verbose, notice, "
              "warning");
}

TEST(ConfigYaml, Strings) {
    Config c = yaml_ok(
        "requirepass: \"p@ss word\"\nlogfile: /tmp/x.log\nmasterauth: ~\n"
        "dbfilename: snap.rdb\nreplica-announce-ip: 10.0.0.1\n");
    EXPECT_EQ(c.requirepass, "p@ss word");
    EXPECT_EQ(c.logfile, "/tmp/x.log");
    EXPECT_EQ(c.masterauth, "");
    EXPECT_EQ(c.dbfilename, "snap.rdb");
    EXPECT_EQ(c.replica_announce_ip, "10.0.0.1");
    EXPECT_EQ(yaml_error("dbfilename: a/b.rdb\n"),
              "cfg.yaml:1: key 'dbfilename': dbfilename can't be a path, just a filename");
    EXPECT_EQ(yaml_error("appendfilename: \"\"\n"),
              "cfg.yaml:1: key 'appendfilename': appendfilename can't be empty");
    EXPECT_EQ(yaml_error("appenddirname: x/y\n"),
              "cfg.yaml:1: key 'appenddirname': appenddirname can't be a path, just a dirname");
    EXPECT_EQ(yaml_error("requirepass: [a, b]\n"),
              "cfg.yaml:1: key 'requirepass': expected a single value, got a list");
    EXPECT_EQ(yaml_error("requirepass: {a: b}\n"),
              "cfg.yaml:1: key 'requirepass': expected a single value, got a mapping");
}

TEST(ConfigYaml, SaveForms) {
    const std::vector<SavePoint> want{{900, 1}, {300, 10}};
    EXPECT_EQ(yaml_ok("save: 900 1 300 10\n").save, want);
    EXPECT_EQ(yaml_ok("save: \"900 1 300 10\"\n").save, want);
    EXPECT_EQ(yaml_ok("save:\n  - 900 1\n  - \"300 10\"\n").save, want);
    EXPECT_EQ(yaml_ok("save: [[900, 1], [300, 10]]\n").save, want);
    EXPECT_EQ(yaml_ok("save:\n- [900, 1]\n- [300, 10]\n").save, want);
    EXPECT_TRUE(yaml_ok("save: \"\"\n").save.empty());
    EXPECT_TRUE(yaml_ok("save: []\n").save.empty());
    EXPECT_TRUE(yaml_ok("save:\n").save.empty());
    EXPECT_EQ(value_of(yaml_ok("save: \"\"\n"), "save"), "");
    EXPECT_EQ(yaml_error("save: 900\n"),
              "cfg.yaml:1: key 'save': '900' is not a valid save setting (expected pairs of "
              "<seconds> <changes> with seconds >= 1 and changes >= 0, or \"\" to disable)");
    EXPECT_NE(yaml_error("save: 0 1\n").find("key 'save': '0 1' is not a valid save"),
              std::string::npos);
    EXPECT_NE(yaml_error("save: 60 x\n").find("key 'save'"), std::string::npos);
    EXPECT_EQ(yaml_error("save: {a: 1}\n"),
              "cfg.yaml:1: key 'save': expected a value or a list, got a mapping");
    EXPECT_EQ(yaml_error("save:\n  - {a: 1}\n"),
              "cfg.yaml:1: key 'save': list items must be values or lists of values");
}

TEST(ConfigYaml, BindForms) {
    const std::vector<std::string> want{"127.0.0.1", "::1"};
    EXPECT_EQ(yaml_ok("bind: 127.0.0.1 ::1\n").bind, want);
    EXPECT_EQ(yaml_ok("bind: [127.0.0.1, \"::1\"]\n").bind, want);
    EXPECT_EQ(yaml_ok("bind:\n  - 127.0.0.1\n  - \"::1\"\n").bind, want);
    EXPECT_EQ(yaml_ok("bind: \"* -::*\"\n").bind, (std::vector<std::string>{"*", "-::*"}));
    EXPECT_TRUE(yaml_ok("bind: \"\"\n").bind.empty());
    std::string many = "bind:";
    for (int i = 0; i < 17; ++i) many += " 10.0.0." + std::to_string(i);
    EXPECT_EQ(yaml_error(many + "\n"),
              "cfg.yaml:1: key 'bind': too many bind addresses (at most 16)");
}

TEST(ConfigYaml, ReplicaofForms) {
    Config c = yaml_ok("replicaof: 127.0.0.1 6379\n");
    ASSERT_TRUE(c.replicaof.has_value());
    EXPECT_EQ(*c.replicaof, (ReplicaOf{"127.0.0.1", 6379}));
    EXPECT_EQ(value_of(c, "replicaof"), "127.0.0.1 6379");
    EXPECT_EQ(value_of(c, "slaveof"), "127.0.0.1 6379");
    EXPECT_EQ(*yaml_ok("replicaof: [primary.local, 7000]\n").replicaof,
              (ReplicaOf{"primary.local", 7000}));
    EXPECT_EQ(*yaml_ok("slaveof: \"10.0.0.2 6380\"\n").replicaof, (ReplicaOf{"10.0.0.2", 6380}));
    EXPECT_FALSE(yaml_ok("replicaof: no one\n").replicaof.has_value());
    EXPECT_FALSE(yaml_ok("replicaof: \"\"\n").replicaof.has_value());
    EXPECT_EQ(yaml_error("replicaof: 127.0.0.1 70000\n"),
              "cfg.yaml:1: key 'replicaof': '70000' is not a valid port (must be between 0 and "
              "65535)");
    EXPECT_EQ(yaml_error("replicaof: 127.0.0.1\n"),
              "cfg.yaml:1: key 'replicaof': '127.0.0.1' is not \"<host> <port>\" or \"no one\"");
}

TEST(ConfigYaml, ClientOutputBufferLimitForms) {
    Config c = yaml_ok("client-output-buffer-limit: replica 1mb 2mb 3 normal 1 2 3\n");
    EXPECT_EQ(value_of(c, "client-output-buffer-limit"),
              "normal 1 2 3 slave 1048576 2097152 3 pubsub 33554432 8388608 60");
    Config m = yaml_ok(
        "client-output-buffer-limit:\n  pubsub: 64mb 16mb 90\n  slave: [512mb, 128mb, 120]\n");
    EXPECT_EQ(m.obl_pubsub, (OutputBufferLimit{64ull << 20, 16ull << 20, 90}));
    EXPECT_EQ(m.obl_replica, (OutputBufferLimit{512ull << 20, 128ull << 20, 120}));
    EXPECT_EQ(m.obl_normal, Config{}.obl_normal);
    Config s = yaml_ok("client-output-buffer-limit:\n  - normal 1kb 1kb 1\n  - pubsub 0 0 0\n");
    EXPECT_EQ(s.obl_normal, (OutputBufferLimit{1024, 1024, 1}));
    EXPECT_EQ(s.obl_pubsub, (OutputBufferLimit{0, 0, 0}));
    EXPECT_NE(yaml_error("client-output-buffer-limit: master 1 1 1\n")
                  .find("cfg.yaml:1: key 'client-output-buffer-limit': 'master' is not a client "
                        "class"),
              std::string::npos);
    EXPECT_NE(yaml_error("client-output-buffer-limit: normal 1 1\n")
                  .find("key 'client-output-buffer-limit'"),
              std::string::npos);
    EXPECT_NE(yaml_error("client-output-buffer-limit: normal 1x 1 1\n")
                  .find("has a bad hard or soft size"),
              std::string::npos);
}

TEST(ConfigYaml, AliasesAndCaseInsensitiveKeys) {
    Config c = yaml_ok(
        "PORT: 7000\nhash-max-ziplist-entries: 10\nzset-max-ziplist-value: 32\n"
        "list-max-ziplist-size: 4\nslave-read-only: no\nslave-priority: 5\n");
    EXPECT_EQ(c.port, 7000);
    EXPECT_EQ(c.hash_max_listpack_entries, 10);
    EXPECT_EQ(c.zset_max_listpack_value, 32);
    EXPECT_EQ(c.list_max_listpack_size, 4);
    EXPECT_FALSE(c.replica_read_only);
    EXPECT_EQ(c.replica_priority, 5);
}

// ----------------------------------------------------------------------------------------------
// YAML errors: one line naming file, line and key

TEST(ConfigYamlErrors, OutOfRangeNamesFileLineAndKey) {
    std::string text = "# snapstream\n\nbind: 127.0.0.1\n\n# the port\ndatabases: 4\nport: 70000\n";
    EXPECT_EQ(yaml_error(text, "config.yaml"),
              "config.yaml:7: key 'port': '70000' is out of range (must be between 0 and 65535)");
}

TEST(ConfigYamlErrors, UnknownKey) {
    EXPECT_EQ(yaml_error("port: 1\n\nmaxmemroy: 1gb\n"),
              "cfg.yaml:3: key 'maxmemroy': unknown parameter");
}

TEST(ConfigYamlErrors, DuplicateKeysIncludingAliases) {
    EXPECT_EQ(yaml_error("port: 1\ntimeout: 2\nport: 3\n"),
              "cfg.yaml:3: key 'port': duplicate key (already set on line 1)");
    EXPECT_EQ(yaml_error("replicaof: a 1\nslaveof: b 2\n"),
              "cfg.yaml:2: key 'slaveof': duplicate key ('replicaof' already set on line 1)");
    EXPECT_EQ(yaml_error("Port: 1\nport: 3\n"),
              "cfg.yaml:2: key 'port': duplicate key ('Port' already set on line 1)");
}

TEST(ConfigYamlErrors, MalformedYamlReportsTheParserLine) {
    EXPECT_EQ(yaml_error("port: 1\nsave: [1, 2\nappendonly: yes\n"),
              "cfg.yaml:3: malformed YAML: end of sequence flow not found");
    EXPECT_EQ(yaml_error("port: 1\n  bad: indentation\n"),
              "cfg.yaml:2: malformed YAML: illegal map value");
    EXPECT_EQ(yaml_error("port: 1\ntimeout: 2\n\tbad: 1\n"),
              "cfg.yaml:3: malformed YAML: illegal tab when looking for indentation");
    EXPECT_EQ(yaml_error("port: b: c\n"), "cfg.yaml:1: malformed YAML: illegal map value");
}

TEST(ConfigYamlErrors, TopLevelMustBeAMapping) {
    EXPECT_EQ(yaml_error("- port\n- 1\n"),
              "cfg.yaml:1: the top level must be a mapping of parameter names to values");
    EXPECT_EQ(yaml_error("\n\njust a string\n"),
              "cfg.yaml:3: the top level must be a mapping of parameter names to values");
    EXPECT_EQ(yaml_error("port: 1\n---\nport: 2\n"),
              "cfg.yaml:3: only one YAML document is allowed");
    EXPECT_EQ(yaml_error("[1, 2]: 3\n"), "cfg.yaml:1: keys must be parameter names");
}

TEST(ConfigYamlErrors, WrongTypes) {
    EXPECT_EQ(yaml_error("appendonly: yes\nport:\n  - 1\n  - 2\n"),
              "cfg.yaml:2: key 'port': expected a single value, got a list");
    EXPECT_EQ(yaml_error("maxmemory: {a: 1}\n"),
              "cfg.yaml:1: key 'maxmemory': expected a single value, got a mapping");
    EXPECT_EQ(yaml_error("appendfsync: [always]\n"),
              "cfg.yaml:1: key 'appendfsync': expected a single value, got a list");
}

// ----------------------------------------------------------------------------------------------
// Command line (redis-server's rules)

TEST(ConfigCommandLine, NoArgumentsIsAllDefaults) {
    Result<Config> r = load_args({});
    ASSERT_TRUE(r.ok()) << r.error();
    Values v = all_values(*r);
    Values d = all_values(Config{});
    v.erase("dir");
    d.erase("dir");
    EXPECT_EQ(v, d);
    EXPECT_EQ(r->config_file, "");
    EXPECT_EQ(r->dir, fs::current_path().lexically_normal().string());
}

TEST(ConfigCommandLine, ValuesRunToTheNextFlag) {
    Result<Config> r =
        load_args({"--port", "7000", "--save", "", "--replicaof", "127.0.0.1", "6379",
                   "--appendonly", "yes", "--bind", "127.0.0.1", "::1", "--maxmemory", "100mb"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->port, 7000);
    EXPECT_TRUE(r->save.empty());
    EXPECT_EQ(r->replicaof, (ReplicaOf{"127.0.0.1", 6379}));
    EXPECT_TRUE(r->appendonly);
    EXPECT_EQ(r->bind, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(r->maxmemory, 100u << 20);
}

TEST(ConfigCommandLine, OneArgumentMultiWordValuesAreSplit) {
    Result<Config> r = load_args({"--save", "900 1 300 10", "--replicaof", "10.0.0.1 7000",
                                  "--client-output-buffer-limit", "pubsub 1mb 1mb 1"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->save, (std::vector<SavePoint>{{900, 1}, {300, 10}}));
    EXPECT_EQ(r->replicaof, (ReplicaOf{"10.0.0.1", 7000}));
    EXPECT_EQ(r->obl_pubsub, (OutputBufferLimit{1 << 20, 1 << 20, 1}));
}

TEST(ConfigCommandLine, SaveSpecialCases) {
    Result<Config> r = load_args({"--save", "--port", "7001"});  // bare --save means save ""
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->save.empty());
    EXPECT_EQ(r->port, 7001);
    r = load_args({"--port", "7001", "--save"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->save.empty());
    r = load_args({"--save", "900", "1", "--save", "300", "10"});  // repeated: points add up
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->save, (std::vector<SavePoint>{{900, 1}, {300, 10}}));
    r = load_args({"--save", "900", "1", "--save", ""});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_TRUE(r->save.empty());
}

TEST(ConfigCommandLine, FirstValueMayStartWithDashes) {
    Result<Config> r = load_args({"--requirepass", "--secret--", "--port", "7002"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->requirepass, "--secret--");
    EXPECT_EQ(r->port, 7002);
    r = load_args({"--port 7003", "--Loglevel", "WARNING"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->port, 7003);
    EXPECT_EQ(r->loglevel, LogLevel::Warning);
    r = load_args({"--slaveof", "h", "1", "--hash-max-ziplist-entries", "9"});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->replicaof, (ReplicaOf{"h", 1}));
    EXPECT_EQ(r->hash_max_listpack_entries, 9);
}

TEST(ConfigCommandLine, ErrorsNameTheFlag) {
    auto error_of = [](std::vector<std::string> args) {
        Result<Config> r = load_args(std::move(args));
        EXPECT_FALSE(r.ok());
        return r.ok() ? std::string() : r.error();
    };
    EXPECT_EQ(error_of({"--port", "70000"}),
              "command line: --port: '70000' is out of range (must be between 0 and 65535)");
    EXPECT_EQ(error_of({"--bogus", "1"}), "command line: --bogus: unknown parameter");
    EXPECT_EQ(error_of({"--appendonly", "yes", "--port"}), "command line: --port: missing value");
    EXPECT_EQ(error_of({"--appendonly"}), "command line: --appendonly: missing value");
    EXPECT_EQ(error_of({"--appendonly", ""}), "command line: --appendonly: '' is not yes or no");
    EXPECT_EQ(error_of({"--appendonly", "true"}),
              "command line: --appendonly: 'true' is not yes or no");
    EXPECT_EQ(error_of({"--port", "1", "2"}),
              "command line: --port: expected a single value, got 2: '1' '2'");
    EXPECT_EQ(error_of({"--appendfsync", "sometimes"}),
              "command line: --appendfsync: 'sometimes' must be one of: everysec, always, no");
    EXPECT_EQ(error_of({"--port", "1", "--"}),
              "command line: unexpected argument '--' (expected --name value)");
    EXPECT_EQ(error_of({"--save", "1"}).rfind("command line: --save: '1' is not a valid save", 0),
              0u);
}

TEST(ConfigCommandLine, FileThenFlagsOverride) {
    TempDir tmp;
    std::string file = tmp.write("node.yaml", "port: 7100\nappendonly: yes\nsave: 60 1\n");
    Result<Config> r = load_args({file, "--port", "7200", "--save", ""});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->port, 7200);
    EXPECT_TRUE(r->appendonly);
    EXPECT_TRUE(r->save.empty());
    EXPECT_EQ(r->config_file, file);
    r = load_args({file, "--save", "10", "2"});  // the command line's save replaces the file's
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->save, (std::vector<SavePoint>{{10, 2}}));
}

TEST(ConfigCommandLine, FilePathsAndDirBecomeAbsolute) {
    TempDir tmp;
    tmp.write("node.yaml", "dir: ./data/../data/\n");
    fs::path old = fs::current_path();
    fs::current_path(tmp.path());
    Result<Config> r = load_args({"node.yaml"});
    fs::current_path(old);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->config_file, (tmp.path() / "node.yaml").string());
    EXPECT_EQ(r->dir, (tmp.path() / "data").string());
}

TEST(ConfigCommandLine, FileErrorsNameTheFile) {
    TempDir tmp;
    std::string file = tmp.write("bad.yaml", "appendonly: yes\nport: x\n");
    Result<Config> r = load_args({file, "--port", "1"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), file + ":2: key 'port': 'x' is not an integer");
    std::string missing = (tmp.path() / "missing.yaml").string();
    r = load_args({missing});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), missing + ": can't open config file: No such file or directory");
    r = load_args({file, "stray"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), "command line: unexpected argument 'stray' (expected --name value)");
}

TEST(ConfigCommandLine, StartAction) {
    auto action = [](std::vector<const char*> args) {
        args.insert(args.begin(), "snapstream-server");
        return start_action(static_cast<int>(args.size()), args.data());
    };
    EXPECT_EQ(action({}), StartAction::Run);
    EXPECT_EQ(action({"-v"}), StartAction::Version);
    EXPECT_EQ(action({"--version"}), StartAction::Version);
    EXPECT_EQ(action({"-h"}), StartAction::Help);
    EXPECT_EQ(action({"--help"}), StartAction::Help);
    EXPECT_EQ(action({"node.yaml", "--help"}), StartAction::Run);
    EXPECT_EQ(action({"--port", "1"}), StartAction::Run);
}

// ----------------------------------------------------------------------------------------------
// CONFIG SET

TEST(ConfigSet, SetsSeveralAndReportsWhatChanged) {
    Config cfg;
    auto r = config_set(cfg, {{"port", "7000"}, {"maxmemory", "1gb"}, {"appendonly", "no"}});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(*r, (std::vector<std::string>{"port", "maxmemory"}));  // appendonly was already no
    EXPECT_EQ(cfg.port, 7000);
    EXPECT_EQ(cfg.maxmemory, 1ull << 30);
    EXPECT_EQ(value_of(cfg, "maxmemory"), "1073741824");
}

TEST(ConfigSet, IsAtomic) {
    Config cfg;
    EXPECT_EQ(set_error(cfg, {{"port", "7000"}, {"maxmemory", "lots"}}),
              "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
              "be a memory value");
    EXPECT_EQ(cfg.port, 6379);
    EXPECT_EQ(set_error(cfg, {{"save", ""}, {"appendonly", "yes"}, {"databases", "3"}}),
              "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
              "immutable config");
    EXPECT_EQ(cfg.save, Config{}.save);
    EXPECT_FALSE(cfg.appendonly);
}

TEST(ConfigSet, NamesAreCheckedBeforeValues) {
    Config cfg;
    EXPECT_EQ(set_error(cfg, {{"port", "70000"}, {"foo", "bar"}}),
              "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    EXPECT_EQ(set_error(cfg, {{"foo", "bar"}, {"databases", "1"}}),
              "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    EXPECT_EQ(set_error(cfg, {{"DATABASES", "3"}, {"foo", "bar"}}),
              "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set "
              "immutable config");
}

TEST(ConfigSet, ImmutableParameters) {
    Config cfg;
    for (const char* name : {"databases", "logfile", "pidfile", "tcp-backlog", "rdbchecksum",
                             "appendfilename", "appenddirname", "replicaof", "slaveof"}) {
        EXPECT_EQ(set_error(cfg, {{name, "1"}}),
                  std::string("ERR CONFIG SET failed (possibly related to argument '") + name +
                      "') - can't set immutable config");
    }
}

TEST(ConfigSet, DuplicatesAndAliases) {
    Config cfg;
    EXPECT_EQ(set_error(cfg, {{"port", "1"}, {"Port", "2"}}),
              "ERR CONFIG SET failed (possibly related to argument 'Port') - duplicate parameter");
    EXPECT_EQ(cfg.port, 6379);
    // Redis 7.0 treats a name and its alias as different entries: both apply, in order.
    auto r = config_set(cfg, {{"replica-priority", "1"}, {"slave-priority", "2"}});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(cfg.replica_priority, 2);
    EXPECT_EQ(*r, (std::vector<std::string>{"replica-priority"}));
    r = config_set(cfg, {{"HASH-MAX-ZIPLIST-ENTRIES", "7"}, {"list-max-ziplist-size", "-1"}});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(cfg.hash_max_listpack_entries, 7);
    EXPECT_EQ(cfg.list_max_listpack_size, -1);
    EXPECT_EQ(*r,
              (std::vector<std::string>{"hash-max-listpack-entries", "list-max-listpack-size"}));
}

TEST(ConfigSet, ValueErrorTextsMatchRedis70) {
    Config cfg;
    const std::string f = "ERR CONFIG SET failed (possibly related to argument '";
    EXPECT_EQ(set_error(cfg, {{"PORT", "abc"}}),
              f + "port') - argument couldn't be parsed into an integer");
    EXPECT_EQ(set_error(cfg, {{"port", ""}}),
              f + "port') - argument couldn't be parsed into an integer");
    EXPECT_EQ(set_error(cfg, {{"slave-priority", "abc"}}),
              f + "slave-priority') - argument couldn't be parsed into an integer");
    EXPECT_EQ(set_error(cfg, {{"port", "70000"}}),
              f + "port') - argument must be between 0 and 65535 inclusive");
    EXPECT_EQ(set_error(cfg, {{"maxmemory", "-1"}}),
              f + "maxmemory') - argument must be a memory value");
    EXPECT_EQ(set_error(cfg, {{"maxclients", "-1"}}),
              f + "maxclients') - argument must be between 1 and 4294967295 inclusive");
    EXPECT_EQ(set_error(cfg, {{"appendfsync", "foo"}}),
              f + "appendfsync') - argument(s) must be one of the following: everysec, always, no");
    EXPECT_EQ(set_error(cfg, {{"loglevel", "nothing"}}),
              f + "loglevel') - argument(s) must be one of the following: debug, verbose, "
                  "notice, warning");
    EXPECT_EQ(set_error(cfg, {{"save", "1 2 3"}}), f + "save') - Invalid save parameters");
    EXPECT_EQ(set_error(cfg, {{"save", "3600  1"}}), f + "save') - Invalid save parameters");
    EXPECT_EQ(set_error(cfg, {{"hash-max-listpack-value", "-1"}}),
              f + "hash-max-listpack-value') - argument must be a memory value");
    EXPECT_EQ(set_error(cfg, {{"repl-backlog-size", "18446744073709551615"}}),
              f + "repl-backlog-size') - argument must be between 1 and 9223372036854775807 "
                  "inclusive");
    EXPECT_EQ(set_error(cfg, {{"proto-max-bulk-len", "1k"}}),
              f + "proto-max-bulk-len') - argument must be between 1048576 and "
                  "9223372036854775807 inclusive");
    EXPECT_EQ(set_error(cfg, {{"list-max-listpack-size", "-99999999999"}}),
              f + "list-max-listpack-size') - argument must be between -2147483648 and "
                  "2147483647 inclusive");
    EXPECT_EQ(set_error(cfg, {{"set-max-intset-entries", "-1"}}),
              f + "set-max-intset-entries') - argument must be between 0 and "
                  "9223372036854775807 inclusive");
    EXPECT_EQ(set_error(cfg, {{"rdbcompression", "1"}}),
              f + "rdbcompression') - argument must be 'yes' or 'no'");
    EXPECT_EQ(set_error(cfg, {{"appendonly", "true"}}),
              f + "appendonly') - argument must be 'yes' or 'no'");
    EXPECT_EQ(set_error(cfg, {{"dbfilename", "a/b"}}),
              f + "dbfilename') - dbfilename can't be a path, just a filename");
    EXPECT_EQ(set_error(cfg, {{"client-output-buffer-limit", "master 1 1 1"}}),
              f + "client-output-buffer-limit') - Invalid client class specified in buffer "
                  "limit configuration.");
    EXPECT_EQ(set_error(cfg, {{"client-output-buffer-limit", "normal 1 1"}}),
              f + "client-output-buffer-limit') - Wrong number of arguments in buffer limit "
                  "configuration.");
    EXPECT_EQ(set_error(cfg, {{"client-output-buffer-limit", "normal 1x 1 1"}}),
              f + "client-output-buffer-limit') - Error in hard, soft or soft_seconds setting "
                  "in buffer limit configuration.");
    EXPECT_EQ(set_error(cfg, {{"dir", "/nonexistent/snapstream/dir"}}),
              f + "dir') - No such file or directory");
    std::string many;
    for (int i = 0; i < 17; ++i) many += (i ? " " : "") + std::string("10.0.0.1");
    EXPECT_EQ(set_error(cfg, {{"bind", many}}), f + "bind') - Too many bind addresses specified.");
    // None of the failures above changed anything.
    EXPECT_EQ(all_values(cfg), all_values(Config{}));
}

TEST(ConfigSet, AcceptedValuesRenderAsRedis) {
    Config cfg;
    ASSERT_TRUE(config_set(cfg, {{"appendfsync", "ALWAYS"}, {"rdbcompression", "NO"}}).ok());
    EXPECT_EQ(value_of(cfg, "appendfsync"), "always");
    EXPECT_EQ(value_of(cfg, "rdbcompression"), "no");
    ASSERT_TRUE(config_set(cfg, {{"save", "3600 1 60 "}}).ok());  // trailing empty word is 0
    EXPECT_EQ(value_of(cfg, "save"), "3600 1 60 0");
    ASSERT_TRUE(config_set(cfg, {{"save", "+5 -0"}}).ok());
    EXPECT_EQ(value_of(cfg, "save"), "5 0");
    ASSERT_TRUE(config_set(cfg, {{"save", ""}}).ok());
    EXPECT_EQ(value_of(cfg, "save"), "");
    EXPECT_TRUE(cfg.save.empty());
    ASSERT_TRUE(
        config_set(cfg, {{"client-output-buffer-limit", "replica 1mb 2mb 3 normal 1 2 3"}}).ok());
    EXPECT_EQ(value_of(cfg, "client-output-buffer-limit"),
              "normal 1 2 3 slave 1048576 2097152 3 pubsub 33554432 8388608 60");
    ASSERT_TRUE(config_set(cfg, {{"client-output-buffer-limit", ""}}).ok());  // no classes: no-op
    EXPECT_EQ(cfg.obl_normal, (OutputBufferLimit{1, 2, 3}));
    ASSERT_TRUE(config_set(cfg, {{"hz", "1000"}}).ok());
    EXPECT_EQ(value_of(cfg, "hz"), "500");
    ASSERT_TRUE(config_set(cfg, {{"bind", "0.0.0.0 ::"}}).ok());
    EXPECT_EQ(cfg.bind, (std::vector<std::string>{"0.0.0.0", "::"}));
    ASSERT_TRUE(config_set(cfg, {{"bind", ""}}).ok());
    EXPECT_TRUE(cfg.bind.empty());
    ASSERT_TRUE(config_set(cfg, {{"maxmemory", "18446744073709551615"}}).ok());
    EXPECT_EQ(value_of(cfg, "maxmemory"), "18446744073709551615");
    ASSERT_TRUE(config_set(cfg, {{"requirepass", "has spaces  inside"}}).ok());
    EXPECT_EQ(cfg.requirepass, "has spaces  inside");
}

TEST(ConfigSet, DirMustExistAndBecomesAbsolute) {
    TempDir tmp;
    Config cfg;
    auto r = config_set(cfg, {{"dir", tmp.path().string() + "/"}});
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(cfg.dir, tmp.path().string());
    EXPECT_EQ(value_of(cfg, "dir"), tmp.path().string());
    std::string file = tmp.write("plain", "x");
    EXPECT_EQ(set_error(cfg, {{"dir", file}}),
              "ERR CONFIG SET failed (possibly related to argument 'dir') - Not a directory");
    EXPECT_EQ(cfg.dir, tmp.path().string());
}

// ----------------------------------------------------------------------------------------------
// CONFIG GET

TEST(ConfigGet, ExactNamesKeepTheAskedSpelling) {
    Config cfg;
    auto r = get(cfg, {"PORT"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], (std::pair<std::string, std::string>{"PORT", "6379"}));
    r = get(cfg, {"port", "PORT", "nosuch"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].first, "port");
    r = get(cfg, {"slaveof", "replicaof"});  // an alias and its name are separate entries
    EXPECT_EQ(r.size(), 2u);
    EXPECT_TRUE(get(cfg, {"nosuch"}).empty());
}

TEST(ConfigGet, GlobsMatchNamesAndAliasesOnce) {
    Config cfg;
    cfg.replica_priority = 42;
    auto r = get(cfg, {"*priority*"});
    std::map<std::string, std::string> m(r.begin(), r.end());
    EXPECT_EQ(m, (std::map<std::string, std::string>{{"replica-priority", "42"},
                                                     {"slave-priority", "42"}}));
    r = get(cfg, {"PORT*", "port"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].first, "port");
    r = get(cfg, {"port", "*"});
    size_t ports = 0;
    for (auto& kv : r) ports += kv.first == "port";
    EXPECT_EQ(ports, 1u);
    r = get(cfg, {"maxmemor?", "hash-max-*-entries"});
    std::set<std::string> names;
    for (auto& kv : r) names.insert(kv.first);
    EXPECT_EQ(names, (std::set<std::string>{"maxmemory", "hash-max-listpack-entries",
                                            "hash-max-ziplist-entries"}));
    r = get(cfg, {"[ab]ind"});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].first, "bind");
}

TEST(ConfigGet, StarListsEveryNameAndAliasExactlyOnce) {
    Config cfg;
    auto r = get(cfg, {"*"});
    std::set<std::string> names;
    size_t expected = 0;
    for (std::string_view name : parameter_names()) {
        expected += 1 + find_parameter(name)->aliases.size();
    }
    for (auto& kv : r) EXPECT_TRUE(names.insert(kv.first).second) << kv.first;
    EXPECT_EQ(r.size(), expected);
    EXPECT_TRUE(names.count("slaveof"));
    EXPECT_TRUE(names.count("replicaof"));
    EXPECT_TRUE(names.count("zset-max-ziplist-value"));
}

// ----------------------------------------------------------------------------------------------
// Rendering and CONFIG REWRITE

Config everything_changed() {
    Config cfg;
    for (const auto& [name, mutate] : field_mutations()) mutate(cfg);
    return cfg;
}

TEST(ConfigRewrite, ToYamlRoundTrips) {
    const Config cfg = everything_changed();
    Result<Config> back = load_yaml_text(to_yaml(cfg), "round.yaml");
    ASSERT_TRUE(back.ok()) << back.error() << "\n" << to_yaml(cfg);
    EXPECT_EQ(all_values(*back), all_values(cfg));
    back = load_yaml_text(to_yaml(cfg, true), "round.yaml");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(all_values(*back), all_values(cfg));
    EXPECT_EQ(to_yaml(Config{}, true), "");
    const std::string all = to_yaml(Config{});
    EXPECT_NE(all.find("maxmemory: 0\n"), std::string::npos);
    EXPECT_NE(all.find("save: \"3600 1 300 100 60 10000\"\n"), std::string::npos);
    EXPECT_NE(all.find("proto-max-bulk-len: 512mb\n"), std::string::npos);
    EXPECT_NE(all.find("appendonly: no\n"), std::string::npos);
    EXPECT_EQ(load_yaml_text(all, "all.yaml").ok(), true);
}

TEST(ConfigRewrite, StringsThatNeedQuotingRoundTrip) {
    for (std::string s :
         {"null",        "~",        "",      "a b",       "#x",        "x #y",  "\"q\"",
          "back\\slash", "yes",      "-dash", "tab\there", "new\nline", "{x}",   "[1]",
          "key: v",      "'single'", "*star", "&amp",      "100",       "ümlaut"}) {
        Config cfg;
        cfg.requirepass = s;
        Result<Config> back = load_yaml_text(to_yaml(cfg, true), "q.yaml");
        ASSERT_TRUE(back.ok()) << back.error() << " for " << s;
        EXPECT_EQ(back->requirepass, s);
    }
}

TEST(ConfigRewrite, KeepsCommentsOrderAndUnchangedSpellings) {
    const std::string old =
        "# My node\n"
        "\n"
        "port: 6380   # the port\n"
        "maxmemory: 1gb  # leave me alone\n"
        "# persistence\n"
        "save:\n"
        "  # hourly\n"
        "  - 3600 1\n"
        "  - 300 100\n"
        "appendonly: no\n"
        "slave-priority: 10 # alias spelling\n";
    Result<Config> loaded = load_yaml_text(old, "node.yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    Config cfg = *loaded;
    ASSERT_TRUE(config_set(cfg, {{"port", "7000"},
                                 {"save", "60 5"},
                                 {"appendonly", "yes"},
                                 {"slave-priority", "11"},
                                 {"timeout", "30"},
                                 {"requirepass", "pa ss"}})
                    .ok());
    const std::string expected =
        "# My node\n"
        "\n"
        "port: 7000   # the port\n"
        "maxmemory: 1gb  # leave me alone\n"
        "# persistence\n"
        "save: \"60 5\"\n"
        "  # hourly\n"
        "appendonly: yes\n"
        "slave-priority: 11 # alias spelling\n"
        "# Generated by CONFIG REWRITE\n"
        "timeout: 30\n"
        "requirepass: \"pa ss\"\n";
    const std::string out = rewrite_text(old, cfg);
    EXPECT_EQ(out, expected);
    Result<Config> back = load_yaml_text(out, "node.yaml");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(all_values(*back), all_values(cfg));
    // Rewriting again changes nothing, and the signature is not repeated.
    EXPECT_EQ(rewrite_text(out, cfg), out);
    ASSERT_TRUE(config_set(cfg, {{"hz", "20"}}).ok());
    const std::string again = rewrite_text(out, cfg);
    EXPECT_EQ(again, expected + "hz: 20\n");
}

TEST(ConfigRewrite, ValuesBackAtDefaultStayAndDuplicatesGo) {
    Config cfg;
    const std::string old = "port: 7000\r\nappendonly: yes\r\nport: 7001\r\nbind: [a, b] # x\r\n";
    const std::string out = rewrite_text(old, cfg);
    EXPECT_EQ(out, "port: 6379\r\nappendonly: no\r\nbind: \"127.0.0.1 -::1\" # x\r\n");
}

TEST(ConfigRewrite, LastLineWithoutNewlineAndEmptyFile) {
    Config cfg;
    cfg.port = 7000;
    EXPECT_EQ(rewrite_text("appendonly: no", cfg),
              "appendonly: no\n# Generated by CONFIG REWRITE\nport: 7000\n");
    EXPECT_EQ(rewrite_text("", cfg), "# Generated by CONFIG REWRITE\nport: 7000\n");
    EXPECT_EQ(rewrite_text("port: 1", cfg), "port: 7000\n");
    EXPECT_EQ(rewrite_text("{port: 1, timeout: 2}\n", cfg),
              "# Generated by CONFIG REWRITE\nport: 7000\n");
}

TEST(ConfigRewrite, WithoutAConfigFile) {
    Config cfg;
    Status st = rewrite(cfg);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "ERR The server is running without a config file");
}

TEST(ConfigRewrite, WritesTheFileAtomicallyAndKeepsItsMode) {
    TempDir tmp;
    std::string file = tmp.write("node.yaml", "# keep\nport: 6380 # p\n");
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    Result<Config> r = load_args({file});
    ASSERT_TRUE(r.ok()) << r.error();
    Config cfg = *r;
    ASSERT_TRUE(config_set(cfg, {{"port", "6390"}, {"maxmemory", "2gb"}}).ok());
    Status st = rewrite(cfg);
    ASSERT_TRUE(st.ok()) << st.error();
    const std::string text = read(file);
    EXPECT_EQ(text.rfind("# keep\nport: 6390 # p\n# Generated by CONFIG REWRITE\n", 0), 0u) << text;
    EXPECT_NE(text.find("maxmemory: 2gb\n"), std::string::npos);
    EXPECT_NE(text.find("dir: "), std::string::npos);  // load() made dir absolute, as Redis does
    struct stat sb;
    ASSERT_EQ(::stat(file.c_str(), &sb), 0);
    EXPECT_EQ(sb.st_mode & 0777, 0640u);
    size_t entries = 0;
    for (const auto& e : fs::directory_iterator(tmp.path())) {
        (void)e;
        ++entries;
    }
    EXPECT_EQ(entries, 1u);  // no temporary file left behind
    Result<Config> back = load_args({file});
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(all_values(*back), all_values(cfg));
}

TEST(ConfigRewrite, CreatesAMissingFileAndReportsErrors) {
    TempDir tmp;
    Config cfg;
    cfg.port = 7005;
    cfg.config_file = (tmp.path() / "new.yaml").string();
    Status st = rewrite(cfg);
    ASSERT_TRUE(st.ok()) << st.error();
    EXPECT_EQ(read(cfg.config_file), "# Generated by CONFIG REWRITE\nport: 7005\n");
    cfg.config_file = (tmp.path() / "no" / "such" / "dir.yaml").string();
    st = rewrite(cfg);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), "No such file or directory");
}

}  // namespace
}  // namespace snapstream::config
