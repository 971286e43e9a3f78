#include "replication/sockets_sink.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace snapstream {

SocketsSink::SocketsSink(std::span<const int> fds, int timeout_ms)
    : fds_(fds.begin(), fds.end()), timeout_ms_(timeout_ms) {
    if (fds_.size() > 64) fds_.resize(64);
}

Status SocketsSink::write(std::span<const uint8_t> bytes) {
    std::vector<size_t> sent(fds_.size(), 0);
    for (;;) {
        std::vector<pollfd> waiting;
        std::vector<size_t> who;
        for (size_t i = 0; i < fds_.size(); ++i) {
            if (failed_ & (1ull << i)) continue;
            while (sent[i] < bytes.size()) {
                const ssize_t n =
                    ::send(fds_[i], bytes.data() + sent[i], bytes.size() - sent[i], MSG_NOSIGNAL);
                if (n > 0) {
                    sent[i] += static_cast<size_t>(n);
                    continue;
                }
                if (n < 0 && errno == EINTR) continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    waiting.push_back(pollfd{fds_[i], POLLOUT, 0});
                    who.push_back(i);
                } else {
                    failed_ |= 1ull << i;
                }
                break;
            }
        }
        if (waiting.empty()) break;
        int r;
        do {
            r = ::poll(waiting.data(), waiting.size(), timeout_ms_);
        } while (r < 0 && errno == EINTR);
        if (r == 0) {
            for (size_t i : who) failed_ |= 1ull << i;  // no progress within the timeout
        } else if (r < 0) {
            return make_error(std::string("poll: ") + std::strerror(errno));
        } else {
            for (size_t k = 0; k < waiting.size(); ++k)
                if (waiting[k].revents & (POLLERR | POLLHUP | POLLNVAL)) failed_ |= 1ull << who[k];
        }
    }
    written_ += bytes.size();
    for (size_t i = 0; i < fds_.size(); ++i)
        if (!(failed_ & (1ull << i))) return Ok{};
    return make_error("every replica of the sync failed");
}

}  // namespace snapstream
