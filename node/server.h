// The node: one Asio event loop thread that owns the keyspace, the clients and every timer.
//
// Loop iteration (as in DESIGN.md):
//   readable sockets → read → parse → execute each complete request → replies appended to the
//   client's output buffer → the client is queued for writing → once the ready handlers of this
//   iteration have run, a single "before sleep" handler writes every queued client's buffer
//   (one write(2) per client per iteration). Later issues flush the AOF at the start of that
//   same handler, so an acknowledged write is on disk before its reply leaves.
// The cron (hz times a second) runs active expiry, idle-client timeouts, incremental rehash and
// the instantaneous-metrics samples.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <asio.hpp>

#include "config/config.h"
#include "node/command_table.h"
#include "node/keyspace.h"
#include "node/poller.h"
#include "node/replication.h"
#include "node/reply.h"
#include "node/resp_parser.h"
#include "persistence/aof.h"
#include "persistence/command_stream.h"
#include "persistence/rdb_load.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"
#include "persistence/snapshots.h"
#include "replication/backlog.h"
#include "replication/propagation.h"
#include "replication/write_stream.h"

namespace snapstream {

// Transparent hashing so maps keyed by std::string can be probed with a string_view.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Server;
class MasterLink;

// A command queued between MULTI and EXEC: its own copy of the arguments.
struct QueuedCommand {
    const CommandSpec* cmd;
    std::vector<std::string> argv;
};

// A key this client WATCHes (db index + name); `expired` = it was logically expired already
// when WATCH ran, so its later deletion by expiry is not a change (as Redis 7.0).
struct WatchedKey {
    int db;
    std::string key;
    bool expired;
};

// A client blocked by BLPOP & co: the command is run again, with the same arguments, whenever
// one of its keys may have become serveable; until then the client reads no further commands.
struct BlockState {
    const CommandSpec* cmd = nullptr;
    std::vector<std::string> argv;
    std::vector<std::string> keys;
    int db = 0;
    int64_t deadline_ms = 0;  // 0 = wait forever
    bool null_array = true;   // timeout reply: null array (BLPOP...) or null bulk (BLMOVE...)
    ValueType type = ValueType::List;
};

class Client final : public std::enable_shared_from_this<Client>, public PollTarget {
  public:
    Client(Server& server, asio::ip::tcp::socket socket, uint64_t id);
    ~Client();

    void start();
    // Closes the socket now; the object lives on until its pending handlers have run.
    void close();
    // Close once the output buffer has been written (QUIT, protocol errors, CLIENT KILL).
    void close_after_reply() { close_after_reply_ = true; }

    // Writes as much of the output buffer as the socket takes without blocking.
    void flush();

    uint64_t id() const { return id_; }
    bool closed() const { return closed_; }
    std::string info_line() const;  // one CLIENT LIST line (without the newline)

    // Public session state, read and changed by command handlers.
    int db = 0;
    std::string name;
    bool authenticated = true;
    int resp = 2;
    std::string out;  // pending reply bytes
    std::string addr, laddr;
    int64_t ctime_ms = 0;
    int64_t last_interaction_ms = 0;
    const CommandSpec* last_cmd = nullptr;
    bool queued_for_write = false;
    // Write-stream offset after this client's last write: its replies wait until the AOF has
    // that much where appendfsync wants it.
    uint64_t woff = 0;

    // MULTI/EXEC state (node/transactions.cpp).
    bool in_multi = false;
    bool dirty_cas = false;   // a WATCHed key changed: EXEC answers a null array
    bool dirty_exec = false;  // a command was rejected while queueing: EXEC answers EXECABORT
    std::vector<QueuedCommand> queued;
    std::vector<WatchedKey> watched;

    // Blocking state (node/blocking.cpp).
    bool blocked = false;
    BlockState block;

    // Runs the requests already buffered (after the client was unblocked).
    void resume();

    // Set when this connection is a replica of ours (PSYNC/SYNC), node/replication.h.
    std::unique_ptr<ReplicaLink> replica;
    // Attached as a replica (past PSYNC/SYNC), not just a client that sent REPLCONF.
    bool is_replica() const { return replica && replica->state != ReplicaState::Handshake; }
    // Writes `bytes` straight to the socket, bypassing the output buffer (which must not have
    // been partly sent): the keep-alive newlines and +FULLRESYNC of a replica waiting for its
    // snapshot. False when the socket did not take all of it.
    bool send_direct(std::string_view bytes);
    // Bytes in the output buffer not yet written.
    size_t pending_output() const { return out.size() - out_sent_; }
    int fd() const { return fd_; }

  private:
    void on_readable() override;
    void on_writable() override;
    void process_input();
    // A replica's output is held while its snapshot is prepared; the file goes first.
    bool replica_output_held() const;
    bool send_bulk_file();

    Server& server_;
    int fd_ = -1;  // owned: closed by close() or the destructor
    uint64_t id_;
    std::string query_;
    size_t query_used_ = 0;
    RequestParser parser_;
    size_t out_sent_ = 0;
    bool close_after_reply_ = false;
    bool closed_ = false;
    bool write_waiting_ = false;  // EPOLLOUT requested
    size_t query_peak_ = 0;
};

struct ServerStats {
    uint64_t total_connections_received = 0;
    uint64_t total_commands_processed = 0;
    uint64_t rejected_connections = 0;
    uint64_t total_net_input_bytes = 0;
    uint64_t total_net_output_bytes = 0;
    uint64_t total_error_replies = 0;
    uint64_t total_reads_processed = 0;
    uint64_t total_writes_processed = 0;
    uint64_t client_query_buffer_limit_disconnections = 0;
    uint64_t dirty = 0;  // changes since the last save
    uint64_t stat_numconnections_closed = 0;
};

// Samples for INSTANTANEOUS_* figures, as Redis keeps them: 16 samples, every 100 ms.
struct InstantMetric {
    static constexpr int kSamples = 16;
    std::array<uint64_t, kSamples> samples{};
    int idx = 0;
    int64_t last_time_ms = 0;
    uint64_t last_value = 0;
    void sample(int64_t now_ms, uint64_t value);
    uint64_t per_second() const;
};

struct CommandContext {
    Server& server;
    Client* client;  // nullptr while replaying (AOF load, replication stream)
    Keyspace& ks;
    Database* db;
    Reply& reply;
    std::span<const std::string_view> argv;
    const CommandSpec* cmd;

    // Set while a blocked client's command is run again because a key it waits on changed.
    bool reprocessing = false;
    // While reprocessing: the key that was signalled ready (Redis 7.0 serves the client from
    // that key, whatever the order of the command's keys).
    std::string_view ready_key;

    size_t argc() const { return argv.size(); }
    std::string_view arg(size_t i) const { return argv[i]; }
    void select(int index);
    // Blocking commands may block only for a real client outside MULTI/EXEC; elsewhere they
    // answer as if their timeout had passed (as Redis does).
    bool can_block() const;

    // --- Propagation (replication/propagation.h) ---------------------------------------------
    // A command that changed something enters the write stream as it was called, unless the
    // handler says otherwise here.
    // Propagate this call as `argv` instead (SET EX → SET PXAT, BLPOP → LPOP, ...).
    void propagate_as(std::initializer_list<std::string_view> argv) {
        propagate_as(std::span<const std::string_view>(argv.begin(), argv.size()));
    }
    void propagate_as(std::span<const std::string_view> argv);
    // Propagate an extra op now (before this call's own), in `db`.
    void also_propagate(std::span<const std::string_view> argv);
    // Do not propagate this call itself (it propagated ops of its own).
    void prevent_propagation() { prevent_prop = true; }
    // Propagate even if nothing changed (FLUSHALL / FLUSHDB on empty databases, as Redis).
    void force_propagation() { force_prop = true; }

    bool prevent_prop = false;
    bool force_prop = false;
    std::vector<std::string> rewritten;  // propagate_as(); empty = as called
};

// SHUTDOWN's options that change what happens to the data.
struct ShutdownFlags {
    bool nosave = false;
    bool save = false;
    bool force = false;
};

class Server {
  public:
    explicit Server(config::Config cfg);
    ~Server();

    // Listens, serves until shutdown, and returns the process exit code.
    int run();

    // Runs one request on behalf of a client (replies into client.out): looks the command up,
    // checks arity and authentication, queues it inside MULTI, else calls it.
    void execute(Client& client, std::span<const std::string_view> argv);
    // Runs a command that passed the checks; counts its statistics.
    void call(Client& client, const CommandSpec* cmd, std::span<const std::string_view> argv);
    // Runs ctx's handler as part of the current execution unit: what it changed is propagated
    // (replication/propagation.h), and the unit's ops are emitted when the outermost one ends.
    void invoke(CommandContext& ctx);

    // --- WATCH (node/transactions.cpp) -----------------------------------------------------
    void watch_key(Client& c, int db, std::string_view key);
    void unwatch_all(Client& c);
    // A key changed: every client WATCHing it will have its EXEC fail.
    void touch_watched_key(int db, std::string_view key) {
        if (!watched_keys_[static_cast<size_t>(db)].empty()) touch_watched_key_slow(db, key);
    }
    // FLUSHDB/FLUSHALL/SWAPDB: every watched key that exists in `emptied` (or in
    // `replaced_with`, when >= 0) counts as changed.
    void touch_all_watched_keys_in_db(int emptied, int replaced_with);
    bool watched_key_expired(const Client& c);
    bool in_exec() const { return in_exec_; }
    void set_in_exec(bool v) { in_exec_ = v; }

    // --- Blocking commands (node/blocking.cpp) ----------------------------------------------
    // Blocks the client running `ctx` on `keys` until one is served or the timeout (ms from
    // now; 0 = forever) passes. When the command is re-run for a blocked client and blocks
    // again, the client simply stays where it is in the queues.
    // `type` is the type the command pops (List or ZSet): a key readied with another type
    // does not serve it, as in Redis 7.0.
    void block_client(CommandContext& ctx, std::span<const std::string_view> keys,
                      int64_t timeout_ms, ValueType type, bool null_array_on_timeout);
    // A key of a type clients block on was created or received elements.
    void signal_key_ready(int db, std::string_view key) {
        if (!blocking_keys_[static_cast<size_t>(db)].empty()) signal_key_ready_slow(db, key);
    }
    // Serves clients blocked on the keys signalled ready (after each command, before sleep).
    void handle_ready_keys();
    void unblock_client(Client& c, bool timed_out);
    // SWAPDB: clients blocked in either database may now find their keys.
    void signal_all_blocked_keys(int db);

    // Loop plumbing used by Client.
    void queue_write(Client& c);
    void remove_client(uint64_t id);

    // Graceful stop from SIGTERM/SIGINT/SHUTDOWN: kills a BGSAVE child, saves a snapshot when
    // save points exist (or `save`; never with `nosave`), and stops. Returns false (and keeps
    // running) when that save fails, unless `force`.
    bool shutdown(bool from_signal, ShutdownFlags flags = ShutdownFlags());

    // --- RDB snapshots (node/server_rdb.cpp) ------------------------------------------------
    Snapshots& snapshots() { return snapshots_; }
    const Snapshots& snapshots() const { return snapshots_; }
    // SAVE / BGSAVE of the keyspace to dir/dbfilename with the configured options.
    Status save_snapshot();
    Status start_bgsave();
    // Loads dbfilename into the (empty) keyspace; a missing file is not an error. Used at
    // start-up and by DEBUG RELOAD. On failure the error names the file and the byte offset.
    // `merge`: keys in the file replace existing ones (DEBUG RELOAD MERGE) instead of failing.
    // `aux_out` receives the file's aux fields (replication position) when loaded.
    Status load_snapshot(bool merge = false, RdbLoadedAux* aux_out = nullptr);
    // Kills a running BGSAVE child (its temp file is removed; the last status is kept).
    void cancel_bgsave();
    // Whether a forked child (BGSAVE or AOF rewrite) is running.
    bool child_active() const {
        return snapshots_.bgsave_in_progress() || aof_.rewrite_in_progress() ||
               sync_child_.running();
    }

    // --- AOF and the write stream (node/server_aof.cpp) -------------------------------------
    AppendOnlyFile& aof() { return aof_; }
    const AppendOnlyFile& aof() const { return aof_; }
    WriteStream& write_stream() { return stream_; }
    // Counts changes (the dirty counter, and the monotonic counter propagation watches).
    void note_changes(uint64_t n) {
        stats_.dirty += n;
        changes_ += n;
    }
    // Whether writes have anywhere to go (AOF on; replicas later) and are not a replay of a
    // stream (node/replay.h): else nothing is encoded.
    // Replicas get the stream through the backlog; a replica's own writes (replica-read-only
    // no) are not propagated: its stream is its primary's, byte for byte.
    bool propagating() const {
        return (aof_.state() != AofState::Off || backlog_) && replaying_ == 0 && !master_link_;
    }
    // Replayer scope: what replayed commands change is not propagated again.
    void enter_replay() { ++replaying_; }
    void leave_replay() { --replaying_; }
    // DEBUG LOADAOF: empties the keyspace and replays the AOF directory (after flushing what is
    // pending to it).
    Status reload_aof();
    // Adds an op to the current execution unit (or emits it at once outside one).
    void propagate(int db, std::span<const std::string_view> argv);
    // BGREWRITEAOF: starts the rewrite, or schedules it while a child runs / inside EXEC.
    // Returns the reply text or an error.
    Result<std::string> bgrewriteaof();
    // CONFIG SET appendonly yes|no.
    Status set_appendonly(bool on);
    // -MISCONF for writes while the last AOF write failed.
    bool aof_write_failed() const {
        return aof_.state() == AofState::On && !aof_.writer().last_write_ok();
    }
    // Whether -MISCONF applies to this command (stop-writes-on-bgsave-error).
    bool writes_denied_by_disk_error() const { return snapshots_.writes_denied(cfg_); }
    bool loading() const { return loading_; }

    // --- Replication: primary side (node/server_primary.cpp) --------------------------------
    // PSYNC <replid> <offset> / SYNC: +CONTINUE from the backlog or a full sync.
    void psync(CommandContext& ctx, bool legacy_sync);
    // REPLCONF listening-port / ip-address / capa / ack / getack.
    void replconf(CommandContext& ctx);
    // REPLICAOF host port (nullopt: NO ONE). Returns the reply text or an error.
    Result<std::string> replicaof(std::optional<config::ReplicaOf> target);
    // WAIT numreplicas timeout.
    void wait_replicas(CommandContext& ctx);
    const std::vector<Client*>& replicas() const { return replicas_; }
    void forget_replica(Client& c);
    const std::optional<Backlog>& backlog() const { return backlog_; }
    const std::string& replid2() const { return replid2_; }
    // -1 when there is no second id (as INFO shows it).
    int64_t second_repl_offset() const { return second_offset_; }
    ReplicationStats& repl_stats() { return repl_stats_; }
    MasterLink* master_link() const { return master_link_.get(); }
    bool is_replica() const { return master_link_ != nullptr; }
    // Replicas whose last ACK is at most min-replicas-max-lag seconds old.
    int good_replicas() const;
    // Becomes the replica of `target`, or a primary (nullptr): the link, the keyspace's replica
    // view, the log's role letter.
    void set_master_link(std::unique_ptr<MasterLink> link);
    // The replica side's hooks (node/master_link.cpp).
    friend class MasterLink;

    // Applies parameters changed by CONFIG SET to the running node; returns an error text.
    std::optional<std::string> apply_config_change(const std::vector<std::string>& names,
                                                   const config::Config& previous);

    asio::io_context& io() { return io_; }
    Poller& poller() { return poller_; }
    config::Config& cfg() { return cfg_; }
    const config::Config& cfg() const { return cfg_; }
    Keyspace& keyspace() { return ks_; }
    ServerStats& stats() { return stats_; }
    std::map<uint64_t, std::shared_ptr<Client>>& clients() { return clients_; }
    const InstantMetric& ops_metric() const { return ops_metric_; }
    const InstantMetric& net_in_metric() const { return net_in_metric_; }
    const InstantMetric& net_out_metric() const { return net_out_metric_; }
    int64_t start_time_ms() const { return start_time_ms_; }
    const std::string& run_id() const { return run_id_; }
    int tcp_port() const { return cfg_.port; }
    uint64_t cron_loops() const { return cron_loops_; }
    size_t blocked_clients() const { return blocked_count_; }
    size_t watching_clients() const { return watching_clients_; }
    void reset_stats();
    // DEBUG SET-ACTIVE-EXPIRE: the cron's expiry cycle on or off (lazy expiry stays).
    void set_active_expire(bool on) { active_expire_ = on; }
    void set_log_level(config::LogLevel level);
    // Milliseconds the event loop must sleep before the next command (DEBUG SLEEP blocks it).
    int64_t mstime() const;

  private:
    void listen();
    void adjust_open_files_limit();
    void accept_on(asio::ip::tcp::acceptor& acceptor);
    void loop();
    int loop_timeout_ms() const;
    void before_sleep();
    void cron();
    void schedule_cron();
    void clients_cron(int64_t now_ms);
    void finish_shutdown();
    RdbAux rdb_aux() const;
    // Start-up: the AOF directory when appendonly yes, else dbfilename.
    Status load_data();
    Status load_aof();
    // Replays the BASE and INCR files of `m` into the keyspace; `position` gets the stream
    // position recorded by the last INCR file's #SO annotation (reset if it has none).
    Status replay_aof(const AofManifest& m, std::optional<StreamOrigin>& position);
    void propagate_pending();
    // Before replies leave: stream bytes to the AOF, write and fsync by policy. False while
    // replies must wait (a write failed, or is postponed behind a slow fsync).
    bool flush_aof(bool force = false);
    Status start_aof_rewrite();
    void aof_cron();
    void reap_aof_child();
    FsyncPolicy fsync_policy() const;
    RdbWriteOptions rdb_write_options() const;
    RdbReadOptions rdb_read_options() const;
    // Save points, BGSAVE SCHEDULE and a fallback reap of the child, from the cron.
    void persistence_cron();
    void watch_child_signal();
    void watch_stop_signals();
    void after_child_change();
    std::vector<int> listener_fds();
    // Primary side (node/server_primary.cpp).
    void feed_replicas(std::string_view bytes);
    void enforce_replica_buffer_limits();
    bool try_partial_resync(Client& c, std::string_view replid, std::string_view offset_arg);
    void start_full_sync(Client& c);
    void replication_cron();
    void start_sync_child();
    void reap_sync_child();
    void replica_online(Client& c);
    void create_backlog();
    bool stream_from_aof(int64_t psync_offset, std::string& out);
    // replid2 = the current id (valid up to the current offset), then `new_id` (random if
    // empty) from here on.
    void shift_replid(std::string new_id = "");
    void change_replid(std::string id);
    void disconnect_replicas();
    void unblock_waiters();
    // Attached replicas whose ACK has reached `offset` (WAIT).
    int64_t replicas_acked(uint64_t offset) const;
    // What a snapshot records about the stream (RDB aux repl-id/offset/stream-db), if anything.
    void add_repl_aux(RdbAux& aux) const;
    // After loading: adopt the position a snapshot or the AOF recorded.
    void adopt_loaded_position(const std::string& replid, uint64_t offset, int stream_db);
    void touch_watched_key_slow(int db, std::string_view key);
    void signal_key_ready_slow(int db, std::string_view key);
    void schedule_block_timer();
    void block_timeouts();
    void process_unblocked_clients();

    config::Config cfg_;
    // One thread runs the loop and nothing else posts to it: Asio's locking can be compiled out.
    asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE};
    std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
    Poller poller_;
    // A listening socket became readable: run Asio (which owns the acceptors) this iteration.
    struct AsioWake final : PollTarget {
        bool pending = false;
        void on_readable() override { pending = true; }
        void on_writable() override {}
    } asio_wake_;
    int64_t cron_due_ms_ = 0;  // steady-clock ms of the armed cron / block timer (0 = none)
    int64_t block_due_ms_ = 0;
    // Clients closed during this iteration, freed in before_sleep (events later in the same
    // epoll batch may still name them).
    std::vector<std::shared_ptr<Client>> closed_clients_;
    asio::signal_set signals_;
    asio::signal_set child_signal_;  // SIGCHLD: a BGSAVE child ended
    asio::steady_timer cron_timer_;
    Keyspace ks_;
    std::map<uint64_t, std::shared_ptr<Client>> clients_;
    std::vector<std::shared_ptr<Client>> write_queue_;
    uint64_t next_client_id_ = 1;
    ServerStats stats_;
    Snapshots snapshots_{stats_.dirty};
    AppendOnlyFile aof_;
    WriteStream stream_;
    Propagation propagation_;
    uint64_t changes_ = 0;         // monotonic: every change counted by note_changes()
    int call_depth_ = 0;           // nested call()s (EXEC runs its queued commands through call())
    uint64_t durable_offset_ = 0;  // stream offset whose replies may leave (AOF policy met)
    uint64_t delayed_fsync_logged_ = 0;
    bool held_replies_ = false;
    bool active_expire_ = true;
    int replaying_ = 0;
    bool loading_ = false;
    InstantMetric ops_metric_, net_in_metric_, net_out_metric_;
    int64_t start_time_ms_ = 0;
    std::string run_id_;
    uint64_t cron_loops_ = 0;
    bool shutting_down_ = false;
    int exit_code_ = 0;
    std::string scratch_out_;  // replies of requests run without a client

    // Watched keys per database: key -> clients watching it.
    using ClientList = std::vector<Client*>;
    std::vector<std::unordered_map<std::string, ClientList, StringHash, std::equal_to<>>>
        watched_keys_;
    size_t watching_clients_ = 0;
    bool in_exec_ = false;

    // Blocked clients per database: key -> clients in the order they blocked.
    std::vector<std::unordered_map<std::string, std::deque<Client*>, StringHash, std::equal_to<>>>
        blocking_keys_;
    size_t blocked_count_ = 0;
    std::vector<std::pair<int, std::string>> ready_keys_;
    std::multimap<int64_t, uint64_t> block_deadlines_;  // deadline ms -> client id
    asio::steady_timer block_timer_;
    int64_t block_timer_at_ = 0;
    std::vector<std::shared_ptr<Client>> unblocked_;  // to resume reading before sleep

    // Replication (node/server_primary.cpp, node/master_link.cpp).
    std::vector<Client*> replicas_;
    std::optional<Backlog> backlog_;
    std::string replid2_ = std::string(40, '0');
    int64_t second_offset_ = -1;
    ReplicationStats repl_stats_;
    std::unique_ptr<MasterLink> master_link_;
    ForkedChild sync_child_;                    // a full sync's snapshot child (diskless or disk)
    std::vector<uint64_t> sync_child_clients_;  // client ids of a diskless child's targets
    bool disk_sync_pending_ = false;  // a BGSAVE runs for replicas waiting in WaitBgsaveEnd
    int64_t no_replicas_since_ms_ = 0;
    int64_t last_repl_ping_ms_ = 0;
    int64_t last_repl_cron_ms_ = 0;
    bool get_ack_pending_ = false;
    // Start-up found a recorded position (RDB aux or AOF #SO): a replica's first PSYNC names it.
    bool loaded_position_ = false;
    int replay_db_ = 0;  // the database the last replayed AOF file ended in
    // Clients blocked in WAIT: client id -> (offset wanted, replicas wanted, deadline ms).
    struct Waiter {
        uint64_t offset;
        int64_t replicas;
        int64_t deadline_ms;
    };
    std::map<uint64_t, Waiter> waiters_;
};

}  // namespace snapstream
