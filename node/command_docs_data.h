// The data behind COMMAND DOCS and the small notation its argument trees are written in.
//
// Each command's arguments are written as one usage string in the conventional notation, e.g.
//
//   key value [condition: NX | XX]@2.6.12 [GET]@6.2.0 [expiration: EX seconds | KEEPTTL]
//
// and parse_doc_syntax() turns that into the argument tree COMMAND DOCS reports:
//
//   word          an argument ("key", "unix-time-seconds"); lower case letters, digits, '-', '_'
//                 and '/'. Its type comes from its name (key, destination, source, newkey, dst
//                 and src are keys; pattern is a pattern; unix-time-* is a unix-time; count,
//                 start, timeout, ... are integers; score, min and max are doubles; anything else
//                 is a string) unless written explicitly: "timeout:double", "min:string".
//   'odd name'    an argument whose name has other characters ('ip:port').
//   TOKEN         an upper-case word: a pure token ([GET]) or, when an argument follows it in the
//                 same sequence, that argument's token (EX seconds).
//   [ ... ]       optional. One alternative: "[EX seconds]" is the argument itself, optional;
//                 "[LIMIT offset count]" is a block carrying the token LIMIT.
//   < ... >       required grouping: "<LEFT | RIGHT>" is a oneof, "<host port>" is a block.
//   a | b         a oneof of the alternatives (only inside [ ] or < >).
//   x [x ...]     x may be repeated ("multiple"); "GET pattern [GET pattern ...]" repeats the token
//                 too ("multiple_token"); "x [...]" is a shorthand that repeats the element before.
//   [name: ...]   names the argument a group produces (default: its parts' names joined by '_',
//   <name: ...>   or the lower-cased token of a pure token).
//   x@6.2.0       the version the argument appeared in ("since"); x!2.8.12 its deprecated_since.
//
// Anything else (unbalanced brackets, a misplaced "...", a repetition that does not repeat what
// precedes it, two tokens for one argument, unknown types, [[x]]) is rejected with a message.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "node/reply.h"

namespace snapstream {

// In COMMAND DOCS order: "string", "integer", "double", "key", "pattern", "unix-time",
// "pure-token", "oneof", "block".
enum class DocArgType {
    kString,
    kInteger,
    kDouble,
    kKey,
    kPattern,
    kUnixTime,
    kPureToken,
    kOneof,
    kBlock
};

std::string_view doc_arg_type_name(DocArgType type);

struct DocArg {
    std::string name;
    DocArgType type = DocArgType::kString;
    int key_spec_index = -1;  // keys only: 0, 1, ... in the order key arguments appear
    std::string token;        // empty when none
    std::string since;
    std::string deprecated_since;
    bool optional = false;
    bool multiple = false;
    bool multiple_token = false;
    std::vector<DocArg> args;  // oneof / block only

    bool operator==(const DocArg&) const = default;
};

// Parses a usage string (see above); an empty string means no arguments.
Result<std::vector<DocArg>> parse_doc_syntax(std::string_view syntax);

// The one-line hint redis-cli 7 builds from these arguments ("key value [NX|XX] [GET] ...").
std::string doc_args_hint(const std::vector<DocArg>& args);

// Writes the "arguments" array of COMMAND DOCS for `args`.
void write_doc_args(Reply& reply, const std::vector<DocArg>& args);

struct CommandDocEntry {
    std::string_view name;             // full name, lower case: "get", "config|get"
    std::string_view group;            // "generic", "string", "list", "server", ...
    std::string_view since;            // the Redis version the command appeared in
    std::string_view complexity = {};  // empty: not reported
    std::string_view summary;
    std::string_view syntax = {};  // usage string; empty: the command takes no arguments
    // One change per line: "<version> <what changed>\n...".
    std::string_view history = {};
    std::string_view deprecated_since = {};  // non-empty also reports the "deprecated" doc flag
    std::string_view replaced_by = {};
    bool syscmd = false;  // the "syscmd" doc flag: not meant to be called by users
};

// Every docs entry, in a fixed order (command_docs_data.cpp).
std::span<const CommandDocEntry> command_doc_entries();

// The entry for a full name, or nullptr.
const CommandDocEntry* find_command_doc_entry(std::string_view full_name);

}  // namespace snapstream
