// Replication commands: REPLICAOF / SLAVEOF, ROLE, WAIT, and the ones replicas send (PSYNC,
// SYNC, REPLCONF). The work is in node/server_primary.cpp and node/master_link.cpp.
#include "node/command_util.h"
#include "node/master_link.h"
#include "node/server.h"

namespace snapstream {
namespace {

void cmd_replicaof(CommandContext& ctx) {
    std::optional<config::ReplicaOf> target;
    if (!(iequals(ctx.arg(1), "no") && iequals(ctx.arg(2), "one"))) {
        auto port = parse_int64(ctx.arg(2));
        if (!port || *port < 0 || *port > 65535) {
            ctx.reply.error("ERR Invalid master port");
            return;
        }
        target = config::ReplicaOf{std::string(ctx.arg(1)), static_cast<int>(*port)};
    }
    Result<std::string> r = ctx.server.replicaof(target);
    if (!r)
        ctx.reply.error(r.error());
    else
        ctx.reply.simple(*r);
}

void cmd_psync(CommandContext& ctx) {
    ctx.server.psync(ctx, /*legacy_sync=*/false);
}

void cmd_sync(CommandContext& ctx) {
    ctx.server.psync(ctx, /*legacy_sync=*/true);
}

void cmd_replconf(CommandContext& ctx) {
    ctx.server.replconf(ctx);
}

void cmd_wait(CommandContext& ctx) {
    ctx.server.wait_replicas(ctx);
}

const char* link_state_name(MasterLink::State s) {
    switch (s) {
        case MasterLink::State::Connect:
            return "connect";
        case MasterLink::State::Connecting:
            return "connecting";
        case MasterLink::State::Handshake:
        case MasterLink::State::ReceivePsync:
            return "handshake";
        case MasterLink::State::Transfer:
            return "sync";
        case MasterLink::State::Connected:
            return "connected";
    }
    return "unknown";
}

// ROLE: ["master", offset, [[ip, port, acked offset]...]] or
// ["slave", host, port, state, offset (-1 before the first sync)].
void cmd_role(CommandContext& ctx) {
    Server& s = ctx.server;
    Reply& r = ctx.reply;
    if (const MasterLink* link = s.master_link()) {
        r.array(5);
        r.bulk("slave");
        r.bulk(link->host());
        r.integer(link->port());
        r.bulk(link_state_name(link->state()));
        r.integer(link->link_up() ? static_cast<int64_t>(s.write_stream().offset()) : -1);
        return;
    }
    r.array(3);
    r.bulk("master");
    r.integer(static_cast<int64_t>(s.write_stream().offset()));
    std::vector<const Client*> online;
    for (const Client* c : s.replicas())
        if (c->replica->state == ReplicaState::Online) online.push_back(c);
    r.array(online.size());
    for (const Client* c : online) {
        r.array(3);
        std::string ip = c->replica->announced_ip;
        if (ip.empty()) ip = c->addr.substr(0, c->addr.rfind(':'));
        r.bulk(ip);
        r.bulk(std::to_string(c->replica->listening_port));
        r.bulk(std::to_string(c->replica->ack_offset));
    }
}

}  // namespace

void register_replication_commands(CommandTable& t) {
    constexpr uint32_t A = kCmdAdmin, N = kCmdNoscript, NAL = kCmdNoAsyncLoading;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, CommandHandler h) {
        t.add(CommandSpec{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = h});
    };
    add("replicaof", 3, NAL | A | N | kCmdStale, 0, cmd_replicaof);
    add("slaveof", 3, NAL | A | N | kCmdStale, 0, cmd_replicaof);
    add("psync", -3, NAL | A | kCmdNoMulti | N, 0, cmd_psync);
    add("sync", 1, NAL | A | kCmdNoMulti | N, 0, cmd_sync);
    add("replconf", -1, A | N | kCmdLoading | kCmdStale | kCmdAllowBusy, 0, cmd_replconf);
    add("role", 1, N | kCmdLoading | kCmdStale | kCmdFast, kAclAdmin | kAclDangerous, cmd_role);
    add("wait", 3, N, kAclConnection, cmd_wait);
}

}  // namespace snapstream
