#include "replication/backlog.h"

#include <algorithm>
#include <cstring>

namespace snapstream {

Backlog::Backlog(uint64_t capacity, uint64_t offset)
    : ring_(std::max<uint64_t>(capacity, 1), '\0'),
      capacity_(std::max<uint64_t>(capacity, 1)),
      end_(offset) {}

void Backlog::append(std::string_view bytes) {
    end_ += bytes.size();
    if (bytes.size() >= capacity_) {
        // Only the last `capacity_` bytes survive.
        bytes = bytes.substr(bytes.size() - capacity_);
        std::memcpy(ring_.data(), bytes.data(), capacity_);
        head_ = 0;
        histlen_ = capacity_;
        return;
    }
    const size_t first = std::min<size_t>(bytes.size(), capacity_ - head_);
    std::memcpy(ring_.data() + head_, bytes.data(), first);
    std::memcpy(ring_.data(), bytes.data() + first, bytes.size() - first);
    head_ = (head_ + bytes.size()) % capacity_;
    histlen_ = std::min<uint64_t>(histlen_ + bytes.size(), capacity_);
}

void Backlog::copy_from(uint64_t psync_offset, std::string& out) const {
    if (!can_serve(psync_offset)) return;
    const uint64_t skip = psync_offset - 1 - start();
    uint64_t len = histlen_ - skip;
    // Ring index of the oldest byte, then of the first byte wanted.
    size_t at = (head_ + capacity_ - histlen_ + skip) % capacity_;
    out.reserve(out.size() + len);
    while (len > 0) {
        const size_t chunk = std::min<uint64_t>(len, capacity_ - at);
        out.append(ring_.data() + at, chunk);
        len -= chunk;
        at = 0;
    }
}

void Backlog::resize(uint64_t capacity) {
    capacity = std::max<uint64_t>(capacity, 1);
    if (capacity == capacity_) return;
    std::string recent;
    copy_from(start() + 1, recent);
    const uint64_t end = end_;
    *this = Backlog(capacity, end - recent.size());
    append(recent);
}

void Backlog::reset(uint64_t offset) {
    end_ = offset;
    histlen_ = 0;
    head_ = 0;
}

}  // namespace snapstream
