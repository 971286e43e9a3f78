// The replayer: applies a command stream (persistence/command_stream.h) to the keyspace through
// the command table, as the node executed it — the one path for loading an AOF at start-up and
// (replication issue) for a replica applying its primary's stream.
//
// A replay context is not a client: no reply leaves (they go to a scratch buffer), nothing is
// propagated, no permission or -MISCONF check applies, no command blocks (ctx.client is null, so
// blocking commands answer as if timed out — streams carry their non-blocking forms anyway), and
// keys do not expire while it runs (Keyspace::suspend_expiry): the stream holds the DELs of the
// keys that expired at its source. SELECT switches the replay's database. MULTI ... EXEC blocks
// are queued and applied at EXEC, so a block cut off by the end of the data is never half
// applied (the loader then truncates before its MULTI).
//
// Errors: a command the table does not know, or with the wrong number of arguments, stops the
// replay (the stream is not one this node wrote); a command that fails as a command (e.g.
// WRONGTYPE) is ignored, as Redis ignores its AOF client's error replies.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace snapstream {

class Server;

class Replayer {
  public:
    explicit Replayer(Server& server);
    ~Replayer();
    Replayer(const Replayer&) = delete;
    Replayer& operator=(const Replayer&) = delete;

    // Applies one command (or queues it inside MULTI). The views must stay valid until EXEC
    // when inside MULTI (they do for an mmapped file).
    Status apply(std::span<const std::string_view> argv);
    bool in_multi() const { return in_multi_; }
    // Forgets a MULTI block that never got its EXEC.
    void discard_multi() {
        in_multi_ = false;
        queued_.clear();
    }
    int db() const { return db_; }
    // The database a stream continued mid-way has selected.
    void set_db(int db) { db_ = db; }
    uint64_t commands() const { return commands_; }

  private:
    Status execute(std::span<const std::string_view> argv);

    Server& server_;
    int db_ = 0;
    bool in_multi_ = false;
    std::vector<std::vector<std::string_view>> queued_;
    std::string scratch_;
    uint64_t commands_ = 0;
    bool expiry_was_suspended_ = false;
};

}  // namespace snapstream
