// The primary side of replication (node/replication.h): REPLCONF and PSYNC from replicas, the
// backlog, full syncs by a forked snapshot child (diskless into the sockets, or disk-based
// through dbfilename), feeding the stream, ACKs, WAIT, the once-a-second replication cron.
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "node/command_util.h"
#include "node/log.h"
#include "node/master_link.h"
#include "node/server.h"
#include "persistence/aof_stream_reader.h"
#include "replication/sockets_sink.h"
#include "replication/sync_payload.h"

namespace snapstream {

std::string random_hex(size_t n);  // node/server.cpp

namespace {
// initial_offset of a replica that attached with SYNC: it gets no +FULLRESYNC line.
constexpr uint64_t kLegacySync = ~0ull;
}  // namespace

const char* replica_state_name(ReplicaState s) {
    switch (s) {
        case ReplicaState::Handshake:
            return "handshake";
        case ReplicaState::WaitBgsaveStart:
        case ReplicaState::WaitBgsaveEnd:
            return "wait_bgsave";
        case ReplicaState::SendBulk:
            return "send_bulk";
        case ReplicaState::Online:
            return "online";
    }
    return "unknown";
}

// --- Client plumbing for replicas -------------------------------------------------------------

bool Client::replica_output_held() const {
    if (!replica) return false;
    switch (replica->state) {
        case ReplicaState::Handshake:
            return false;
        case ReplicaState::WaitBgsaveStart:
        case ReplicaState::WaitBgsaveEnd:
            return true;
        case ReplicaState::SendBulk:
            return false;
        case ReplicaState::Online:
            return replica->online_on_ack;
    }
    return false;
}

bool Client::send_direct(std::string_view bytes) {
    if (closed_ || out_sent_ != 0) return false;
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<size_t>(n));
            server_.stats().total_net_output_bytes += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
    return true;
}

// Disk-based sync: "$<len>\r\n" then the file, with sendfile(2), as the socket takes them.
// Returns true when the whole file is out (the replica is then online).
bool Client::send_bulk_file() {
    ReplicaLink& r = *replica;
    // One write: the rest of the header, else a chunk of the file.
    auto step = [&]() -> ssize_t {
        if (r.bulk_header_sent < r.bulk_header.size()) {
            const ssize_t n = ::send(fd_, r.bulk_header.data() + r.bulk_header_sent,
                                     r.bulk_header.size() - r.bulk_header_sent, MSG_NOSIGNAL);
            if (n > 0) r.bulk_header_sent += static_cast<size_t>(n);
            return n;
        }
        off_t off = static_cast<off_t>(r.bulk_offset);
        const ssize_t n = ::sendfile(fd_, r.bulk_fd, &off,
                                     std::min<uint64_t>(r.bulk_size - r.bulk_offset, 1 << 20));
        if (n > 0) r.bulk_offset += static_cast<uint64_t>(n);
        return n;
    };
    while (r.bulk_header_sent < r.bulk_header.size() || r.bulk_offset < r.bulk_size) {
        const ssize_t n = step();
        if (n > 0) {
            server_.stats().total_net_output_bytes += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            write_waiting_ = true;
            server_.poller().want_write(fd_, this, true);
            return false;
        }
        spdlog::warn("Write error sending DB to replica: {}",
                     n < 0 ? std::strerror(errno) : "file shorter than expected");
        close();
        return false;
    }
    ::close(r.bulk_fd);
    r.bulk_fd = -1;
    spdlog::info("Synchronization with replica {} succeeded", addr);
    r.state = ReplicaState::Online;
    r.ack_time_ms = server_.mstime();
    return true;
}

// --- REPLCONF / PSYNC -------------------------------------------------------------------------

void Server::replconf(CommandContext& ctx) {
    Client* c = ctx.client;
    if (ctx.argc() % 2 == 0) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    // A replica applying its primary's stream: GETACK is answered by the master link itself.
    if (!c) return;
    for (size_t j = 1; j < ctx.argc(); j += 2) {
        std::string_view opt = ctx.arg(j), val = ctx.arg(j + 1);
        if (iequals(opt, "listening-port")) {
            auto port = parse_int64(val);
            if (!port || *port < 0 || *port > 65535) {
                ctx.reply.error("ERR value is not an integer or out of range");
                return;
            }
            if (!c->replica) c->replica = std::make_unique<ReplicaLink>();
            c->replica->listening_port = static_cast<int>(*port);
        } else if (iequals(opt, "ip-address")) {
            if (!c->replica) c->replica = std::make_unique<ReplicaLink>();
            c->replica->announced_ip = std::string(val.substr(0, 46));
        } else if (iequals(opt, "capa")) {
            if (!c->replica) c->replica = std::make_unique<ReplicaLink>();
            if (iequals(val, "eof")) c->replica->capa_eof = true;
            if (iequals(val, "psync2")) c->replica->capa_psync2 = true;
        } else if (iequals(opt, "ack")) {
            // From an attached replica: its applied offset. Never answered.
            if (!c->replica || std::find(replicas_.begin(), replicas_.end(), c) == replicas_.end())
                return;
            auto off = parse_int64(val);
            if (!off || *off < 0) return;
            ReplicaLink& r = *c->replica;
            // A replica acknowledges once it has loaded the snapshot, which may be before
            // the diskless child that sent it has been reaped.
            if (r.state == ReplicaState::WaitBgsaveEnd) r.acked_in_transfer = true;
            if (static_cast<uint64_t>(*off) > r.ack_offset)
                r.ack_offset = static_cast<uint64_t>(*off);
            r.ack_time_ms = mstime();
            if (r.state == ReplicaState::Online && r.online_on_ack) {
                r.online_on_ack = false;
                spdlog::info("Synchronization with replica {} succeeded", c->addr);
                queue_write(*c);
            }
            if (!waiters_.empty()) unblock_waiters();
            return;
        } else if (iequals(opt, "getack")) {
            // Only a replica answers (to its primary, through the master link).
            return;
        } else if (iequals(opt, "rdb-only") || iequals(opt, "rdb-filter-only")) {
            // Accepted for compatibility; snapstream always sends the full stream.
        } else {
            ctx.reply.error("ERR Unrecognized REPLCONF option: " + std::string(opt));
            return;
        }
    }
    ctx.reply.ok();
}

void Server::psync(CommandContext& ctx, bool legacy_sync) {
    Client* c = ctx.client;
    if (!c) return;
    if (c->replica && std::find(replicas_.begin(), replicas_.end(), c) != replicas_.end())
        return;  // already attached: ignored, as Redis does
    if (master_link_ && !master_link_->link_up()) {
        ctx.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if (c->pending_output() > 0) {
        ctx.reply.error("ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    if (!c->replica) c->replica = std::make_unique<ReplicaLink>();
    if (!legacy_sync) {
        if (try_partial_resync(*c, ctx.arg(1), ctx.arg(2))) {
            ++repl_stats_.sync_partial_ok;
            return;
        }
        if (ctx.arg(1) != "?") ++repl_stats_.sync_partial_err;
    } else {
        // SYNC: an old replica without PSYNC; it gets no +FULLRESYNC line.
        c->replica->capa_eof = false;
    }
    ++repl_stats_.sync_full;
    spdlog::info("Replica {} asks for synchronization", c->addr);
    if (legacy_sync) c->replica->initial_offset = kLegacySync;  // marks "no +FULLRESYNC"
    start_full_sync(*c);
}

bool Server::try_partial_resync(Client& c, std::string_view replid, std::string_view offset_arg) {
    auto parsed = parse_int64(offset_arg);
    if (!parsed) return false;
    const int64_t psync_offset = *parsed;
    const bool ours = replid == stream_.replid();
    const bool previous =
        replid == replid2_ && second_offset_ >= 0 && psync_offset <= second_offset_;
    if (!ours && !previous) {
        if (replid != "?")
            spdlog::info(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked "
                "for '{}', my replication IDs are '{}' and '{}')",
                replid, stream_.replid(), replid2_);
        else
            spdlog::info("Full resync requested by replica {}", c.addr);
        return false;
    }
    std::string from_disk;
    const bool in_memory =
        backlog_ && psync_offset >= 1 && backlog_->can_serve(static_cast<uint64_t>(psync_offset));
    if (!in_memory && !stream_from_aof(psync_offset, from_disk)) {
        spdlog::info(
            "Unable to partial resync with replica {} for lack of backlog (Replica request was: "
            "{}).",
            c.addr, psync_offset);
        return false;
    }
    ReplicaLink& r = *c.replica;
    r.state = ReplicaState::Online;
    r.ack_time_ms = mstime();
    r.ack_offset = static_cast<uint64_t>(psync_offset - 1);
    std::string head = r.capa_psync2 ? "+CONTINUE " + stream_.replid() + "\r\n" : "+CONTINUE\r\n";
    c.out += head;
    if (in_memory) {
        backlog_->copy_from(static_cast<uint64_t>(psync_offset), c.out);
    } else {
        spdlog::info("Replica {} continues from the AOF: {} bytes of INCR files from offset {}",
                     c.addr, from_disk.size(), psync_offset);
        c.out += from_disk;
        if (!backlog_) create_backlog();
    }
    replicas_.push_back(&c);
    queue_write(c);
    spdlog::info(
        "Partial resynchronization request from {} accepted. Sending {} bytes of backlog "
        "starting from offset {}.",
        c.addr, stream_.offset() + 1 - static_cast<uint64_t>(psync_offset), psync_offset);
    return true;
}

// repl-backlog-from-aof: the stream from wire offset `psync_offset` read back from the INCR
// files, when the memory backlog no longer has it (persistence/aof_stream_reader.h). At most
// the replica output buffer's hard limit (the replica would be dropped anyway).
bool Server::stream_from_aof(int64_t psync_offset, std::string& out) {
    if (!cfg_.repl_backlog_from_aof || aof_.state() != AofState::On || psync_offset < 1 ||
        static_cast<uint64_t>(psync_offset) > stream_.offset() + 1)
        return false;
    propagate_pending();
    flush_aof(/*force=*/true);
    if (!aof_.writer().last_write_ok() || aof_.writer().pending() > 0) return false;
    const uint64_t limit = cfg_.obl_replica.hard_bytes ? cfg_.obl_replica.hard_bytes : 1ull << 30;
    Status r = read_stream_from_incr_files(aof_.aof_dir(), aof_.manifest(),
                                           static_cast<uint64_t>(psync_offset) - 1,
                                           stream_.offset(), limit, out);
    if (!r) {
        spdlog::info("Can't continue offset {} from the AOF: {}", psync_offset, r.error());
        return false;
    }
    return true;
}

// A new replication id from the current offset on. The AOF records it (a mid-file #SO line),
// after the stream bytes that belong to the old one, so a restart knows which id its position
// belongs to.
void Server::change_replid(std::string id) {
    if (aof_.writer().is_open()) {
        propagate_pending();
        flush_aof(/*force=*/true);
        aof_.writer().feed(stream_origin_annotation(stream_.offset(), id), /*raw=*/true);
        flush_aof(/*force=*/true);
    }
    stream_.set_origin(std::move(id), stream_.offset(), stream_.selected_db());
}

void Server::create_backlog() {
    backlog_.emplace(cfg_.repl_backlog_size, stream_.offset());
}

void Server::shift_replid(std::string new_id) {
    replid2_ = stream_.replid();
    second_offset_ = static_cast<int64_t>(stream_.offset()) + 1;
    change_replid(new_id.empty() ? random_hex(40) : std::move(new_id));
    spdlog::info(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        replid2_, second_offset_, stream_.replid());
}

void Server::start_full_sync(Client& c) {
    ReplicaLink& r = *c.replica;
    // The first replica of a node without history: a new id, as Redis does, since nothing
    // before this point can be continued anyway.
    if (!backlog_ && !master_link_) {
        change_replid(random_hex(40));
        replid2_ = std::string(40, '0');
        second_offset_ = -1;
        create_backlog();
        spdlog::info("Replication backlog created, my new replication IDs are '{}' and '{}'",
                     stream_.replid(), replid2_);
    } else if (!backlog_) {
        create_backlog();
    }
    replicas_.push_back(&c);
    r.state = ReplicaState::WaitBgsaveStart;
    r.wait_since_ms = mstime();
    // Disk-based: join a BGSAVE already made for other replicas (their buffer since its fork is
    // what this one needs too).
    if (!cfg_.repl_diskless_sync && disk_sync_pending_ && snapshots_.bgsave_in_progress()) {
        for (Client* peer : replicas_) {
            if (peer == &c || peer->replica->state != ReplicaState::WaitBgsaveEnd ||
                peer->replica->diskless_target)
                continue;
            r.state = ReplicaState::WaitBgsaveEnd;
            if (r.initial_offset != kLegacySync) {
                const std::string line = "+FULLRESYNC " + stream_.replid() + " " +
                                         std::to_string(peer->replica->initial_offset) + "\r\n";
                if (!c.send_direct(line)) {
                    c.close();
                    return;
                }
            }
            r.initial_offset = peer->replica->initial_offset;
            c.out = peer->out;  // the stream since the fork
            spdlog::info("Waiting for end of BGSAVE for SYNC");
            return;
        }
    }
    // Otherwise the replication cron starts a child when the rules allow.
    if (!child_active() && (!cfg_.repl_diskless_sync || cfg_.repl_diskless_sync_delay == 0))
        start_sync_child();
}

// Starts a snapshot child for every replica in WaitBgsaveStart.
void Server::start_sync_child() {
    if (child_active()) return;
    std::vector<Client*> targets;
    for (Client* r : replicas_)
        if (r->replica->state == ReplicaState::WaitBgsaveStart) targets.push_back(r);
    if (targets.empty()) return;
    // Diskless needs every target to understand the EOF form.
    bool diskless = cfg_.repl_diskless_sync;
    for (Client* t : targets)
        if (!t->replica->capa_eof) diskless = false;
    if (diskless && targets.size() > 64) targets.resize(64);
    // Everything executed so far reaches the existing consumers before the fork.
    propagate_pending();
    flush_aof(/*force=*/true);
    const uint64_t offset = stream_.offset();
    const RdbAux aux = rdb_aux();
    // +FULLRESYNC first, straight into the socket, so that the snapshot follows it.
    std::vector<Client*> ready;
    for (Client* t : targets) {
        if (t->replica->initial_offset != kLegacySync) {
            const std::string line =
                "+FULLRESYNC " + stream_.replid() + " " + std::to_string(offset) + "\r\n";
            if (!t->send_direct(line)) {
                spdlog::warn("Replica {} not reachable to send +FULLRESYNC; dropping it", t->addr);
                t->close();
                continue;
            }
        }
        ready.push_back(t);
    }
    if (ready.empty()) return;
    const std::vector<int> listeners = listener_fds();
    if (diskless) {
        std::vector<int> fds;
        for (Client* t : ready) fds.push_back(t->fd());
        const RdbWriteOptions opt = rdb_write_options();
        const int timeout_ms = static_cast<int>(cfg_.repl_timeout * 1000);
        const std::string mark = new_eof_mark();
        auto body = [this, &fds, &aux, &opt, &mark, timeout_ms](ChildReport& rep) -> int {
            SocketsSink sink(fds, timeout_ms);
            const std::string header = eof_payload_header(mark);
            auto as_bytes = [](std::string_view s) {
                return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                                s.size());
            };
            if (!sink.write(as_bytes(header))) return 1;
            Result<RdbWriteStats> w = write_rdb(ks_, aux, opt, sink);
            if (w) (void)sink.write(as_bytes(mark));
            rep.keys = w ? w->keys : 0;
            rep.bytes = sink.written();
            rep.failed_mask = sink.failed_mask();
            return w && sink.failed_mask() != (fds.size() >= 64 ? ~0ull : (1ull << fds.size()) - 1)
                       ? 0
                       : 1;
        };
        Result<ForkedChild> child = ForkedChild::start(body, listeners);
        if (!child) {
            spdlog::warn("Can't fork for the replicas' snapshot: {}", child.error());
            for (Client* t : ready) t->close();
            return;
        }
        sync_child_ = std::move(*child);
        snapshots_.info.latest_fork_usec = sync_child_.fork_usec();
        ++snapshots_.info.total_forks;
        sync_child_clients_.clear();
        for (Client* t : ready) {
            t->replica->state = ReplicaState::WaitBgsaveEnd;
            t->replica->initial_offset = offset;
            t->replica->diskless_target = true;
            sync_child_clients_.push_back(t->id());
        }
        spdlog::info("Starting BGSAVE for SYNC with target: replicas sockets");
        spdlog::info("Background RDB transfer started by pid {}",
                     static_cast<long>(sync_child_.pid()));
    } else {
        Status r =
            snapshots_.start_bgsave(ks_, aux, rdb_write_options(), cfg_.dbfilename, listeners);
        if (!r) {
            spdlog::warn("BGSAVE for replication failed: {}", r.error());
            for (Client* t : ready) t->close();
            return;
        }
        disk_sync_pending_ = true;
        for (Client* t : ready) {
            t->replica->state = ReplicaState::WaitBgsaveEnd;
            t->replica->initial_offset = offset;
            t->replica->diskless_target = false;
        }
        spdlog::info("Starting BGSAVE for SYNC with target: disk");
    }
    // The replicas' stream starts with a SELECT (they start from the snapshot, whose db is 0).
    if (!master_link_) stream_.force_select();
    after_child_change();
}

void Server::reap_sync_child() {
    if (sync_child_.running()) {
        std::optional<ChildExit> exit = sync_child_.try_reap();
        if (!exit) return;
        const ChildReport& rep = sync_child_.report();
        std::vector<uint64_t> ids;
        ids.swap(sync_child_clients_);
        if (exit->ok())
            spdlog::info("Background RDB transfer terminated with success");
        else
            spdlog::warn("Background transfer {}", exit->signal ? "terminated by signal" : "error");
        for (size_t i = 0; i < ids.size(); ++i) {
            auto it = clients_.find(ids[i]);
            if (it == clients_.end() || !it->second->replica) continue;
            Client& c = *it->second;
            const bool failed = !exit->ok() || (rep.failed_mask & (1ull << i));
            if (failed) {
                spdlog::warn("Diskless rdb transfer to replica {} failed; dropping it", c.addr);
                c.close();
                continue;
            }
            // The replica now loads; its stream starts when its first ACK says it is done.
            c.replica->state = ReplicaState::Online;
            c.replica->ack_time_ms = mstime();
            if (c.replica->acked_in_transfer) {
                spdlog::info("Synchronization with replica {} succeeded", c.addr);
                queue_write(c);
                continue;
            }
            c.replica->online_on_ack = true;
            spdlog::info(
                "Streamed RDB transfer with replica {} succeeded (socket). Waiting for "
                "REPLCONF ACK from replica to enable streaming",
                c.addr);
        }
        after_child_change();
    }
    if (disk_sync_pending_ && !snapshots_.bgsave_in_progress()) {
        disk_sync_pending_ = false;
        const bool ok = snapshots_.info.last_bgsave_ok;
        std::vector<Client*> waiting;
        for (Client* r : replicas_)
            if (r->replica->state == ReplicaState::WaitBgsaveEnd && !r->replica->diskless_target)
                waiting.push_back(r);
        for (Client* c : waiting) {
            if (!ok) {
                spdlog::warn("SYNC failed. BGSAVE child returned an error");
                c->close();
                continue;
            }
            const int fd = ::open(cfg_.dbfilename.c_str(), O_RDONLY | O_CLOEXEC);
            struct stat st {};
            if (fd < 0 || ::fstat(fd, &st) != 0) {
                spdlog::warn("SYNC failed. Can't open/stat DB after BGSAVE: {}",
                             std::strerror(errno));
                if (fd >= 0) ::close(fd);
                c->close();
                continue;
            }
            ReplicaLink& r = *c->replica;
            r.state = ReplicaState::SendBulk;
            r.bulk_fd = fd;
            r.bulk_offset = 0;
            r.bulk_size = static_cast<uint64_t>(st.st_size);
            r.bulk_header = sized_payload_header(r.bulk_size);
            r.bulk_header_sent = 0;
            queue_write(*c);
        }
    }
}

// --- Feeding the stream -----------------------------------------------------------------------

void Server::feed_replicas(std::string_view bytes) {
    if (bytes.empty()) return;
    if (backlog_) backlog_->append(bytes);
    if (replicas_.empty()) return;
    for (Client* r : replicas_) {
        if (r->replica->state == ReplicaState::WaitBgsaveStart) continue;
        r->out.append(bytes);
        r->woff = stream_.offset();
        queue_write(*r);
    }
    enforce_replica_buffer_limits();
}

void Server::enforce_replica_buffer_limits() {
    const config::OutputBufferLimit& lim = cfg_.obl_replica;
    if (lim.hard_bytes == 0 && lim.soft_bytes == 0) return;
    const int64_t now = mstime();
    std::vector<Client*> over;
    for (Client* r : replicas_) {
        const uint64_t used = r->pending_output();
        ReplicaLink& l = *r->replica;
        bool drop = lim.hard_bytes > 0 && used >= lim.hard_bytes;
        if (lim.soft_bytes > 0 && used >= lim.soft_bytes) {
            if (l.soft_limit_since_ms == 0) l.soft_limit_since_ms = now;
            if (now - l.soft_limit_since_ms >= lim.soft_seconds * 1000) drop = true;
        } else {
            l.soft_limit_since_ms = 0;
        }
        if (drop) over.push_back(r);
    }
    for (Client* r : over) {
        spdlog::warn(
            "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
            r->info_line());
        r->close();
    }
}

void Server::forget_replica(Client& c) {
    auto it = std::find(replicas_.begin(), replicas_.end(), &c);
    if (it == replicas_.end()) return;
    replicas_.erase(it);
    if (c.replica && c.replica->bulk_fd >= 0) {
        ::close(c.replica->bulk_fd);
        c.replica->bulk_fd = -1;
    }
    spdlog::info("Connection with replica {} lost.", c.addr);
    if (replicas_.empty()) no_replicas_since_ms_ = mstime();
}

void Server::disconnect_replicas() {
    std::vector<Client*> all = replicas_;
    for (Client* r : all) r->close();
}

int Server::good_replicas() const {
    const int64_t now = mstime();
    int n = 0;
    for (const Client* r : replicas_)
        if (r->replica->state == ReplicaState::Online && !r->replica->online_on_ack &&
            now - r->replica->ack_time_ms <= cfg_.min_replicas_max_lag * 1000)
            ++n;
    return n;
}

// --- Snapshot identity ------------------------------------------------------------------------

void Server::add_repl_aux(RdbAux& aux) const {
    // As Redis: a primary records its position only once it is in a replication chain
    // (a backlog exists); a replica always records its primary's.
    if (!backlog_ && !master_link_) return;
    aux.repl_id = stream_.replid();
    aux.repl_offset = static_cast<int64_t>(stream_.offset());
    aux.repl_stream_db = std::max(stream_.selected_db(), 0);
}

void Server::adopt_loaded_position(const std::string& replid, uint64_t offset, int stream_db) {
    loaded_position_ = true;
    stream_.set_origin(replid, offset, stream_db);
    if (cfg_.replicaof) return;  // the master link continues from it
    // A primary: a new id, the recorded one as replid2, so replicas on that history continue.
    create_backlog();
    shift_replid();
    no_replicas_since_ms_ = mstime();
}

// --- Cron, WAIT -------------------------------------------------------------------------------

void Server::replication_cron() {
    const int64_t now = mstime();
    if (master_link_) master_link_->cron(now);
    reap_sync_child();
    if (!waiters_.empty()) unblock_waiters();  // WAIT timeouts, every tick
    // Diskless syncs start when the delay has passed for the first waiting replica, or when
    // enough replicas wait (repl-diskless-sync-max-replicas).
    if (!child_active()) {
        int waiting = 0;
        int64_t oldest = now;
        for (Client* r : replicas_) {
            if (r->replica->state != ReplicaState::WaitBgsaveStart) continue;
            ++waiting;
            oldest = std::min(oldest, r->replica->wait_since_ms);
        }
        if (waiting > 0) {
            const bool max_reached = cfg_.repl_diskless_sync_max_replicas > 0 &&
                                     waiting >= cfg_.repl_diskless_sync_max_replicas;
            if (!cfg_.repl_diskless_sync || max_reached ||
                now - oldest >= cfg_.repl_diskless_sync_delay * 1000)
                start_sync_child();
        }
    }
    if (now - last_repl_cron_ms_ < 1000) return;
    last_repl_cron_ms_ = now;
    // PING into the stream every repl-ping-replica-period, so replicas can tell a silent
    // primary from a dead one (only the top of a chain; a replica relays its primary's).
    if (!master_link_ && !replicas_.empty() &&
        now - last_repl_ping_ms_ >= cfg_.repl_ping_replica_period * 1000) {
        last_repl_ping_ms_ = now;
        const std::string_view ping[] = {"PING"};
        stream_.append(std::max(stream_.selected_db(), 0), ping);
    }
    std::vector<Client*> drop;
    for (Client* r : replicas_) {
        ReplicaLink& l = *r->replica;
        // Keep-alive for replicas waiting for their snapshot (the payload reader skips these).
        if (l.state == ReplicaState::WaitBgsaveStart ||
            (l.state == ReplicaState::WaitBgsaveEnd && !l.diskless_target))
            (void)r->send_direct("\n");
        if (l.state == ReplicaState::Online && !l.online_on_ack &&
            now - l.ack_time_ms > cfg_.repl_timeout * 1000) {
            spdlog::warn("Disconnecting timedout replica (streaming sync): {}", r->addr);
            drop.push_back(r);
        }
    }
    for (Client* r : drop) r->close();
    // Without replicas for repl-backlog-ttl seconds, a primary frees its backlog.
    if (backlog_ && !master_link_ && replicas_.empty() && cfg_.repl_backlog_ttl > 0 &&
        now - no_replicas_since_ms_ > cfg_.repl_backlog_ttl * 1000) {
        change_replid(random_hex(40));
        replid2_ = std::string(40, '0');
        second_offset_ = -1;
        backlog_.reset();
        spdlog::info("Replication backlog freed after {} seconds without connected replicas.",
                     cfg_.repl_backlog_ttl);
    }
}

void Server::wait_replicas(CommandContext& ctx) {
    if (master_link_) {
        ctx.reply.error(
            "ERR WAIT cannot be used with replica instances. Please also note that "
            "since Redis 4.0 if a replica is configured to be writable (which is not "
            "the default) writes to replicas are just local and are not propagated.");
        return;
    }
    auto n = parse_int64(ctx.arg(1));
    auto timeout = parse_int64(ctx.arg(2));
    if (!n) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
    }
    if (!timeout || *timeout < 0) {
        ctx.reply.error(!timeout ? "ERR timeout is not an integer or out of range"
                                 : "ERR timeout is negative");
        return;
    }
    Client* c = ctx.client;
    const uint64_t want = c ? c->woff : stream_.offset();
    const int64_t have = replicas_acked(want);
    if (!c || c->in_multi || in_exec_ || have >= *n) {
        ctx.reply.integer(have);
        return;
    }
    c->blocked = true;
    waiters_[c->id()] = Waiter{want, *n, *timeout > 0 ? mstime() + *timeout : 0};
    get_ack_pending_ = true;
}

int64_t Server::replicas_acked(uint64_t offset) const {
    int64_t k = 0;
    for (const Client* r : replicas_)
        if (r->replica->state == ReplicaState::Online && r->replica->ack_offset >= offset) ++k;
    return k;
}

// Answers WAIT clients whose replicas have acknowledged enough or whose time is up; each gets
// the number of replicas at its offset.
void Server::unblock_waiters() {
    const int64_t now = mstime();
    std::vector<std::pair<uint64_t, int64_t>> done;
    for (auto& [id, w] : waiters_) {
        const int64_t k = replicas_acked(w.offset);
        const bool expired = w.deadline_ms > 0 && now >= w.deadline_ms;
        if (k >= w.replicas || expired) done.emplace_back(id, k);
    }
    for (auto [id, k] : done) {
        waiters_.erase(id);
        auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        Client& c = *it->second;
        c.blocked = false;
        Reply(c.out, c.resp).integer(k);
        queue_write(c);
        unblocked_.push_back(it->second);
    }
}

void Server::set_master_link(std::unique_ptr<MasterLink> link) {
    master_link_.reset();  // the old link closes first
    master_link_ = std::move(link);
    ks_.set_replica_view(master_link_ != nullptr);
    set_log_role(master_link_ ? 'S' : 'M');
}

// --- REPLICAOF --------------------------------------------------------------------------------

Result<std::string> Server::replicaof(std::optional<config::ReplicaOf> target) {
    if (!target) {
        if (master_link_) {
            set_master_link(nullptr);
            cfg_.replicaof.reset();
            // Promotion: keep serving partial resyncs to the old primary's other replicas.
            if (!backlog_) create_backlog();
            shift_replid();
            disconnect_replicas();
            spdlog::info("MASTER MODE enabled (user request from '{}')", "client");
        }
        return std::string("OK");
    }
    if (master_link_ && master_link_->host() == target->host &&
        master_link_->port() == target->port) {
        spdlog::info(
            "REPLICAOF would result into synchronization with the master we are already "
            "connected with. No operation performed.");
        return std::string("OK Already connected to specified master");
    }
    // Our position continues: a former primary asks to continue from its own stream.
    set_master_link(std::make_unique<MasterLink>(*this, target->host, target->port,
                                                 /*identity_valid=*/true));
    cfg_.replicaof = target;
    // Our replicas reconnect and continue from us (a partial resync when possible).
    disconnect_replicas();
    // Every queued write already in the stream reaches the AOF and the backlog first.
    propagate_pending();
    flush_aof(/*force=*/true);
    spdlog::info("REPLICAOF {}:{} enabled", target->host, target->port);
    return std::string("OK");
}

}  // namespace snapstream
