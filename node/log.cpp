#include "node/log.h"

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

namespace snapstream {
namespace {

std::atomic<char> g_role{'M'};

// '%*' → Redis's level mark.
class LevelMark final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        char c = '*';
        switch (msg.level) {
            case spdlog::level::trace:
                c = '.';
                break;
            case spdlog::level::debug:
                c = '-';
                break;
            case spdlog::level::info:
                c = '*';
                break;
            default:
                c = '#';
                break;
        }
        dest.push_back(c);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelMark>();
    }
};

// '%R' → role letter.
class RoleMark final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg&, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        dest.push_back(g_role.load());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<RoleMark>();
    }
};

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
    switch (level) {
        case config::LogLevel::Debug:
            return spdlog::level::trace;
        case config::LogLevel::Verbose:
            return spdlog::level::debug;
        case config::LogLevel::Notice:
            return spdlog::level::info;
        case config::LogLevel::Warning:
            return spdlog::level::warn;
        case config::LogLevel::Nothing:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

}  // namespace

namespace {
// What log_from_child() needs, captured when logging is configured (the child reads its copy).
std::string g_logfile;
std::atomic<int> g_child_threshold{1};  // 0 debug/verbose, 1 notice, 2 warning, 3 nothing

int child_threshold(config::LogLevel l) {
    switch (l) {
        case config::LogLevel::Debug:
        case config::LogLevel::Verbose:
            return 0;
        case config::LogLevel::Notice:
            return 1;
        case config::LogLevel::Warning:
            return 2;
        case config::LogLevel::Nothing:
            return 3;
    }
    return 1;
}
}  // namespace

void log_from_child(bool warning, std::string_view text) {
    if ((warning ? 2 : 1) < g_child_threshold.load()) return;
    char line[1024];
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char date[64];
    strftime(date, sizeof date, "%d %b %Y %H:%M:%S", &tm);
    int n = std::snprintf(line, sizeof line, "%d:C %s.%03d %c %.*s\n", static_cast<int>(getpid()),
                          date, static_cast<int>(tv.tv_usec / 1000), warning ? '#' : '*',
                          static_cast<int>(std::min<size_t>(text.size(), 900)), text.data());
    if (n <= 0) return;
    n = std::min<int>(n, static_cast<int>(sizeof line) - 1);
    int fd = 1;
    if (!g_logfile.empty()) fd = ::open(g_logfile.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return;
    [[maybe_unused]] ssize_t w = ::write(fd, line, static_cast<size_t>(n));
    if (fd != 1) ::close(fd);
}

void init_logging(const config::Config& cfg) {
    g_logfile = cfg.logfile;
    g_child_threshold.store(child_threshold(cfg.loglevel));
    std::shared_ptr<spdlog::logger> logger;
    if (cfg.logfile.empty()) {
        logger = std::make_shared<spdlog::logger>(
            "snapstream", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
        logger = std::make_shared<spdlog::logger>(
            "snapstream", std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.logfile));
    }
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelMark>('*').add_flag<RoleMark>('R');
    formatter->set_pattern("%P:%R %d %b %Y %H:%M:%S.%e %* %v");
    logger->set_formatter(std::move(formatter));
    logger->set_level(to_spdlog(cfg.loglevel));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

void set_log_level(config::LogLevel level) {
    g_child_threshold.store(child_threshold(level));
    spdlog::default_logger()->set_level(to_spdlog(level));
}

void set_log_role(char role) {
    g_role.store(role);
}

}  // namespace snapstream
