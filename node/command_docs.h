// COMMAND DOCS data: for every command, its summary, the version it appeared in (as Redis 7.0
// reports it), its group, its complexity and its argument tree, so that redis-cli 7 can show its
// argument hints and clients can introspect the server.
#pragma once

#include <string_view>

#include "node/command_table.h"
#include "node/reply.h"

namespace snapstream {

// Writes the COMMAND DOCS entry (the map value, not the name) for `spec`; subcommands are
// included under "subcommands" as Redis does.
void reply_command_docs(Reply& reply, const CommandSpec& spec);

// True when a docs entry exists for this full name ("get", "config|get").
bool has_command_docs(std::string_view full_name);

}  // namespace snapstream
