// Replication state of a node, as Redis 7.0 keeps it (PSYNC2).
//
// Identity: the write stream's replid and offset (replication/write_stream.h) are the node's
// master_replid and master_repl_offset. replid2 / second_repl_offset are the id the node
// served (or followed) before its last change of identity, and the first offset that is NOT
// part of that history: a replica asking "PSYNC <replid2> <off>" with off <= second_offset is
// on our shared history and can continue. The identity changes (shift: replid2 = replid,
// second_offset = offset + 1, new random replid) when a replica is promoted (REPLICAOF NO ONE)
// and when a primary restarts from a snapshot or AOF that recorded its position; so a replica
// that diverged from a restarted primary can never be "continued" onto a different history.
//
// Primary side, per replica connection (a Client with `replica` set), the states:
//   Handshake         REPLCONF seen, not attached yet (replies flow as for any client).
//   WaitBgsaveStart   asked for a full sync; waits for a snapshot child to start (diskless
//                     delay, another child running). Gets "\n" every second as keep-alive.
//   WaitBgsaveEnd     "+FULLRESYNC <replid> <offset>" sent, the child produces the RDB; the
//                     stream since the fork accumulates in the client's output buffer.
//   SendBulk          disk-based: the parent sends "$<len>\r\n" + the RDB file, then the buffer.
//   Online            the stream flows. After a diskless (EOF-form) transfer the buffer is held
//                     until the replica's first REPLCONF ACK says it has loaded the snapshot.
// The replica's output buffer is bounded by client-output-buffer-limit replica: past the hard
// limit, or above the soft limit for longer than its seconds, the replica is dropped (it will
// resync) instead of growing the primary's memory.
//
// Replica side: node/master_link.h.
#pragma once

#include <cstdint>
#include <string>

namespace snapstream {

enum class ReplicaState { Handshake, WaitBgsaveStart, WaitBgsaveEnd, SendBulk, Online };

const char* replica_state_name(ReplicaState s);

// What the primary knows about one attached replica.
struct ReplicaLink {
    ReplicaState state = ReplicaState::Handshake;  // REPLCONF seen, no PSYNC yet
    int listening_port = 0;
    std::string announced_ip;
    bool capa_eof = false;
    bool capa_psync2 = false;
    uint64_t ack_offset = 0;
    int64_t ack_time_ms = 0;
    // The stream offset the replica's snapshot corresponds to (+FULLRESYNC's offset).
    uint64_t initial_offset = 0;
    int64_t wait_since_ms = 0;       // when it started waiting for a snapshot child
    bool online_on_ack = false;      // EOF transfer done: start the stream at its first ACK
    bool acked_in_transfer = false;  // that ACK came before the child was reaped
    bool diskless_target = false;    // its snapshot is the diskless child's
    // Disk-based transfer of the snapshot file.
    int bulk_fd = -1;
    uint64_t bulk_offset = 0;
    uint64_t bulk_size = 0;
    std::string bulk_header;
    size_t bulk_header_sent = 0;
    int64_t soft_limit_since_ms = 0;  // output buffer above the soft limit since then (0: below)
};

struct ReplicationStats {
    uint64_t sync_full = 0;
    uint64_t sync_partial_ok = 0;
    uint64_t sync_partial_err = 0;
};

}  // namespace snapstream
