// Connection and server commands: PING, ECHO, TIME, QUIT, AUTH, HELLO, CLIENT, INFO, CONFIG,
// COMMAND, DEBUG, SHUTDOWN. Replies and errors as Redis 7.0 words them.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "common/glob.h"
#include "node/command_docs.h"
#include "node/command_util.h"
#include "node/info.h"
#include "node/list_type.h"
#include "node/log.h"
#include "node/master_link.h"

namespace snapstream {
namespace {

void cmd_ping(CommandContext& ctx) {
    if (ctx.argc() > 2) {
        ctx.reply.error("ERR wrong number of arguments for 'ping' command");
        return;
    }
    if (ctx.argc() == 1)
        ctx.reply.pong();
    else
        ctx.reply.bulk(ctx.arg(1));
}

void cmd_echo(CommandContext& ctx) {
    ctx.reply.bulk(ctx.arg(1));
}

void cmd_time(CommandContext& ctx) {
    const int64_t us = wall_clock_us();
    ctx.reply.array(2);
    ctx.reply.bulk_int(us / 1000000);
    ctx.reply.bulk_int(us % 1000000);
}

void cmd_quit(CommandContext& ctx) {
    ctx.reply.ok();
    if (ctx.client) ctx.client->close_after_reply();
}

// AUTH [username] password, against requirepass (the "default" user).
bool check_auth(CommandContext& ctx, std::string_view user, std::string_view pass) {
    const std::string& want = ctx.server.cfg().requirepass;
    if (user == "default" && !want.empty() && pass == want) {
        if (ctx.client) ctx.client->authenticated = true;
        return true;
    }
    ctx.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
}

void cmd_auth(CommandContext& ctx) {
    if (ctx.argc() > 3) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    if (ctx.argc() == 2 && ctx.server.cfg().requirepass.empty()) {
        ctx.reply.error(
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
        return;
    }
    std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : std::string_view("default");
    if (check_auth(ctx, user, ctx.arg(ctx.argc() - 1))) ctx.reply.ok();
}

bool valid_client_name(std::string_view name) {
    for (char c : name)
        if (c < '!' || c > '~') return false;
    return true;
}

void reply_hello(Reply& r, CommandContext& ctx);

void cmd_hello(CommandContext& ctx) {
    int64_t ver = 0;
    size_t next = 1;
    if (ctx.argc() >= 2) {
        auto v = parse_int64(ctx.arg(1));
        if (!v) {
            ctx.reply.error("ERR Protocol version is not an integer or out of range");
            return;
        }
        ver = *v;
        next = 2;
        if (ver < 2 || ver > 3) {
            ctx.reply.error("NOPROTO unsupported protocol version");
            return;
        }
    }
    std::optional<std::string_view> setname;
    for (size_t j = next; j < ctx.argc(); ++j) {
        const size_t more = ctx.argc() - j - 1;
        if (iequals(ctx.arg(j), "AUTH") && more >= 2) {
            if (!check_auth(ctx, ctx.arg(j + 1), ctx.arg(j + 2))) return;
            j += 2;
        } else if (iequals(ctx.arg(j), "SETNAME") && more >= 1) {
            setname = ctx.arg(j + 1);
            if (!valid_client_name(*setname)) {
                ctx.reply.error(
                    "ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            ++j;
        } else {
            ctx.reply.error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(j)) + "'");
            return;
        }
    }
    if (ctx.client && !ctx.client->authenticated) {
        ctx.reply.error(
            "NOAUTH HELLO must be called with the client already authenticated, "
            "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
            "authenticate the client and select the RESP protocol version at the same "
            "time");
        return;
    }
    if (setname && ctx.client) ctx.client->name = std::string(*setname);
    if (ver != 0 && ctx.client) ctx.client->resp = static_cast<int>(ver);
    Reply r(ctx.reply.buffer(),
            ctx.client ? ctx.client->resp : 2);  // the reply uses the new protocol
    reply_hello(r, ctx);
}

void reply_hello(Reply& r, CommandContext& ctx) {
    r.map(7);
    r.bulk("server");
    r.bulk("redis");
    r.bulk("version");
    r.bulk("7.0.15");
    r.bulk("proto");
    r.integer(r.resp());
    r.bulk("id");
    r.integer(ctx.client ? static_cast<int64_t>(ctx.client->id()) : 0);
    r.bulk("mode");
    r.bulk("standalone");
    r.bulk("role");
    r.bulk("master");
    r.bulk("modules");
    r.empty_array();
}

// ---- CLIENT ----

void cmd_client_id(CommandContext& ctx) {
    ctx.reply.integer(ctx.client ? static_cast<int64_t>(ctx.client->id()) : 0);
}

void cmd_client_setname(CommandContext& ctx) {
    if (!valid_client_name(ctx.arg(2))) {
        ctx.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    if (ctx.client) ctx.client->name = std::string(ctx.arg(2));
    ctx.reply.ok();
}

void cmd_client_getname(CommandContext& ctx) {
    if (ctx.client && !ctx.client->name.empty())
        ctx.reply.bulk(ctx.client->name);
    else
        ctx.reply.null();
}

void cmd_client_info(CommandContext& ctx) {
    ctx.reply.verbatim(ctx.client ? ctx.client->info_line() + "\n" : std::string());
}

void cmd_client_list(CommandContext& ctx) {
    std::vector<uint64_t> ids;
    for (size_t j = 2; j < ctx.argc(); ++j) {
        if (iequals(ctx.arg(j), "type") && j + 1 < ctx.argc()) {
            std::string_view t = ctx.arg(j + 1);
            if (!iequals(t, "normal") && !iequals(t, "master") && !iequals(t, "replica") &&
                !iequals(t, "slave") && !iequals(t, "pubsub")) {
                ctx.reply.error("ERR Unknown client type '" + std::string(t) + "'");
                return;
            }
            if (!iequals(t, "normal")) {
                ctx.reply.bulk("");
                return;
            }
            ++j;
        } else if (iequals(ctx.arg(j), "id") && j + 1 < ctx.argc()) {
            for (++j; j < ctx.argc(); ++j) {
                auto id = parse_int64(ctx.arg(j));
                if (!id || *id < 1) {
                    ctx.reply.error("ERR Invalid client ID");
                    return;
                }
                ids.push_back(static_cast<uint64_t>(*id));
            }
        } else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    std::string out;
    for (auto& [id, c] : ctx.server.clients()) {
        if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
        out += c->info_line();
        out += '\n';
    }
    ctx.reply.verbatim(out);
}

void cmd_client_kill(CommandContext& ctx) {
    std::optional<std::string_view> addr, laddr;
    uint64_t id = 0;
    bool skipme = true;
    // TYPE filter: "" = any; normal, master, replica, pubsub.
    std::string type;
    if (ctx.argc() == 3) {
        addr = ctx.arg(2);
        skipme = false;
    } else if (ctx.argc() > 3) {
        for (size_t i = 2; i < ctx.argc(); i += 2) {
            const bool more = ctx.argc() > i + 1;
            std::string_view opt = ctx.arg(i);
            if (iequals(opt, "id") && more) {
                auto v = parse_int64(ctx.arg(i + 1));
                if (!v || *v < 1) {
                    ctx.reply.error("ERR client-id should be greater than 0");
                    return;
                }
                id = static_cast<uint64_t>(*v);
            } else if (iequals(opt, "type") && more) {
                std::string_view t = ctx.arg(i + 1);
                if (iequals(t, "normal"))
                    type = "normal";
                else if (iequals(t, "master"))
                    type = "master";
                else if (iequals(t, "pubsub"))
                    type = "pubsub";
                else if (iequals(t, "replica") || iequals(t, "slave"))
                    type = "replica";
                else {
                    ctx.reply.error("ERR Unknown client type '" + std::string(t) + "'");
                    return;
                }
            } else if (iequals(opt, "addr") && more) {
                addr = ctx.arg(i + 1);
            } else if (iequals(opt, "laddr") && more) {
                laddr = ctx.arg(i + 1);
            } else if (iequals(opt, "user") && more) {
                if (ctx.arg(i + 1) != "default") {
                    ctx.reply.error("ERR No such user '" + std::string(ctx.arg(i + 1)) + "'");
                    return;
                }
            } else if (iequals(opt, "skipme") && more) {
                if (iequals(ctx.arg(i + 1), "yes"))
                    skipme = true;
                else if (iequals(ctx.arg(i + 1), "no"))
                    skipme = false;
                else {
                    ctx.reply.error(kErrSyntax);
                    return;
                }
            } else {
                ctx.reply.error(kErrSyntax);
                return;
            }
        }
    } else {
        ctx.reply.error(kErrSyntax);
        return;
    }
    std::vector<std::shared_ptr<Client>> victims;
    bool close_self = false;
    int64_t killed = 0;
    if (type == "master") {
        if (MasterLink* link = ctx.server.master_link();
            link && link->state() != MasterLink::State::Connect && !addr && id == 0) {
            link->kill("Connection with master lost (CLIENT KILL TYPE master).");
            ++killed;
        }
    } else if (type != "pubsub") {
        for (auto& [cid, c] : ctx.server.clients()) {
            if (type == "normal" && c->is_replica()) continue;
            if (type == "replica" && !c->is_replica()) continue;
            if (addr && c->addr != *addr) continue;
            if (laddr && c->laddr != *laddr) continue;
            if (id != 0 && cid != id) continue;
            if (c.get() == ctx.client && skipme) continue;
            if (c.get() == ctx.client)
                close_self = true;
            else
                victims.push_back(c);
            ++killed;
        }
    }
    for (auto& v : victims) v->close();
    if (ctx.argc() == 3) {
        if (killed == 0)
            ctx.reply.error("ERR No such client");
        else
            ctx.reply.ok();
    } else {
        ctx.reply.integer(killed);
    }
    if (close_self && ctx.client) ctx.client->close_after_reply();
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command as if it had timed out
// (its timeout reply) or with an -UNBLOCKED error; 1 if that client was blocked, else 0.
void cmd_client_unblock(CommandContext& ctx) {
    if (ctx.argc() > 4) {
        reply_subcommand_syntax_error(ctx);
        return;
    }
    bool with_error = false;
    if (ctx.argc() == 4) {
        if (iequals(ctx.arg(3), "error")) {
            with_error = true;
        } else if (!iequals(ctx.arg(3), "timeout")) {
            ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    auto id = int_arg(ctx, ctx.arg(2));
    if (!id) return;
    auto& clients = ctx.server.clients();
    auto it = *id > 0 ? clients.find(static_cast<uint64_t>(*id)) : clients.end();
    if (it == clients.end() || !it->second->blocked) {
        ctx.reply.integer(0);
        return;
    }
    Client& target = *it->second;
    if (with_error) {
        Reply(target.out, target.resp).error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        ctx.server.unblock_client(target, false);
    } else {
        ctx.server.unblock_client(target, true);
    }
    ctx.reply.integer(1);
}

void cmd_client_help(CommandContext& ctx) {
    reply_help(ctx, {"GETNAME",
                     "    Return the name of the current connection.",
                     "ID",
                     "    Return the ID of the current connection.",
                     "INFO",
                     "    Return information about the current client connection.",
                     "KILL <ip:port>",
                     "    Kill connection made from <ip:port>.",
                     "KILL <option> <value> [<option> <value> [...]]",
                     "    Kill connections. Options are:",
                     "    * ADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made from the specified address",
                     "    * LADDR (<ip:port>|<unixsocket>:0)",
                     "      Kill connections made to specified local address",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Kill connections by type.",
                     "    * USER <username>",
                     "      Kill connections authenticated by <username>.",
                     "    * SKIPME (YES|NO)",
                     "      Skip killing current connection (default: yes).",
                     "    * ID <client-id>",
                     "      Kill connections by client id.",
                     "LIST [options ...]",
                     "    Return information about client connections. Options:",
                     "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                     "      Return clients of specified type.",
                     "SETNAME <name>",
                     "    Assign the name <name> to the current connection.",
                     "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                     "    Unblock the specified blocked client."});
}

// ---- INFO / CONFIG ----

void cmd_info(CommandContext& ctx) {
    std::vector<std::string_view> sections(ctx.argv.begin() + 1, ctx.argv.end());
    ctx.reply.verbatim(render_info(ctx.server, sections));
}

void cmd_config_get(CommandContext& ctx) {
    std::vector<std::string_view> patterns(ctx.argv.begin() + 2, ctx.argv.end());
    auto pairs = config::get(ctx.server.cfg(), patterns);
    ctx.reply.map(pairs.size());
    for (auto& [k, v] : pairs) {
        ctx.reply.bulk(k);
        ctx.reply.bulk(v);
    }
}

void cmd_config_set(CommandContext& ctx) {
    if (ctx.argc() % 2 != 0) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (size_t i = 2; i + 1 < ctx.argc(); i += 2) pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
    config::Config previous = ctx.server.cfg();
    auto changed = config::set(ctx.server.cfg(), pairs);
    if (!changed) {
        ctx.reply.error(changed.error());
        return;
    }
    if (auto err = ctx.server.apply_config_change(*changed, previous)) {
        spdlog::warn("CONFIG SET failed: {}", *err);
        ctx.server.cfg() = previous;
        ctx.reply.error("ERR CONFIG SET failed (possibly related to argument '" +
                        std::string(pairs.front().first) + "') - " + *err);
        return;
    }
    ctx.reply.ok();
}

void cmd_config_resetstat(CommandContext& ctx) {
    ctx.server.reset_stats();
    ctx.reply.ok();
}

void cmd_config_rewrite(CommandContext& ctx) {
    if (ctx.server.cfg().config_file.empty()) {
        ctx.reply.error("ERR The server is running without a config file");
        return;
    }
    auto st = config::rewrite(ctx.server.cfg());
    if (!st) {
        spdlog::warn("CONFIG REWRITE failed: {}", st.error());
        ctx.reply.error("ERR Rewriting config file: " + st.error());
        return;
    }
    spdlog::info("CONFIG REWRITE executed with success.");
    ctx.reply.ok();
}

void cmd_config_help(CommandContext& ctx) {
    reply_help(ctx, {"GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
                     "RESETSTAT", "    Reset statistics reported by the INFO command.", "REWRITE",
                     "    Rewrite the configuration file."});
}

// ---- COMMAND ----

void reply_command_info(Reply& r, const CommandSpec& c) {
    r.array(10);
    r.bulk(c.full_name());
    r.integer(c.arity);
    auto flags = command_flag_names(c.flags);
    r.array(flags.size());
    for (auto f : flags) r.simple(f);
    r.integer(c.first_key);
    r.integer(c.last_key);
    r.integer(c.key_step);
    auto acl = acl_category_names(c.acl);
    r.array(acl.size());
    for (auto a : acl) r.simple(a);
    r.empty_array();  // tips
    // Key specs: one from the legacy positions, one "keynum" spec for counted keys.
    const char* access = (c.flags & kCmdWrite) ? "RW" : "RO";
    const bool apart = c.first_key > 0 && c.first_key_apart;
    r.array((c.first_key > 0 ? 1 : 0) + (apart ? 1 : 0) + (c.numkeys_index > 0 ? 1 : 0));
    auto spec_head = [&](int begin_index, const char* flags) {
        r.map(3);
        r.bulk("flags");
        r.array(1);
        r.simple(flags);
        r.bulk("begin_search");
        r.map(2);
        r.bulk("type");
        r.bulk("index");
        r.bulk("spec");
        r.map(1);
        r.bulk("index");
        r.integer(begin_index);
        r.bulk("find_keys");
        r.map(2);
        r.bulk("type");
    };
    auto range_spec = [&](int first, int last, int step, const char* flags) {
        spec_head(first, flags);
        r.bulk("range");
        r.bulk("spec");
        r.map(3);
        r.bulk("lastkey");
        r.integer(last < 0 ? last : last - first);
        r.bulk("keystep");
        r.integer(step);
        r.bulk("limit");
        r.integer(0);
    };
    if (apart) {
        // RENAME src dst, SINTERSTORE dst k1 ...: the first key, then the rest, as Redis splits
        // them (Redis also tells their access apart; here both carry the command's).
        range_spec(c.first_key, c.first_key, 1, access);
        range_spec(c.first_key + 1, c.last_key, c.key_step, access);
    } else if (c.first_key > 0) {
        range_spec(c.first_key, c.last_key, c.key_step, access);
    }
    if (c.numkeys_index > 0) {
        spec_head(c.numkeys_index, access);
        r.bulk("keynum");
        r.bulk("spec");
        r.map(3);
        r.bulk("keynumidx");
        r.integer(0);
        r.bulk("firstkey");
        r.integer(1);
        r.bulk("keystep");
        r.integer(1);
    }
    r.array(c.subcommands.size());
    for (const auto& sub : c.subcommands) reply_command_info(r, sub);
}

const CommandSpec* find_by_full_name(std::string_view name) {
    size_t bar = name.find('|');
    const CommandSpec* c = command_table().find(name.substr(0, bar));
    if (!c || bar == std::string_view::npos) return c;
    return c->find_subcommand(name.substr(bar + 1));
}

void cmd_command(CommandContext& ctx) {
    const auto all = command_table().all();
    ctx.reply.array(all.size());
    for (const auto& c : all) reply_command_info(ctx.reply, *c);
}

void cmd_command_count(CommandContext& ctx) {
    ctx.reply.integer(static_cast<int64_t>(command_table().all().size()));
}

void cmd_command_info(CommandContext& ctx) {
    if (ctx.argc() == 2) {
        cmd_command(ctx);
        return;
    }
    ctx.reply.array(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
        const CommandSpec* c = find_by_full_name(ctx.arg(i));
        if (c)
            reply_command_info(ctx.reply, *c);
        else
            ctx.reply.null_array();
    }
}

void cmd_command_docs(CommandContext& ctx) {
    std::vector<const CommandSpec*> specs;
    if (ctx.argc() == 2) {
        for (const auto& c : command_table().all()) specs.push_back(c.get());
    } else {
        for (size_t i = 2; i < ctx.argc(); ++i)
            if (const CommandSpec* c = find_by_full_name(ctx.arg(i))) specs.push_back(c);
    }
    ctx.reply.map(specs.size());
    for (const CommandSpec* c : specs) {
        ctx.reply.bulk(c->full_name());
        reply_command_docs(ctx.reply, *c);
    }
}

void cmd_command_list(CommandContext& ctx) {
    std::optional<std::string_view> pattern;
    if (ctx.argc() == 5 && iequals(ctx.arg(2), "filterby") && iequals(ctx.arg(3), "pattern")) {
        pattern = ctx.arg(4);
    } else if (ctx.argc() != 2) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    std::vector<std::string> names;
    for (const auto& c : command_table().all()) {
        if (!pattern || glob_match(*pattern, c->name, true)) names.push_back(c->name);
        for (const auto& sub : c->subcommands)
            if (!pattern || glob_match(*pattern, sub.full_name(), true))
                names.push_back(sub.full_name());
    }
    ctx.reply.array(names.size());
    for (auto& n : names) ctx.reply.bulk(n);
}

void cmd_command_getkeys(CommandContext& ctx) {
    const CommandSpec* c = command_table().find(ctx.arg(2));
    if (c && !c->subcommands.empty() && ctx.argc() > 3) c = c->find_subcommand(ctx.arg(3));
    if (!c) {
        ctx.reply.error("ERR Invalid command specified");
        return;
    }
    const int argc = static_cast<int>(ctx.argc()) - 2;
    if ((c->arity > 0 && c->arity != argc) || argc < -c->arity) {
        ctx.reply.error("ERR Invalid number of arguments specified for command");
        return;
    }
    auto keys = command_key_positions(*c, ctx.argv.subspan(2));
    if (!keys) {
        ctx.reply.error("ERR Invalid arguments specified for command");
        return;
    }
    if (keys->empty()) {
        ctx.reply.error("ERR The command has no key arguments");
        return;
    }
    ctx.reply.array(keys->size());
    for (size_t i : *keys) ctx.reply.bulk(ctx.arg(i + 2));
}

void cmd_command_help(CommandContext& ctx) {
    reply_help(ctx,
               {"(no subcommand)", "    Return details about all Redis commands.", "COUNT",
                "    Return the total number of commands in this Redis server.", "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.", "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.", "GETKEYS <full-command>",
                "    Return the keys from a full Redis command."});
}

// ---- DEBUG / SHUTDOWN ----

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the snapshot, empty the keyspace, load the
// snapshot back (each step skippable), as Redis 7.0 does.
void debug_reload(CommandContext& ctx) {
    bool flush = true, save = true, merge = false;
    for (size_t i = 2; i < ctx.argc(); ++i) {
        std::string_view o = ctx.arg(i);
        if (iequals(o, "merge"))
            merge = true;
        else if (iequals(o, "noflush"))
            flush = false;
        else if (iequals(o, "nosave"))
            save = false;
        else {
            ctx.reply.error(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    Server& server = ctx.server;
    if (save && !server.save_snapshot()) {
        ctx.reply.error("ERR");
        return;
    }
    if (flush) {
        for (int i = 0; i < ctx.ks.count(); ++i) server.touch_all_watched_keys_in_db(i, -1);
        ctx.ks.flush_all();
    }
    if (Status loaded = server.load_snapshot(merge); !loaded) {
        spdlog::warn("Error trying to load the RDB dump: {}", loaded.error());
        ctx.reply.error("ERR Error trying to load the RDB dump, check server logs.");
        return;
    }
    spdlog::warn("DB reloaded by DEBUG RELOAD");
    ctx.reply.ok();
}

void cmd_debug(CommandContext& ctx) {
    std::string_view sub = ctx.arg(1);
    if (iequals(sub, "help") && ctx.argc() == 2) {
        reply_help(
            ctx, {"LOADAOF", "    Flush the AOF buffers on disk and reload the AOF in memory.",
                  "OBJECT <key>", "    Show low-level info about the key and associated value.",
                  "SET-ACTIVE-EXPIRE <0|1>",
                  "    Setting it to 0 disables expiring keys in background when they are not",
                  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                  "    default.", "SLEEP <seconds>",
                  "    Stop the server for <seconds>. Decimals allowed."});
    } else if (iequals(sub, "reload")) {
        debug_reload(ctx);
    } else if (iequals(sub, "loadaof")) {  // extra arguments ignored, as Redis does
        // What the replay changes was propagated long ago.
        ctx.prevent_propagation();
        if (Status r = ctx.server.reload_aof(); !r) {
            // As Redis (which exits): the dataset is half loaded, so the node stops.
            spdlog::warn("Fatal error loading the AOF by DEBUG LOADAOF: {}", r.error());
            spdlog::shutdown();
            std::_Exit(1);
        }
        spdlog::warn("Append Only File loaded by DEBUG LOADAOF");
        ctx.reply.ok();
    } else if (iequals(sub, "set-active-expire") && ctx.argc() == 3) {
        ctx.server.set_active_expire(ctx.arg(2) != "0");
        ctx.reply.ok();
    } else if (iequals(sub, "sleep") && ctx.argc() == 3) {
        auto secs = parse_long_double(ctx.arg(2));
        double s = secs ? static_cast<double>(*secs) : 0.0;
        if (s > 0 && std::isfinite(s))
            std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(s * 1e6)));
        ctx.reply.ok();
    } else if (iequals(sub, "object") && ctx.argc() == 3) {
        Entry* e = ctx.ks.peek(*ctx.db, ctx.arg(2));
        if (!e || ctx.ks.is_expired(*ctx.db, e)) {
            ctx.reply.error(kErrNoKey);
            return;
        }
        char buf[256];
        const uint32_t now = ctx.ks.lru_clock();
        std::snprintf(buf, sizeof(buf),
                      "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u "
                      "lru_seconds_idle:%u",
                      static_cast<const void*>(&e->value), encoding_name(e->value),
                      e->value.is_string() ? e->value.str_len() : size_t{0},
                      static_cast<unsigned>(e->lru), now >= e->lru ? now - e->lru : 0u);
        std::string line(buf);
        if (e->value.type() == ValueType::List) line += quicklist_debug_fields(e->value);
        ctx.reply.simple(line);
    } else {
        ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                        std::string(sub) + "'. Try DEBUG HELP.");
    }
}

void cmd_shutdown(CommandContext& ctx) {
    ShutdownFlags flags;
    bool abort = false, now = false;
    for (size_t i = 1; i < ctx.argc(); ++i) {
        std::string_view a = ctx.arg(i);
        if (iequals(a, "nosave"))
            flags.nosave = true;
        else if (iequals(a, "save"))
            flags.save = true;
        else if (iequals(a, "now"))
            now = true;  // no replicas to wait for yet
        else if (iequals(a, "force"))
            flags.force = true;
        else if (iequals(a, "abort"))
            abort = true;
        else {
            ctx.reply.error(kErrSyntax);
            return;
        }
    }
    if ((abort && (flags.nosave || flags.save || now || flags.force)) ||
        (flags.nosave && flags.save)) {
        ctx.reply.error(kErrSyntax);
        return;
    }
    if (abort) {
        ctx.reply.error("ERR No shutdown in progress.");
        return;
    }
    // On success the caller gets no reply: the connection closes as the process exits.
    if (!ctx.server.shutdown(false, flags))
        ctx.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
}

}  // namespace

void register_server_commands(CommandTable& t) {
    constexpr uint32_t F = kCmdFast, L = kCmdLoading, S = kCmdStale, A = kCmdAdmin,
                       N = kCmdNoscript;
    auto add = [&](const char* name, int arity, uint32_t flags, uint32_t acl, CommandHandler h) {
        t.add(CommandSpec{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = h});
    };
    auto sub = [](const char* name, int arity, uint32_t flags, uint32_t acl, CommandHandler h) {
        return CommandSpec{.name = name, .arity = arity, .flags = flags, .acl = acl, .handler = h};
    };
    add("ping", -1, F, kAclConnection, cmd_ping);
    add("echo", 2, F | L | S, kAclConnection, cmd_echo);
    add("time", 1, L | S | F, 0, cmd_time);
    add("quit", -1, kCmdAllowBusy | N | L | S | F | kCmdNoAuth | kCmdTransactionControl,
        kAclConnection, cmd_quit);
    add("auth", -2, N | L | S | F | kCmdNoAuth | kCmdAllowBusy, kAclConnection, cmd_auth);
    add("hello", -1, N | L | S | F | kCmdNoAuth | kCmdAllowBusy, kAclConnection, cmd_hello);
    add("info", -1, L | S, kAclDangerous, cmd_info);
    add("debug", -2, A | N | L | S, kAclAdmin | kAclDangerous, cmd_debug);
    add("shutdown", -1, A | N | L | S | kCmdNoMulti | kCmdAllowBusy, kAclAdmin | kAclDangerous,
        cmd_shutdown);
    t.add(CommandSpec{
        .name = "client",
        .arity = -2,
        .acl = kAclSlow,
        .subcommands = {sub("id", 2, N | L | S, kAclConnection, cmd_client_id),
                        sub("setname", 3, N | L | S, kAclConnection, cmd_client_setname),
                        sub("getname", 2, N | L | S, kAclConnection, cmd_client_getname),
                        sub("info", 2, N | L | S, kAclConnection, cmd_client_info),
                        sub("list", -2, A | N | L | S, kAclAdmin | kAclConnection | kAclDangerous,
                            cmd_client_list),
                        sub("kill", -3, A | N | L | S, kAclAdmin | kAclConnection | kAclDangerous,
                            cmd_client_kill),
                        sub("unblock", -3, A | N | L | S,
                            kAclAdmin | kAclConnection | kAclDangerous, cmd_client_unblock),
                        sub("help", 2, L | S, kAclConnection, cmd_client_help)}});
    t.add(CommandSpec{
        .name = "config",
        .arity = -2,
        .acl = kAclSlow,
        .subcommands = {
            sub("get", -3, A | N | L | S, kAclAdmin | kAclDangerous, cmd_config_get),
            sub("set", -4, A | N | L | S, kAclAdmin | kAclDangerous, cmd_config_set),
            sub("resetstat", 2, A | N | L | S, kAclAdmin | kAclDangerous, cmd_config_resetstat),
            sub("rewrite", 2, A | N | L | S, kAclAdmin | kAclDangerous, cmd_config_rewrite),
            sub("help", 2, L | S, 0, cmd_config_help)}});
    t.add(
        CommandSpec{.name = "command",
                    .arity = -1,
                    .flags = L | S,
                    .acl = kAclConnection | kAclSlow,
                    .handler = cmd_command,
                    .subcommands = {sub("count", 2, L | S, kAclConnection, cmd_command_count),
                                    sub("info", -2, L | S, kAclConnection, cmd_command_info),
                                    sub("docs", -2, L | S, kAclConnection, cmd_command_docs),
                                    sub("list", -2, L | S, kAclConnection, cmd_command_list),
                                    sub("getkeys", -4, L | S, kAclConnection, cmd_command_getkeys),
                                    sub("help", 2, L | S, kAclConnection, cmd_command_help)}});
}

}  // namespace snapstream
