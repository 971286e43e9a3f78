#include "persistence/forked_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace snapstream {

ForkedChild& ForkedChild::operator=(ForkedChild&& o) noexcept {
    if (this != &o) {
        kill_and_reap();
        pid_ = o.pid_;
        pipe_rd_ = o.pipe_rd_;
        fork_usec_ = o.fork_usec_;
        report_ = o.report_;
        o.pid_ = -1;
        o.pipe_rd_ = -1;
    }
    return *this;
}

Result<ForkedChild> ForkedChild::start(const Body& body, std::span<const int> close_in_child) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(std::strerror(errno));
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return make_error(std::strerror(err));
    }
    if (pid == 0) {
        ::close(fds[0]);
        for (int fd : close_in_child) ::close(fd);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGUSR1, SIG_DFL);
        ::signal(SIGXFSZ, SIG_IGN);
        ChildReport rep;
        const int code = body(rep);
        if (code == 0) {
            rep.cow_bytes = private_dirty_bytes();
            const auto* p = reinterpret_cast<const char*>(&rep);
            size_t left = sizeof rep;
            while (left > 0) {
                const ssize_t n = ::write(fds[1], p, left);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) break;
                p += n;
                left -= static_cast<size_t>(n);
            }
        }
        ::_exit(code);
    }
    ::close(fds[1]);
    ForkedChild c;
    c.pid_ = pid;
    c.pipe_rd_ = fds[0];
    c.fork_usec_ =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return c;
}

std::optional<ChildExit> ForkedChild::try_reap() {
    if (pid_ <= 0) return std::nullopt;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return std::nullopt;
    ChildExit ex;
    if (r < 0) {
        ex.exit_code = 1;  // ECHILD: someone else reaped it; treat as a failure
    } else if (WIFSIGNALED(status)) {
        ex.signal = WTERMSIG(status);
    } else {
        ex.exit_code = WEXITSTATUS(status);
    }
    pid_ = -1;
    read_report();
    return ex;
}

void ForkedChild::read_report() {
    report_ = ChildReport{};
    if (pipe_rd_ < 0) return;
    ChildReport rep;
    auto* p = reinterpret_cast<char*>(&rep);
    size_t got = 0;
    while (got < sizeof rep) {
        const ssize_t n = ::read(pipe_rd_, p + got, sizeof rep - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    if (got == sizeof rep) report_ = rep;
    close_pipe();
}

void ForkedChild::close_pipe() {
    if (pipe_rd_ >= 0) ::close(pipe_rd_);
    pipe_rd_ = -1;
}

void ForkedChild::kill_and_reap() {
    if (pid_ > 0) {
        ::kill(pid_, SIGUSR1);
        int status;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
    close_pipe();
}

uint64_t private_dirty_bytes() {
    const int fd = ::open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[4096];
    size_t len = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += static_cast<size_t>(n);
        if (len == sizeof buf - 1) break;
    }
    ::close(fd);
    buf[len] = '\0';
    const char* p = std::strstr(buf, "Private_Dirty:");
    if (!p) return 0;
    return std::strtoull(p + std::strlen("Private_Dirty:"), nullptr, 10) * 1024;
}

}  // namespace snapstream
