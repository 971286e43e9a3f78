// Readiness of client sockets, multiplexed through one level-triggered epoll set that the Asio
// loop waits on as a single descriptor.
//
// Why not Asio's own socket operations: in the Asio shipped with Debian 12 (1.22) every
// async_wait re-arms with epoll_ctl, and every async_read_some first tries a speculative recv
// that fails with EAGAIN, so each request would cost a third system call. Here a request costs
// what it costs in Redis: one read and one write, with one epoll_wait per loop iteration.
//
//   Asio loop ──async_wait(readable)──► epoll fd (this set, level-triggered)
//                                          ├── client fd: EPOLLIN (always) | EPOLLOUT (while a
//                                          │   reply is waiting for socket space)
//                                          └── ...
// When the set is readable, ready() drains up to 512 events with epoll_wait(0) and calls each
// target; level triggering re-reports a socket that still holds unread bytes on the next pass,
// so one read per socket per iteration is fair and loses nothing.
#pragma once

#include <sys/epoll.h>

#include <asio.hpp>
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
    explicit Poller(asio::io_context& io);
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    // Watches fd for input; `target` must stay valid until remove(fd).
    bool add(int fd, PollTarget* target);
    // Also (or no longer) watch fd for output space.
    void want_write(int fd, PollTarget* target, bool on);
    void remove(int fd);
    // Stops waiting (shutdown).
    void cancel();

  private:
    void arm();
    void ready();

    int epfd_;
    asio::posix::stream_descriptor waiter_;
    std::vector<epoll_event> events_;
};

}  // namespace snapstream
