// The full-sync payload as it travels from a primary to a replica, right after the primary's
// "+FULLRESYNC <replid> <offset>\r\n" reply to PSYNC (Redis 7.0's format, both forms):
//
//   ["\n"]...                     keep-alive newlines while the primary prepares the snapshot
//   $<len>\r\n<len bytes of RDB>  disk-based: the length is known (the file was written first)
//   $EOF:<40 chars>\r\n<RDB><the same 40 chars>
//                                 diskless: the snapshot is streamed as it is produced; the
//                                 40-byte random mark ends it (offered only to replicas that
//                                 said "REPLCONF capa eof")
//
// The command stream follows the payload directly. With the EOF form the primary holds the
// stream until the replica's first REPLCONF ACK, so no stream byte ever shares a read with the
// mark; the receiver still copes with bytes after the end (they are the stream's first bytes).
//
// PayloadReceiver is the replica's side as a pure state machine over the bytes read from the
// socket: it hands payload bytes to a callback (a temp file or memory), recognises the end and
// returns what came after it. The mark is never handed over as payload: the last 40 bytes seen
// are held back until more arrive.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace snapstream {

constexpr size_t kEofMarkLen = 40;

// A random 40-character mark for the EOF form.
std::string new_eof_mark();
// "$EOF:<mark>\r\n" and "$<len>\r\n".
std::string eof_payload_header(std::string_view mark);
std::string sized_payload_header(uint64_t len);

class PayloadReceiver {
  public:
    enum class Step { NeedMore, Done, Failed };
    using Sink = std::function<Status(std::string_view)>;

    explicit PayloadReceiver(Sink sink) : sink_(std::move(sink)) {}

    // Consumes `bytes`. On Done, `rest()` holds the bytes after the payload; on Failed,
    // error() says why (bad header, or the sink failed).
    Step feed(std::string_view bytes);

    bool header_seen() const { return header_done_; }
    bool eof_form() const { return eof_form_; }
    // Payload size when the sized form is used (0 otherwise).
    uint64_t expected() const { return expected_; }
    uint64_t received() const { return received_; }
    const std::string& rest() const { return rest_; }
    const std::string& error() const { return error_; }

  private:
    Step deliver(std::string_view bytes);
    Step fail(std::string msg) {
        error_ = std::move(msg);
        return Step::Failed;
    }

    Sink sink_;
    std::string header_;  // the header line while incomplete
    bool header_done_ = false;
    bool eof_form_ = false;
    std::string mark_;
    std::string tail_;  // EOF form: the last bytes seen, held back (up to the mark's length)
    uint64_t expected_ = 0;
    uint64_t received_ = 0;
    std::string rest_;
    std::string error_;
};

}  // namespace snapstream
