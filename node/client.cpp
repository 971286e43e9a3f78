// A client connection: reads requests, runs them through the server, writes replies.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "node/log.h"
#include "node/server.h"

namespace snapstream {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBigReplyBuffer = 1024 * 1024;

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    auto a = ep.address();
    if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
    return a.to_string() + ":" + std::to_string(ep.port());
}

// TCP keepalive as Redis's anetKeepAlive sets it for tcp-keepalive N: the first probe after N idle
// seconds, then every N/3 seconds, the peer declared dead after 3 unanswered probes.
void set_keepalive(int fd, int interval) {
    int yes = 1, idle = interval, intvl = std::max(interval / 3, 1), count = 3;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

}  // namespace

Client::Client(Server& server, asio::ip::tcp::socket socket, uint64_t id)
    : server_(server), id_(id) {
    std::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (!ec) addr = endpoint_text(remote);
    auto local = socket.local_endpoint(ec);
    if (!ec) laddr = endpoint_text(local);
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
    if (server.cfg().tcp_keepalive > 0)
        set_keepalive(socket.native_handle(), static_cast<int>(server.cfg().tcp_keepalive));
    // From here on the descriptor is ours: readiness comes from the Poller, not Asio's reactor.
    fd_ = socket.release(ec);
    if (ec) fd_ = -1;
    authenticated = server.cfg().requirepass.empty();
    ctime_ms = last_interaction_ms = server.mstime();
}

Client::~Client() {
    if (fd_ >= 0) ::close(fd_);
}

void Client::start() {
    if (fd_ < 0 || !server_.poller().add(fd_, this)) {
        close();
        return;
    }
    int flags = ::fcntl(fd_, F_GETFL, 0);
    ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

// One read per readiness event, at most 16 KiB (or the rest of a big bulk argument), as Redis
// reads; what is left in the socket is reported again on the next loop iteration.
void Client::on_readable() {
    if (closed_ || close_after_reply_) return;
    size_t want = kReadChunk;
    size_t bulk_left = parser_.bulk_remaining(query_used_);
    if (bulk_left > want) want = bulk_left;  // read a big argument in as few calls as possible
    if (query_.size() < query_used_ + want) query_.resize(query_used_ + want);
    ssize_t n = ::read(fd_, query_.data() + query_used_, want);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n < 0) spdlog::debug("Reading from client: {}", std::strerror(errno));
        close();
        return;
    }
    query_used_ += static_cast<size_t>(n);
    auto& stats = server_.stats();
    stats.total_net_input_bytes += static_cast<uint64_t>(n);
    ++stats.total_reads_processed;
    last_interaction_ms = server_.mstime();
    if (query_used_ > query_peak_) query_peak_ = query_used_;
    if (query_used_ > server_.cfg().client_query_buffer_limit) {
        spdlog::warn(
            "Closing client that reached max query buffer length: {} (qbuf initial bytes: {})",
            info_line(), std::string_view(query_.data(), std::min<size_t>(query_used_, 64)));
        ++stats.client_query_buffer_limit_disconnections;
        close();
        return;
    }
    process_input();
}

void Client::on_writable() {
    if (closed_) return;
    write_waiting_ = false;
    server_.poller().want_write(fd_, this, false);
    flush();
}

void Client::process_input() {
    RequestParser::Limits limits;
    limits.max_bulk_len = server_.cfg().proto_max_bulk_len;
    while (!close_after_reply_ && !closed_ && !blocked) {
        limits.authenticated = authenticated;
        auto st = parser_.parse(std::string_view(query_.data(), query_used_), limits);
        if (st == RequestParser::Status::NeedMore) break;
        if (st == RequestParser::Status::Error) {
            Reply(out).error("ERR " + parser_.error());
            ++server_.stats().total_error_replies;
            spdlog::debug("Protocol error ({}) from client: {}", parser_.error(), info_line());
            close_after_reply_ = true;
            break;
        }
        server_.execute(*this, parser_.argv());
    }
    if (closed_) return;
    size_t consumed = parser_.consumed();
    if (consumed > 0) {
        std::memmove(query_.data(), query_.data() + consumed, query_used_ - consumed);
        query_used_ -= consumed;
        parser_.discard_prefix(consumed);
    }
    if (query_used_ == 0 && query_.size() > 4 * kReadChunk) {
        query_.clear();
        query_.shrink_to_fit();
    }
    if (!out.empty() || close_after_reply_) server_.queue_write(*this);
}

void Client::flush() {
    if (closed_ || write_waiting_) return;
    if (replica) {
        if (replica_output_held()) return;
        if (replica->state == ReplicaState::SendBulk && !send_bulk_file()) return;
    }
    auto& stats = server_.stats();
    while (out_sent_ < out.size()) {
        ssize_t n = ::send(fd_, out.data() + out_sent_, out.size() - out_sent_, MSG_NOSIGNAL);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            stats.total_net_output_bytes += static_cast<uint64_t>(n);
            ++stats.total_writes_processed;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (out_sent_ > kBigReplyBuffer) {
                out.erase(0, out_sent_);
                out_sent_ = 0;
            }
            write_waiting_ = true;
            server_.poller().want_write(fd_, this, true);
            return;
        }
        spdlog::debug("Error writing to client: {}", std::strerror(errno));
        close();
        return;
    }
    out.clear();
    out_sent_ = 0;
    if (out.capacity() > kBigReplyBuffer) out.shrink_to_fit();
    if (close_after_reply_) close();
}

void Client::resume() {
    process_input();
}

void Client::close() {
    if (closed_) return;
    closed_ = true;
    server_.unblock_client(*this, false);
    server_.unwatch_all(*this);
    if (replica) server_.forget_replica(*this);
    server_.poller().remove(fd_);
    ::close(fd_);
    fd_ = -1;
    ++server_.stats().stat_numconnections_closed;
    server_.remove_client(id_);
}

std::string Client::info_line() const {
    const int64_t now = server_.mstime();
    std::string s;
    s.reserve(256);
    s += "id=" + std::to_string(id_);
    s += " addr=" + addr;
    s += " laddr=" + laddr;
    s += " fd=" + std::to_string(fd_);
    s += " name=" + name;
    s += " age=" + std::to_string((now - ctime_ms) / 1000);
    s += " idle=" + std::to_string((now - last_interaction_ms) / 1000);
    std::string flags;
    if (is_replica()) flags += 'S';
    if (blocked) flags += 'b';
    if (dirty_cas) flags += 'd';
    if (in_multi) flags += 'x';
    s += " flags=" + (flags.empty() ? std::string("N") : flags);
    s += " db=" + std::to_string(db);
    s += " sub=0 psub=0 ssub=0 multi=" +
         (in_multi ? std::to_string(queued.size()) : std::string("-1"));
    s += " qbuf=" + std::to_string(query_used_);
    s += " qbuf-free=" + std::to_string(query_.size() - query_used_);
    s += " argv-mem=0 multi-mem=0";
    s += " rbs=" + std::to_string(query_.size());
    s += " rbp=" + std::to_string(query_peak_);
    s += " obl=" + std::to_string(out.size() - out_sent_);
    s += " oll=0";
    s += " omem=" + std::to_string(out.capacity());
    s += " tot-mem=" + std::to_string(query_.size() + out.capacity() + sizeof(Client));
    s += " events=r";
    if (!out.empty()) s += "w";
    s += " cmd=" + (last_cmd ? last_cmd->full_name() : std::string("NULL"));
    s += " user=default redir=-1 resp=" + std::to_string(resp);
    return s;
}

}  // namespace snapstream
