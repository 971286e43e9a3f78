#include "replication/write_stream.h"

#include "persistence/command_stream.h"

namespace snapstream {

void WriteStream::select(int db) {
    if (db == selected_db_) return;
    const std::string id = std::to_string(db);
    const std::string_view argv[] = {"SELECT", id};
    const size_t before = pending_.size();
    append_command(pending_, argv);
    offset_ += pending_.size() - before;
    selected_db_ = db;
}

void WriteStream::append_encoded(int db, std::string_view command) {
    select(db);
    pending_.append(command);
    offset_ += command.size();
}

void WriteStream::append(int db, std::span<const std::string_view> argv) {
    select(db);
    const size_t before = pending_.size();
    append_command(pending_, argv);
    offset_ += pending_.size() - before;
}

}  // namespace snapstream
