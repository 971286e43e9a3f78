// The replica side of replication: the connection to our primary, as a state machine on the
// event loop (never blocking it; DNS resolution aside), following Redis 7.0's handshake:
//
//   Connect ──(non-blocking connect)──► Connecting ──writable──► send PING
//   Handshake: "+PONG" (or -NOAUTH/-NOPERM: AUTH comes next anyway), then pipelined
//              [AUTH [masteruser] masterauth]  REPLCONF listening-port <port>
//              [REPLCONF ip-address <replica-announce-ip>]  REPLCONF capa eof capa psync2
//              and their replies in order (only AUTH failing is fatal)
//   ReceivePsync: "PSYNC <replid> <offset+1>" ("PSYNC ? -1" without a usable position);
//              "\n" keep-alives are skipped; then
//                +FULLRESYNC <replid> <offset>  → Transfer
//                +CONTINUE [<new replid>]       → Connected (a new id: ours moves to replid2)
//                -NOMASTERLINK / -LOADING / other errors → retry later
//   Transfer:  the snapshot (replication/sync_payload.h) to a temp file in `dir`
//              (repl-diskless-load disabled, or on-empty-db with data) or into memory; then the
//              old data is dropped, the file renamed over dbfilename and loaded (or the memory
//              read), the AOF restarted with a rewrite, our own replicas disconnected (their
//              history ended) → Connected, and a first REPLCONF ACK says we are ready
//   Connected: the stream is applied by the replayer (node/replay.h) and relayed verbatim into
//              our own write stream (backlog, sub-replicas, AOF), so offsets equal the primary's
//              along a chain. "REPLCONF GETACK" gets an ACK; an ACK also goes every second.
//
// Any failure or repl-timeout seconds without a byte closes the connection and goes back to
// Connect; attempts back off from 100 ms to 5 s. Our position (the write stream's replid and
// offset) survives a dropped link, so the next PSYNC can continue.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "node/poller.h"
#include "replication/sync_payload.h"

namespace snapstream {

class Server;

class MasterLink final : public PollTarget {
  public:
    enum class State { Connect, Connecting, Handshake, ReceivePsync, Transfer, Connected };

    // identity_valid: the node's current stream position is data it holds (a former primary,
    // or loaded with a recorded position), so PSYNC may name it.
    MasterLink(Server& server, std::string host, int port, bool identity_valid);
    ~MasterLink();
    MasterLink(const MasterLink&) = delete;
    MasterLink& operator=(const MasterLink&) = delete;

    const std::string& host() const { return host_; }
    int port() const { return port_; }
    State state() const { return state_; }
    bool link_up() const { return state_ == State::Connected; }
    bool sync_in_progress() const { return state_ == State::Transfer; }
    int64_t last_io_ms() const { return last_io_ms_; }
    int64_t down_since_ms() const { return down_since_ms_; }
    uint64_t transfer_size() const;  // -1 as unknown in INFO: 0 here
    uint64_t transfer_read() const;
    int64_t transfer_start_ms() const { return transfer_start_ms_; }
    int64_t transfer_last_io_ms() const { return last_io_ms_; }

    // Once per cron tick: connect attempts, timeouts, the periodic ACK.
    void cron(int64_t now_ms);
    // CLIENT KILL TYPE master: drop the connection (the next attempt may continue).
    void kill(std::string_view why);

  private:
    void on_readable() override;
    void on_writable() override;
    void connect_now(int64_t now_ms);
    void drop(std::string_view why);
    void send(std::string_view bytes);
    void send_command(std::initializer_list<std::string_view> argv);
    void send_ack();
    void on_connected();
    bool handle_lines();
    bool handshake_reply(std::string_view line);
    bool psync_reply(std::string_view line);
    bool feed_transfer(std::string_view bytes);
    bool finish_transfer();
    bool apply_stream();

    Server& server_;
    std::string host_;
    int port_;
    bool identity_valid_;
    State state_ = State::Connect;
    int fd_ = -1;
    std::string in_;   // bytes read, not yet consumed
    std::string out_;  // bytes to send (handshake, ACKs) not yet taken by the socket
    bool want_write_ = false;
    std::vector<std::string> expected_;  // handshake replies still to come, in order
    int64_t last_io_ms_ = 0;
    int64_t down_since_ms_ = 0;
    int64_t next_attempt_ms_ = 0;
    int failures_ = 0;
    int64_t last_ack_ms_ = 0;
    uint64_t last_acked_offset_ = 0;
    // Transfer.
    std::string sync_replid_;
    uint64_t sync_offset_ = 0;
    std::unique_ptr<PayloadReceiver> payload_;
    std::string tmpfile_;
    int tmp_fd_ = -1;
    bool to_memory_ = false;
    std::string memory_payload_;
    int64_t transfer_start_ms_ = 0;
    // Connected: the database the primary's stream has selected.
    int stream_db_ = 0;
};

}  // namespace snapstream
