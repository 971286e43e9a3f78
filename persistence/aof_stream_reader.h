// Reading the write stream back out of the AOF's INCR files — what lets a primary continue a
// replica whose position has already left the in-memory backlog (repl-backlog-from-aof yes).
//
// Each INCR file starts with "#SO:<offset>:<replid>" (persistence/command_stream.h): the stream
// offset of its first command. The files of the manifest follow each other without a gap, so
// together they hold the stream from the first INCR file's #SO offset up to what has been
// written. Stream bytes are the commands only: annotation lines (#SO, #SC, #TS) and the #XS
// SELECTs a replica adds are not part of it and are left out.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "persistence/aof_manifest.h"

namespace snapstream {

// Appends to `out` the stream bytes from stream offset `from` (a count of bytes, a command
// boundary) to `to` (the stream's current offset, everything flushed to the files). Fails when
// the files do not cover [from, to) exactly (an INCR file without #SO, a gap, `from` inside a
// command, fewer bytes than expected) or the result would exceed `max_bytes`.
Status read_stream_from_incr_files(const std::string& dir, const AofManifest& manifest,
                                   uint64_t from, uint64_t to, uint64_t max_bytes,
                                   std::string& out);

}  // namespace snapstream
