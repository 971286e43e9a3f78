#include "persistence/rdb_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "persistence/byte_sink.h"

namespace snapstream {
namespace {

std::string errno_text(const char* op) {
    return std::string(op) + ": " + std::strerror(errno);
}

std::string dir_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string temp_rdb_name(pid_t pid) {
    return "temp-" + std::to_string(static_cast<long>(pid)) + ".rdb";
}

Result<RdbWriteStats> write_rdb_file(const Keyspace& ks, const RdbAux& aux,
                                     const RdbWriteOptions& opt, const std::string& temp_path) {
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("open " + temp_path + ": " + std::strerror(errno));
    FdSink sink(fd);
    auto fail = [&](std::string why) -> Result<RdbWriteStats> {
        ::close(fd);
        ::unlink(temp_path.c_str());
        return make_error(std::move(why));
    };
    Result<RdbWriteStats> r = write_rdb(ks, aux, opt, sink);
    if (!r) return fail("write: " + r.error());
    if (::fsync(fd) != 0) return fail(errno_text("fsync"));
    if (::close(fd) != 0) {
        const std::string why = errno_text("close");
        ::unlink(temp_path.c_str());
        return make_error(why);
    }
    return r;
}

Status rename_durably(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) return make_error(errno_text("rename"));
    const int dfd = ::open(dir_of(to).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return make_error(errno_text("open directory"));
    const int rc = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (rc != 0) return make_error(std::string("fsync directory: ") + std::strerror(err));
    return Ok{};
}

Status rename_in_background(const std::string& from, const std::string& to, BackgroundIo& bg) {
    const int old_fd = ::open(to.c_str(), O_RDONLY | O_CLOEXEC);  // -1 if there is none
    if (::rename(from.c_str(), to.c_str()) != 0) {
        const std::string why = errno_text("rename");
        if (old_fd >= 0) ::close(old_fd);
        return make_error(why);
    }
    const int dfd = ::open(dir_of(to).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bg.submit([old_fd, dfd] {
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
        if (old_fd >= 0) ::close(old_fd);
    });
    return Ok{};
}

}  // namespace snapstream
