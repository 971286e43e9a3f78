// A forked child process doing background work on a copy-on-write view of the parent's memory
// (BGSAVE now; BGREWRITEAOF and full-sync snapshots later). The parent owns it through this RAII
// handle: destroying a running child kills it (SIGUSR1, Redis's "kill without error" signal) and
// reaps it, so no child ever outlives its handle unobserved.
//
// Protocol between child and parent: a pipe carries exactly one ChildReport (fixed-size, written
// once when the body succeeded, just before _exit); the exit status says success (0) or failure.
// The parent reads the report after reaping; a child that died without writing one reports zeros.
//
// In the child: the listening sockets passed to start() are closed (so a dying parent frees its
// port), SIGTERM/SIGINT/SIGUSR1 get their default actions, SIGXFSZ is ignored (a file-size limit
// then fails write(2) with EFBIG instead of killing the child), and the body runs. The body must
// not use spdlog or anything else that may hold locks; log_from_child() (node/log.h) is safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "common/result.h"

namespace snapstream {

struct ChildReport {
    uint64_t cow_bytes = 0;  // Private_Dirty of the child when it finished (copied pages)
    uint64_t keys = 0;
    uint64_t bytes = 0;
    uint64_t failed_mask = 0;  // diskless full sync: bit i = target i failed
};

struct ChildExit {
    int exit_code = 0;  // meaningful when signal == 0
    int signal = 0;     // the signal that ended it, or 0
    bool ok() const { return signal == 0 && exit_code == 0; }
};

class ForkedChild {
  public:
    // Returns 0 for success (the report is then sent) or an exit code.
    using Body = std::function<int(ChildReport&)>;

    ForkedChild() = default;
    ~ForkedChild() { kill_and_reap(); }
    ForkedChild(ForkedChild&& o) noexcept { *this = std::move(o); }
    ForkedChild& operator=(ForkedChild&& o) noexcept;
    ForkedChild(const ForkedChild&) = delete;
    ForkedChild& operator=(const ForkedChild&) = delete;

    // Forks and runs `body` in the child. Fails (with strerror text) when pipe() or fork() do.
    static Result<ForkedChild> start(const Body& body, std::span<const int> close_in_child);

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    int64_t fork_usec() const { return fork_usec_; }

    // waitpid(WNOHANG): the exit once the child has ended (the handle is then empty).
    std::optional<ChildExit> try_reap();
    // The report the child sent (zeros if none); valid after try_reap() returned an exit.
    const ChildReport& report() const { return report_; }
    // Kills a running child with SIGUSR1 and waits for it.
    void kill_and_reap();

  private:
    void read_report();
    void close_pipe();

    pid_t pid_ = -1;
    int pipe_rd_ = -1;
    int64_t fork_usec_ = 0;
    ChildReport report_;
};

// Private_Dirty bytes of the calling process (from /proc/self/smaps_rollup), 0 if unknown.
uint64_t private_dirty_bytes();

}  // namespace snapstream
