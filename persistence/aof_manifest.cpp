#include "persistence/aof_manifest.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "node/resp_parser.h"
#include "persistence/rdb_file.h"

namespace snapstream {
namespace {

constexpr size_t kMaxLine = 1024;

// Whether Redis's sdsneedsrepr() would quote the name.
bool needs_quoting(std::string_view s) {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' ||
            c == '\b' || !std::isprint(c) || std::isspace(c))
            return true;
    }
    return false;
}

// The name quoted as sdscatrepr() writes it.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\a':
                out += "\\a";
                break;
            case '\b':
                out += "\\b";
                break;
            default:
                if (std::isprint(c)) {
                    out += static_cast<char>(c);
                } else {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\x%02x", c);
                    out += buf;
                }
        }
    }
    return out + "\"";
}

bool is_base_name(std::string_view s) {
    return s.find('/') == std::string_view::npos && s != "." && s != "..";
}

std::string format_line(const AofFileInfo& f) {
    return "file " + (needs_quoting(f.name) ? quoted(f.name) : f.name) + " seq " +
           std::to_string(f.seq) + " type " + static_cast<char>(f.type) + "\n";
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

Status fsync_dir(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return make_error("open " + dir + ": " + std::strerror(errno));
    const int r = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (r != 0) return make_error("fsync " + dir + ": " + std::strerror(err));
    return Ok{};
}

Status make_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return make_error("Can't open or create append-only dir " + dir + ": " +
                          std::strerror(errno));
    return Ok{};
}

}  // namespace

std::string AofManifest::serialize() const {
    std::string out;
    if (base) out += format_line(*base);
    for (const AofFileInfo& f : history) out += format_line(f);
    for (const AofFileInfo& f : incr) out += format_line(f);
    return out;
}

Result<AofManifest> parse_aof_manifest(std::string_view text) {
    AofManifest m;
    int64_t maxseq = 0;
    size_t pos = 0;
    int linenum = 0;
    auto error = [&](const std::string& what) {
        return make_error(what + " (line " + std::to_string(linenum) + ")");
    };
    if (text.empty()) return make_error("Found an empty AOF manifest");
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        const bool has_nl = nl != std::string_view::npos;
        // A line as fgets() with a 1025-byte buffer returns it.
        size_t end = has_nl ? nl + 1 : text.size();
        if (end - pos > kMaxLine) end = pos + kMaxLine;
        std::string_view raw = text.substr(pos, end - pos);
        pos = end;
        ++linenum;
        if (raw[0] == '#') continue;
        if (raw.find('\n') == std::string_view::npos)
            return error("The AOF manifest file contains too long line");
        // sdstrim(" \t\r\n")
        size_t b = 0, e = raw.size();
        while (b < e && std::strchr(" \t\r\n", raw[b])) ++b;
        while (e > b && std::strchr(" \t\r\n", raw[e - 1])) --e;
        const std::string_view line = raw.substr(b, e - b);
        if (line.empty()) return error("Invalid AOF manifest file format");
        // Words as Redis's sdssplitargs() splits them (quotes and escapes included).
        std::vector<std::string> words;
        if (!split_inline_args(line, words) || words.size() < 6 || words.size() % 2)
            return error("Invalid AOF manifest file format");
        AofFileInfo info;
        bool have_name = false;
        char type = 0;
        for (size_t i = 0; i < words.size(); i += 2) {
            const std::string& k = words[i];
            const std::string& v = words[i + 1];
            if (strcasecmp(k.c_str(), "file") == 0) {
                info.name = v;
                have_name = true;
                if (!is_base_name(v)) return error("File can't be a path, just a filename");
            } else if (strcasecmp(k.c_str(), "seq") == 0) {
                info.seq = std::atoll(v.c_str());
            } else if (strcasecmp(k.c_str(), "type") == 0) {
                type = v.empty() ? 0 : v[0];
            }
        }
        if (!have_name || info.name.empty() || info.seq == 0 || type == 0)
            return error("Invalid AOF manifest file format");
        if (type == 'b') {
            if (m.base) return error("Found duplicate base file information");
            info.type = AofFileType::Base;
            m.base = info;
            m.curr_base_seq = info.seq;
        } else if (type == 'h') {
            info.type = AofFileType::History;
            m.history.push_back(info);
        } else if (type == 'i') {
            if (info.seq <= maxseq) return error("Found a non-monotonic sequence number");
            info.type = AofFileType::Incr;
            m.incr.push_back(info);
            m.curr_incr_seq = info.seq;
            maxseq = info.seq;
        } else {
            return error("Unknown AOF file type");
        }
    }
    return m;
}

std::string aof_manifest_name(std::string_view appendfilename) {
    return std::string(appendfilename) + ".manifest";
}
std::string aof_temp_manifest_name(std::string_view appendfilename) {
    return "temp-" + aof_manifest_name(appendfilename);
}
std::string aof_base_name(std::string_view appendfilename, int64_t seq, bool rdb_preamble) {
    return std::string(appendfilename) + "." + std::to_string(seq) + ".base" +
           (rdb_preamble ? ".rdb" : ".aof");
}
std::string aof_incr_name(std::string_view appendfilename, int64_t seq) {
    return std::string(appendfilename) + "." + std::to_string(seq) + ".incr.aof";
}

AofManifest manifest_with_new_incr(const AofManifest& m, std::string_view appendfilename,
                                   std::string& name) {
    AofManifest out = m;
    ++out.curr_incr_seq;
    name = aof_incr_name(appendfilename, out.curr_incr_seq);
    out.incr.push_back(AofFileInfo{name, out.curr_incr_seq, AofFileType::Incr});
    return out;
}

AofManifest manifest_after_rewrite(const AofManifest& m, const AofFileInfo& new_base,
                                   int64_t first_kept_incr_seq) {
    // History in Redis's order: the replaced INCR files (ascending), the old base, then what
    // was history already.
    AofManifest out;
    out.curr_base_seq = std::max(m.curr_base_seq, new_base.seq);
    out.curr_incr_seq = m.curr_incr_seq;
    out.base = new_base;
    out.base->type = AofFileType::Base;
    for (const AofFileInfo& f : m.incr) {
        if (f.seq >= first_kept_incr_seq) {
            out.incr.push_back(f);
        } else {
            AofFileInfo h = f;
            h.type = AofFileType::History;
            out.history.push_back(h);
        }
    }
    if (m.base) {
        AofFileInfo h = *m.base;
        h.type = AofFileType::History;
        out.history.push_back(h);
    }
    for (const AofFileInfo& f : m.history) out.history.push_back(f);
    return out;
}

AofManifest manifest_without_history(const AofManifest& m) {
    AofManifest out = m;
    out.history.clear();
    return out;
}

ManifestFile read_aof_manifest(const std::string& aof_dir, std::string_view appendfilename) {
    ManifestFile out;
    const std::string path = aof_dir + "/" + aof_manifest_name(appendfilename);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return out;  // Missing
        out.state = AofDirState::Error;
        out.error = "Fatal error: can't open the AOF manifest file " + path +
                    " for reading: " + std::strerror(errno);
        return out;
    }
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n > 0) {
            text.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out.state = AofDirState::Error;
            out.error = "Read AOF manifest " + path + " failed: " + std::strerror(errno);
            ::close(fd);
            return out;
        }
        break;
    }
    ::close(fd);
    Result<AofManifest> m = parse_aof_manifest(text);
    if (!m) {
        out.state = AofDirState::Error;
        out.error = path + ": " + m.error();
        return out;
    }
    std::vector<const AofFileInfo*> live;
    if (m->base) live.push_back(&*m->base);
    for (const AofFileInfo& f : m->incr) live.push_back(&f);
    for (const AofFileInfo* f : live) {
        if (!file_exists(aof_dir + "/" + f->name)) {
            out.state = AofDirState::Error;
            out.error =
                "The AOF file " + aof_dir + "/" + f->name + " named in " + path + " doesn't exist";
            return out;
        }
    }
    out.state = AofDirState::Loaded;
    out.manifest = std::move(*m);
    return out;
}

Status write_aof_manifest(const std::string& aof_dir, std::string_view appendfilename,
                          const AofManifest& m) {
    if (Status r = make_dir(aof_dir); !r) return r;
    const std::string temp = aof_dir + "/" + aof_temp_manifest_name(appendfilename);
    const std::string path = aof_dir + "/" + aof_manifest_name(appendfilename);
    const std::string text = m.serialize();
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("open " + temp + ": " + std::strerror(errno));
    std::string err;
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            err = "write " + temp + ": " + std::strerror(n < 0 ? errno : ENOSPC);
            break;
        }
    }
    if (err.empty() && ::fsync(fd) != 0) err = "fsync " + temp + ": " + std::strerror(errno);
    if (::close(fd) != 0 && err.empty()) err = "close " + temp + ": " + std::strerror(errno);
    if (!err.empty()) {
        ::unlink(temp.c_str());
        return make_error(err);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return make_error("rename " + temp + " to " + path + ": " + std::strerror(e));
    }
    return fsync_dir(aof_dir);
}

void delete_aof_history_files(const std::string& aof_dir, const AofManifest& m) {
    for (const AofFileInfo& f : m.history) ::unlink((aof_dir + "/" + f.name).c_str());
}

Result<std::optional<AofManifest>> upgrade_single_aof(const std::string& dir,
                                                      const std::string& aof_dir,
                                                      std::string_view appendfilename) {
    const std::string old_path = dir + "/" + std::string(appendfilename);
    if (!file_exists(old_path)) return std::optional<AofManifest>();
    AofManifest m;
    m.base = AofFileInfo{std::string(appendfilename), 1, AofFileType::Base};
    m.curr_base_seq = 1;
    // The manifest first, then the move: a crash in between is retried on the next start
    // (the file is still in `dir`), as Redis's upgrade is.
    if (Status r = write_aof_manifest(aof_dir, appendfilename, m); !r) return make_error(r.error());
    const std::string new_path = aof_dir + "/" + std::string(appendfilename);
    if (Status r = rename_durably(old_path, new_path); !r)
        return make_error("Error trying to move the old AOF file " + old_path + " into dir " +
                          aof_dir + ": " + r.error());
    if (Status r = fsync_dir(dir); !r) return make_error(r.error());
    return std::optional<AofManifest>(std::move(m));
}

}  // namespace snapstream
