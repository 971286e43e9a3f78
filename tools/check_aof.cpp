// snapstream-check-aof [--fix] PATH: checks an append-only file the way the server loads it,
// with redis-check-aof's flow, messages and exit codes.
//
// PATH is either a manifest (multi-part AOF, Redis 7.0: the BASE, read as an RDB when it starts
// with "REDIS", else as commands; then the INCR files in order) or a single file (an old-style
// appendonly.aof, possibly starting with an RDB preamble followed by commands). Every file gets
// redis-check-aof's report line
//   AOF analyzed: filename=F, size=S, ok_up_to=O, ok_up_to_line=L, diff=S-O
// (ok_up_to_line counts lines the way redis-check-aof does, across all files), preceded, when the
// file is not clean, by what is wrong and at which byte offset of which file.
//
// Differences from redis-check-aof, all on the safe side:
//   - the command stream is checked by AofScanner (persistence/command_stream.h): our #SO/#SC
//     annotations are understood (#SC batch checksums verified);
//   - a file that ends torn (inside a command, a MULTI block or a checksummed batch) is fixed
//     like redis-check-aof fixes it, by cutting the tail, but only in the last file; a format
//     error or a checksum mismatch followed by more data is never "fixed" (cutting there would
//     silently drop every command after it);
//   - no --truncate-to-timestamp.
//
// Exit codes: 0 valid, empty or fixed; 1 anything else (usage, unreadable, invalid, refused).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/aof_manifest.h"
#include "persistence/command_stream.h"
#include "persistence/rdb_reader.h"

namespace {

using snapstream::AofScanner;
using snapstream::Ok;
using snapstream::Status;
using snapstream::Value;

[[noreturn]] void fail_exit() {
    std::fflush(stdout);
    std::exit(1);
}

// A whole file mapped read-only (nothing mapped when it is empty).
class MappedFile {
  public:
    // Prints redis-check-aof's message and exits when the file cannot be opened or mapped.
    explicit MappedFile(const std::string& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) {
            std::printf("Cannot open file %s: %s, aborting...\n", path.c_str(),
                        std::strerror(errno));
            fail_exit();
        }
        struct stat st;
        if (::fstat(fd_, &st) != 0) {
            std::printf("Cannot stat file: %s, aborting...\n", path.c_str());
            fail_exit();
        }
        size_ = static_cast<size_t>(st.st_size);
        if (size_ != 0) {
            void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
            if (m == MAP_FAILED) {
                std::printf("Cannot map file %s: %s, aborting...\n", path.c_str(),
                            std::strerror(errno));
                fail_exit();
            }
            data_ = static_cast<const char*>(m);
        }
    }
    ~MappedFile() {
        if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
        if (fd_ >= 0) ::close(fd_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view bytes() const { return {data_, size_}; }
    size_t size() const { return size_; }

  private:
    int fd_ = -1;
    const char* data_ = nullptr;
    size_t size_ = 0;
};

// Keys are built and validated by the reader; nothing is kept.
class DiscardTarget final : public snapstream::RdbLoadTarget {
  public:
    Status aux(std::string_view, std::string_view) override { return Ok{}; }
    Status select_db(uint64_t) override { return Ok{}; }
    Status resize_db(uint64_t, uint64_t) override { return Ok{}; }
    Status key(std::string_view, Value, int64_t) override { return Ok{}; }
};

bool is_rdb(std::string_view bytes) {
    return bytes.size() >= 8 && bytes.starts_with("REDIS");
}

// A manifest: its first line that is not a comment starts with "file".
bool is_manifest(std::string_view bytes) {
    size_t pos = 0;
    while (pos < bytes.size()) {
        if (bytes[pos] != '#') return bytes.substr(pos).starts_with("file");
        const size_t nl = bytes.find('\n', pos);
        if (nl == std::string_view::npos) return false;
        pos = nl + 1;
    }
    return false;
}

// redis-check-aof's line counter: one per "\r\n" it consumes (after "*<n>", after "$<n>",
// after each argument), annotations not counted. It is not reset between files.
long long g_line = 1;

// How many lines redis-check-aof would count in `tail` (the bytes after the last unit the
// scanner accepted) before stopping: it reads lines of at most 127 bytes for counts, skips
// '#' lines, and gives up at the first thing it cannot read.
long long lines_redis_would_count(std::string_view tail) {
    long long lines = 0;
    size_t pos = 0;
    // One "<prefix><number>\r\n" line; false when redis-check-aof would stop there.
    auto read_count = [&](char prefix, long long& value) {
        if (pos >= tail.size() || tail[pos] != prefix) return false;
        size_t end = pos;
        const size_t max_end = std::min(tail.size(), pos + 127);
        while (end < max_end && tail[end] != '\n') ++end;
        if (end < max_end) ++end;  // the '\n' belongs to the line
        const std::string line(tail.substr(pos + 1, end - pos - 1));
        char* eptr = nullptr;
        value = std::strtoll(line.c_str(), &eptr, 10);
        if (std::strncmp(eptr, "\r\n", 2) != 0) return false;
        pos = end;
        ++lines;
        return true;
    };
    // Bounded: every round consumes at least one byte or stops.
    while (pos < tail.size()) {
        if (tail[pos] == '#') {
            const size_t max_end = std::min(tail.size(), pos + 1023);
            const size_t nl = tail.substr(0, max_end).find('\n', pos);
            pos = nl == std::string_view::npos ? max_end : nl + 1;
            continue;
        }
        long long argc = 0;
        if (!read_count('*', argc)) break;
        for (long long i = 0; i < argc; ++i) {
            long long len = 0;
            if (!read_count('$', len) || len < 0) return lines;
            const auto need = static_cast<unsigned long long>(len) + 2;
            if (tail.size() - pos < need) return lines;
            if (tail.substr(pos + static_cast<size_t>(len), 2) != "\r\n") return lines;
            pos += static_cast<size_t>(need);
            ++lines;
        }
    }
    return lines;
}

enum class FileVerdict { Ok, Empty, Truncated };

// Checks one file; prints its report; exits when it is not valid and not fixed.
FileVerdict check_single(const std::string& name, const std::string& path, bool last_file, bool fix,
                         bool preamble) {
    size_t ok_up_to = 0;
    AofScanner::Step step = AofScanner::Step::End;
    std::string problem;
    uint64_t problem_offset = 0;
    size_t size = 0;
    {
        const MappedFile file(path);
        size = file.size();
        if (size == 0) return FileVerdict::Empty;
        const std::string_view bytes = file.bytes();

        size_t start = 0;
        if (preamble) {
            snapstream::RdbReadOptions opt;
            opt.verify_checksum = true;
            opt.deep_check = true;
            DiscardTarget target;
            const snapstream::RdbReadResult r = snapstream::read_rdb(
                std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                         bytes.size()),
                opt, target);
            if (!r.ok()) {
                std::printf("RDB error in %s: %s\n", name.c_str(), r.error.c_str());
                std::printf("RDB preamble of AOF file is not sane, aborting.\n");
                fail_exit();
            }
            std::printf("RDB preamble is OK, proceeding with AOF tail...\n");
            start = static_cast<size_t>(r.bytes);
        }

        AofScanner scanner(std::span<const char>(bytes.data() + start, bytes.size() - start));
        std::vector<std::string_view> argv;
        while ((step = scanner.next(argv)) == AofScanner::Step::Command)
            g_line += 1 + 2 * static_cast<long long>(argv.size());
        if (step == AofScanner::Step::End) {
            ok_up_to = size;
        } else {
            ok_up_to = start + static_cast<size_t>(scanner.valid_up_to());
            problem = scanner.error();
            problem_offset = start + scanner.error_offset();
            g_line += lines_redis_would_count(bytes.substr(start + scanner.position()));
        }
    }

    if (step != AofScanner::Step::End)
        std::printf("%s in AOF %s at offset %llu: %s\n",
                    step == AofScanner::Step::Truncated ? "Unexpected end of data" : "Bad data",
                    name.c_str(), static_cast<unsigned long long>(problem_offset), problem.c_str());
    const size_t diff = size - ok_up_to;
    std::printf(
        "AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, "
        "diff=%lld\n",
        name.c_str(), static_cast<long long>(size), static_cast<long long>(ok_up_to), g_line,
        static_cast<long long>(diff));
    if (diff == 0) return FileVerdict::Ok;

    const bool torn = step == AofScanner::Step::Truncated;
    if (!fix) {
        if (torn)
            std::printf("AOF %s is not valid. Use the --fix option to try fixing it.\n",
                        name.c_str());
        else
            std::printf(
                "AOF %s is not valid: bad data at offset %llu, not a torn tail; --fix "
                "cannot repair it.\n",
                name.c_str(), static_cast<unsigned long long>(problem_offset));
        fail_exit();
    }
    if (!last_file) {
        std::printf("Failed to truncate AOF %s because it is not the last file\n", name.c_str());
        fail_exit();
    }
    if (!torn) {
        std::printf(
            "Refusing to truncate AOF %s: the bad data at offset %llu is not a torn "
            "tail, and cutting there would drop the %lld bytes after it.\n",
            name.c_str(), static_cast<unsigned long long>(problem_offset),
            static_cast<long long>(diff));
        fail_exit();
    }
    std::printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n",
                name.c_str(), static_cast<long long>(size), static_cast<long long>(diff),
                static_cast<long long>(ok_up_to));
    std::printf("Continue? [y/N]: ");
    std::fflush(stdout);
    char answer[2];
    if (std::fgets(answer, sizeof answer, stdin) == nullptr ||
        (answer[0] != 'y' && answer[0] != 'Y')) {
        std::printf("Aborting...\n");
        fail_exit();
    }
    if (::truncate(path.c_str(), static_cast<off_t>(ok_up_to)) != 0) {
        std::printf("Failed to truncate AOF %s\n", name.c_str());
        fail_exit();
    }
    return FileVerdict::Truncated;
}

// Prints the outcome of one file with the given prefix ("BASE AOF", "INCR AOF", "AOF").
void report(const char* what, const std::string& name, FileVerdict v) {
    switch (v) {
        case FileVerdict::Ok:
            std::printf("%s %s is valid\n", what, name.c_str());
            break;
        case FileVerdict::Empty:
            std::printf("%s %s is empty\n", what, name.c_str());
            break;
        case FileVerdict::Truncated:
            std::printf("Successfully truncated AOF %s\n", name.c_str());
            break;
    }
}

void check_multi_part(const std::string& manifest_path, bool fix) {
    std::printf("Start checking Multi Part AOF\n");
    std::string text;
    {
        const MappedFile file(manifest_path);
        text.assign(file.bytes());
    }
    const snapstream::Result<snapstream::AofManifest> parsed = snapstream::parse_aof_manifest(text);
    if (!parsed.ok()) {
        std::printf("Invalid AOF manifest %s: %s\n", manifest_path.c_str(), parsed.error().c_str());
        fail_exit();
    }
    const snapstream::AofManifest& m = *parsed;
    if (!m.base && m.incr.empty()) {
        std::printf("Invalid AOF manifest %s: Found an empty AOF manifest\n",
                    manifest_path.c_str());
        fail_exit();
    }
    std::string dir = std::filesystem::path(manifest_path).parent_path().string();
    if (dir.empty()) dir = ".";
    const size_t total = (m.base ? 1 : 0) + m.incr.size();
    size_t done = 0;

    if (m.base) {
        const std::string& name = m.base->name;
        const std::string path = dir + "/" + name;
        const bool rdb = [&] {
            const MappedFile file(path);
            return is_rdb(file.bytes());
        }();
        std::printf("Start to check BASE AOF (%s format).\n", rdb ? "RDB" : "RESP");
        report("BASE AOF", name, check_single(name, path, ++done == total, fix, rdb));
    }
    if (!m.incr.empty()) {
        std::printf("Start to check INCR files.\n");
        for (const snapstream::AofFileInfo& f : m.incr)
            report("INCR AOF", f.name,
                   check_single(f.name, dir + "/" + f.name, ++done == total, fix, false));
    }
    std::printf("All AOF files and manifest are valid\n");
}

void check_old_style(const std::string& path, bool fix, bool preamble) {
    std::printf("Start checking Old-Style AOF\n");
    report("AOF", path, check_single(path, path, true, fix, preamble));
}

}  // namespace

int main(int argc, char** argv) {
    std::string path;
    bool fix = false;
    if (argc == 2 && std::string_view(argv[1]) != "--fix") {
        path = argv[1];
    } else if (argc == 3 && std::string_view(argv[1]) == "--fix") {
        path = argv[2];
        fix = true;
    } else {
        std::printf("Usage: %s [--fix] <file.manifest|file.aof>\n",
                    argc > 0 ? argv[0] : "snapstream-check-aof");
        return 1;
    }

    bool manifest = false;
    bool rdb = false;
    {
        const MappedFile file(path);
        manifest = is_manifest(file.bytes());
        rdb = !manifest && is_rdb(file.bytes());
    }
    if (manifest)
        check_multi_part(path, fix);
    else
        check_old_style(path, fix, rdb);
    std::fflush(stdout);
    return 0;
}
