#include "persistence/aof_stream_reader.h"

#include <cstring>

#include "persistence/command_stream.h"
#include "persistence/mapped_file.h"

namespace snapstream {

Status read_stream_from_incr_files(const std::string& dir, const AofManifest& manifest,
                                   uint64_t from, uint64_t to, uint64_t max_bytes,
                                   std::string& out) {
    if (to < from) return make_error("requested offset is ahead of the stream");
    if (to - from > max_bytes) return make_error("the gap is larger than the limit");
    const size_t start_size = out.size();
    uint64_t expected_origin = 0;
    bool first = true;
    for (const AofFileInfo& f : manifest.incr) {
        const std::string path = dir + "/" + f.name;
        MappedFile file;
        const char* stage = "open";
        if (int err = file.open(path, &stage); err != 0) {
            if (err == EINVAL || err == ENODATA) continue;  // an empty file maps as nothing
            return make_error(path + ": " + stage + ": " + std::strerror(err));
        }
        AofScanner scanner(file.chars());
        std::vector<std::string_view> argv;
        AofScanner::Step step = scanner.next(argv);
        if (!scanner.origin()) return make_error(path + " has no #SO annotation");
        const uint64_t origin = scanner.origin()->offset;
        if (!first && origin != expected_origin)
            return make_error(path + " does not continue the previous INCR file");
        if (first && origin > from) return make_error("the INCR files start after the offset");
        first = false;
        uint64_t at = origin;  // stream offset of the command `argv` holds
        for (; step == AofScanner::Step::Command; step = scanner.next(argv)) {
            if (scanner.outside_stream()) continue;
            const uint64_t len = scanner.position() - scanner.command_offset();
            if (at >= from) {
                out.append(file.chars().data() + scanner.command_offset(), len);
            } else if (at + len > from) {
                out.resize(start_size);
                return make_error("the offset is inside a command");
            }
            at += len;
        }
        if (step == AofScanner::Step::Corrupt) {
            out.resize(start_size);
            return make_error(path + ": " + scanner.error());
        }
        expected_origin = at;  // a torn tail (Truncated) is simply where the data ends
    }
    if (first || expected_origin != to || out.size() - start_size != to - from) {
        out.resize(start_size);
        return make_error("the INCR files end at offset " + std::to_string(expected_origin) +
                          ", not at " + std::to_string(to));
    }
    return Ok{};
}

}  // namespace snapstream
