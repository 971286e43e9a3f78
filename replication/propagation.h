// Propagation: what one execution unit (a client's command, a whole EXEC, one key deleted by
// the active expiry cycle, a blocked client served) changed, in the deterministic form that
// replays to the same result, collected while the unit runs and emitted into the write stream
// when it ends — as Redis 7.0's also_propagate / propagatePendingCommands do:
//   - a command that changed something (the server's change counter moved) is propagated as
//     it was called, unless its handler rewrote it (SET EX → SET PXAT, EXPIRE → PEXPIREAT,
//     INCRBYFLOAT → SET KEEPTTL, SPOP → SREM/DEL, BLPOP → LPOP, ...) or replaced it with
//     ops of its own; a command that changed nothing is not propagated (FLUSHALL/FLUSHDB are
//     forced);
//   - a key deleted by lazy expiry while the unit runs adds "DEL key" before the command;
//   - when the unit produced more than one op, they are wrapped in MULTI ... EXEC (MULTI in
//     the db of the first op, so its SELECT comes first; EXEC in the db of the last, so no
//     SELECT is injected), making the unit atomic for the AOF and replicas. A MULTI/EXEC that
//     changed one key is propagated as that single command.
// The ops are encoded as they are added (the command's argv may point into a buffer that is
// reused right after), and copied into the stream at the end.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "replication/write_stream.h"

namespace snapstream {

class Propagation {
  public:
    void add(int db, std::span<const std::string_view> argv);
    bool empty() const { return ops_.empty(); }
    size_t size() const { return ops_.size(); }
    // Emits the collected ops into `stream` (MULTI/EXEC-wrapped when more than one and `wrap`)
    // and forgets them.
    void flush(WriteStream& stream, bool wrap = true);
    // Forgets the collected ops (nothing is propagated: replay, AOF loading).
    void discard();

  private:
    struct Op {
        int db;
        size_t begin, end;
    };
    std::vector<Op> ops_;
    std::string bytes_;
};

}  // namespace snapstream
