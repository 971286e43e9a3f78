// Diskless full sync, the forked child's side: one RDB written once and sent to every replica
// of the sync (up to 64) by the child itself, straight into their sockets — no pipe, no copy
// through the parent. The parent holds those replicas' stream bytes until the child has ended.
//
// The sockets are non-blocking (the parent shares their file descriptions): a write that
// would block waits in poll(2) for room, at most `timeout_ms` of no progress. A replica whose
// socket fails or stalls is dropped from the set (its bit in failed_mask()) and the others go on;
// the write fails only when none is left. Safe in a forked child: no locks, no logging.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "persistence/byte_sink.h"

namespace snapstream {

class SocketsSink final : public ByteSink {
  public:
    SocketsSink(std::span<const int> fds, int timeout_ms);
    Status write(std::span<const uint8_t> bytes) override;
    // Bit i set: fds[i] failed.
    uint64_t failed_mask() const { return failed_; }
    uint64_t written() const { return written_; }

  private:
    std::vector<int> fds_;
    int timeout_ms_;
    uint64_t failed_ = 0;
    uint64_t written_ = 0;
};

}  // namespace snapstream
