// Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
//
// A handler that finds nothing to serve calls Server::block_client(): the client keeps a copy
// of its command, is appended to the FIFO queue of each key it waits on (per database), and
// reads no further requests. When a list or sorted set appears under a key (Keyspace::on_added:
// every push to an empty key creates it), the key is signalled ready; after the current
// command (or the whole EXEC) handle_ready_keys() walks each ready key's queue in blocking
// order and runs each waiting client's command again, as that client. The re-run either
// serves the client (it then leaves every queue) or blocks again (it keeps its place). So a
// push serves the clients in the order they blocked, as many as the elements allow, and a
// command that wakes several keys is served exactly as its non-blocking form would be.
//
// Timeouts: every blocked client with a deadline sits in block_deadlines_; one timer is armed
// for the earliest deadline, and a client whose deadline passed is answered with the reply its
// command chose (Redis 7.0 answers a null array for every list and sorted-set command, BLMOVE
// included). A re-run command sees the readied key in ctx.ready_key: Redis 7.0 serves a client
// from the key that was readied, not from the first of its keys that has elements. Unblocked
// clients resume reading their buffered requests before the loop sleeps.
#include <algorithm>

#include "node/command_util.h"
#include "node/log.h"
#include "node/server.h"

namespace snapstream {

void Server::block_client(CommandContext& ctx, std::span<const std::string_view> keys,
                          int64_t timeout_ms, ValueType type, bool null_array_on_timeout) {
    Client& c = *ctx.client;
    if (ctx.reprocessing) return;  // still blocked, in the same place of every queue
    c.blocked = true;
    BlockState& b = c.block;
    b.cmd = ctx.cmd;
    b.argv.assign(ctx.argv.begin(), ctx.argv.end());
    b.keys.clear();
    b.db = ctx.db->id;
    b.null_array = null_array_on_timeout;
    b.type = type;
    b.deadline_ms = timeout_ms > 0 ? ctx.ks.now() + timeout_ms : 0;
    auto& map = blocking_keys_[static_cast<size_t>(b.db)];
    for (std::string_view k : keys) {
        if (std::find(b.keys.begin(), b.keys.end(), k) != b.keys.end()) continue;
        b.keys.emplace_back(k);
        auto it = map.find(k);
        if (it == map.end()) it = map.emplace(std::string(k), std::deque<Client*>{}).first;
        it->second.push_back(&c);
    }
    ++blocked_count_;
    if (b.deadline_ms > 0) {
        block_deadlines_.emplace(b.deadline_ms, c.id());
        schedule_block_timer();
    }
}

void Server::signal_key_ready_slow(int db, std::string_view key) {
    auto& map = blocking_keys_[static_cast<size_t>(db)];
    if (map.find(key) == map.end()) return;
    for (const auto& [d, k] : ready_keys_)
        if (d == db && k == key) return;
    ready_keys_.emplace_back(db, std::string(key));
}

void Server::signal_all_blocked_keys(int db) {
    for (const auto& [key, clients] : blocking_keys_[static_cast<size_t>(db)]) {
        Database& d = ks_.db(db);
        const Entry* e = ks_.peek(d, key);
        if (!e) continue;
        const ValueType t = e->value.type();
        if (t == ValueType::List || t == ValueType::ZSet) signal_key_ready_slow(db, key);
    }
}

void Server::handle_ready_keys() {
    // Serving a client may push to other keys (BLMOVE) and ready them in turn.
    while (!ready_keys_.empty()) {
        std::vector<std::pair<int, std::string>> batch;
        batch.swap(ready_keys_);
        for (auto& [db, key] : batch) {
            auto& map = blocking_keys_[static_cast<size_t>(db)];
            auto it = map.find(key);
            if (it == map.end()) continue;
            // Snapshot of the queue: clients served below leave it.
            const std::vector<Client*> waiting(it->second.begin(), it->second.end());
            for (Client* c : waiting) {
                if (!c->blocked || c->closed()) continue;
                Database& d = ks_.db(db);
                ks_.set_now(wall_clock_ms());
                const Entry* e = ks_.peek(d, key);
                if (!e || ks_.is_expired(d, e)) break;  // nothing left to serve
                if (e->value.type() != c->block.type) continue;
                // Run the command again, as the client, in the database it blocked in.
                std::vector<std::string_view> argv(c->block.argv.begin(), c->block.argv.end());
                const int saved_db = c->db;
                c->db = c->block.db;
                const size_t out_before = c->out.size();
                Reply reply(c->out, c->resp);
                CommandContext ctx{*this, c, ks_, &ks_.db(c->db), reply, argv, c->block.cmd};
                ctx.reprocessing = true;
                ctx.ready_key = key;
                const uint64_t offset_before = stream_.offset();
                invoke(ctx);
                if (stream_.offset() != offset_before) c->woff = stream_.offset();
                c->db = saved_db;
                if (c->out.size() == out_before) continue;  // blocked again: keeps its place
                ++ctx.cmd->calls;
                ++stats_.total_commands_processed;
                unblock_client(*c, false);
            }
        }
    }
}

void Server::unblock_client(Client& c, bool timed_out) {
    if (!c.blocked) return;
    if (waiters_.erase(c.id())) {  // WAIT (node/server_primary.cpp)
        c.blocked = false;
        return;
    }
    BlockState& b = c.block;
    auto& map = blocking_keys_[static_cast<size_t>(b.db)];
    for (const std::string& k : b.keys) {
        auto it = map.find(k);
        if (it == map.end()) continue;
        auto& q = it->second;
        q.erase(std::remove(q.begin(), q.end(), &c), q.end());
        if (q.empty()) map.erase(it);
    }
    if (b.deadline_ms > 0) {
        auto range = block_deadlines_.equal_range(b.deadline_ms);
        for (auto it = range.first; it != range.second; ++it) {
            if (it->second == c.id()) {
                block_deadlines_.erase(it);
                break;
            }
        }
    }
    c.blocked = false;
    --blocked_count_;
    if (timed_out) {
        Reply reply(c.out, c.resp);
        if (b.null_array)
            reply.null_array();
        else
            reply.null();
    }
    b.argv.clear();
    b.keys.clear();
    if (!c.closed()) {
        unblocked_.push_back(c.shared_from_this());
        queue_write(c);
    }
}

void Server::process_unblocked_clients() {
    std::vector<std::shared_ptr<Client>> list;
    list.swap(unblocked_);
    for (auto& c : list) {
        if (!c->closed() && !c->blocked) c->resume();
    }
}

void Server::schedule_block_timer() {
    if (block_deadlines_.empty()) return;
    const int64_t at = block_deadlines_.begin()->first;
    if (block_timer_at_ != 0 && block_timer_at_ <= at) return;  // an earlier wake-up is armed
    block_timer_at_ = at;
    const int64_t wait = std::max<int64_t>(at - wall_clock_ms(), 0);
    block_timer_.expires_after(std::chrono::milliseconds(wait));
    block_due_ms_ = monotonic_us() / 1000 + wait;  // the loop's clock (Server::loop)
    block_timer_.async_wait([this](const std::error_code& ec) {
        if (ec) return;  // re-armed for an earlier deadline, or shutting down
        block_timer_at_ = 0;
        block_due_ms_ = 0;
        block_timeouts();
    });
}

void Server::block_timeouts() {
    const int64_t now = wall_clock_ms();
    while (!block_deadlines_.empty() && block_deadlines_.begin()->first <= now) {
        const uint64_t id = block_deadlines_.begin()->second;
        auto it = clients_.find(id);
        if (it == clients_.end()) {
            block_deadlines_.erase(block_deadlines_.begin());
            continue;
        }
        unblock_client(*it->second, true);
    }
    schedule_block_timer();
}

}  // namespace snapstream
