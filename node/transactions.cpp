// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH, with Redis 7.0's semantics.
//
//   MULTI                 the client enters the queueing state: every later command is checked
//                         (lookup, arity, authentication, no_multi) and queued with "+QUEUED";
//                         a rejected one marks the transaction dirty_exec.
//   EXEC                  dirty_exec → "-EXECABORT ..."; a WATCHed key changed (dirty_cas) or
//                         expired since WATCH → null array; otherwise every queued command runs
//                         in order, with nothing else interleaved, and the replies form one
//                         array. A command that fails at run time does not stop the others.
//   WATCH k...            remembers (db, key); any later change of the key by anyone (writes,
//                         deletion by expiry, FLUSHDB/FLUSHALL/SWAPDB touching it) sets
//                         dirty_cas. A key already logically expired when WATCHed is not
//                         "changed" by its deletion through expiry.
//   DISCARD / UNWATCH     leave the state / forget every watched key.
//
// Blocking commands never block inside EXEC (CommandContext::can_block); they answer as if
// their timeout had passed. Clients blocked on keys are served after the whole EXEC.
#include <algorithm>

#include "node/command_util.h"
#include "node/server.h"

namespace snapstream {

// --- the WATCH registry -------------------------------------------------------------------

void Server::watch_key(Client& c, int db, std::string_view key) {
    for (const WatchedKey& w : c.watched)
        if (w.db == db && w.key == key) return;
    auto& map = watched_keys_[static_cast<size_t>(db)];
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), ClientList{}).first;
    it->second.push_back(&c);
    Database& d = ks_.db(db);
    const Entry* e = ks_.peek(d, key);
    if (c.watched.empty()) ++watching_clients_;
    c.watched.push_back(WatchedKey{db, std::string(key), e && ks_.is_expired(d, e)});
}

void Server::unwatch_all(Client& c) {
    if (c.watched.empty()) return;
    for (const WatchedKey& w : c.watched) {
        auto& map = watched_keys_[static_cast<size_t>(w.db)];
        auto it = map.find(w.key);
        if (it == map.end()) continue;
        auto& list = it->second;
        list.erase(std::remove(list.begin(), list.end(), &c), list.end());
        if (list.empty()) map.erase(it);
    }
    c.watched.clear();
    --watching_clients_;
}

void Server::touch_watched_key_slow(int db, std::string_view key) {
    auto& map = watched_keys_[static_cast<size_t>(db)];
    auto it = map.find(key);
    if (it == map.end()) return;
    // Copy: unwatch_all() below edits the list being walked.
    const ClientList clients = it->second;
    Database& d = ks_.db(db);
    for (Client* c : clients) {
        auto w = std::find_if(c->watched.begin(), c->watched.end(),
                              [&](const WatchedKey& k) { return k.db == db && k.key == key; });
        if (w == c->watched.end()) continue;
        if (w->expired) {
            // It was already expired when watched: its deletion is no logical change, but a
            // write that brings it back is.
            if (!ks_.peek(d, key)) {
                w->expired = false;
                continue;
            }
        }
        c->dirty_cas = true;
        // No need to track anything else for a transaction that will fail anyway.
        unwatch_all(*c);
    }
}

void Server::touch_all_watched_keys_in_db(int emptied, int replaced_with) {
    auto& map = watched_keys_[static_cast<size_t>(emptied)];
    if (map.empty()) return;
    Database& de = ks_.db(emptied);
    Database* dr = replaced_with >= 0 ? &ks_.db(replaced_with) : nullptr;
    std::vector<Client*> dirty;
    for (auto& [key, clients] : map) {
        const Entry* in_emptied = ks_.peek(de, key);
        const Entry* in_replacement = dr ? ks_.peek(*dr, key) : nullptr;
        if (!in_emptied && !in_replacement) continue;
        for (Client* c : clients) {
            auto w = std::find_if(c->watched.begin(), c->watched.end(), [&](const WatchedKey& k) {
                return k.db == emptied && k.key == key;
            });
            if (w == c->watched.end()) continue;
            if (w->expired) {
                if (!in_replacement) {
                    w->expired = false;  // the expired key is gone: no logical change
                    continue;
                }
                if (ks_.is_expired(*dr, in_replacement)) continue;  // still expired
            } else if (!in_emptied && ks_.is_expired(*dr, in_replacement)) {
                w->expired = true;  // a missing key replaced by an expired one
                continue;
            }
            dirty.push_back(c);
        }
    }
    for (Client* c : dirty) c->dirty_cas = true;
}

bool Server::watched_key_expired(const Client& c) {
    for (const WatchedKey& w : c.watched) {
        if (w.expired) continue;
        Database& d = ks_.db(w.db);
        const Entry* e = ks_.peek(d, w.key);
        if (e && ks_.is_expired(d, e)) return true;
    }
    return false;
}

void discard_transaction(Server& server, Client& c) {
    c.queued.clear();
    c.queued.shrink_to_fit();
    c.in_multi = false;
    c.dirty_cas = false;
    c.dirty_exec = false;
    server.unwatch_all(c);
}

namespace {

void cmd_multi(CommandContext& ctx) {
    Client& c = *ctx.client;
    if (c.in_multi) {
        ctx.reply.error("ERR MULTI calls can not be nested");
        return;
    }
    c.in_multi = true;
    ctx.reply.ok();
}

void cmd_discard(CommandContext& ctx) {
    Client& c = *ctx.client;
    if (!c.in_multi) {
        ctx.reply.error("ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(ctx.server, c);
    ctx.reply.ok();
}

void cmd_exec(CommandContext& ctx) {
    Client& c = *ctx.client;
    Server& server = ctx.server;
    if (!c.in_multi) {
        ctx.reply.error("ERR EXEC without MULTI");
        return;
    }
    if (server.watched_key_expired(c)) c.dirty_cas = true;
    if (c.dirty_exec) {
        ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
        discard_transaction(server, c);
        return;
    }
    if (c.dirty_cas) {
        ctx.reply.null_array();
        discard_transaction(server, c);
        return;
    }
    server.unwatch_all(c);  // nothing queued below can invalidate this EXEC any more
    std::vector<QueuedCommand> queued = std::move(c.queued);
    c.queued.clear();
    c.in_multi = false;
    ctx.reply.array(queued.size());
    server.set_in_exec(true);
    std::vector<std::string_view> argv;
    for (const QueuedCommand& q : queued) {
        argv.assign(q.argv.begin(), q.argv.end());
        server.call(c, q.cmd, argv);
    }
    server.set_in_exec(false);
    discard_transaction(server, c);
}

void cmd_watch(CommandContext& ctx) {
    Client& c = *ctx.client;
    if (c.in_multi) {
        ctx.reply.error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    // No point in watching more keys for a transaction that will fail anyway.
    if (!c.dirty_cas) {
        for (size_t i = 1; i < ctx.argc(); ++i) ctx.server.watch_key(c, c.db, ctx.arg(i));
    }
    ctx.reply.ok();
}

void cmd_unwatch(CommandContext& ctx) {
    Client& c = *ctx.client;
    ctx.server.unwatch_all(c);
    c.dirty_cas = false;
    ctx.reply.ok();
}

}  // namespace

bool CommandContext::can_block() const {
    return client != nullptr && !client->in_multi && !server.in_exec();
}

void register_transaction_commands(CommandTable& t) {
    constexpr uint32_t base = kCmdNoscript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;
    auto add = [&](const char* name, int arity, uint32_t flags, int first, int last,
                   CommandHandler h) {
        t.add(CommandSpec{.name = name,
                          .arity = arity,
                          .flags = flags,
                          .acl = kAclTransaction,
                          .first_key = first,
                          .last_key = last,
                          .key_step = first ? 1 : 0,
                          .handler = h});
    };
    add("multi", 1, base | kCmdTransactionControl, 0, 0, cmd_multi);
    add("exec", 1,
        kCmdNoscript | kCmdLoading | kCmdStale | kCmdSkipSlowlog | kCmdTransactionControl, 0, 0,
        cmd_exec);
    add("discard", 1, base | kCmdTransactionControl, 0, 0, cmd_discard);
    add("watch", -2, base | kCmdTransactionControl, 1, -1, cmd_watch);
    add("unwatch", 1, base, 0, 0, cmd_unwatch);
}

}  // namespace snapstream
