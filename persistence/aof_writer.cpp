#include "persistence/aof_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "persistence/command_stream.h"

namespace snapstream {

AofWriter::~AofWriter() {
    close();
    worker_.drain();
}

Status AofWriter::open(const std::string& path, bool checksums) {
    close();
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return make_error("stat " + path + ": " + std::strerror(err));
    }
    fd_ = fd;
    path_ = path;
    checksums_ = checksums;
    size_ = synced_size_ = static_cast<uint64_t>(st.st_size);
    out_.clear();
    out_sent_ = 0;
    postponed_since_ms_ = 0;
    return Ok{};
}

void AofWriter::close() {
    if (fd_ < 0) return;
    const int fd = fd_;
    fd_ = -1;
    worker_.submit([fd] { ::close(fd); });
}

void AofWriter::feed(std::string_view bytes, bool raw) {
    if (bytes.empty()) return;
    if (out_sent_ == out_.size()) {
        out_.clear();
        out_sent_ = 0;
    }
    if (checksums_ && !raw) out_ += batch_checksum_annotation(bytes);
    out_.append(bytes);
}

bool AofWriter::should_log_error(int64_t now_ms) {
    if (last_error_log_ms_ != 0 && now_ms - last_error_log_ms_ < 30000) return false;
    last_error_log_ms_ = now_ms;
    return true;
}

AofWriter::Flush AofWriter::write_out(int64_t now_ms) {
    (void)now_ms;
    while (out_sent_ < out_.size()) {
        const ssize_t n = ::write(fd_, out_.data() + out_sent_, out_.size() - out_sent_);
        if (n > 0) {
            out_sent_ += static_cast<size_t>(n);
            size_ += static_cast<uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int err = n < 0 ? errno : ENOSPC;
        last_write_error_ = std::strerror(err);
        last_write_ok_ = false;
        return Flush::Failed;
    }
    return Flush::Done;
}

AofWriter::Flush AofWriter::flush(FsyncPolicy policy, int64_t now_ms, bool force) {
    if (fd_ < 0) return Flush::Done;
    const bool everysec = policy == FsyncPolicy::Everysec;
    if (pending() == 0 && policy == FsyncPolicy::Always && synced_size_ != size_)
        return sync_always(now_ms);  // an earlier fdatasync failed: retry it
    if (pending() == 0) {
        // Nothing new, but everysec still owes an fsync for earlier writes.
        if (everysec && synced_size_ != size_ && now_ms - last_fsync_ms_ >= 1000 &&
            !fsync_in_progress()) {
            const int fd = fd_;
            worker_.submit([fd] { ::fdatasync(fd); });
            synced_size_ = size_;
            last_fsync_ms_ = now_ms;
        }
        return Flush::Done;
    }
    if (everysec && !force && fsync_in_progress()) {
        if (postponed_since_ms_ == 0) {
            postponed_since_ms_ = now_ms;
            return Flush::Postponed;
        }
        if (now_ms - postponed_since_ms_ < 2000) return Flush::Postponed;
        ++delayed_fsync_;  // written without waiting for the fsync any longer
    }
    postponed_since_ms_ = 0;

    const uint64_t good_size = size_ - out_sent_;  // the file before this batch began
    const size_t sent_before = out_sent_;
    if (write_out(now_ms) == Flush::Failed) {
        // Undo what this attempt wrote so the retry starts on a clean boundary; if that is
        // impossible, keep the written prefix (the batch header covers the whole batch).
        if (out_sent_ > sent_before) {
            if (::ftruncate(fd_, static_cast<off_t>(good_size + sent_before)) == 0) {
                size_ -= out_sent_ - sent_before;
                out_sent_ = sent_before;
            }
        }
        return Flush::Failed;
    }
    out_.clear();
    out_sent_ = 0;
    if (out_.capacity() > (4u << 20)) std::string().swap(out_);

    if (policy == FsyncPolicy::Always) return sync_always(now_ms);
    if (everysec && now_ms - last_fsync_ms_ >= 1000 && !fsync_in_progress()) {
        const int fd = fd_;
        worker_.submit([fd] { ::fdatasync(fd); });
        synced_size_ = size_;
        last_fsync_ms_ = now_ms;
    }
    last_write_ok_ = true;
    return Flush::Done;
}

AofWriter::Flush AofWriter::sync_always(int64_t now_ms) {
    if (::fdatasync(fd_) != 0) {
        last_write_error_ = std::string("fsync: ") + std::strerror(errno);
        last_write_ok_ = false;
        return Flush::Failed;
    }
    synced_size_ = size_;
    last_fsync_ms_ = now_ms;
    last_write_ok_ = true;
    return Flush::Done;
}

Status AofWriter::sync_now() {
    if (fd_ < 0) return Ok{};
    if (::fdatasync(fd_) != 0) return make_error(std::string("fsync: ") + std::strerror(errno));
    synced_size_ = size_;
    return Ok{};
}

}  // namespace snapstream
