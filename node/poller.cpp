#include "node/poller.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace snapstream {

Poller::Poller() : epfd_(epoll_create1(EPOLL_CLOEXEC)), events_(512) {
    if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

Poller::~Poller() {
    ::close(epfd_);
}

bool Poller::add(int fd, PollTarget* target) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = target;
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void Poller::want_write(int fd, PollTarget* target, bool on) {
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.ptr = target;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void Poller::remove(int fd) {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

int Poller::wait(int timeout_ms) {
    const int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    for (int i = 0; i < n; ++i) {
        auto* target = static_cast<PollTarget*>(events_[i].data.ptr);
        const uint32_t ev = events_[i].events;
        // Errors and hang-ups are reported through read(2) returning 0 or -1.
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) target->on_readable();
        if (ev & EPOLLOUT) target->on_writable();
    }
    return n;
}

}  // namespace snapstream
