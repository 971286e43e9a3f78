// Logging through spdlog in Redis's line format: "<pid>:<role> <date> <time>.<ms> <level> <text>"
// with Redis's level marks: '.' debug, '-' verbose, '*' notice, '#' warning. Never call these from
// a forked child (spdlog's mutexes may be held there): children write to fd 2 directly.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

#include "config/config.h"

namespace snapstream {

// Sets up the logger from loglevel/logfile; throws std::runtime_error at start-up on failure.
void init_logging(const config::Config& cfg);
void set_log_level(config::LogLevel level);
// The role letter in log lines: 'M' primary, 'S' replica, 'C' child.
void set_log_role(char role);

// Logging for a forked child: formats the line itself ("<pid>:C <date> <mark> <text>") and
// write(2)s it to the log file (opened O_APPEND for the one line) or stdout. No spdlog, no
// locks. `warning` selects the '#' mark and passes the notice threshold; notices use '*'.
void log_from_child(bool warning, std::string_view text);

}  // namespace snapstream
