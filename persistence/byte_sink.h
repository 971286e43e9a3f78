// Where the RDB writer (and later the AOF writer) sends bytes: a file or socket descriptor, or
// memory (tests, DUMP-like uses). The writer buffers on its own and hands over large chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"

namespace snapstream {

class ByteSink {
  public:
    virtual ~ByteSink() = default;
    // Writes all of `bytes` or fails with a message (e.g. "No space left on device").
    virtual Status write(std::span<const uint8_t> bytes) = 0;
};

// Writes to a descriptor it does not own: retries short writes and EINTR; a failed write(2)
// reports strerror(errno). Safe to use in a forked child (no locks, no logging).
class FdSink final : public ByteSink {
  public:
    explicit FdSink(int fd) : fd_(fd) {}
    Status write(std::span<const uint8_t> bytes) override;
    uint64_t written() const { return written_; }

  private:
    int fd_;
    uint64_t written_ = 0;
};

class StringSink final : public ByteSink {
  public:
    Status write(std::span<const uint8_t> bytes) override {
        data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return Ok{};
    }
    std::string data;
};

}  // namespace snapstream
