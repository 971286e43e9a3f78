// Starting real server binaries for tests: snapstream-server (the binary under test) and
// Debian's redis-server (the oracle). Each ServerProcess owns one child process, started with
// fork/exec (no shell) on a free 127.0.0.1 port in a fresh temporary directory, with stdout and
// stderr going to a log file there. It only ever signals and reaps its own pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream::test {

using Ms = std::chrono::milliseconds;

// Polls pred every `interval` until it returns true or `timeout` passes; returns the last result.
// The number of polls is bounded by timeout / interval + 1.
bool wait_until(const std::function<bool()>& pred, Ms timeout, Ms interval = Ms(10));

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int pick_free_port();

// Resolves a program name through PATH (names containing '/' are returned unchanged);
// "" if not found.
std::string find_in_path(std::string_view name);

// The binary under test: $SNAPSTREAM_TEST_SERVER_BIN if set (handy to run the suites against
// redis-server while snapstream is being written), else the build's snapstream-server.
std::string snapstream_binary();
// True when SNAPSTREAM_TEST_SERVER_BIN redirects the tests to a redis-server binary.
bool snapstream_is_redis_override();
// Debian's redis-server, from PATH.
std::string redis_binary();

class ServerProcess {
  public:
    struct Options {
        std::string binary;
        // Arguments placed before the standard flags (e.g. a config file path).
        std::vector<std::string> leading_args;
        // Arguments placed after the standard flags.
        std::vector<std::string> extra_args;
        // Add `--bind 127.0.0.1 --port P --dir D --save "" --appendonly no`.
        bool standard_args = true;
        // Wait until PING answers PONG (else only until the process is started).
        bool wait_ready = true;
        Ms ready_timeout{20000};
        // Used in failure messages ("snapstream", "redis").
        std::string name = "server";
        // An existing directory to run in (and pass as --dir), kept afterwards; "" = a fresh
        // temporary directory removed when the ServerProcess is destroyed. Lets a test restart a
        // server on the files a previous one left.
        std::string dir;
        // A fixed port (a server restarted where its replicas expect it); 0 = a free one.
        int port = 0;
    };

    // Starts the process; throws std::runtime_error (with the log) if it does not come up.
    // Retries on a fresh port a few times if the process exits before answering (a port
    // taken between picking and binding).
    static std::unique_ptr<ServerProcess> start(Options options);

    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& dir() const { return dir_; }
    const std::string& name() const { return name_; }
    std::string log_path() const { return dir_ + "/server.log"; }
    // The whole log (stdout + stderr of the process).
    std::string log_text() const;
    // The last max_bytes of the log, for failure messages.
    std::string log_tail(size_t max_bytes = 4000) const;

    // True while the child has not exited (reaps it if it has).
    bool running();
    // Waits (polling) up to timeout for the child to exit; returns its wait status if it did.
    std::optional<int> wait_exit(Ms timeout);
    // SIGTERM, wait up to `grace`, then SIGKILL; returns the wait status. Idempotent.
    int stop(Ms grace = Ms(10000));
    // SIGKILL and reap; returns the wait status.
    int kill_now();
    // Sends a signal to the child (only while it has not been reaped).
    bool signal(int sig);

    // Wait status once the child has been reaped.
    std::optional<int> exit_status() const { return status_; }

    // Describes a wait status: "exited with code 0", "killed by signal 9".
    static std::string describe_status(int status);

  private:
    ServerProcess() = default;
    // Starts one attempt. On failure the child has been reaped, *error says why and
    // *retryable tells whether it exited early on its own (worth a new port).
    bool launch(const Options& options, std::string* error, bool* retryable);
    bool try_reap(bool block);

    pid_t pid_ = -1;
    int port_ = 0;
    std::string dir_;
    std::string name_;
    std::optional<int> status_;
    bool keep_dir_ = false;
};

// snapstream_binary() with the standard flags plus extra_args.
std::unique_ptr<ServerProcess> start_snapstream(std::vector<std::string> extra_args = {});
// redis_binary() with the standard flags plus extra_args.
std::unique_ptr<ServerProcess> start_redis(std::vector<std::string> extra_args = {});

// Runs a program to completion (fork/exec, no shell), feeding `input` on stdin and capturing
// stdout and stderr; killed (SIGKILL, its own pid) if it runs past `timeout`.
struct ProcessResult {
    int status = -1;  // wait status
    bool timed_out = false;
    std::string out;
    std::string err;
    bool exited_ok() const;
    int exit_code() const;  // -1 if it did not exit normally
    std::string describe() const;
};
ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input, Ms timeout);

// A whole file's bytes ("" if it cannot be read).
std::string read_file(const std::string& path);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents by the destructor.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    // Writes a file in the directory; returns its full path.
    std::string write_file(const std::string& name, std::string_view content) const;

  private:
    std::string path_;
};

}  // namespace snapstream::test
