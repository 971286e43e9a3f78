#include "replication/propagation.h"

#include "persistence/command_stream.h"

namespace snapstream {
namespace {
constexpr std::string_view kMulti = "*1\r\n$5\r\nMULTI\r\n";
constexpr std::string_view kExec = "*1\r\n$4\r\nEXEC\r\n";
}  // namespace

void Propagation::add(int db, std::span<const std::string_view> argv) {
    const size_t begin = bytes_.size();
    append_command(bytes_, argv);
    ops_.push_back(Op{db, begin, bytes_.size()});
}

void Propagation::flush(WriteStream& stream, bool wrap) {
    if (ops_.empty()) return;
    const bool transaction = wrap && ops_.size() > 1;
    if (transaction) stream.append_encoded(ops_.front().db, kMulti);
    const std::string_view all(bytes_);
    for (const Op& op : ops_) stream.append_encoded(op.db, all.substr(op.begin, op.end - op.begin));
    if (transaction) stream.append_encoded(ops_.back().db, kExec);
    discard();
}

void Propagation::discard() {
    ops_.clear();
    bytes_.clear();
}

}  // namespace snapstream
