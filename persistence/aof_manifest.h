// The Redis 7.0 multi-part AOF layout: a directory (`appenddirname`, default "appendonlydir")
// holding one BASE file, ordered INCR files, and a manifest naming them.
//
// File names (appendfilename = "appendonly.aof" by default):
//   appendonly.aof.<seq>.base.rdb    BASE written with the RDB preamble (aof-use-rdb-preamble yes)
//   appendonly.aof.<seq>.base.aof    BASE written as commands
//   appendonly.aof.<seq>.incr.aof    INCR: the write stream since the BASE, in RESP
//   appendonly.aof.manifest          the manifest
//   temp-appendonly.aof.manifest     a manifest being written (renamed over the real one)
//
// Manifest: one line per file, "\n"-terminated, as Redis 7.0 writes it:
//   file appendonly.aof.2.base.rdb seq 2 type b
//   file appendonly.aof.1.base.rdb seq 1 type h
//   file appendonly.aof.3.incr.aof seq 3 type i
// key/value pairs separated by spaces; a file name containing spaces or special characters is
// written quoted (sdscatrepr-style) and parsed back; lines starting with '#' are comments; keys
// other than file/seq/type are ignored. Order written: the base, then history files, then incr
// files in ascending seq. Type b = base (at most one), h = history (replaced, to be deleted),
// i = incr (replayed in seq order after the base).
//
// Redis 7.0 upgrades a pre-7.0 single `appendonly.aof` in `dir` by moving it into the directory
// and naming it the BASE with its own name ("file appendonly.aof seq 1 type b").
//
// Nothing here logs; errors are values naming the file and line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace snapstream {

enum class AofFileType : char { Base = 'b', History = 'h', Incr = 'i' };

struct AofFileInfo {
    std::string name;
    int64_t seq = 0;
    AofFileType type = AofFileType::Incr;
    bool operator==(const AofFileInfo&) const = default;
};

struct AofManifest {
    std::optional<AofFileInfo> base;
    std::vector<AofFileInfo> incr;     // replay order (ascending seq)
    std::vector<AofFileInfo> history;  // replaced files, deleted after the manifest is durable
    int64_t curr_base_seq = 0;         // highest base seq seen (next base uses +1)
    int64_t curr_incr_seq = 0;         // highest incr seq seen (next incr uses +1)

    // The manifest text exactly as Redis 7.0 writes it.
    std::string serialize() const;
    bool empty() const { return !base && incr.empty() && history.empty(); }
    bool operator==(const AofManifest&) const = default;
};

// Parses manifest text. Errors as Redis words them where it has a word for it ("Invalid AOF
// manifest file format", "Found duplicate base file information", "Found a non-monotonic
// sequence number"...), with " (line N)" appended.
Result<AofManifest> parse_aof_manifest(std::string_view text);

std::string aof_manifest_name(std::string_view appendfilename);
std::string aof_temp_manifest_name(std::string_view appendfilename);
std::string aof_base_name(std::string_view appendfilename, int64_t seq, bool rdb_preamble);
std::string aof_incr_name(std::string_view appendfilename, int64_t seq);

// --- Transitions (pure: the caller persists the result) -------------------------------------

// Adds a new INCR file (seq curr_incr_seq + 1) at the end; returns its name through `name`.
AofManifest manifest_with_new_incr(const AofManifest& m, std::string_view appendfilename,
                                   std::string& name);
// After a rewrite: `new_base` (seq curr_base_seq + 1, named by the caller with aof_base_name)
// becomes the base; the old base and every INCR file before `first_kept_incr_seq` become
// history; INCR files from that seq on are kept.
AofManifest manifest_after_rewrite(const AofManifest& m, const AofFileInfo& new_base,
                                   int64_t first_kept_incr_seq);
// The same manifest with the history list emptied (after the files were deleted).
AofManifest manifest_without_history(const AofManifest& m);

// --- Disk ------------------------------------------------------------------------------------

enum class AofDirState { Missing, Loaded, Error };
struct ManifestFile {
    AofDirState state = AofDirState::Missing;
    AofManifest manifest;
    std::string error;  // names the manifest path (and line)
};

// Reads dir/appenddirname/<manifest>. Missing: no manifest file (the directory may or may not
// exist). Error: unreadable or unparsable, or a listed base/incr file is missing (Redis checks
// that at load time too: "The AOF file ... doesn't exist").
ManifestFile read_aof_manifest(const std::string& aof_dir, std::string_view appendfilename);

// Writes the manifest durably: temp file in aof_dir, write, fsync, rename over the manifest,
// fsync aof_dir. Creates aof_dir (0755) if needed.
Status write_aof_manifest(const std::string& aof_dir, std::string_view appendfilename,
                          const AofManifest& m);

// Deletes the history files named in `m` (a missing file is not an error).
void delete_aof_history_files(const std::string& aof_dir, const AofManifest& m);

// Redis 7.0's upgrade of a pre-7.0 single AOF: when `dir/appendfilename` exists and aof_dir
// has no manifest, moves the file into aof_dir (creating it) under its own name, writes a
// manifest naming it the base (seq 1), and returns that manifest. nullopt when there is
// nothing to upgrade.
Result<std::optional<AofManifest>> upgrade_single_aof(const std::string& dir,
                                                      const std::string& aof_dir,
                                                      std::string_view appendfilename);

}  // namespace snapstream
