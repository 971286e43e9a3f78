// Logging through spdlog in Redis's line format: "<pid>:<role> <date> <time>.<ms> <level> <text>"
// with Redis's level marks: '.' debug, '-' verbose, '*' notice, '#' warning. Never call these from
// a forked child (spdlog's mutexes may be held there): children write to fd 2 directly.
#pragma once

#include <spdlog/spdlog.h>

#include "config/config.h"

namespace snapstream {

// Sets up the logger from loglevel/logfile; throws std::runtime_error at start-up on failure.
void init_logging(const config::Config& cfg);
void set_log_level(config::LogLevel level);
// The role letter in log lines: 'M' primary, 'S' replica, 'C' child.
void set_log_role(char role);

}  // namespace snapstream
