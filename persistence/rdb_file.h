// Writing an RDB file durably: the snapshot goes to a temporary file, is fsynced and closed, and
// only then renamed over the target, whose directory is fsynced — so a crash, a full disk or a
// killed writer at any point leaves either the previous file or the complete new one, never a
// mix. Used by SAVE (in the event-loop thread), BGSAVE's child (which writes the temp file; the
// parent renames it after reaping the child) and DEBUG RELOAD.
//
// Nothing here logs: callers log (the child through log_from_child()).
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"
#include "persistence/background_io.h"
#include "persistence/rdb_writer.h"

namespace snapstream {

class Keyspace;

// "temp-<pid>.rdb", the name Redis gives a snapshot being written by process `pid`.
std::string temp_rdb_name(pid_t pid);

// Creates `temp_path` (truncating it), writes the snapshot, fsyncs and closes it. On any failure
// the temp file is removed and the error names the failing step ("write: No space left on
// device", "fsync: ...", "open temp-12.rdb: Permission denied").
Result<RdbWriteStats> write_rdb_file(const Keyspace& ks, const RdbAux& aux,
                                     const RdbWriteOptions& opt, const std::string& temp_path);

// rename(from, to), then fsync of the directory holding `to`.
Status rename_durably(const std::string& from, const std::string& to);

// rename(from, to) for the event loop (BGSAVE's end): the file `to` replaces is held open across
// the rename so that freeing its blocks happens when `bg` closes it, and `bg` then fsyncs the
// directory. The switch is as atomic as with rename_durably(); only making it durable is left to
// the worker (a crash before that leaves the previous, complete dump).
Status rename_in_background(const std::string& from, const std::string& to, BackgroundIo& bg);

}  // namespace snapstream
