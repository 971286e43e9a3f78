#include "node/master_link.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "node/command_util.h"
#include "node/log.h"
#include "node/replay.h"
#include "node/server.h"
#include "persistence/command_stream.h"
#include "persistence/rdb_load.h"

namespace snapstream {
namespace {

constexpr size_t kTransferChunk = 256 * 1024;
constexpr size_t kStreamChunk = 64 * 1024;

// A non-blocking TCP connect to host:port; -1 with `err` set on immediate failure.
int start_connect(const std::string& host, int port, std::string& err) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
        err = ::gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    for (addrinfo* p = res; p; p = p->ai_next) {
        fd = ::socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
        err = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd >= 0) {
        int yes = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    }
    return fd;
}

}  // namespace

MasterLink::MasterLink(Server& server, std::string host, int port, bool identity_valid)
    : server_(server), host_(std::move(host)), port_(port), identity_valid_(identity_valid) {
    down_since_ms_ = server_.mstime();
    spdlog::info("Connecting to MASTER {}:{}", host_, port_);
}

MasterLink::~MasterLink() {
    drop("");
}

uint64_t MasterLink::transfer_size() const {
    return payload_ && payload_->header_seen() && !payload_->eof_form() ? payload_->expected() : 0;
}

uint64_t MasterLink::transfer_read() const {
    return payload_ ? payload_->received() : 0;
}

void MasterLink::drop(std::string_view why) {
    if (!why.empty()) spdlog::warn("{}", why);
    if (fd_ >= 0) {
        server_.poller().remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    if (tmp_fd_ >= 0) {
        ::close(tmp_fd_);
        tmp_fd_ = -1;
    }
    if (!tmpfile_.empty()) {
        ::unlink(tmpfile_.c_str());
        tmpfile_.clear();
    }
    if (state_ == State::Connected) down_since_ms_ = server_.mstime();
    state_ = State::Connect;
    in_.clear();
    out_.clear();
    want_write_ = false;
    expected_.clear();
    payload_.reset();
    memory_payload_.clear();
    memory_payload_.shrink_to_fit();
    // The next attempt backs off: 100 ms, doubling with each failure in a row, at most 5 s.
    ++failures_;
    next_attempt_ms_ =
        server_.mstime() + std::min<int64_t>(100LL << std::min(failures_ - 1, 6), 5000);
}

void MasterLink::kill(std::string_view why) {
    if (fd_ < 0) return;
    drop(why);
    next_attempt_ms_ = 0;
}

void MasterLink::cron(int64_t now_ms) {
    const int64_t timeout_ms = server_.cfg().repl_timeout * 1000;
    switch (state_) {
        case State::Connect:
            if (now_ms >= next_attempt_ms_) connect_now(now_ms);
            return;
        case State::Connecting:
        case State::Handshake:
        case State::ReceivePsync:
            if (now_ms - last_io_ms_ > timeout_ms) drop("Timeout connecting to the MASTER...");
            return;
        case State::Transfer:
            if (now_ms - last_io_ms_ > timeout_ms)
                drop(
                    "Timeout receiving bulk data from MASTER... If the problem persists try to "
                    "set the 'repl-timeout' parameter in redis.conf to a larger value.");
            return;
        case State::Connected:
            if (now_ms - last_io_ms_ > timeout_ms) {
                drop("MASTER timeout: no data nor PING received...");
                return;
            }
            // Every second as Redis replicas do, and every cron tick (100 ms at hz 10) while
            // the stream moves, so the primary's view of our lag (WAIT, INFO) stays fresh.
            if (now_ms - last_ack_ms_ >= 1000 ||
                (server_.write_stream().offset() != last_acked_offset_ &&
                 now_ms - last_ack_ms_ >= 100))
                send_ack();
            return;
    }
}

void MasterLink::connect_now(int64_t now_ms) {
    std::string err;
    fd_ = start_connect(host_, port_, err);
    last_io_ms_ = now_ms;
    if (fd_ < 0) {
        drop("Unable to connect to MASTER: " + err);
        return;
    }
    state_ = State::Connecting;
    server_.poller().add(fd_, this);
    server_.poller().want_write(fd_, this, true);
    want_write_ = true;
    spdlog::info("MASTER <-> REPLICA sync started");
}

void MasterLink::send(std::string_view bytes) {
    if (fd_ < 0) return;
    if (out_.empty() && !want_write_) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n > 0) {
                bytes.remove_prefix(static_cast<size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            return;  // the read side reports the failure
        }
    }
    if (bytes.empty()) return;
    out_.append(bytes);
    if (!want_write_) {
        want_write_ = true;
        server_.poller().want_write(fd_, this, true);
    }
}

void MasterLink::send_command(std::initializer_list<std::string_view> argv) {
    std::string cmd;
    append_command(cmd, argv);
    send(cmd);
}

void MasterLink::send_ack() {
    if (state_ != State::Connected) return;
    last_ack_ms_ = server_.mstime();
    last_acked_offset_ = server_.write_stream().offset();
    const std::string off = std::to_string(server_.write_stream().offset());
    send_command({"REPLCONF", "ACK", off});
}

void MasterLink::on_writable() {
    if (fd_ < 0) return;
    if (state_ == State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            drop(std::string("Error condition on socket for SYNC: ") + std::strerror(err));
            return;
        }
        want_write_ = false;
        server_.poller().want_write(fd_, this, false);
        on_connected();
        return;
    }
    while (!out_.empty()) {
        const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
        if (n > 0) {
            out_.erase(0, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        drop(std::string("Error writing to MASTER: ") + std::strerror(errno));
        return;
    }
    want_write_ = false;
    server_.poller().want_write(fd_, this, false);
}

void MasterLink::on_connected() {
    spdlog::info("Non blocking connect for SYNC fired the event.");
    state_ = State::Handshake;
    last_io_ms_ = server_.mstime();
    expected_ = {"PING"};
    send_command({"PING"});
}

void MasterLink::on_readable() {
    if (fd_ < 0) return;
    const size_t chunk = state_ == State::Transfer ? kTransferChunk : kStreamChunk;
    const size_t used = in_.size();
    in_.resize(used + chunk);
    const ssize_t n = ::read(fd_, in_.data() + used, chunk);
    if (n <= 0) {
        in_.resize(used);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        drop(n == 0 ? "Connection with master lost."
                    : std::string("Error reading from MASTER: ") + std::strerror(errno));
        return;
    }
    in_.resize(used + static_cast<size_t>(n));
    last_io_ms_ = server_.mstime();
    server_.stats().total_net_input_bytes += static_cast<uint64_t>(n);
    switch (state_) {
        case State::Handshake:
        case State::ReceivePsync:
            (void)handle_lines();
            break;
        case State::Transfer: {
            std::string bytes;
            bytes.swap(in_);
            (void)feed_transfer(bytes);
            break;
        }
        case State::Connected:
            (void)apply_stream();
            break;
        default:
            break;
    }
}

// Handshake and PSYNC replies: one line each; false once the link was dropped.
bool MasterLink::handle_lines() {
    while (state_ == State::Handshake || state_ == State::ReceivePsync) {
        const size_t nl = in_.find('\n');
        if (nl == std::string::npos) {
            if (in_.size() > 64 * 1024) {
                drop("Reply from MASTER too long");
                return false;
            }
            return true;
        }
        std::string line = in_.substr(0, nl);
        in_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const bool ok = state_ == State::Handshake ? handshake_reply(line) : psync_reply(line);
        if (!ok) return false;
    }
    // The rest of what was read belongs to the next phase.
    if (state_ == State::Transfer && !in_.empty()) {
        std::string bytes;
        bytes.swap(in_);
        return feed_transfer(bytes);
    }
    if (state_ == State::Connected && !in_.empty()) return apply_stream();
    return true;
}

bool MasterLink::handshake_reply(std::string_view line) {
    if (line.empty()) return true;  // keep-alive
    if (expected_.empty()) return true;
    const std::string what = expected_.front();
    expected_.erase(expected_.begin());
    const config::Config& cfg = server_.cfg();
    if (what == "PING") {
        if (line[0] != '+' && line.substr(0, 7) != "-NOAUTH" && line.substr(0, 7) != "-NOPERM" &&
            line.substr(0, 28) != "-ERR operation not permitted") {
            drop("Error reply to PING from master: '" + std::string(line) + "'");
            return false;
        }
        spdlog::info("Master replied to PING, replication can continue...");
        if (!cfg.masterauth.empty()) {
            if (!cfg.masteruser.empty())
                send_command({"AUTH", cfg.masteruser, cfg.masterauth});
            else
                send_command({"AUTH", cfg.masterauth});
            expected_.push_back("AUTH");
        }
        const std::string port =
            std::to_string(cfg.replica_announce_port > 0 ? cfg.replica_announce_port : cfg.port);
        send_command({"REPLCONF", "listening-port", port});
        expected_.push_back("REPLCONF listening-port");
        if (!cfg.replica_announce_ip.empty()) {
            send_command({"REPLCONF", "ip-address", cfg.replica_announce_ip});
            expected_.push_back("REPLCONF ip-address");
        }
        send_command({"REPLCONF", "capa", "eof", "capa", "psync2"});
        expected_.push_back("REPLCONF capa");
        return true;
    }
    if (line[0] == '-') {
        if (what == "AUTH") {
            drop("Unable to AUTH to MASTER: " + std::string(line));
            return false;
        }
        spdlog::info("(Non critical) Master does not understand {}: {}", what, line);
    }
    if (!expected_.empty()) return true;
    // Handshake done: PSYNC with our position, or "?" when we have none to offer.
    state_ = State::ReceivePsync;
    const WriteStream& ws = server_.write_stream();
    if (identity_valid_) {
        const std::string off = std::to_string(ws.offset() + 1);
        spdlog::info("Trying a partial resynchronization (request {}:{}).", ws.replid(), off);
        send_command({"PSYNC", ws.replid(), off});
    } else {
        spdlog::info("Partial resynchronization not possible (no cached master)");
        send_command({"PSYNC", "?", "-1"});
    }
    return true;
}

bool MasterLink::psync_reply(std::string_view line) {
    if (line.empty()) return true;  // keep-alive while the primary prepares
    WriteStream& ws = server_.write_stream();
    if (line.substr(0, 11) == "+FULLRESYNC") {
        // "+FULLRESYNC <replid> <offset>"
        std::vector<std::string> fields;
        if (!split_inline_args(line, fields) || fields.size() < 3 || fields[1].size() != 40 ||
            !parse_int64(fields[2])) {
            drop("Master replied with wrong +FULLRESYNC syntax.");
            return false;
        }
        sync_replid_ = fields[1];
        sync_offset_ = static_cast<uint64_t>(*parse_int64(fields[2]));
        spdlog::info("Full resync from master: {}:{}", sync_replid_, sync_offset_);
        const config::Config& cfg = server_.cfg();
        bool empty = true;
        for (int i = 0; i < server_.keyspace().count() && empty; ++i)
            empty = server_.keyspace().db(i).dict.size() == 0;
        to_memory_ = cfg.repl_diskless_load == config::DisklessLoad::Swapdb ||
                     (cfg.repl_diskless_load == config::DisklessLoad::OnEmptyDb && empty);
        if (!to_memory_) {
            tmpfile_ = "temp-" + std::to_string(::time(nullptr)) + "." +
                       std::to_string(::getpid()) + ".rdb";
            tmp_fd_ = ::open(tmpfile_.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
            if (tmp_fd_ < 0) {
                const std::string err = std::strerror(errno);
                tmpfile_.clear();
                drop("Opening the temp file needed for MASTER <-> REPLICA synchronization: " + err);
                return false;
            }
        }
        payload_ = std::make_unique<PayloadReceiver>([this](std::string_view bytes) -> Status {
            if (to_memory_) {
                memory_payload_.append(bytes);
                return Ok{};
            }
            while (!bytes.empty()) {
                const ssize_t n = ::write(tmp_fd_, bytes.data(), bytes.size());
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0)
                    return make_error(std::string("Write error or short write writing to the DB "
                                                  "dump file needed for MASTER <-> REPLICA "
                                                  "synchronization: ") +
                                      std::strerror(errno));
                bytes.remove_prefix(static_cast<size_t>(n));
            }
            return Ok{};
        });
        state_ = State::Transfer;
        transfer_start_ms_ = server_.mstime();
        spdlog::info("MASTER <-> REPLICA sync: receiving streamed RDB from master with {}",
                     to_memory_ ? "EOF to parser" : "EOF to disk");
        return true;
    }
    if (line.substr(0, 9) == "+CONTINUE") {
        std::string_view newid = line.size() > 10 ? line.substr(10) : std::string_view();
        while (!newid.empty() && newid.back() == ' ') newid.remove_suffix(1);
        if (newid.size() == 40 && newid != ws.replid()) {
            // The primary changed id (it was promoted): ours becomes replid2.
            server_.shift_replid(std::string(newid));
            spdlog::info("Master replication ID changed to {}", newid);
            server_.disconnect_replicas();  // they learn the new id by reconnecting
        }
        if (!server_.backlog_) server_.create_backlog();
        stream_db_ = std::max(ws.selected_db(), 0);
        state_ = State::Connected;
        failures_ = 0;
        identity_valid_ = true;
        spdlog::info("Successful partial resynchronization with master.");
        spdlog::info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        send_ack();
        return true;
    }
    if (line.substr(0, 6) == "-NOMASTERLINK" || line.substr(0, 8) == "-LOADING") {
        drop("Master is currently unable to PSYNC but should be in the future: " +
             std::string(line));
        return false;
    }
    drop("Unexpected reply to PSYNC from master: " + std::string(line));
    return false;
}

bool MasterLink::feed_transfer(std::string_view bytes) {
    switch (payload_->feed(bytes)) {
        case PayloadReceiver::Step::NeedMore:
            return true;
        case PayloadReceiver::Step::Failed:
            drop("MASTER <-> REPLICA sync: " + payload_->error());
            return false;
        case PayloadReceiver::Step::Done:
            break;
    }
    return finish_transfer();
}

bool MasterLink::finish_transfer() {
    Server& s = server_;
    spdlog::info("MASTER <-> REPLICA sync: {} bytes of RDB received", payload_->received());
    const std::string rest = payload_->rest();
    // The data it replaces: children writing it go, the AOF restarts after the load.
    s.cancel_bgsave();
    if (s.sync_child_.running()) {  // our own replicas' snapshot of the data being replaced
        s.sync_child_.kill_and_reap();
        s.sync_child_clients_.clear();
        s.after_child_change();
    }
    // swapdb: the snapshot is loaded beside the old data, which is replaced only once the load
    // succeeded (a bad transfer leaves the replica serving what it had). Otherwise the old data
    // goes first, as Redis does.
    const bool swapdb = to_memory_ && s.cfg_.repl_diskless_load == config::DisklessLoad::Swapdb;
    std::optional<Keyspace> fresh;
    if (swapdb) fresh.emplace(s.ks_.count());
    Keyspace& into = swapdb ? *fresh : s.ks_;
    const bool aof_was_on = s.aof_.enabled();
    if (!swapdb) {
        if (aof_was_on) (void)s.set_appendonly(false);
        spdlog::info("MASTER <-> REPLICA sync: Flushing old data");
        for (int i = 0; i < s.ks_.count(); ++i) s.touch_all_watched_keys_in_db(i, -1);
        s.ks_.flush_all();
    }
    RdbLoadedAux aux;
    std::string error;
    s.loading_ = true;
    spdlog::info("MASTER <-> REPLICA sync: Loading DB in memory");
    if (to_memory_) {
        KeyspaceLoadTarget target(into, wall_clock_ms(), /*drop_expired=*/false);
        const auto* p = reinterpret_cast<const uint8_t*>(memory_payload_.data());
        RdbReadResult rr = read_rdb(std::span<const uint8_t>(p, memory_payload_.size()),
                                    s.rdb_read_options(), target);
        if (!rr.error.empty()) error = rr.error + " at offset " + std::to_string(rr.error_offset);
        aux = target.aux_info();
        memory_payload_.clear();
        memory_payload_.shrink_to_fit();
    } else {
        if (::fsync(tmp_fd_) != 0)
            spdlog::warn("fsync of the received RDB: {}", std::strerror(errno));
        ::close(tmp_fd_);
        tmp_fd_ = -1;
        if (::rename(tmpfile_.c_str(), s.cfg_.dbfilename.c_str()) != 0) {
            error = "Failed trying to rename the temp DB into " + s.cfg_.dbfilename + ": " +
                    std::strerror(errno);
        } else {
            tmpfile_.clear();
            RdbFileResult r = load_rdb_file(s.cfg_.dbfilename, s.ks_, s.rdb_read_options(),
                                            wall_clock_ms(), /*drop_expired=*/false);
            if (!r.ok()) error = r.error;
            aux = r.aux;
        }
    }
    s.loading_ = false;
    payload_.reset();
    if (!error.empty()) {
        if (!swapdb) s.ks_.flush_all();
        drop("Failed trying to load the MASTER synchronization DB from " +
             std::string(to_memory_ ? "socket" : "disk") + ": " + error +
             (swapdb ? " (the previous data is kept)" : ""));
        return false;
    }
    if (swapdb) {
        if (aof_was_on) (void)s.set_appendonly(false);
        for (int i = 0; i < s.ks_.count(); ++i) s.touch_all_watched_keys_in_db(i, -1);
        s.ks_.swap_contents(*fresh);
        for (int i = 0; i < s.ks_.count(); ++i) s.signal_all_blocked_keys(i);
        spdlog::info("MASTER <-> REPLICA sync: Swapped in the new data, discarding the old");
        fresh.reset();
    }
    // Our identity is now the primary's, from the snapshot's offset on; our own history ended.
    stream_db_ = aux.repl_stream_db.value_or(0);
    s.stream_.set_origin(sync_replid_, sync_offset_, stream_db_);
    s.replid2_ = std::string(40, '0');
    s.second_offset_ = -1;
    if (s.backlog_)
        s.backlog_->reset(sync_offset_);
    else
        s.create_backlog();
    s.disconnect_replicas();
    if (aof_was_on) (void)s.set_appendonly(true);
    state_ = State::Connected;
    failures_ = 0;
    identity_valid_ = true;
    spdlog::info("MASTER <-> REPLICA sync: Finished with success");
    send_ack();
    if (!rest.empty()) {
        in_ = rest;
        return apply_stream();
    }
    return true;
}

// Applies every complete command (a MULTI block only whole) and relays those bytes into our
// own stream; the rest waits for more data.
bool MasterLink::apply_stream() {
    if (in_.empty()) return true;
    AofScanner scanner(std::span<const char>(in_.data(), in_.size()));
    std::vector<std::string_view> argv;
    bool ack = false;
    uint64_t consumed = 0;
    {
        Replayer replayer(server_);
        replayer.set_db(stream_db_);
        int db_at_consumed = stream_db_;
        for (bool more = true; more;) {
            switch (scanner.next(argv)) {
                case AofScanner::Step::Command:
                    if (argv.size() >= 2 && iequals(argv[0], "replconf") &&
                        iequals(argv[1], "getack")) {
                        ack = true;
                    } else if (Status r = replayer.apply(argv); !r) {
                        spdlog::warn(
                            "== CRITICAL == This replica failed to apply a command from "
                            "its master: {}",
                            r.error());
                    }
                    if (!replayer.in_multi()) {
                        consumed = scanner.position();
                        db_at_consumed = replayer.db();
                    }
                    break;
                case AofScanner::Step::End:
                    more = false;
                    break;
                case AofScanner::Step::Truncated:
                    replayer.discard_multi();
                    more = false;
                    break;
                case AofScanner::Step::Corrupt:
                    drop("Protocol error from MASTER: " + scanner.error());
                    return false;
            }
        }
        stream_db_ = db_at_consumed;
    }
    if (consumed > 0) {
        server_.write_stream().append_verbatim(std::string_view(in_.data(), consumed), stream_db_);
        in_.erase(0, consumed);
    }
    if (ack) send_ack();
    return true;
}

}  // namespace snapstream
