#include "node/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <atomic>
#include <memory>

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

void init_logging(const config::Config& cfg) {
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
    spdlog::default_logger()->set_level(to_spdlog(level));
}

void set_log_role(char role) {
    g_role.store(role);
}

}  // namespace snapstream
