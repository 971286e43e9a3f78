// The write stream: every change the node makes, as the commands that replay it, in one byte
// sequence with a monotonically growing offset. The same bytes go to the AOF's INCR files and
// (replication issue) to the backlog and each replica, so the stream offset is the node's
// master_repl_offset, and a position in an INCR file maps to a position in the stream.
//
//   execution unit (a client command, an EXEC, a cron expiry, a blocked client served)
//       └─► Propagation (replication/propagation.h): the unit's ops, MULTI/EXEC-wrapped when >1
//              └─► WriteStream::append(db, command) ── SELECT <db> first when db changed
//                     pending() bytes ──► AOF buffer (before the loop sleeps) ──► INCR file
//                                    └──► backlog / replicas (replication issue)
//
// Encoding: RESP arrays of bulk strings (persistence/command_stream.h), "SELECT" spelled as
// Redis spells it. The stream remembers the database of the last command it carried; a new
// consumer that starts mid-stream (a new INCR file) calls force_select() so the next command
// is preceded by SELECT, as Redis re-emits SELECT for a new AOF file or a new replica.
//
// Owned by the event-loop thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace snapstream {

class WriteStream {
  public:
    // The offset of the next byte (= bytes ever appended, plus the origin offset).
    uint64_t offset() const { return offset_; }
    // The replication id this offset belongs to (40 hex characters).
    const std::string& replid() const { return replid_; }
    // Sets identity and position (start-up: a new id at 0, or what the AOF recorded).
    // `selected_db`: the database the stream's last SELECT chose, when continuing a stream
    // (-1: unknown, the next command is preceded by SELECT).
    void set_origin(std::string replid, uint64_t offset, int selected_db = -1) {
        replid_ = std::move(replid);
        offset_ = offset;
        selected_db_ = selected_db;
    }
    int selected_db() const { return selected_db_; }

    // A replica relays its primary's stream byte for byte (offsets stay equal along a chain);
    // `selected_db` is the database the stream has selected after these bytes.
    void append_verbatim(std::string_view bytes, int selected_db) {
        pending_.append(bytes);
        offset_ += bytes.size();
        selected_db_ = selected_db;
    }

    // Appends an encoded command that runs in `db` (SELECT first if needed).
    void append_encoded(int db, std::string_view command);
    void append(int db, std::span<const std::string_view> argv);

    // The next command is preceded by SELECT whatever its db.
    void force_select() { selected_db_ = -1; }

    // Bytes appended since the last clear_pending(): handed to the consumers before the loop
    // sleeps (and before a rewrite switches INCR files).
    const std::string& pending() const { return pending_; }
    bool has_pending() const { return !pending_.empty(); }
    void clear_pending() { pending_.clear(); }

  private:
    void select(int db);

    std::string replid_;
    uint64_t offset_ = 0;
    int selected_db_ = -1;
    std::string pending_;
};

}  // namespace snapstream
