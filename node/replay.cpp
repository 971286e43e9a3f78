#include "node/replay.h"

#include "node/command_util.h"
#include "node/server.h"

namespace snapstream {

Replayer::Replayer(Server& server) : server_(server) {
    expiry_was_suspended_ = server_.keyspace().expiry_suspended();
    server_.keyspace().suspend_expiry(true);
    server_.enter_replay();
}

Replayer::~Replayer() {
    server_.leave_replay();
    server_.keyspace().suspend_expiry(expiry_was_suspended_);
}

Status Replayer::apply(std::span<const std::string_view> argv) {
    if (argv.empty()) return make_error("empty command");
    if (iequals(argv[0], "multi")) {
        if (in_multi_) return make_error("MULTI calls can not be nested");
        in_multi_ = true;
        return Ok{};
    }
    if (iequals(argv[0], "exec")) {
        if (!in_multi_) return make_error("EXEC without MULTI");
        in_multi_ = false;
        std::vector<std::vector<std::string_view>> queued;
        queued.swap(queued_);
        for (const auto& q : queued)
            if (Status r = execute(q); !r) return r;
        return Ok{};
    }
    if (in_multi_) {
        queued_.emplace_back(argv.begin(), argv.end());
        return Ok{};
    }
    return execute(argv);
}

Status Replayer::execute(std::span<const std::string_view> argv) {
    const CommandSpec* cmd = command_table().find(argv[0]);
    if (cmd && !cmd->subcommands.empty() && argv.size() > 1) cmd = cmd->find_subcommand(argv[1]);
    if (!cmd) return make_error("Unknown command '" + std::string(argv[0]) + "'");
    const int argc = static_cast<int>(argv.size());
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity)
        return make_error("wrong number of arguments for '" + cmd->full_name() + "'");
    Keyspace& ks = server_.keyspace();
    ks.set_now(wall_clock_ms());
    scratch_.clear();
    Reply reply(scratch_, 2);
    CommandContext ctx{server_, nullptr, ks, &ks.db(db_), reply, argv, cmd};
    cmd->handler(ctx);
    db_ = ctx.db->id;
    ++commands_;
    return Ok{};
}

}  // namespace snapstream
