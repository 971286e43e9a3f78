// Random command generation for the differential test (snapstream vs redis-server).
//
// Commands come from a registry of generators, one per command form, grouped in families
// (strings, keyspace, expiry, databases, connection). A later issue adds a family by writing
// generator functions and listing them in a new `*_family()` function in generator.cpp and in
// all_families(). Each generator says how its reply is compared (CompareMode).
//
// Determinism: the same seed gives the same commands (own PRNG, no <random> distributions).
// Expiry times are chosen so that both servers reach the same decisions even though they run
// the command a few microseconds apart: relative TTLs are >= 100 s and strictly increase with the
// command index (so NX/XX/GT/LT comparisons between two relative expiries never tie), absolute
// times are either far in the past (delete now) or ~3 years ahead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snapstream::test::diff {

// xoshiro256** seeded through splitmix64: the same sequence on every platform.
class Rng {
  public:
    explicit Rng(uint64_t seed);
    uint64_t next();
    // Uniform in [0, n) (n > 0; modulo bias is irrelevant here).
    uint64_t below(uint64_t n) { return next() % n; }
    int64_t range(int64_t lo, int64_t hi) {  // inclusive
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
    }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }

  private:
    uint64_t s_[4];
};

enum class CompareMode {
    Exact,        // replies must be equal
    SortedArray,  // KEYS: arrays compared as sorted multisets
    TtlSeconds,   // TTL / EXPIRETIME: -1/-2 exact, other values within 1
    TtlMillis,    // PTTL / PEXPIRETIME: -1/-2 exact, other values within kPttlTolerance
    Scan,         // SCAN 0 ...: each server iterated to completion, key sets compared
    RandomKey,    // RANDOMKEY: nil iff that server's db is empty, else a key that exists there
    SortedPairs,  // HGETALL: flat [field, value, ...] arrays compared with their pairs sorted
    // HSCAN / SSCAN / ZSCAN key 0 ...: each server iterated to completion, the element sets (or
    // field/value, member/score pairs) compared.
    CollectionScan,
    // SRANDMEMBER / HRANDFIELD / ZRANDMEMBER (every form): errors exact; otherwise each reply is
    // checked against that server's own collection (shape, count, distinct for positive counts,
    // membership, field/value and member/score pairs) and the two shapes must agree.
    RandomMembers,
    // SPOP key [count]: checked against the set as it was before the command (shape, count,
    // distinct members of it); then snapstream's set is re-synced to Redis's choice (SADD of what
    // only snapstream popped, SREM of what only Redis popped), so the streams stay comparable.
    RandomPop,
};

struct GeneratedCommand {
    std::vector<std::string> args;
    CompareMode mode = CompareMode::Exact;
    // Commands sent to both servers right after this one, replies compared exactly (e.g. a GET
    // that lazily expires a key SET with a past EXAT, so that no already-expired key lingers
    // until the active expiry cycle happens to sample it).
    std::vector<std::vector<std::string>> follow_up;
};

class GenContext;
using GeneratorFn = GeneratedCommand (*)(GenContext&);

struct CommandGenerator {
    const char* name;  // for statistics and SNAPSTREAM_DIFF_SKIP
    int weight;        // relative frequency
    GeneratorFn make;
};

struct CommandFamily {
    const char* name;
    std::vector<CommandGenerator> generators;
};

CommandFamily list_family();
CommandFamily hash_family();
CommandFamily set_family();

// Every family; the differential test draws from all of them.
const std::vector<CommandFamily>& all_families();
CommandFamily zset_family();

class GenContext {
  public:
    GenContext(uint64_t seed, int64_t now_unix_seconds);

    Rng& rng() { return rng_; }
    // Index of the command being generated (set by the driver before each command).
    int64_t index = 0;
    int64_t now_s() const { return now_s_; }

    // A key from the small shared key space (so keys collide and types interact).
    std::string key();
    // A key for a family's commands: half the time one of the family's own keys
    // ("<prefix>:a", ":b", ":c"), so that its commands (multi-key ones especially) meet values of
    // their type more often than WRONGTYPE; otherwise a key of the shared pool.
    std::string key_for(std::string_view prefix);
    // 1..max distinct-or-not keys.
    std::vector<std::string> keys(int min, int max);
    // A value: small/large ints, floats, binary, long, empty, ...
    std::string value();
    // An integer argument (for INCRBY, ranges, offsets...), sometimes not an integer at all.
    std::string int_arg();
    // A float argument for INCRBYFLOAT.
    std::string float_arg();
    // A GETRANGE index.
    std::string range_index();
    // A SETRANGE offset (bounded, negative, or past 512 MB).
    std::string setrange_offset();
    // A KEYS / SCAN MATCH pattern.
    std::string pattern();
    // A database index (mostly 0..3, sometimes invalid).
    std::string db_index();

    // Relative TTLs (see the header comment): seconds and milliseconds.
    std::string rel_seconds();
    std::string rel_millis();
    // Absolute unix times: far future or (if allow_past) in the past.
    std::string abs_seconds(bool allow_past = true);
    std::string abs_millis(bool allow_past = true);
    // An expire argument for the given unit that is sometimes invalid (0, negative, overflow,
    // not a number). allow_past = false for SET ... EXAT/PXAT: Redis 7.0 stores such a key with
    // its past expiry and leaves it to lazy/active expiry, so DBSIZE (and SCAN TYPE none) would
    // depend on the moment the active expiry cycle runs.
    std::string expire_arg(bool millis, bool absolute, bool allow_past = true);

    // An option keyword in random letter case ("ex", "Ex", "EX").
    std::string opt(std::string_view keyword);
    // A command name in random letter case.
    std::string name(std::string_view command);

  private:
    std::string random_bytes(size_t n, bool binary);
    Rng rng_;
    int64_t now_s_;
};

// HSCAN / SSCAN / ZSCAN `key` 0 [MATCH p] [COUNT n] compared as CollectionScan, with MATCH
// patterns from `patterns` or pattern(); sometimes a bad cursor, COUNT or option (compared
// exactly).
GeneratedCommand collection_scan(GenContext& c, std::string_view command, std::string key,
                                 const std::vector<std::string>& patterns);

// Draws one command: picks a generator by weight, runs it, and sometimes mutates the arity
// (drops the last argument or appends one). `skip` names generators to leave out.
GeneratedCommand generate(GenContext& ctx, const std::vector<std::string>& skip);

}  // namespace snapstream::test::diff
