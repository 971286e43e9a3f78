// The command table: every command's name, arity, flags, key positions and handler in one place.
//
// Arity follows Redis: N > 0 means exactly N arguments including the name, -N means at least N.
// Container commands (CONFIG, CLIENT, COMMAND, OBJECT, DEBUG) hold subcommands whose full name is
// "parent|sub" and whose arity counts the parent too (CONFIG GET: -3).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace snapstream {

struct CommandContext;
using CommandHandler = void (*)(CommandContext&);

// Command flags, named as COMMAND INFO reports them.
enum CommandFlag : uint32_t {
    kCmdWrite = 1u << 0,            // "write": may modify the keyspace
    kCmdReadonly = 1u << 1,         // "readonly"
    kCmdDenyOom = 1u << 2,          // "denyoom"
    kCmdAdmin = 1u << 3,            // "admin"
    kCmdPubsub = 1u << 4,           // "pubsub"
    kCmdNoscript = 1u << 5,         // "noscript"
    kCmdBlocking = 1u << 6,         // "blocking"
    kCmdLoading = 1u << 7,          // "loading": allowed while loading the dataset
    kCmdStale = 1u << 8,            // "stale": allowed on a replica with a broken link
    kCmdSkipMonitor = 1u << 9,      // "skip_monitor"
    kCmdSkipSlowlog = 1u << 10,     // "skip_slowlog"
    kCmdFast = 1u << 11,            // "fast"
    kCmdNoAuth = 1u << 12,          // "no_auth": allowed before AUTH
    kCmdMayReplicate = 1u << 13,    // "may_replicate"
    kCmdNoMulti = 1u << 14,         // "no_multi"
    kCmdAllowBusy = 1u << 15,       // "allow_busy"
    kCmdMovableKeys = 1u << 16,     // "movablekeys": set by CommandTable::add from numkeys_index
    kCmdNoAsyncLoading = 1u << 17,  // "no_async_loading"
    // Internal (not reported): runs at once inside MULTI instead of being queued (EXEC, DISCARD,
    // MULTI, WATCH, QUIT, RESET), as Redis's processCommand exempts them.
    kCmdTransactionControl = 1u << 31,
};

// ACL categories, named as COMMAND INFO reports them ("@keyspace", ...).
enum AclCategory : uint32_t {
    kAclKeyspace = 1u << 0,
    kAclRead = 1u << 1,
    kAclWrite = 1u << 2,
    kAclSet = 1u << 3,
    kAclSortedSet = 1u << 4,
    kAclList = 1u << 5,
    kAclHash = 1u << 6,
    kAclString = 1u << 7,
    kAclBitmap = 1u << 8,
    kAclHyperloglog = 1u << 9,
    kAclGeo = 1u << 10,
    kAclStream = 1u << 11,
    kAclPubsub = 1u << 12,
    kAclAdmin = 1u << 13,
    kAclFast = 1u << 14,
    kAclSlow = 1u << 15,
    kAclBlocking = 1u << 16,
    kAclDangerous = 1u << 17,
    kAclConnection = 1u << 18,
    kAclTransaction = 1u << 19,
    kAclScripting = 1u << 20,
};

struct CommandSpec {
    std::string name;  // lower case; subcommands: the sub name only ("get")
    int arity = 0;
    uint32_t flags = 0;
    uint32_t acl = 0;  // the explicit categories; CommandTable::add adds the implicit ones
    // Legacy key positions (COMMAND INFO): first key, last key (-1 = last arg), step; 0 = none.
    int first_key = 0;
    int last_key = 0;
    int key_step = 0;
    // Keys counted by an argument (ZUNIONSTORE dst numkeys k1 k2 ..., LMPOP numkeys k1 ...):
    // argv[numkeys_index] holds N and the keys are the N arguments after it; 0 = none. Redis 7.0
    // describes these with a "keynum" key spec and flags the command "movablekeys".
    int numkeys_index = 0;
    // The first key gets a key spec of its own in COMMAND INFO (set by CommandTable::add).
    bool first_key_apart = false;
    CommandHandler handler = nullptr;
    // Per-command counters for INFO commandstats (the table is otherwise immutable).
    mutable uint64_t calls = 0;
    mutable uint64_t usec = 0;
    mutable uint64_t rejected_calls = 0;
    mutable uint64_t failed_calls = 0;
    std::vector<CommandSpec> subcommands;
    const CommandSpec* parent = nullptr;  // set by CommandTable for subcommands

    // "get" or "config|get".
    std::string full_name() const;
    bool has(uint32_t flag) const { return (flags & flag) != 0; }
    const CommandSpec* find_subcommand(std::string_view name) const;  // case-insensitive
};

class CommandTable {
  public:
    void add(CommandSpec spec);
    // Case-insensitive lookup of a top-level command.
    const CommandSpec* find(std::string_view name) const;
    std::span<const std::unique_ptr<CommandSpec>> all() const { return specs_; }

  private:
    std::vector<std::unique_ptr<CommandSpec>> specs_;
    std::unordered_map<std::string, const CommandSpec*> by_name_;
};

// The argv indexes of a command's keys (legacy range, then the numkeys-counted ones); nullopt if
// the numkeys argument is not an integer in [0, the arguments left after it] (Redis's GETKEYS
// then answers "Invalid arguments specified for command").
std::optional<std::vector<size_t>> command_key_positions(const CommandSpec& c,
                                                         std::span<const std::string_view> argv);

// The node's table, built once on first use from every command family.
const CommandTable& command_table();

// Names for COMMAND INFO.
std::vector<std::string_view> command_flag_names(uint32_t flags);
std::vector<std::string_view> acl_category_names(uint32_t acl);

}  // namespace snapstream
