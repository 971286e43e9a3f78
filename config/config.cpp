// Loading (YAML file + redis-server style flags), CONFIG GET and CONFIG SET over the parameter
// table in config/params.cpp.

#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/glob.h"
#include "config/params.h"
#include "config/yaml_values.h"

namespace snapstream::config {

using detail::Args;
using detail::find_param;
using detail::Param;
using detail::params;
using detail::Problem;
using detail::Source;

namespace detail {

namespace {

// One list item of a multi-word value: a scalar (split into words) or a list of scalars.
std::optional<std::string> append_words(const YAML::Node& item, Args& out) {
    if (item.IsNull()) return std::nullopt;
    if (item.IsScalar()) {
        for (std::string& w : split_multi_arg(Args{item.Scalar()})) out.push_back(std::move(w));
        return std::nullopt;
    }
    if (item.IsSequence()) {
        for (const YAML::Node& inner : item) {
            if (!inner.IsScalar())
                return std::string("list items must be values or lists of values");
            for (std::string& w : split_multi_arg(Args{inner.Scalar()}))
                out.push_back(std::move(w));
        }
        return std::nullopt;
    }
    return std::string("list items must be values or lists of values");
}

}  // namespace

std::optional<std::string> yaml_to_args(const Param& p, const YAML::Node& value, Args& out) {
    out.clear();
    switch (value.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            out.emplace_back();
            return std::nullopt;
        case YAML::NodeType::Scalar:
            out.push_back(value.Scalar());
            if (p.multi_arg()) out = split_multi_arg(std::move(out));
            return std::nullopt;
        case YAML::NodeType::Sequence:
            if (!p.multi_arg()) return std::string("expected a single value, got a list");
            for (const YAML::Node& item : value) {
                if (auto err = append_words(item, out)) return err;
            }
            return std::nullopt;
        case YAML::NodeType::Map:
            if (p.name != "client-output-buffer-limit") {
                return std::string(p.multi_arg() ? "expected a value or a list, got a mapping"
                                                 : "expected a single value, got a mapping");
            }
            for (const auto& kv : value) {
                if (!kv.first.IsScalar()) return std::string("client classes must be names");
                out.push_back(kv.first.Scalar());
                if (!kv.second.IsScalar() && !kv.second.IsSequence()) {
                    return std::string("expected \"<hard> <soft> <soft-seconds>\" for class '" +
                                       kv.first.Scalar() + "'");
                }
                if (auto err = append_words(kv.second, out)) return err;
            }
            return std::nullopt;
    }
    return std::string("unsupported value");
}

std::string absolute_path(std::string_view dir) {
    if (dir.empty()) return std::string();
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(std::filesystem::path(dir), ec);
    if (ec) return std::string(dir);
    std::string s = abs.lexically_normal().string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace detail

namespace {

std::string where(std::string_view file, int zero_based_line) {
    return std::string(file) + ":" + std::to_string(zero_based_line < 0 ? 1 : zero_based_line + 1);
}

// Applies a YAML document to cfg; the error names file, line and key.
Status apply_yaml(Config& cfg, std::string_view text, std::string_view file) {
    std::vector<YAML::Node> docs;
    try {
        docs = YAML::LoadAll(std::string(text));
    } catch (const YAML::Exception& e) {
        return make_error(where(file, e.mark.line) + ": malformed YAML: " + e.msg);
    }
    if (docs.empty()) return Ok{};
    if (docs.size() > 1) {
        return make_error(where(file, docs[1].Mark().line) + ": only one YAML document is allowed");
    }
    const YAML::Node& root = docs[0];
    if (root.IsNull()) return Ok{};
    if (!root.IsMap()) {
        return make_error(where(file, root.Mark().line) +
                          ": the top level must be a mapping of parameter names to values");
    }
    std::map<const Param*, std::pair<std::string, int>> seen;  // param -> (key as written, line)
    for (const auto& kv : root) {
        const YAML::Node& key = kv.first;
        const int line = key.Mark().line;
        if (!key.IsScalar()) {
            return make_error(where(file, line) + ": keys must be parameter names");
        }
        const std::string& name = key.Scalar();
        const std::string prefix = where(file, line) + ": key '" + name + "': ";
        const Param* p = find_param(name);
        if (!p) return make_error(prefix + "unknown parameter");
        auto [it, inserted] = seen.emplace(p, std::make_pair(name, line));
        if (!inserted) {
            const auto& [first_name, first_line] = it->second;
            std::string first = first_name == name ? std::string() : "'" + first_name + "' ";
            return make_error(prefix + "duplicate key (" + first + "already set on line " +
                              std::to_string(first_line + 1) + ")");
        }
        Args args;
        if (auto shape = detail::yaml_to_args(*p, kv.second, args)) {
            return make_error(prefix + *shape);
        }
        if (!p->multi_arg() && args.size() != 1) {
            return make_error(prefix + "expected a single value");
        }
        if (std::optional<Problem> problem = p->assign(cfg, args, Source::File)) {
            return make_error(prefix + problem->human);
        }
    }
    return Ok{};
}

struct Flag {
    std::string spelled;  // "--port" as typed
    std::string name;     // "port"
    Args args;
};

bool starts_with_dashes(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && s[1] == '-';
}

// Splits the flags the way redis-server 7.0 does: the first word after a bare "--name" is always
// its value (even if it starts with "--"), later words up to the next "--" token are more values;
// "--name value" given as one token also works; "--save" directly followed by another flag, or
// last, means save "".
Result<std::vector<Flag>> split_flags(int argc, const char* const* argv, int first) {
    std::vector<Flag> flags;
    int j = first;
    while (j < argc) {
        std::string_view tok = argv[j];
        if (!starts_with_dashes(tok) || tok.size() == 2) {
            return make_error("command line: unexpected argument '" + std::string(tok) +
                              "' (expected --name value)");
        }
        Flag f;
        ++j;
        size_t space = tok.find_first_of(" \t");
        if (space != std::string_view::npos) {
            // "--port 6380" in one argument.
            Args words = detail::split_multi_arg(Args{std::string(tok.substr(2))});
            f.name = words.empty() ? std::string() : words[0];
            f.spelled = "--" + f.name;
            f.args.assign(words.begin() + (words.empty() ? 0 : 1), words.end());
        } else {
            f.spelled = std::string(tok);
            f.name = std::string(tok.substr(2));
            bool is_save = detail::iequals(f.name, "save");
            if (j < argc && !(is_save && starts_with_dashes(argv[j]))) {
                f.args.emplace_back(argv[j++]);
            } else if (is_save) {
                f.args.emplace_back();
            }
        }
        while (j < argc && !starts_with_dashes(argv[j])) f.args.emplace_back(argv[j++]);
        flags.push_back(std::move(f));
    }
    return flags;
}

Status apply_flags(Config& cfg, const std::vector<Flag>& flags) {
    bool save_seen = false;
    for (const Flag& f : flags) {
        const std::string prefix = "command line: " + f.spelled + ": ";
        const Param* p = find_param(f.name);
        if (!p) return make_error(prefix + "unknown parameter");
        if (f.args.empty()) return make_error(prefix + "missing value");
        Args args = f.args;
        if (p->multi_arg()) {
            args = detail::split_multi_arg(std::move(args));
        } else if (args.size() != 1) {
            std::string words;
            for (const std::string& a : args) words += (words.empty() ? "'" : " '") + a + "'";
            return make_error(prefix + "expected a single value, got " +
                              std::to_string(args.size()) + ": " + words);
        }
        // Repeated --save flags add save points (redis-server does so); "" clears them.
        const bool append_save =
            p->name == "save" && save_seen && !(args.size() == 1 && args[0].empty());
        std::vector<SavePoint> before = cfg.save;
        if (std::optional<Problem> problem = p->assign(cfg, args, Source::CommandLine)) {
            return make_error(prefix + problem->human);
        }
        if (append_save) {
            before.insert(before.end(), cfg.save.begin(), cfg.save.end());
            cfg.save = std::move(before);
        }
        if (p->name == "save") save_seen = true;
    }
    return Ok{};
}

bool has_glob(std::string_view s) {
    return s.find_first_of("*?[") != std::string_view::npos;
}

}  // namespace

StartAction start_action(int argc, const char* const* argv) {
    if (argc < 2) return StartAction::Run;
    std::string_view a = argv[1];
    if (a == "-v" || a == "--version") return StartAction::Version;
    if (a == "-h" || a == "--help") return StartAction::Help;
    return StartAction::Run;
}

Result<Config> load(int argc, const char* const* argv) {
    Config cfg;
    int first_flag = 1;
    std::string file;
    if (argc > 1 && !starts_with_dashes(argv[1])) {
        file = argv[1];
        first_flag = 2;
    }
    Result<std::vector<Flag>> flags = split_flags(argc, argv, first_flag);
    if (!flags) return Error{flags.error()};
    if (argc > 1 && first_flag == 2) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            return make_error(file + ": can't open config file: " + std::strerror(errno));
        }
        std::ostringstream text;
        text << in.rdbuf();
        if (in.bad()) return make_error(file + ": can't read config file: " + std::strerror(errno));
        Status st = apply_yaml(cfg, text.str(), file);
        if (!st) return Error{st.error()};
        cfg.config_file = detail::absolute_path(file);
    }
    Status st = apply_flags(cfg, *flags);
    if (!st) return Error{st.error()};
    cfg.dir = detail::absolute_path(cfg.dir);
    return cfg;
}

Result<Config> load_yaml_text(std::string_view text, std::string_view file_name) {
    Config cfg;
    Status st = apply_yaml(cfg, text, file_name);
    if (!st) return Error{st.error()};
    return cfg;
}

std::vector<std::pair<std::string, std::string>> get(
    const Config& cfg, const std::vector<std::string_view>& patterns) {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> seen;  // lower-cased names already in `out`
    for (std::string_view pattern : patterns) {
        if (!has_glob(pattern)) {
            // Redis 7.0 answers an exact name (or alias) under the spelling it was asked with.
            const Param* p = find_param(pattern);
            if (p && seen.insert(detail::to_lower(pattern)).second) {
                out.emplace_back(std::string(pattern), p->render(cfg));
            }
            continue;
        }
        for (const Param& p : params()) {
            auto consider = [&](std::string_view name) {
                if (seen.count(std::string(name)) != 0) return;
                if (!glob_match(pattern, name, true)) return;
                seen.insert(std::string(name));
                out.emplace_back(std::string(name), p.render(cfg));
            };
            consider(p.name);
            for (std::string_view alias : p.aliases) consider(alias);
        }
    }
    return out;
}

Result<std::vector<std::string>> set(
    Config& cfg, const std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
    struct Entry {
        const Param* param;
        std::string_view registered;  // canonical name or the alias used (as Redis names it)
        std::string_view value;
    };
    std::vector<Entry> entries;
    // First every name, in order: the first unknown, immutable or repeated one is the error.
    for (const auto& [name, value] : pairs) {
        std::string_view alias;
        const Param* p = find_param(name, &alias);
        if (!p) {
            return make_error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                              std::string(name) + "'");
        }
        const std::string failed =
            "ERR CONFIG SET failed (possibly related to argument '" + std::string(name) + "') - ";
        if (!p->is_mutable()) return make_error(failed + "can't set immutable config");
        std::string_view registered = alias.empty() ? p->name : alias;
        for (const Entry& e : entries) {
            // Like Redis, a name and its alias are distinct entries: both may appear once.
            if (e.param == p && e.registered == registered) {
                return make_error(failed + "duplicate parameter");
            }
        }
        entries.push_back(Entry{p, registered, value});
    }
    // Then the values, into a copy: nothing changes unless every one is valid.
    Config next = cfg;
    for (const Entry& e : entries) {
        Args args;
        if (e.param->multi_arg()) {
            // CONFIG SET splits on single spaces (so "" is no words and "a  b" has an empty one).
            std::string_view v = e.value;
            if (!v.empty()) {
                size_t start = 0;
                while (true) {
                    size_t sp = v.find(' ', start);
                    args.emplace_back(
                        v.substr(start, sp == std::string_view::npos ? sp : sp - start));
                    if (sp == std::string_view::npos) break;
                    start = sp + 1;
                }
            }
        } else {
            args.emplace_back(e.value);
        }
        if (std::optional<Problem> problem = e.param->assign(next, args, Source::ConfigSet)) {
            return make_error("ERR CONFIG SET failed (possibly related to argument '" +
                              std::string(e.registered) + "') - " + problem->redis);
        }
    }
    std::vector<std::string> changed;
    for (const Entry& e : entries) {
        const std::string name(e.param->name);
        if (std::find(changed.begin(), changed.end(), name) != changed.end()) continue;
        if (e.param->render(cfg) != e.param->render(next)) changed.push_back(name);
    }
    cfg = std::move(next);
    return changed;
}

std::vector<std::string_view> parameter_names() {
    std::vector<std::string_view> names;
    for (const Param& p : params()) names.push_back(p.name);
    return names;
}

const ParameterInfo* find_parameter(std::string_view name) {
    static const std::vector<ParameterInfo> infos = [] {
        std::vector<ParameterInfo> v;
        for (const Param& p : params()) {
            v.push_back(ParameterInfo{p.name, p.aliases, p.is_mutable(),
                                      (p.flags & detail::kSensitive) != 0, p.default_text});
        }
        return v;
    }();
    const Param* p = find_param(name);
    if (!p) return nullptr;
    return &infos[static_cast<size_t>(p - params().data())];
}

}  // namespace snapstream::config
