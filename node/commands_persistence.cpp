// SAVE, BGSAVE [SCHEDULE], BGREWRITEAOF, LASTSAVE. Replies and errors as Redis 7.0 words them; the
// snapshot machinery is in persistence/snapshots.h and node/server_rdb.cpp.
#include "node/command_util.h"

namespace snapstream {
namespace {

constexpr char kErrBgsaveRunning[] = "ERR Background save already in progress";

void cmd_save(CommandContext& ctx) {
    Snapshots& snap = ctx.server.snapshots();
    if (snap.bgsave_in_progress()) {
        ctx.reply.error(kErrBgsaveRunning);
        return;
    }
    ++snap.info.saves;
    if (ctx.server.save_snapshot())
        ctx.reply.ok();
    else
        ctx.reply.error("ERR");
}

void cmd_bgsave(CommandContext& ctx) {
    bool schedule = false;
    if (ctx.argc() > 1) {
        if (ctx.argc() == 2 && iequals(ctx.arg(1), "schedule")) {
            schedule = true;
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    Snapshots& snap = ctx.server.snapshots();
    const bool other_child_active = ctx.server.aof().rewrite_in_progress();
    if (snap.bgsave_in_progress()) {
        ctx.reply.error(kErrBgsaveRunning);
    } else if (other_child_active || ctx.server.in_exec()) {
        // Inside EXEC a fork would snapshot a half-applied transaction: it runs from the cron.
        if (schedule || ctx.server.in_exec()) {
            snap.info.bgsave_scheduled = true;
            ctx.reply.simple("Background saving scheduled");
        } else {
            ctx.reply.error(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
                "SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
    } else if (ctx.server.start_bgsave()) {
        ctx.reply.simple("Background saving started");
    } else {
        ctx.reply.error("ERR");
    }
}

void cmd_bgrewriteaof(CommandContext& ctx) {
    Result<std::string> r = ctx.server.bgrewriteaof();
    if (r)
        ctx.reply.simple(*r);
    else
        ctx.reply.error(r.error());
}

void cmd_lastsave(CommandContext& ctx) {
    ctx.reply.integer(ctx.server.snapshots().info.lastsave);
}

}  // namespace

void register_persistence_commands(CommandTable& t) {
    constexpr uint32_t A = kCmdAdmin, N = kCmdNoscript;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, CommandHandler h) {
        t.add(CommandSpec{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = h});
    };
    add("save", 1, kCmdNoAsyncLoading | A | N | kCmdNoMulti, kAclAdmin | kAclDangerous, cmd_save);
    add("bgsave", -1, kCmdNoAsyncLoading | A | N, kAclAdmin | kAclDangerous, cmd_bgsave);
    add("bgrewriteaof", 1, kCmdNoAsyncLoading | A | N, kAclAdmin | kAclDangerous, cmd_bgrewriteaof);
    add("lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, kAclAdmin | kAclDangerous, cmd_lastsave);
}

}  // namespace snapstream
