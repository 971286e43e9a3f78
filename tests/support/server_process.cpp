#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/resp_client.h"

namespace snapstream::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::string make_temp_dir() {
    std::string base = env_or("TMPDIR", "/tmp");
    std::string tmpl = base + "/snapstream-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error(errno_text("mkdtemp"));
    return std::string(buf.data());
}

// A child's argv, built before fork so that the child only makes async-signal-safe calls.
struct Argv {
    explicit Argv(const std::vector<std::string>& args) : strings(args) {
        for (auto& s : strings) ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
    }
    std::vector<std::string> strings;
    std::vector<char*> ptrs;
};

// In the child: die with the parent, then report an exec failure through `status_fd`.
[[noreturn]] void exec_child(const Argv& argv, pid_t parent, int status_fd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::execv(argv.ptrs[0], argv.ptrs.data());
    int e = errno;
    ssize_t ignored = ::write(status_fd, &e, sizeof e);
    (void)ignored;
    ::_exit(127);
}

// After fork in the parent: returns 0 if exec succeeded, else the child's errno.
int exec_result(int status_fd) {
    int e = 0;
    ssize_t n;
    do {
        n = ::read(status_fd, &e, sizeof e);
    } while (n < 0 && errno == EINTR);
    ::close(status_fd);
    return n == static_cast<ssize_t>(sizeof e) ? e : 0;
}

}  // namespace

bool wait_until(const std::function<bool()>& pred, Ms timeout, Ms interval) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (Clock::now() >= deadline) return pred();
        std::this_thread::sleep_for(interval);
    }
}

int pick_free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(errno_text("socket"));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::string msg = errno_text("bind");
        ::close(fd);
        throw std::runtime_error(msg);
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string find_in_path(std::string_view name) {
    if (name.find('/') != std::string_view::npos) return std::string(name);
    std::string path = env_or("PATH", "/usr/local/bin:/usr/bin:/bin");
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        std::string candidate = dir + "/" + std::string(name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

std::string snapstream_binary() {
    return env_or("SNAPSTREAM_TEST_SERVER_BIN", SNAPSTREAM_SERVER_BIN);
}

bool snapstream_is_redis_override() {
    const char* v = std::getenv("SNAPSTREAM_TEST_SERVER_BIN");
    if (!v || !*v) return false;
    return std::filesystem::path(v).filename().string().find("redis") != std::string::npos;
}

std::string redis_binary() {
    std::string bin = find_in_path("redis-server");
    if (bin.empty()) throw std::runtime_error("redis-server not found in PATH");
    return bin;
}

std::unique_ptr<ServerProcess> ServerProcess::start(Options options) {
    std::unique_ptr<ServerProcess> p(new ServerProcess());
    p->name_ = options.name;
    p->dir_ = options.dir.empty() ? make_temp_dir() : options.dir;
    p->keep_dir_ = !options.dir.empty() || std::getenv("SNAPSTREAM_TEST_KEEP_DIRS") != nullptr;
    std::string resolved = find_in_path(options.binary);
    if (!resolved.empty()) options.binary = resolved;
    constexpr int kAttempts = 3;
    std::string error;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        bool retryable = false;
        if (p->launch(options, &error, &retryable)) return p;
        // launch() has reaped the child in every failure case; forget its pid for good.
        p->status_.reset();
        p->pid_ = -1;
        // Only a process that exited early (e.g. its port was taken meanwhile) is retried.
        if (!retryable) break;
    }
    std::string log = p->log_tail();
    throw std::runtime_error(options.name + " (" + options.binary + ") did not start: " + error +
                             "\n--- log ---\n" + log);
}

bool ServerProcess::launch(const Options& o, std::string* error, bool* retryable) {
    *retryable = false;
    port_ = o.port != 0 ? o.port : o.standard_args ? pick_free_port() : 0;
    std::vector<std::string> args{o.binary};
    args.insert(args.end(), o.leading_args.begin(), o.leading_args.end());
    if (o.standard_args) {
        std::vector<std::string> std_args{
            "--bind", "127.0.0.1", "--port", std::to_string(port_), "--dir",
            dir_,     "--save",    "",       "--appendonly",        "no"};
        args.insert(args.end(), std_args.begin(), std_args.end());
    }
    args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
    Argv argv(args);
    std::string log = log_path();

    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe2"));
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(status_pipe[0]);
        ::close(status_pipe[1]);
        throw std::runtime_error(errno_text("fork"));
    }
    if (pid == 0) {
        ::close(status_pipe[0]);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        int lfd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (lfd >= 0) {
            ::dup2(lfd, 1);
            ::dup2(lfd, 2);
        }
        if (::chdir(dir_.c_str()) != 0) ::_exit(126);
        exec_child(argv, parent, status_pipe[1]);
    }
    ::close(status_pipe[1]);
    pid_ = pid;
    if (int e = exec_result(status_pipe[0]); e != 0) {
        try_reap(true);
        *error = "exec " + o.binary + ": " + std::strerror(e);
        return false;
    }
    if (!o.wait_ready) return true;

    auto deadline = Clock::now() + o.ready_timeout;
    std::string last_error = "no attempt";
    // Bounded by the deadline; each attempt takes at most ~1 s.
    while (Clock::now() < deadline) {
        if (try_reap(false)) {
            *error = "process " + describe_status(*status_) + " before answering PING on port " +
                     std::to_string(port_);
            *retryable = true;
            return false;
        }
        try {
            RespClient c(port_, Ms(1000));
            RespValue r = c.command({"PING"});
            if (r.is_string("PONG")) return true;
            last_error = "PING answered " + r.to_string();
            // A -LOADING reply and the like: keep polling.
        } catch (const RespIoError& e) {
            last_error = e.what();
        }
        std::this_thread::sleep_for(Ms(10));
    }
    *error = "no PONG within " + std::to_string(o.ready_timeout.count()) + " ms on port " +
             std::to_string(port_) + " (last: " + last_error + ")";
    kill_now();
    return false;
}

ServerProcess::~ServerProcess() {
    stop();
    if (!keep_dir_ && !dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

std::string ServerProcess::log_text() const {
    return read_file(log_path());
}

std::string ServerProcess::log_tail(size_t max_bytes) const {
    std::string s = log_text();
    if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
    return s;
}

bool ServerProcess::try_reap(bool block) {
    if (status_) return true;
    if (pid_ <= 0) return false;
    int st = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid_) {
        status_ = st;
        return true;
    }
    return false;
}

bool ServerProcess::running() {
    return pid_ > 0 && !try_reap(false);
}

std::optional<int> ServerProcess::wait_exit(Ms timeout) {
    wait_until([this] { return try_reap(false); }, timeout, Ms(5));
    return status_;
}

bool ServerProcess::signal(int sig) {
    if (pid_ <= 0 || status_) return false;
    return ::kill(pid_, sig) == 0;
}

int ServerProcess::kill_now() {
    if (status_) return *status_;
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGKILL);
    try_reap(true);
    return status_.value_or(-1);
}

int ServerProcess::stop(Ms grace) {
    if (status_) return *status_;
    if (pid_ <= 0) return -1;
    signal(SIGTERM);
    if (wait_exit(grace)) return *status_;
    return kill_now();
}

std::string ServerProcess::describe_status(int status) {
    if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    }
    return "status " + std::to_string(status);
}

std::unique_ptr<ServerProcess> start_snapstream(std::vector<std::string> extra_args) {
    ServerProcess::Options o;
    o.binary = snapstream_binary();
    o.extra_args = std::move(extra_args);
    o.name = "snapstream";
    return ServerProcess::start(std::move(o));
}

std::unique_ptr<ServerProcess> start_redis(std::vector<std::string> extra_args) {
    ServerProcess::Options o;
    o.binary = redis_binary();
    o.extra_args = std::move(extra_args);
    o.name = "redis";
    return ServerProcess::start(std::move(o));
}

bool ProcessResult::exited_ok() const {
    return !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int ProcessResult::exit_code() const {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ProcessResult::describe() const {
    std::string s = timed_out ? "timed out, " : "";
    s += ServerProcess::describe_status(status);
    s += "\n--- stdout ---\n" + out.substr(0, 4000) + "\n--- stderr ---\n" + err.substr(0, 4000);
    return s;
}

ProcessResult run_process(const std::vector<std::string>& argv_in, std::string_view input,
                          Ms timeout) {
    ProcessResult result;
    if (argv_in.empty()) throw std::runtime_error("run_process: empty argv");
    std::vector<std::string> args = argv_in;
    std::string resolved = find_in_path(args[0]);
    if (resolved.empty())
        throw std::runtime_error("run_process: " + args[0] + " not found in PATH");
    args[0] = resolved;
    Argv argv(args);

    // stdin is a socket pair so that writing to a child that already exited gives EPIPE
    // (MSG_NOSIGNAL) rather than SIGPIPE.
    int in_pair[2], out_pipe[2], err_pipe[2], status_pipe[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
        throw std::runtime_error(errno_text("socketpair"));
    }
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
        ::pipe2(status_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error(errno_text("pipe2"));
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(errno_text("fork"));
    if (pid == 0) {
        ::dup2(in_pair[1], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        exec_child(argv, parent, status_pipe[1]);
    }
    ::close(in_pair[1]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ::close(status_pipe[1]);
    if (int e = exec_result(status_pipe[0]); e != 0) {
        result.err = "exec " + args[0] + ": " + std::strerror(e);
    }
    int in_fd = in_pair[0], out_fd = out_pipe[0], err_fd = err_pipe[0];
    for (int fd : {in_fd, out_fd, err_fd}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    size_t written = 0;
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    auto deadline = Clock::now() + timeout;
    // Bounded by the deadline.
    while ((in_fd >= 0 || out_fd >= 0 || err_fd >= 0) && Clock::now() < deadline) {
        pollfd fds[3];
        int n = 0;
        int idx_in = -1, idx_out = -1, idx_err = -1;
        if (in_fd >= 0) idx_in = n, fds[n++] = {in_fd, POLLOUT, 0};
        if (out_fd >= 0) idx_out = n, fds[n++] = {out_fd, POLLIN, 0};
        if (err_fd >= 0) idx_err = n, fds[n++] = {err_fd, POLLIN, 0};
        auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
        int pr = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left > 0 ? left : 0));
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) continue;
        if (idx_in >= 0 && fds[idx_in].revents) {
            ssize_t w = ::send(in_fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
            if (w > 0) written += static_cast<size_t>(w);
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
        auto drain = [](int& fd, std::string& sink) {
            char buf[65536];
            ssize_t r = ::read(fd, buf, sizeof buf);
            if (r > 0) {
                sink.append(buf, static_cast<size_t>(r));
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                ::close(fd);
                fd = -1;
            }
        };
        if (idx_out >= 0 && fds[idx_out].revents) drain(out_fd, result.out);
        if (idx_err >= 0 && fds[idx_err].revents) drain(err_fd, result.err);
    }
    for (int fd : {in_fd, out_fd, err_fd}) {
        if (fd >= 0) ::close(fd);
    }
    int st = 0;
    bool reaped = wait_until(
        [&] {
            pid_t r = ::waitpid(pid, &st, WNOHANG);
            return r == pid;
        },
        std::chrono::duration_cast<Ms>(deadline - Clock::now()) + Ms(10), Ms(5));
    if (!reaped) {
        result.timed_out = true;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &st, 0);
    }
    result.status = st;
    return result;
}

TempDir::TempDir() : path_(make_temp_dir()) {}

TempDir::~TempDir() {
    std::error_code ec;
    if (std::getenv("SNAPSTREAM_TEST_KEEP_DIRS") == nullptr) std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string TempDir::write_file(const std::string& name, std::string_view content) const {
    std::string p = path_ + "/" + name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + p);
    return p;
}

}  // namespace snapstream::test
