// Readiness of client sockets, multiplexed through one level-triggered epoll set. This set is
// where the event loop sleeps (Server::loop): one epoll_wait per iteration, then one read per
// readable socket and one write per pending reply, as in Redis.
//
//   Server::loop ──epoll_wait(timeout)──► this set (level-triggered)
//                                          ├── client fd: EPOLLIN (always) | EPOLLOUT (while a
//                                          │   reply is waiting for socket space)
//                                          └── listening fd: EPOLLIN → the loop runs Asio
//
// Asio still owns the listening sockets (async_accept), the timers and the signal set, in its own
// reactor; the loop runs it (io_context::poll) only when it has something to do: a listening
// socket is readable, a timer is due, a signal interrupted the wait, or work was posted. So a
// request costs what it costs in Redis: no extra wake-up, epoll_ctl or speculative recv per
// iteration (Asio's async_wait re-arms with epoll_ctl every time, its async_read_some first
// tries a recv that fails with EAGAIN).
// One pass drains up to 512 events; level triggering re-reports a socket that still holds unread
// bytes on the next pass, so one read per socket per iteration is fair and loses nothing.
#pragma once

#include <sys/epoll.h>

#include <vector>

namespace snapstream {

class PollTarget {
  public:
    virtual void on_readable() = 0;
    virtual void on_writable() = 0;

  protected:
    ~PollTarget() = default;
};

class Poller {
  public:
    Poller();
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Watches fd for input; `target` must stay valid until remove(fd).
    bool add(int fd, PollTarget* target);
    // Also (or no longer) watch fd for output space.
    void want_write(int fd, PollTarget* target, bool on);
    void remove(int fd);
    // Waits up to timeout_ms (-1: no limit) for ready descriptors and calls their targets;
    // returns the number of events, or -1 with errno set (EINTR: a signal arrived).
    int wait(int timeout_ms);

  private:
    int epfd_;
    std::vector<epoll_event> events_;
};

}  // namespace snapstream
