#include "persistence/background_io.h"

#include <signal.h>

namespace snapstream {

BackgroundIo::BackgroundIo() = default;

BackgroundIo::~BackgroundIo() {
    if (!worker_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    worker_.join();
}

// The worker starts with the first job (a node that never needs one runs no extra thread), with
// every signal blocked, so SIGCHLD/SIGTERM always interrupt the event loop's epoll_wait rather
// than land on this thread.
void BackgroundIo::start_worker() {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    worker_ = std::thread([this] { run(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void BackgroundIo::submit(std::function<void()> job) {
    if (!worker_.joinable()) start_worker();
    {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back(std::move(job));
        outstanding_.fetch_add(1, std::memory_order_acq_rel);
    }
    cv_.notify_one();
}

void BackgroundIo::drain() {
    if (!worker_.joinable()) return;
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void BackgroundIo::run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stop_ and nothing left
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
        lock.unlock();
        job();
        outstanding_.fetch_sub(1, std::memory_order_acq_rel);
        lock.lock();
        busy_ = false;
        if (jobs_.empty()) idle_cv_.notify_all();
    }
}

}  // namespace snapstream
