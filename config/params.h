// Internal view of the parameter table (config/params.cpp). Only the config module includes this;
// everyone else goes through config/config.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace snapstream::config::detail {

enum class Type { Bool, Integer, Memory, Enum, String, Special };

// Where a value comes from. Parsing is the same everywhere except that YAML files may also spell
// booleans true/false, and CONFIG SET dir checks that the directory exists (Redis chdir()s).
enum class Source { File, CommandLine, ConfigSet };

// Row flags (Redis 7.0's IMMUTABLE_CONFIG, PROTECTED_CONFIG, SENSITIVE_CONFIG, MULTI_ARG_CONFIG).
inline constexpr unsigned kMutable = 0;
inline constexpr unsigned kImmutable = 1u << 0;
inline constexpr unsigned kProtected = 1u << 1;  // recorded only: CONFIG SET allows it (see set())
inline constexpr unsigned kSensitive = 1u << 2;
inline constexpr unsigned kMultiArg = 1u << 3;  // value is a list of words (save, bind, ...)

// Why a value was rejected, in two wordings: `redis` is the text Redis 7.0 puts after
// "CONFIG SET failed (possibly related to argument 'x') - "; `human` is for file and flag errors
// ("'70000' is out of range (must be between 0 and 65535)").
struct Problem {
    std::string redis;
    std::string human;
};

using Args = std::vector<std::string>;

struct Param {
    std::string_view name;                  // canonical (Redis 7.0) name, lower case
    std::vector<std::string_view> aliases;  // older Redis names accepted everywhere
    Type type;
    unsigned flags;
    std::string_view default_text;  // default as CONFIG GET renders it (a unit test checks it)

    // Integer and Memory rows: inclusive bounds. With unsigned_range both are compared as uint64
    // (Redis's unsigned, unsigned long long and size_t configs), so "-1" wraps and is too large.
    int64_t min = 0;
    int64_t max = 0;
    bool unsigned_range = false;
    std::vector<std::string_view> choices;  // Enum rows: accepted names in Redis's order

    // CONFIG GET text.
    std::function<std::string(const Config&)> render;
    // Validates args and stores the value; args are already split into words for kMultiArg rows
    // and hold exactly one value otherwise.
    std::function<std::optional<Problem>(Config&, const Args&, Source)> assign;
    // Value as written into YAML by CONFIG REWRITE (quoted where needed, sizes with units).
    std::function<std::string(const Config&)> yaml;

    bool is_mutable() const { return (flags & kImmutable) == 0; }
    bool multi_arg() const { return (flags & kMultiArg) != 0; }
};

// The table, in Config field order.
const std::vector<Param>& params();

// Canonical name or alias, case-insensitive. `matched_alias` (if given) receives the alias that
// matched, or "" when the canonical name did.
const Param* find_param(std::string_view name, std::string_view* matched_alias = nullptr);

// Splits a single non-empty argument of a kMultiArg parameter into words, as redis-server does
// for config-file and command-line values ("--save '3600 1 300 100'"); other shapes pass through.
Args split_multi_arg(Args args);

// YAML scalar text for a string: plain when it is unambiguous, double-quoted otherwise.
std::string yaml_quote(std::string_view s);

// Byte count with the largest exact unit (1gb, 64mb, 1kb) as CONFIG REWRITE writes sizes.
std::string format_memory(uint64_t bytes);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

}  // namespace snapstream::config::detail
