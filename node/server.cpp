#include "node/server.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "common/hash.h"
#include "node/command_util.h"
#include "node/log.h"
#include "node/master_link.h"

namespace snapstream {

// n random lower-case hex characters (run ids, replication ids).
std::string random_hex(size_t n) {
    static const char* kHex = "0123456789abcdef";
    std::string out(n, '0');
    unsigned char buf[64];
    if (getrandom(buf, sizeof(buf), 0) != static_cast<ssize_t>(sizeof(buf))) {
        uint64_t x = static_cast<uint64_t>(wall_clock_us()) ^ static_cast<uint64_t>(getpid());
        for (auto& b : buf) b = static_cast<unsigned char>(x = x * 6364136223846793005ull + 1);
    }
    for (size_t i = 0; i < n; ++i) out[i] = kHex[buf[i % sizeof(buf)] & 15];
    return out;
}

namespace {

// "unknown command 'x', with args beginning with: 'a' 'b' " as Redis words it: the name and the
// argument list are cut at 128 bytes (and, as printf's %s does, at a NUL byte).
std::string unknown_command_error(std::span<const std::string_view> argv) {
    auto cstr = [](std::string_view s, size_t max) {
        size_t nul = s.find('\0');
        if (nul != std::string_view::npos) s = s.substr(0, nul);
        return std::string(s.substr(0, std::min(max, s.size())));
    };
    std::string args;
    for (size_t i = 1; i < argv.size() && args.size() < 128; ++i)
        args += "'" + cstr(argv[i], 128 - args.size()) + "' ";
    return "ERR unknown command '" + cstr(argv[0], 128) + "', with args beginning with: " + args;
}

// -MISCONF: writes (and PING, as Redis does, so monitoring notices) are refused after a failed
// background save while stop-writes-on-bgsave-error is on.
constexpr char kErrMisconf[] =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.";

CommandHandler exec_handler() {
    static const CommandHandler h = command_table().find("exec")->handler;
    return h;
}

bool denied_by_disk_error(const Client& client, const CommandSpec* cmd) {
    if (cmd->has(kCmdWrite) || cmd->name == "ping") return true;
    if (cmd->handler != exec_handler()) return false;
    for (const QueuedCommand& q : client.queued)
        if (q.cmd->has(kCmdWrite)) return true;
    return false;
}

}  // namespace

void InstantMetric::sample(int64_t now_ms, uint64_t value) {
    int64_t t = now_ms - last_time_ms;
    uint64_t v = value - last_value;
    samples[static_cast<size_t>(idx)] = t > 0 ? v * 1000 / static_cast<uint64_t>(t) : 0;
    idx = (idx + 1) % kSamples;
    last_time_ms = now_ms;
    last_value = value;
}

uint64_t InstantMetric::per_second() const {
    uint64_t sum = 0;
    for (auto s : samples) sum += s;
    return sum / kSamples;
}

void CommandContext::select(int index) {
    db = &ks.db(index);
    if (client) client->db = index;
}

Server::Server(config::Config cfg)
    : cfg_(std::move(cfg)),
      signals_(io_, SIGTERM, SIGINT),
      child_signal_(io_, SIGCHLD),
      cron_timer_(io_),
      ks_(cfg_.databases),
      block_timer_(io_) {
    watched_keys_.resize(static_cast<size_t>(cfg_.databases));
    blocking_keys_.resize(static_cast<size_t>(cfg_.databases));
    // A key deleted by expiry is a change for WATCH, as any other deletion, and is propagated
    // as a DEL (inside the command that found it expired, or on its own from the cron).
    ks_.on_expired = [this](Database& db, std::string_view key) {
        touch_watched_key(db.id, key);
        if (propagating()) {
            const std::string_view argv[] = {"DEL", key};
            propagate(db.id, argv);
        }
    };
    // A list or sorted set appearing under a key may serve clients blocked on it.
    ks_.on_added = [this](Database& db, std::string_view key) { signal_key_ready(db.id, key); };
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) == sizeof(seed)) set_hash_seed(seed);
    ks_.rng.seed(seed ^ static_cast<uint64_t>(wall_clock_us()));
    run_id_ = random_hex(40);
    start_time_ms_ = wall_clock_ms();
}

Server::~Server() = default;

int64_t Server::mstime() const {
    return wall_clock_ms();
}

void Server::adjust_open_files_limit() {
    // Room for maxclients connections plus the node's own descriptors (listeners, logs, files),
    // as Redis reserves 32.
    const rlim_t want = static_cast<rlim_t>(cfg_.maxclients) + 32;
    struct rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= want) return;
    struct rlimit raised = lim;
    raised.rlim_cur = std::min(want, lim.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0 && raised.rlim_cur >= want) return;
    const int64_t fit = static_cast<int64_t>(raised.rlim_cur) - 32;
    spdlog::warn(
        "You requested maxclients of {} requiring at least {} max file descriptors; the "
        "limit allows {}, so maxclients is now {}.",
        cfg_.maxclients, static_cast<uint64_t>(want), static_cast<uint64_t>(raised.rlim_cur),
        fit > 1 ? fit : 1);
    cfg_.maxclients = fit > 1 ? fit : 1;
}

int Server::run() {
    ::signal(SIGPIPE, SIG_IGN);
    // A file-size limit makes write(2) fail with EFBIG (reported as a failed save) instead of
    // killing the node; forked children inherit this.
    ::signal(SIGXFSZ, SIG_IGN);
    // With transparent huge pages, one write after a fork copies 2 MB instead of 4 KB: a BGSAVE
    // would multiply memory and latency. Off for this process, as Redis's disable-thp does.
    if (cfg_.disable_thp) ::prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
    // Like Redis, the working directory is `dir`: relative file names (dbfilename, the AOF
    // directory) resolve there.
    if (::chdir(cfg_.dir.c_str()) != 0)
        throw std::runtime_error("Can't chdir to '" + cfg_.dir + "': " + std::strerror(errno));
    adjust_open_files_limit();
    spdlog::info("Server initialized");
    // Data first, then the port: a node never answers with a half-loaded keyspace. A dump that
    // cannot be read stops start-up and is left exactly as it is.
    if (Status loaded = load_data(); !loaded) {
        spdlog::warn("Fatal error loading the DB: {}. Exiting.", loaded.error());
        return 1;
    }
    listen();
    if (cfg_.replicaof)
        set_master_link(std::make_unique<MasterLink>(*this, cfg_.replicaof->host,
                                                     cfg_.replicaof->port,
                                                     /*identity_valid=*/loaded_position_));
    if (!cfg_.pidfile.empty()) {
        std::ofstream pf(cfg_.pidfile);
        if (pf)
            pf << getpid() << "\n";
        else
            spdlog::warn("Failed to write PID file: {}", std::strerror(errno));
    }
    watch_stop_signals();
    watch_child_signal();
    schedule_cron();
    spdlog::info("Ready to accept connections tcp");
    loop();
    return exit_code_;
}

namespace {
int64_t steady_ms() {
    return monotonic_us() / 1000;
}
}  // namespace

// How long the loop may sleep: until the cron or block timer is due (so that Asio runs them on
// time), and never longer than a second.
int Server::loop_timeout_ms() const {
    // Replies waiting for the AOF: look again soon (a background fsync ends in milliseconds).
    if (held_replies_) return 1;
    const int64_t now = steady_ms();
    int64_t due = now + 1000;
    if (cron_due_ms_) due = std::min(due, cron_due_ms_);
    if (block_due_ms_) due = std::min(due, block_due_ms_);
    return static_cast<int>(std::clamp<int64_t>(due - now, 0, 1000));
}

// The event loop: sleep in the client epoll set (node/poller.h), serve what is ready, run Asio
// when it has something to do (a new connection, a due timer, a signal), then before_sleep.
void Server::loop() {
    while (!io_.stopped()) {
        const int n = poller_.wait(loop_timeout_ms());
        const int64_t now = steady_ms();
        const bool timers_due =
            (cron_due_ms_ && now >= cron_due_ms_) || (block_due_ms_ && now >= block_due_ms_);
        if (asio_wake_.pending || timers_due || (n < 0 && errno == EINTR) || n == 0) {
            asio_wake_.pending = false;
            io_.poll();
            if (io_.stopped()) break;
        }
        before_sleep();
    }
}

void Server::listen() {
    bool any = false;
    for (const std::string& spec : cfg_.bind) {
        bool optional = !spec.empty() && spec[0] == '-';
        std::string host = optional ? spec.substr(1) : spec;
        if (host == "*") host = "0.0.0.0";
        std::error_code ec;
        auto address = asio::ip::make_address(host, ec);
        if (ec) {
            if (optional) continue;
            throw std::runtime_error("Invalid bind address '" + host + "'");
        }
        auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
        asio::ip::tcp::endpoint ep(address, static_cast<unsigned short>(cfg_.port));
        acceptor->open(ep.protocol(), ec);
        if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec && address.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
        if (!ec) acceptor->bind(ep, ec);
        if (!ec) acceptor->listen(cfg_.tcp_backlog, ec);
        if (ec) {
            if (optional) {
                spdlog::debug("Skipping optional bind address {}: {}", host, ec.message());
                continue;
            }
            throw std::runtime_error("Failed listening on port " + std::to_string(cfg_.port) +
                                     " (tcp), aborting: " + host + ": " + ec.message());
        }
        acceptor->non_blocking(true, ec);
        poller_.add(acceptor->native_handle(), &asio_wake_);
        accept_on(*acceptor);
        acceptors_.push_back(std::move(acceptor));
        any = true;
    }
    if (!any)
        throw std::runtime_error("Failed listening on port " + std::to_string(cfg_.port) +
                                 " (tcp): no bind address available");
}

void Server::accept_on(asio::ip::tcp::acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](const std::error_code& ec, asio::ip::tcp::socket sock) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            ++stats_.total_connections_received;
            if (static_cast<int64_t>(clients_.size()) >= cfg_.maxclients) {
                static const char kMsg[] = "-ERR max number of clients reached\r\n";
                std::error_code wec;
                asio::write(sock, asio::buffer(kMsg, sizeof(kMsg) - 1), wec);
                ++stats_.rejected_connections;
                sock.close(wec);
            } else {
                auto client = std::make_shared<Client>(*this, std::move(sock), next_client_id_++);
                clients_.emplace(client->id(), client);
                spdlog::debug("Accepted {}", client->addr);
                client->start();
            }
        } else {
            spdlog::warn("Accepting client connection: {}", ec.message());
        }
        if (!shutting_down_) accept_on(acceptor);
    });
}

void Server::remove_client(uint64_t id) {
    auto it = clients_.find(id);
    if (it == clients_.end()) return;
    // Keep the object alive until before_sleep: it may be the caller, or named by a later event.
    closed_clients_.push_back(it->second);
    clients_.erase(it);
}

void Server::queue_write(Client& c) {
    if (!c.queued_for_write) {
        c.queued_for_write = true;
        write_queue_.push_back(c.shared_from_this());
    }
}

void Server::before_sleep() {
    if (!ready_keys_.empty()) handle_ready_keys();
    if (!unblocked_.empty()) process_unblocked_clients();
    // WAIT asked: one REPLCONF GETACK in the stream makes every replica answer at once.
    if (get_ack_pending_) {
        get_ack_pending_ = false;
        if (!replicas_.empty() && !master_link_) {
            const std::string_view getack[] = {"REPLCONF", "GETACK", "*"};
            stream_.append(std::max(stream_.selected_db(), 0), getack);
        }
    }
    // The AOF first: a client's reply leaves only once its writes reached the file (and, with
    // appendfsync always, the disk); until then (a failed write being retried, a write
    // postponed behind a slow fsync) that client's replies wait in its buffer.
    flush_aof();
    std::vector<std::shared_ptr<Client>> queue;
    queue.swap(write_queue_);
    held_replies_ = false;
    for (auto& c : queue) {
        if (c->woff > durable_offset_ && !c->closed()) {
            write_queue_.push_back(c);
            held_replies_ = true;
            continue;
        }
        c->queued_for_write = false;
        c->flush();
    }
    queue.clear();
    if (write_queue_.empty()) write_queue_.swap(queue);  // keep the capacity
    closed_clients_.clear();
}

void Server::execute(Client& client, std::span<const std::string_view> argv) {
    Reply reply(client.out, client.resp);
    // Rejections inside MULTI also make the EXEC fail with EXECABORT.
    auto reject = [&](std::string_view error) {
        reply.error(error);
        ++stats_.total_error_replies;
        if (client.in_multi) client.dirty_exec = true;
    };
    const CommandTable& table = command_table();
    const CommandSpec* cmd = table.find(argv[0]);
    // A refused EXEC aborts the whole transaction rather than leaving it open, as Redis does.
    auto refuse = [&](std::string_view error) {
        ++cmd->rejected_calls;
        if (cmd->handler == exec_handler()) {
            discard_transaction(*this, client);
            reply.error("EXECABORT Transaction discarded because of: " + std::string(error));
            ++stats_.total_error_replies;
            return;
        }
        reject(error);
    };
    if (cmd && !cmd->subcommands.empty() && argv.size() > 1) {
        const CommandSpec* sub = cmd->find_subcommand(argv[1]);
        if (!sub) {
            std::string_view name = argv[1].substr(0, std::min<size_t>(argv[1].size(), 128));
            reject("ERR unknown subcommand '" + std::string(name.substr(0, name.find('\0'))) +
                   "'. Try " + upper(argv[0]) + " HELP.");
            return;
        }
        cmd = sub;
    }
    if (!cmd) {
        reject(unknown_command_error(argv));
        return;
    }
    client.last_cmd = cmd;
    const int argc = static_cast<int>(argv.size());
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        ++cmd->rejected_calls;
        reject("ERR wrong number of arguments for '" + cmd->full_name() + "' command");
        return;
    }
    if (!client.authenticated && !cmd->has(kCmdNoAuth)) {
        ++cmd->rejected_calls;
        reject("NOAUTH Authentication required.");
        return;
    }
    if ((snapshots_.writes_denied(cfg_) || aof_write_failed()) &&
        denied_by_disk_error(client, cmd)) {
        const std::string error =
            snapshots_.writes_denied(cfg_)
                ? std::string(kErrMisconf)
                : "MISCONF Errors writing to the AOF file: " + aof_.writer().last_write_error();
        refuse(error);
        return;
    }
    // Replication rules, in Redis's order: too few good replicas, a read-only replica, a
    // replica whose link is down (replica-serve-stale-data no).
    bool writes = cmd->has(kCmdWrite);
    if (!writes && cmd->handler == exec_handler())
        for (const QueuedCommand& q : client.queued) writes = writes || q.cmd->has(kCmdWrite);
    if (writes && !master_link_ && cfg_.min_replicas_to_write > 0 &&
        good_replicas() < cfg_.min_replicas_to_write) {
        refuse("NOREPLICAS Not enough good replicas to write.");
        return;
    }
    if (master_link_) {
        if (writes && cfg_.replica_read_only) {
            refuse("READONLY You can't write against a read only replica.");
            return;
        }
        if (!master_link_->link_up() && !cfg_.replica_serve_stale_data && !cmd->has(kCmdStale)) {
            refuse(
                "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
                "'no'.");
            return;
        }
    }
    if (client.in_multi && !cmd->has(kCmdTransactionControl)) {
        if (cmd->has(kCmdNoMulti)) {
            ++cmd->rejected_calls;
            reject("ERR Command not allowed inside a transaction");
            return;
        }
        QueuedCommand q{cmd, {}};
        q.argv.reserve(argv.size());
        for (std::string_view a : argv) q.argv.emplace_back(a);
        client.queued.push_back(std::move(q));
        reply.simple("QUEUED");
        return;
    }
    call(client, cmd, argv);
    if (!ready_keys_.empty()) handle_ready_keys();
}

void Server::call(Client& client, const CommandSpec* cmd, std::span<const std::string_view> argv) {
    Reply reply(client.out, client.resp);
    const int64_t now_us = wall_clock_us();
    ks_.set_now(now_us / 1000);
    CommandContext ctx{*this, &client, ks_, &ks_.db(client.db), reply, argv, cmd};
    const uint64_t offset_before = stream_.offset();
    invoke(ctx);
    // A call that added to the stream: its reply waits for the AOF (before_sleep).
    if (call_depth_ == 0 && stream_.offset() != offset_before) client.woff = stream_.offset();
    const int64_t took = wall_clock_us() - now_us;
    ++cmd->calls;
    cmd->usec += static_cast<uint64_t>(took > 0 ? took : 0);
    if (reply.errors() > 0) {
        ++cmd->failed_calls;
        stats_.total_error_replies += reply.errors();
    }
    ++stats_.total_commands_processed;
}

void Server::invoke(CommandContext& ctx) {
    const uint64_t changes_before = changes_;
    ++call_depth_;
    ctx.cmd->handler(ctx);
    --call_depth_;
    // EXEC is never propagated itself: its commands were, and are wrapped in MULTI/EXEC when
    // there is more than one.
    if (propagating() && !ctx.prevent_prop && (changes_ != changes_before || ctx.force_prop) &&
        ctx.cmd->handler != exec_handler()) {
        if (ctx.rewritten.empty()) {
            propagation_.add(ctx.db->id, ctx.argv);
        } else {
            std::vector<std::string_view> argv(ctx.rewritten.begin(), ctx.rewritten.end());
            propagation_.add(ctx.db->id, argv);
        }
    }
    if (call_depth_ == 0) propagate_pending();
}

void CommandContext::propagate_as(std::span<const std::string_view> argv) {
    rewritten.assign(argv.begin(), argv.end());
}

void CommandContext::also_propagate(std::span<const std::string_view> argv) {
    server.propagate(db->id, argv);
}

void Server::schedule_cron() {
    const int hz = std::clamp(cfg_.hz, 1, 500);
    cron_timer_.expires_after(std::chrono::microseconds(1000000 / hz));
    cron_due_ms_ = steady_ms() + 1000 / hz;
    cron_timer_.async_wait([this](const std::error_code& ec) {
        cron_due_ms_ = 0;
        if (ec || shutting_down_) return;
        cron();
        schedule_cron();
    });
}

void Server::cron() {
    ++cron_loops_;
    const int64_t now = mstime();
    ks_.set_now(now);
    ks_.set_lru_clock(static_cast<uint32_t>(now / 1000));
    // Active expiry gets up to 25% of a cron period, as Redis's slow cycle does.
    const int hz = std::clamp(cfg_.hz, 1, 500);
    // A replica's keys expire by its primary's DELs (reads already treat them as absent).
    if (active_expire_ && !master_link_) ks_.active_expire_cycle(250000 / hz);
    propagate_pending();
    ks_.rehash_and_resize(1000);
    clients_cron(now);
    persistence_cron();
    aof_cron();
    replication_cron();
    // Instantaneous metrics: one sample every 100 ms.
    if (now - ops_metric_.last_time_ms >= 100) {
        ops_metric_.sample(now, stats_.total_commands_processed);
        net_in_metric_.sample(now, stats_.total_net_input_bytes);
        net_out_metric_.sample(now, stats_.total_net_output_bytes);
    }
}

void Server::clients_cron(int64_t now_ms) {
    if (cfg_.timeout <= 0) return;
    std::vector<std::shared_ptr<Client>> idle;
    for (auto& [id, c] : clients_) {
        if (c->is_replica() || c->blocked) continue;  // replicas and blocked clients never idle out
        if (now_ms - c->last_interaction_ms > cfg_.timeout * 1000) idle.push_back(c);
    }
    for (auto& c : idle) {
        spdlog::debug("Closing idle client");
        c->close();
    }
}

bool Server::shutdown(bool from_signal, ShutdownFlags flags) {
    if (shutting_down_) return true;
    spdlog::warn("User requested shutdown...");
    cancel_bgsave();
    if (aof_.rewrite_in_progress()) {
        spdlog::warn("There is a child rewriting the AOF. Killing it!");
        aof_.kill_child();
    }
    if (aof_.writer().is_open()) {
        spdlog::info("Calling fsync() on the AOF file.");
        propagate_pending();
        flush_aof(/*force=*/true);
        (void)aof_.writer().sync_now();
    }
    if ((!cfg_.save.empty() && !flags.nosave) || flags.save) {
        spdlog::info("Saving the final RDB snapshot before exiting.");
        Status r = save_snapshot();
        if (!r) {
            if (!flags.force) {
                spdlog::warn("Error trying to save the DB, can't exit.");
                if (from_signal)
                    spdlog::warn(
                        "SIGTERM received but errors trying to shut down the server, check the "
                        "logs for more information");
                return false;
            }
            spdlog::warn("Error trying to save the DB; exiting anyway (FORCE).");
        }
    }
    shutting_down_ = true;
    finish_shutdown();
    return true;
}

void Server::watch_stop_signals() {
    signals_.async_wait([this](const std::error_code& ec, int sig) {
        if (ec) return;
        spdlog::warn("Received {} scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
        if (!shutdown(true)) watch_stop_signals();  // refused (the save failed): keep serving
    });
}

void Server::finish_shutdown() {
    for (auto& a : acceptors_) {
        std::error_code ec;
        a->close(ec);
    }
    // Write what is pending (e.g. the SHUTDOWN caller gets no reply, as in Redis, but other
    // clients' replies already produced are delivered), then close everyone.
    before_sleep();
    std::vector<std::shared_ptr<Client>> all;
    for (auto& [id, c] : clients_) all.push_back(c);
    for (auto& c : all) c->close();
    if (!cfg_.pidfile.empty()) ::unlink(cfg_.pidfile.c_str());
    std::error_code ec;
    signals_.cancel(ec);
    child_signal_.cancel(ec);
    cron_timer_.cancel();
    snapshots_.drain_background();  // a finished BGSAVE's directory fsync
    aof_.writer().drain();
    spdlog::warn("snapstream is now ready to exit, bye bye...");
    io_.stop();
}

void Server::reset_stats() {
    stats_ = ServerStats{.dirty = stats_.dirty};
    ks_.stats = KeyspaceStats{};
    ops_metric_ = net_in_metric_ = net_out_metric_ = InstantMetric{};
    for (const auto& spec : command_table().all()) {
        auto reset = [](const CommandSpec& s) {
            s.calls = s.usec = s.rejected_calls = s.failed_calls = 0;
        };
        reset(*spec);
        for (const auto& sub : spec->subcommands) reset(sub);
    }
}

void Server::set_log_level(config::LogLevel level) {
    snapstream::set_log_level(level);
}

std::optional<std::string> Server::apply_config_change(const std::vector<std::string>& names,
                                                       const config::Config& previous) {
    for (const std::string& name : names) {
        if (name == "loglevel") {
            set_log_level(cfg_.loglevel);
        } else if (name == "appendonly" && cfg_.appendonly != previous.appendonly) {
            if (Status r = set_appendonly(cfg_.appendonly); !r) return r.error();
        } else if (name == "appendfsync" && cfg_.appendfsync != previous.appendfsync) {
            // Switching policy: what is written so far is synced now.
            flush_aof(/*force=*/true);
            (void)aof_.writer().sync_now();
        } else if (name == "repl-backlog-size" && backlog_) {
            backlog_->resize(cfg_.repl_backlog_size);  // keeps the most recent bytes that fit
        } else if (name == "aof-use-rdb-preamble") {
            aof_.settings().rdb_preamble = cfg_.aof_use_rdb_preamble;
        } else if (name == "aof-checksums") {
            aof_.settings().checksums = cfg_.aof_checksums;
        } else if ((name == "port" || name == "bind") &&
                   (cfg_.port != previous.port || cfg_.bind != previous.bind)) {
            // Rebind: open the new listeners first; keep the old ones if that fails.
            auto old = std::move(acceptors_);
            acceptors_.clear();
            try {
                listen();
            } catch (const std::exception& e) {
                for (auto& a : acceptors_) {
                    std::error_code ec;
                    a->close(ec);
                }
                acceptors_ = std::move(old);
                cfg_.port = previous.port;
                cfg_.bind = previous.bind;
                spdlog::warn("Unable to listen on the new port/bind: {}", e.what());
                return std::string("Unable to listen on this port. Check server logs.");
            }
            for (auto& a : old) {
                std::error_code ec;
                a->close(ec);
            }
        }
    }
    return std::nullopt;
}

}  // namespace snapstream
