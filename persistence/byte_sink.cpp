#include "persistence/byte_sink.h"

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace snapstream {

Status FdSink::write(std::span<const uint8_t> bytes) {
    const uint8_t* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(std::strerror(errno));
        }
        p += n;
        left -= static_cast<size_t>(n);
        written_ += static_cast<uint64_t>(n);
    }
    return Ok{};
}

}  // namespace snapstream
