// The command-stream codec: the write stream as RESP arrays of bulk strings, the bytes an INCR
// AOF file holds and (replication issue) the bytes a primary sends its replicas.
//
//   *<argc>\r\n  then per argument  $<len>\r\n<bytes>\r\n
//
// In files only, between commands, annotation lines may appear: a line starting with '#' and
// ending in "\r\n", shorter than 1024 bytes. Redis 7.0's loader and redis-check-aof skip any line
// starting with '#' (Redis itself writes "#TS:<unix seconds>\r\n" with aof-timestamp-enabled),
// so real Redis loads our files. snapstream writes two kinds:
//
//   #SO:<stream offset>:<replid>\r\n     first line of every INCR file: the write-stream offset
//                                        (master_repl_offset) at which the file's first command
//                                        starts, and the replication id it belongs to (40 hex).
//                                        Again mid-file where the node's replication id changed
//                                        (promotion, restart, first replica): the offset there,
//                                        and the id the following commands belong to.
//   #XS\r\n                               the next command is not part of the stream: the
//                                        SELECT a replica writes at the start of a new INCR file,
//                                        since the stream it relays byte for byte has no SELECT
//                                        there (Redis executes it too, so both load the file
//                                        into the right database)
//   #SC:<len>:<crc64>\r\n                with aof-checksums yes, before each flushed batch: the
//                                        next <len> bytes are complete commands whose CRC-64
//                                        (persistence/crc64.h, Jones; 16 lower-case hex digits)
//                                        is <crc64>.
//
// Annotations are not part of the stream: offsets count command bytes only. Other annotations
// (#TS:...) are skipped.
//
// Reading: AofScanner walks a byte span (an mmapped file) command by command without copying:
// argv entries are views into the span. It tracks MULTI/EXEC (case-insensitive argv[0]) so the
// caller knows where the last complete unit ends, checks #SC batches, and tells a torn tail (the
// data ends inside a command, a batch or a MULTI block) from corruption (bytes that can never
// be a valid stream, or a checksum mismatch that is not at the very end of the data).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream {

// Appends one command in RESP to `out`.
void append_command(std::string& out, std::span<const std::string_view> argv);
void append_command(std::string& out, std::initializer_list<std::string_view> argv);
// The encoded size of a command (what append_command would add).
size_t encoded_command_size(std::span<const std::string_view> argv);

// "#SO:<offset>:<replid>\r\n"
std::string stream_origin_annotation(uint64_t offset, std::string_view replid);
// "#XS\r\n" + SELECT <db>: a database selection outside the stream (see above).
std::string outside_select(int db);
// "#SC:<len>:<crc64 hex>\r\n" for `batch`.
std::string batch_checksum_annotation(std::string_view batch);

struct StreamOrigin {
    uint64_t offset = 0;
    std::string replid;
};

struct AofScanLimits {
    uint64_t max_args = 1024 * 1024;           // per command
    uint64_t max_bulk = 512ull * 1024 * 1024;  // per argument (proto-max-bulk-len)
};

class AofScanner {
  public:
    enum class Step {
        Command,    // `argv` holds the next command
        End,        // clean end of data (not inside a command, batch or MULTI)
        Truncated,  // the data ends inside a command, an #SC batch or a MULTI block
        Corrupt,    // bad bytes or checksum mismatch (error(), error_offset())
    };

    explicit AofScanner(std::span<const char> data, AofScanLimits limits = {});

    // Parses the next command; argv views stay valid as long as the data does.
    Step next(std::vector<std::string_view>& argv);

    // Byte position after the last command returned (or after skipped annotations).
    uint64_t position() const;
    // Byte offset where the last complete unit ends: after the last command (or annotation)
    // outside MULTI, or before the MULTI of an unfinished block (where a torn tail is cut).
    // Never inside an #SC batch: a whole batch is one unit (before its #SC line until its last
    // command has been returned).
    uint64_t valid_up_to() const;
    // Byte offset of the command just returned.
    uint64_t command_offset() const;
    bool in_multi() const;
    // Stream bytes (commands only, no annotations) up to position().
    uint64_t stream_bytes() const;
    // The #SO annotation, if the data started with one (with the replid of the last #SO seen).
    const std::optional<StreamOrigin>& origin() const;
    // Whether the command just returned followed an #XS line (not a stream command).
    bool outside_stream() const { return last_outside_; }
    // Whether any #SC batch was seen (the file was written with aof-checksums yes).
    bool checksummed() const;

    // For Truncated/Corrupt: what is wrong and where (byte offset in the data).
    const std::string& error() const;
    uint64_t error_offset() const;

  private:
    Step parse_annotation();
    Step parse_command(std::vector<std::string_view>& argv);
    Step fail(Step step, uint64_t offset, std::string message);

    // (implementation state)
    std::span<const char> data_;
    AofScanLimits limits_;
    uint64_t pos_ = 0;
    uint64_t cmd_offset_ = 0;
    uint64_t valid_up_to_ = 0;
    uint64_t stream_bytes_ = 0;
    uint64_t batch_end_ = 0;     // end of the current #SC batch (0 = none)
    uint64_t multi_offset_ = 0;  // where the open MULTI block starts
    bool in_multi_ = false;
    bool checksummed_ = false;
    bool next_outside_ = false;  // an #XS line was read
    bool last_outside_ = false;
    std::optional<StreamOrigin> origin_;
    std::string error_;
    uint64_t error_offset_ = 0;
    Step stopped_ = Step::Command;  // Truncated/Corrupt once reported (sticky)
};

}  // namespace snapstream
