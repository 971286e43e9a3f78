// The replication backlog: the most recent bytes of the write stream, kept in memory so that a
// replica whose link dropped can continue where it stopped (PSYNC → +CONTINUE) instead of
// loading a whole new snapshot.
//
// Offsets: the stream's position counts bytes ever appended (WriteStream::offset(), INFO's
// master_repl_offset). The backlog holds the bytes at positions [start(), end()), end() being
// the stream offset. Redis numbers bytes from 1 on the wire: repl_backlog_first_byte_offset is
// start() + 1, and a replica that has applied everything up to master_repl_offset X asks
// "PSYNC <replid> X+1". can_serve() and copy_from() take that wire form.
//
// Storage: a ring of `capacity` bytes allocated at creation (repl-backlog-size); appending more
// than fits overwrites the oldest bytes. Resizing (CONFIG SET repl-backlog-size) keeps the most
// recent bytes that fit.
//
// Owned by the event-loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace snapstream {

class Backlog {
  public:
    // An empty backlog whose next byte is stream position `offset`.
    Backlog(uint64_t capacity, uint64_t offset);

    void append(std::string_view bytes);

    uint64_t capacity() const { return capacity_; }
    uint64_t start() const { return end_ - histlen_; }
    uint64_t end() const { return end_; }
    uint64_t histlen() const { return histlen_; }
    // repl_backlog_first_byte_offset as INFO shows it.
    uint64_t first_byte_offset() const { return start() + 1; }

    // Whether a replica asking for wire offset `psync_offset` (its position + 1) can be served
    // from here: its next byte is held, or it has everything already.
    bool can_serve(uint64_t psync_offset) const {
        return psync_offset >= start() + 1 && psync_offset <= end_ + 1;
    }
    // Appends to `out` the bytes from wire offset `psync_offset` to the end (can_serve() first).
    void copy_from(uint64_t psync_offset, std::string& out) const;

    void resize(uint64_t capacity);
    // Forgets the history; the next byte is position `offset` (a full sync loaded new data).
    void reset(uint64_t offset);

  private:
    std::string ring_;
    uint64_t capacity_;
    uint64_t end_;
    uint64_t histlen_ = 0;
    size_t head_ = 0;  // ring index where the next byte goes
};

}  // namespace snapstream
