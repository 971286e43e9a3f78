// The parameter table: the single place that says which parameters exist.
//
// Design
// ------
// Every parameter is one row built by a small typed helper (boolean, integer, memory, choice,
// text, or a hand-written special row). A row holds:
//   * the canonical name (Redis 7.0's name wherever the concept is the same) and any older Redis
//     aliases (slaveof, hash-max-ziplist-entries, ...), all matched case-insensitively;
//   * the type, the inclusive bounds (compared signed or unsigned exactly as Redis 7.0 compares
//     that config), the accepted enum names;
//   * flags: immutable at runtime, sensitive, protected, multi-word value;
//   * the default as CONFIG GET renders it (documentation; a unit test checks it against Config{},
//     whose member initialisers are what a server actually starts from);
//   * three functions bound to the row's Config field: render (CONFIG GET text), assign (validate
//     a value and store it, reporting a Problem in both Redis's CONFIG SET wording and the wording
//     used for file and flag errors) and yaml (the value CONFIG REWRITE writes).
// The YAML loader, the command-line flags, CONFIG GET/SET/REWRITE and parameter_names() all walk
// this one table, so a parameter added here is immediately usable everywhere.
//
// Facts (names, aliases, defaults, bounds, mutability, error texts) follow Redis 7.0.15's
// config.c; two rows are snapstream's own (aof-checksums, repl-backlog-from-aof). Deliberate
// differences: bind defaults to "127.0.0.1 -::1" (redis.conf's value, not the built-in "* -::*"),
// and dir/dbfilename, PROTECTED in Redis 7.0, may be changed by CONFIG SET.

#include "config/params.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "common/numeric.h"

namespace snapstream::config::detail {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

namespace {

constexpr int64_t kIntMin = INT32_MIN;
constexpr int64_t kIntMax = INT32_MAX;
constexpr int64_t kLongMax = INT64_MAX;
constexpr uint64_t kUIntMax = UINT32_MAX;
constexpr uint64_t kULongLongMax = UINT64_MAX;
constexpr int64_t kMiB = 1024 * 1024;

std::string in_quotes(std::string_view s) {
    return "'" + std::string(s) + "'";
}

std::string join(const Args& args) {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
        if (i) out += ' ';
        out += args[i];
    }
    return out;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

Args split_words(std::string_view s) {
    Args out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

// A number as C's strtoll() reads a whole word, the way Redis parses save points, output
// buffer seconds and the replicaof port: leading blanks and a sign are allowed, an empty word is
// 0, anything left over is an error, and overflow saturates.
std::optional<int64_t> strtoll_word(std::string_view s) {
    if (s.empty()) return 0;
    size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    size_t digits_start = i;
    uint64_t magnitude = 0;
    bool overflow = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        uint64_t digit = static_cast<uint64_t>(s[i] - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) overflow = true;
        if (!overflow) magnitude = magnitude * 10 + digit;
    }
    if (i == digits_start || i != s.size()) return std::nullopt;
    if (negative) {
        if (overflow || magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return INT64_MIN;
        return magnitude == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN
                                                                 : -static_cast<int64_t>(magnitude);
    }
    if (overflow || magnitude > static_cast<uint64_t>(INT64_MAX)) return INT64_MAX;
    return static_cast<int64_t>(magnitude);
}

std::optional<bool> parse_bool(std::string_view s, Source source) {
    if (iequals(s, "yes")) return true;
    if (iequals(s, "no")) return false;
    // YAML users write true/false; Redis's own syntax (flags, CONFIG SET) is yes/no only.
    if (source == Source::File) {
        if (iequals(s, "true")) return true;
        if (iequals(s, "false")) return false;
    }
    return std::nullopt;
}

std::string u64_text(uint64_t v) {
    return std::to_string(v);
}
std::string i64_text(int64_t v) {
    return std::to_string(v);
}

Param base(std::string_view name, Type type, unsigned flags, std::string_view default_text,
           std::vector<std::string_view> aliases) {
    Param p;
    p.name = name;
    p.aliases = std::move(aliases);
    p.type = type;
    p.flags = flags;
    p.default_text = default_text;
    return p;
}

Param boolean(std::string_view name, bool Config::*field, unsigned flags,
              std::string_view default_text, std::vector<std::string_view> aliases = {}) {
    Param p = base(name, Type::Bool, flags, default_text, std::move(aliases));
    p.render = [field](const Config& c) { return std::string(c.*field ? "yes" : "no"); };
    p.assign = [field](Config& c, const Args& a, Source source) -> std::optional<Problem> {
        std::optional<bool> v = parse_bool(a[0], source);
        if (!v)
            return Problem{"argument must be 'yes' or 'no'", in_quotes(a[0]) + " is not yes or no"};
        c.*field = *v;
        return std::nullopt;
    };
    p.yaml = p.render;
    return p;
}

struct Range {
    int64_t min;
    int64_t max;
    bool is_unsigned;
};
constexpr Range signed_range(int64_t lo, int64_t hi) {
    return {lo, hi, false};
}
constexpr Range unsigned_range(uint64_t lo, uint64_t hi) {
    return {static_cast<int64_t>(lo), static_cast<int64_t>(hi), true};
}

// Integer and Memory rows. Values travel as int64 bits; unsigned rows (and Memory rendering)
// reinterpret them as uint64, as Redis stores them in long long and casts per config type.
template <typename T>
Param number(Type type, std::string_view name, T Config::*field, Range range, unsigned flags,
             std::string_view default_text, std::vector<std::string_view> aliases = {},
             int64_t (*normalize)(int64_t) = nullptr) {
    Param p = base(name, type, flags, default_text, std::move(aliases));
    p.min = range.min;
    p.max = range.max;
    p.unsigned_range = range.is_unsigned;
    const bool as_unsigned = type == Type::Memory || range.is_unsigned;
    p.render = [field, as_unsigned](const Config& c) {
        int64_t bits = static_cast<int64_t>(c.*field);
        return as_unsigned ? u64_text(static_cast<uint64_t>(bits)) : i64_text(bits);
    };
    p.assign = [field, type, range, normalize](Config& c, const Args& a,
                                               Source) -> std::optional<Problem> {
        const std::string& s = a[0];
        int64_t v = 0;
        if (type == Type::Memory) {
            std::optional<uint64_t> m = parse_memory(s);
            if (!m) {
                return Problem{"argument must be a memory value",
                               in_quotes(s) +
                                   " is not a memory size (a number with an optional unit b, k, "
                                   "kb, m, mb, g or gb)"};
            }
            v = static_cast<int64_t>(*m);
        } else {
            std::optional<int64_t> n = parse_int64(s);
            if (!n) {
                return Problem{"argument couldn't be parsed into an integer",
                               in_quotes(s) + " is not an integer"};
            }
            v = *n;
        }
        bool in_range;
        std::string lo, hi;
        if (range.is_unsigned) {
            uint64_t u = static_cast<uint64_t>(v);
            in_range =
                u >= static_cast<uint64_t>(range.min) && u <= static_cast<uint64_t>(range.max);
            lo = u64_text(static_cast<uint64_t>(range.min));
            hi = u64_text(static_cast<uint64_t>(range.max));
        } else {
            in_range = v >= range.min && v <= range.max;
            lo = i64_text(range.min);
            hi = i64_text(range.max);
        }
        if (!in_range) {
            return Problem{
                "argument must be between " + lo + " and " + hi + " inclusive",
                in_quotes(s) + " is out of range (must be between " + lo + " and " + hi + ")"};
        }
        if (normalize) v = normalize(v);
        c.*field = static_cast<T>(v);
        return std::nullopt;
    };
    if (type == Type::Memory) {
        p.yaml = [field](const Config& c) {
            return format_memory(static_cast<uint64_t>(static_cast<int64_t>(c.*field)));
        };
    } else {
        p.yaml = p.render;
    }
    return p;
}

template <typename T>
Param integer(std::string_view name, T Config::*field, Range range, unsigned flags,
              std::string_view default_text, std::vector<std::string_view> aliases = {},
              int64_t (*normalize)(int64_t) = nullptr) {
    return number(Type::Integer, name, field, range, flags, default_text, std::move(aliases),
                  normalize);
}

template <typename T>
Param memory(std::string_view name, T Config::*field, Range range, unsigned flags,
             std::string_view default_text, std::vector<std::string_view> aliases = {}) {
    return number(Type::Memory, name, field, range, flags, default_text, std::move(aliases));
}

template <typename E>
struct Choice {
    std::string_view name;
    E value;
    bool accepted = true;  // false: rendered if set in code, but not accepted as input
};

template <typename E>
Param choice(std::string_view name, E Config::*field, std::vector<Choice<E>> choices,
             unsigned flags, std::string_view default_text) {
    Param p = base(name, Type::Enum, flags, default_text, {});
    std::string list;
    for (const auto& ch : choices) {
        if (!ch.accepted) continue;
        p.choices.push_back(ch.name);
        if (!list.empty()) list += ", ";
        list += ch.name;
    }
    p.render = [field, choices](const Config& c) {
        for (const auto& ch : choices) {
            if (ch.value == c.*field) return std::string(ch.name);
        }
        return std::string();
    };
    p.assign = [field, choices, list](Config& c, const Args& a, Source) -> std::optional<Problem> {
        for (const auto& ch : choices) {
            if (ch.accepted && iequals(a[0], ch.name)) {
                c.*field = ch.value;
                return std::nullopt;
            }
        }
        return Problem{"argument(s) must be one of the following: " + list,
                       in_quotes(a[0]) + " must be one of: " + list};
    };
    p.yaml = p.render;
    return p;
}

using TextCheck = const char* (*)(std::string_view);

Param text(std::string_view name, std::string Config::*field, unsigned flags,
           std::string_view default_text, std::vector<std::string_view> aliases = {},
           TextCheck check = nullptr) {
    Param p = base(name, Type::String, flags, default_text, std::move(aliases));
    p.render = [field](const Config& c) { return c.*field; };
    p.assign = [field, check](Config& c, const Args& a, Source) -> std::optional<Problem> {
        if (check) {
            if (const char* err = check(a[0])) return Problem{err, err};
        }
        c.*field = a[0];
        return std::nullopt;
    };
    p.yaml = [field](const Config& c) { return yaml_quote(c.*field); };
    return p;
}

bool is_base_name(std::string_view s) {
    return s.find('/') == std::string_view::npos && s.find('\\') == std::string_view::npos;
}

const char* check_dbfilename(std::string_view s) {
    return is_base_name(s) ? nullptr : "dbfilename can't be a path, just a filename";
}

const char* check_appendfilename(std::string_view s) {
    if (s.empty()) return "appendfilename can't be empty";
    return is_base_name(s) ? nullptr : "appendfilename can't be a path, just a filename";
}

const char* check_appenddirname(std::string_view s) {
    if (s.empty()) return "appenddirname can't be empty";
    return is_base_name(s) ? nullptr : "appenddirname can't be a path, just a dirname";
}

int64_t clamp_hz(int64_t hz) {
    return std::clamp<int64_t>(hz, 1, 500);
}  // as Redis's updateHZ

// --- special rows -------------------------------------------------------------------------

Param dir_row() {
    Param p = text("dir", &Config::dir, kMutable | kProtected, ".");
    p.assign = [](Config& c, const Args& a, Source source) -> std::optional<Problem> {
        const std::string& d = a[0];
        if (d.empty()) return Problem{std::strerror(ENOENT), "the directory can't be empty"};
        if (source != Source::ConfigSet) {
            c.dir = d;  // load() makes it absolute; the node creates/enters it at start-up
            return std::nullopt;
        }
        // CONFIG SET: Redis chdir()s and reports strerror(); we check the same conditions.
        struct stat st;
        int err = 0;
        if (::stat(d.c_str(), &st) != 0) {
            err = errno;
        } else if (!S_ISDIR(st.st_mode)) {
            err = ENOTDIR;
        } else if (::access(d.c_str(), X_OK) != 0) {
            err = errno;
        }
        if (err != 0) return Problem{std::strerror(err), in_quotes(d) + ": " + std::strerror(err)};
        std::error_code ec;
        std::filesystem::path abs = std::filesystem::absolute(d, ec);
        std::string s = ec ? d : abs.lexically_normal().string();
        while (s.size() > 1 && s.back() == '/') s.pop_back();
        c.dir = s;
        return std::nullopt;
    };
    return p;
}

std::string render_save(const Config& c) {
    std::string out;
    for (const SavePoint& sp : c.save) {
        if (!out.empty()) out += ' ';
        out += i64_text(sp.seconds) + " " + i64_text(sp.changes);
    }
    return out;
}

Param save_row() {
    Param p = base("save", Type::Special, kMutable | kMultiArg, "3600 1 300 100 60 10000", {});
    p.render = render_save;
    p.assign = [](Config& c, const Args& a, Source) -> std::optional<Problem> {
        Args words = a;
        if (words.size() == 1 && words[0].empty()) words.clear();  // save "" disables snapshots
        Problem bad{"Invalid save parameters",
                    in_quotes(join(a)) +
                        " is not a valid save setting (expected pairs of <seconds> <changes> "
                        "with seconds >= 1 and changes >= 0, or \"\" to disable)"};
        if (words.size() % 2 != 0) return bad;
        std::vector<SavePoint> points;
        for (size_t i = 0; i < words.size(); i += 2) {
            std::optional<int64_t> seconds = strtoll_word(words[i]);
            std::optional<int64_t> changes = strtoll_word(words[i + 1]);
            if (!seconds || !changes || *seconds < 1 || *changes < 0) return bad;
            points.push_back(SavePoint{*seconds, *changes});
        }
        c.save = std::move(points);
        return std::nullopt;
    };
    p.yaml = [](const Config& c) { return yaml_quote(render_save(c)); };
    return p;
}

std::string render_bind(const Config& c) {
    return join(c.bind);
}

Param bind_row() {
    Param p = base("bind", Type::Special, kMutable | kMultiArg, "127.0.0.1 -::1", {});
    p.render = render_bind;
    p.assign = [](Config& c, const Args& a, Source) -> std::optional<Problem> {
        constexpr size_t kMaxBind = 16;  // Redis's CONFIG_BINDADDR_MAX
        if (a.size() > kMaxBind) {
            return Problem{"Too many bind addresses specified.",
                           "too many bind addresses (at most 16)"};
        }
        if (a.size() == 1 && a[0].empty()) {
            c.bind.clear();
        } else {
            c.bind = a;
        }
        return std::nullopt;
    };
    p.yaml = [](const Config& c) { return yaml_quote(render_bind(c)); };
    return p;
}

std::string render_replicaof(const Config& c) {
    if (!c.replicaof) return "";
    return c.replicaof->host + " " + std::to_string(c.replicaof->port);
}

Param replicaof_row() {
    Param p = base("replicaof", Type::Special, kImmutable | kMultiArg, "", {"slaveof"});
    p.render = render_replicaof;
    p.assign = [](Config& c, const Args& a, Source) -> std::optional<Problem> {
        // An empty value (YAML `replicaof: ""` or an empty list) means "not a replica", like
        // "no one"; this is how CONFIG REWRITE writes an unset replicaof.
        if (a.empty() || (a.size() == 1 && a[0].empty())) {
            c.replicaof.reset();
            return std::nullopt;
        }
        if (a.size() != 2) {
            return Problem{"wrong number of arguments",
                           in_quotes(join(a)) + " is not \"<host> <port>\" or \"no one\""};
        }
        if (iequals(a[0], "no") && iequals(a[1], "one")) {
            c.replicaof.reset();
            return std::nullopt;
        }
        std::optional<int64_t> port = strtoll_word(a[1]);
        if (!port || *port < 0 || *port > 65535) {
            return Problem{"Invalid master port",
                           in_quotes(a[1]) + " is not a valid port (must be between 0 and 65535)"};
        }
        c.replicaof = ReplicaOf{a[0], static_cast<int>(*port)};
        return std::nullopt;
    };
    p.yaml = [](const Config& c) { return yaml_quote(render_replicaof(c)); };
    return p;
}

struct BufferClass {
    std::string_view name;  // as CONFIG GET prints it (Redis 7.0 still says "slave")
    std::string_view yaml_name;
    OutputBufferLimit Config::*field;
};

const BufferClass kBufferClasses[] = {
    {"normal", "normal", &Config::obl_normal},
    {"slave", "replica", &Config::obl_replica},
    {"pubsub", "pubsub", &Config::obl_pubsub},
};

OutputBufferLimit Config::*buffer_class(std::string_view name) {
    if (iequals(name, "normal")) return &Config::obl_normal;
    if (iequals(name, "replica") || iequals(name, "slave")) return &Config::obl_replica;
    if (iequals(name, "pubsub")) return &Config::obl_pubsub;
    return nullptr;  // includes "master", which Redis also refuses
}

Param output_buffer_row() {
    Param p = base("client-output-buffer-limit", Type::Special, kMutable | kMultiArg,
                   "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", {});
    p.render = [](const Config& c) {
        std::string out;
        for (const BufferClass& bc : kBufferClasses) {
            const OutputBufferLimit& l = c.*bc.field;
            if (!out.empty()) out += ' ';
            out += std::string(bc.name) + " " + u64_text(l.hard_bytes) + " " +
                   u64_text(l.soft_bytes) + " " + i64_text(l.soft_seconds);
        }
        return out;
    };
    p.assign = [](Config& c, const Args& a, Source) -> std::optional<Problem> {
        Args words = a;
        if (words.size() == 1 && words[0].empty()) words.clear();
        if (words.size() % 4 != 0) {
            return Problem{"Wrong number of arguments in buffer limit configuration.",
                           in_quotes(join(a)) +
                               " is not a list of <class> <hard> <soft> <soft-seconds> groups"};
        }
        // Validate every group before changing anything, as Redis does.
        Config next = c;
        for (size_t i = 0; i < words.size(); i += 4) {
            OutputBufferLimit Config::*field = buffer_class(words[i]);
            if (!field) {
                return Problem{"Invalid client class specified in buffer limit configuration.",
                               in_quotes(words[i]) +
                                   " is not a client class (normal, replica, slave or pubsub)"};
            }
            std::optional<uint64_t> hard = parse_memory(words[i + 1]);
            std::optional<uint64_t> soft = parse_memory(words[i + 2]);
            std::optional<int64_t> seconds = strtoll_word(words[i + 3]);
            if (!hard || !soft || !seconds || *seconds < 0) {
                return Problem{
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
                    in_quotes(words[i] + " " + words[i + 1] + " " + words[i + 2] + " " +
                              words[i + 3]) +
                        " has a bad hard or soft size or soft-seconds value"};
            }
            next.*field = OutputBufferLimit{*hard, *soft, *seconds};
        }
        c.obl_normal = next.obl_normal;
        c.obl_replica = next.obl_replica;
        c.obl_pubsub = next.obl_pubsub;
        return std::nullopt;
    };
    p.yaml = [](const Config& c) {
        std::string out;
        for (const BufferClass& bc : kBufferClasses) {
            const OutputBufferLimit& l = c.*bc.field;
            if (!out.empty()) out += ' ';
            out += std::string(bc.yaml_name) + " " + format_memory(l.hard_bytes) + " " +
                   format_memory(l.soft_bytes) + " " + i64_text(l.soft_seconds);
        }
        return yaml_quote(out);
    };
    return p;
}

std::vector<Param> build_table() {
    using C = Config;
    constexpr unsigned M = kMutable;
    constexpr unsigned I = kImmutable;
    constexpr unsigned S = kSensitive;
    std::vector<Param> t;

    // network
    t.push_back(bind_row());
    t.push_back(integer("port", &C::port, signed_range(0, 65535), M, "6379"));
    t.push_back(integer("tcp-backlog", &C::tcp_backlog, signed_range(0, kIntMax), I, "511"));
    t.push_back(integer("timeout", &C::timeout, signed_range(0, kIntMax), M, "0"));
    t.push_back(integer("tcp-keepalive", &C::tcp_keepalive, signed_range(0, kIntMax), M, "300"));
    t.push_back(integer("maxclients", &C::maxclients, unsigned_range(1, kUIntMax), M, "10000"));
    t.push_back(boolean("protected-mode", &C::protected_mode, M, "yes"));

    // general
    t.push_back(integer("databases", &C::databases, signed_range(1, kIntMax), I, "16"));
    t.push_back(choice<LogLevel>("loglevel", &C::loglevel,
                                 {{"debug", LogLevel::Debug},
                                  {"verbose", LogLevel::Verbose},
                                  {"notice", LogLevel::Notice},
                                  {"warning", LogLevel::Warning},
                                  {"nothing", LogLevel::Nothing, false}},  // Redis 7.2+ only
                                 M, "notice"));
    t.push_back(text("logfile", &C::logfile, I, ""));
    t.push_back(text("pidfile", &C::pidfile, I, ""));
    t.push_back(integer("hz", &C::hz, signed_range(0, kIntMax), M, "10", {}, clamp_hz));
    t.push_back(memory("proto-max-bulk-len", &C::proto_max_bulk_len, signed_range(kMiB, kLongMax),
                       M, "536870912"));
    t.push_back(memory("client-query-buffer-limit", &C::client_query_buffer_limit,
                       unsigned_range(kMiB, kLongMax), M, "1073741824"));
    t.push_back(output_buffer_row());
    t.push_back(text("requirepass", &C::requirepass, M | S, ""));
    t.push_back(memory("maxmemory", &C::maxmemory, unsigned_range(0, kULongLongMax), M, "0"));

    // RDB
    t.push_back(dir_row());
    t.push_back(
        text("dbfilename", &C::dbfilename, M | kProtected, "dump.rdb", {}, check_dbfilename));
    t.push_back(save_row());
    t.push_back(boolean("rdbcompression", &C::rdbcompression, M, "yes"));
    t.push_back(boolean("rdbchecksum", &C::rdbchecksum, I, "yes"));
    t.push_back(boolean("stop-writes-on-bgsave-error", &C::stop_writes_on_bgsave_error, M, "yes"));
    t.push_back(boolean("rdb-del-sync-files", &C::rdb_del_sync_files, M, "no"));
    t.push_back(integer("rdb-key-save-delay", &C::rdb_key_save_delay,
                        signed_range(-kIntMax - 1, kIntMax), M, "0"));
    t.push_back(boolean("disable-thp", &C::disable_thp, I, "yes"));
    t.push_back(choice<SanitizePayload>("sanitize-dump-payload", &C::sanitize_dump_payload,
                                        {{"no", SanitizePayload::No},
                                         {"yes", SanitizePayload::Yes},
                                         {"clients", SanitizePayload::Clients}},
                                        M, "no"));

    // AOF
    t.push_back(boolean("appendonly", &C::appendonly, M, "no"));
    t.push_back(
        text("appendfilename", &C::appendfilename, I, "appendonly.aof", {}, check_appendfilename));
    t.push_back(
        text("appenddirname", &C::appenddirname, I, "appendonlydir", {}, check_appenddirname));
    t.push_back(choice<AppendFsync>("appendfsync", &C::appendfsync,
                                    {{"everysec", AppendFsync::Everysec},
                                     {"always", AppendFsync::Always},
                                     {"no", AppendFsync::No}},
                                    M, "everysec"));
    t.push_back(boolean("no-appendfsync-on-rewrite", &C::no_appendfsync_on_rewrite, M, "no"));
    t.push_back(integer("auto-aof-rewrite-percentage", &C::auto_aof_rewrite_percentage,
                        signed_range(0, kIntMax), M, "100"));
    t.push_back(memory("auto-aof-rewrite-min-size", &C::auto_aof_rewrite_min_size,
                       signed_range(0, kLongMax), M, "67108864"));
    t.push_back(boolean("aof-load-truncated", &C::aof_load_truncated, M, "yes"));
    t.push_back(boolean("aof-use-rdb-preamble", &C::aof_use_rdb_preamble, M, "yes"));
    t.push_back(boolean("aof-timestamp-enabled", &C::aof_timestamp_enabled, M, "no"));
    t.push_back(boolean("aof-checksums", &C::aof_checksums, M, "no"));  // snapstream

    // replication
    t.push_back(replicaof_row());
    t.push_back(text("masterauth", &C::masterauth, M | S, ""));
    t.push_back(text("masteruser", &C::masteruser, M | S, ""));
    t.push_back(memory("repl-backlog-size", &C::repl_backlog_size, signed_range(1, kLongMax), M,
                       "1048576"));
    t.push_back(
        integer("repl-backlog-ttl", &C::repl_backlog_ttl, signed_range(0, kLongMax), M, "3600"));
    t.push_back(integer("repl-timeout", &C::repl_timeout, signed_range(1, kIntMax), M, "60"));
    t.push_back(integer("repl-ping-replica-period", &C::repl_ping_replica_period,
                        signed_range(1, kIntMax), M, "10", {"repl-ping-slave-period"}));
    t.push_back(boolean("repl-diskless-sync", &C::repl_diskless_sync, M, "yes"));
    t.push_back(integer("repl-diskless-sync-delay", &C::repl_diskless_sync_delay,
                        signed_range(0, kIntMax), M, "5"));
    t.push_back(integer("repl-diskless-sync-max-replicas", &C::repl_diskless_sync_max_replicas,
                        signed_range(0, kIntMax), M, "0"));
    t.push_back(choice<DisklessLoad>("repl-diskless-load", &C::repl_diskless_load,
                                     {{"disabled", DisklessLoad::Disabled},
                                      {"on-empty-db", DisklessLoad::OnEmptyDb},
                                      {"swapdb", DisklessLoad::Swapdb}},
                                     M, "disabled"));
    t.push_back(boolean("repl-disable-tcp-nodelay", &C::repl_disable_tcp_nodelay, M, "no"));
    t.push_back(boolean("replica-serve-stale-data", &C::replica_serve_stale_data, M, "yes",
                        {"slave-serve-stale-data"}));
    t.push_back(boolean("replica-read-only", &C::replica_read_only, M, "yes", {"slave-read-only"}));
    t.push_back(integer("replica-priority", &C::replica_priority, signed_range(0, kIntMax), M,
                        "100", {"slave-priority"}));
    t.push_back(text("replica-announce-ip", &C::replica_announce_ip, M, "", {"slave-announce-ip"}));
    t.push_back(integer("replica-announce-port", &C::replica_announce_port, signed_range(0, 65535),
                        M, "0", {"slave-announce-port"}));
    t.push_back(integer("min-replicas-to-write", &C::min_replicas_to_write,
                        signed_range(0, kIntMax), M, "0", {"min-slaves-to-write"}));
    t.push_back(integer("min-replicas-max-lag", &C::min_replicas_max_lag, signed_range(0, kIntMax),
                        M, "10", {"min-slaves-max-lag"}));
    t.push_back(boolean("repl-backlog-from-aof", &C::repl_backlog_from_aof, M, "no"));  // ours

    // encodings
    t.push_back(integer("hash-max-listpack-entries", &C::hash_max_listpack_entries,
                        unsigned_range(0, kLongMax), M, "512", {"hash-max-ziplist-entries"}));
    t.push_back(memory("hash-max-listpack-value", &C::hash_max_listpack_value,
                       unsigned_range(0, kLongMax), M, "64", {"hash-max-ziplist-value"}));
    t.push_back(integer("list-max-listpack-size", &C::list_max_listpack_size,
                        signed_range(kIntMin, kIntMax), M, "-2", {"list-max-ziplist-size"}));
    t.push_back(
        integer("list-compress-depth", &C::list_compress_depth, signed_range(0, kIntMax), M, "0"));
    t.push_back(integer("set-max-intset-entries", &C::set_max_intset_entries,
                        unsigned_range(0, kLongMax), M, "512"));
    t.push_back(integer("zset-max-listpack-entries", &C::zset_max_listpack_entries,
                        unsigned_range(0, kLongMax), M, "128", {"zset-max-ziplist-entries"}));
    t.push_back(memory("zset-max-listpack-value", &C::zset_max_listpack_value,
                       unsigned_range(0, kLongMax), M, "64", {"zset-max-ziplist-value"}));
    return t;
}

}  // namespace

const std::vector<Param>& params() {
    static const std::vector<Param> table = build_table();
    return table;
}

const Param* find_param(std::string_view name, std::string_view* matched_alias) {
    for (const Param& p : params()) {
        if (iequals(name, p.name)) {
            if (matched_alias) *matched_alias = {};
            return &p;
        }
        for (std::string_view alias : p.aliases) {
            if (iequals(name, alias)) {
                if (matched_alias) *matched_alias = alias;
                return &p;
            }
        }
    }
    return nullptr;
}

Args split_multi_arg(Args args) {
    if (args.size() == 1 && !args[0].empty()) return split_words(args[0]);
    return args;
}

std::string yaml_quote(std::string_view s) {
    auto plain_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ||
               c == '-';
    };
    bool plain = !s.empty() && s.front() != '-' && s.front() != '.' &&
                 std::all_of(s.begin(), s.end(), plain_char);
    // Words YAML reads as null would come back as an empty value.
    if (plain && (s == "null" || s == "Null" || s == "NULL")) plain = false;
    if (plain) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    static const char kHex[] = "0123456789abcdef";
                    out += "\\x";
                    out += kHex[u >> 4];
                    out += kHex[u & 0xf];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string format_memory(uint64_t bytes) {
    constexpr uint64_t kKb = 1024, kMb = kKb * 1024, kGb = kMb * 1024;
    if (bytes != 0 && bytes % kGb == 0) return u64_text(bytes / kGb) + "gb";
    if (bytes != 0 && bytes % kMb == 0) return u64_text(bytes / kMb) + "mb";
    if (bytes != 0 && bytes % kKb == 0) return u64_text(bytes / kKb) + "kb";
    return u64_text(bytes);
}

}  // namespace snapstream::config::detail
