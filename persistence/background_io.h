// One worker thread for slow file-system calls the event loop must not wait for: closing the
// last descriptor of a replaced dump (the kernel frees its blocks then — tens of milliseconds for
// a large file) and fsyncing a directory after a rename. Jobs run in submission order. The worker
// never touches the keyspace; it only sees descriptors handed to it. (The AOF's fsync-everysec
// worker will live here too.)
//
// A forked child never uses it: fork() copies only the calling thread, and the child's copy of
// this object is left alone until _exit().
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace snapstream {

class BackgroundIo {
  public:
    BackgroundIo();
    // Runs the jobs still queued, then joins the worker.
    ~BackgroundIo();
    BackgroundIo(const BackgroundIo&) = delete;
    BackgroundIo& operator=(const BackgroundIo&) = delete;

    void submit(std::function<void()> job);
    // Blocks until every job submitted so far has run (tests, shutdown).
    void drain();
    // Jobs submitted and not finished yet (the AOF asks whether an fsync is still running).
    size_t outstanding() const { return outstanding_.load(std::memory_order_acquire); }

  private:
    void run();
    void start_worker();

    std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<std::function<void()>> jobs_;
    bool busy_ = false;
    bool stop_ = false;
    std::atomic<size_t> outstanding_{0};
    std::thread worker_;
};

}  // namespace snapstream
