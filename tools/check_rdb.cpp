// snapstream-check-rdb FILE: reads an RDB file the way the server loads it (every value built
// and validated, entries deep-checked, CRC64 verified) and prints what it holds.
//
// Output: the version, every aux field in file order, keys and keys with a TTL per database,
// empty keys skipped, then "RDB looks OK" (exit 0) or the first error with its byte offset
// (exit 1). Exit 2: usage error, or the file cannot be opened.
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "persistence/rdb_load.h"
#include "persistence/rdb_reader.h"

namespace {

using snapstream::Ok;
using snapstream::Status;
using snapstream::Value;

// Renders bytes for the terminal: printable ASCII as is, the rest as \xNN.
std::string shown(std::string_view s) {
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && u != '\\') {
            out.push_back(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        }
    }
    return out;
}

class CountingTarget final : public snapstream::RdbLoadTarget {
  public:
    struct DbCounts {
        uint64_t keys = 0;
        uint64_t with_ttl = 0;
    };

    Status aux(std::string_view key, std::string_view value) override {
        aux_.emplace_back(key, value);
        return Ok{};
    }
    Status select_db(uint64_t db) override {
        db_ = db;
        return Ok{};
    }
    Status resize_db(uint64_t, uint64_t) override { return Ok{}; }
    Status key(std::string_view, Value, int64_t expire_ms) override {
        DbCounts& c = dbs_[db_];
        ++c.keys;
        if (expire_ms != -1) ++c.with_ttl;
        return Ok{};
    }

    const std::vector<std::pair<std::string, std::string>>& aux_fields() const { return aux_; }
    const std::map<uint64_t, DbCounts>& dbs() const { return dbs_; }

  private:
    uint64_t db_ = 0;
    std::vector<std::pair<std::string, std::string>> aux_;
    std::map<uint64_t, DbCounts> dbs_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::string_view(argv[1]).empty() || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: %s FILE\n", argc > 0 ? argv[0] : "snapstream-check-rdb");
        return 2;
    }
    const std::string path = argv[1];
    snapstream::RdbReadOptions opt;
    opt.verify_checksum = true;
    opt.deep_check = true;
    CountingTarget target;
    const snapstream::RdbFileResult r = snapstream::read_rdb_file(path, opt, target);
    if (r.missing()) {
        std::fprintf(stderr, "cannot open %s: No such file or directory\n", path.c_str());
        return 2;
    }
    if (r.io_error) {
        std::fprintf(stderr, "cannot read %s\n", r.error.c_str());
        return 2;
    }

    std::printf("file: %s (%llu bytes)\n", path.c_str(),
                static_cast<unsigned long long>(r.file_size));
    if (r.read.version != 0) std::printf("RDB version: %d\n", r.read.version);
    for (const auto& [k, v] : target.aux_fields())
        std::printf("aux %s = %s\n", shown(k).c_str(), shown(v).c_str());
    uint64_t total = 0;
    for (const auto& [db, c] : target.dbs()) {
        std::printf("db %llu: %llu keys (%llu with TTL)\n", static_cast<unsigned long long>(db),
                    static_cast<unsigned long long>(c.keys),
                    static_cast<unsigned long long>(c.with_ttl));
        total += c.keys;
    }
    if (r.read.empty_keys_skipped != 0)
        std::printf("empty keys skipped: %llu\n",
                    static_cast<unsigned long long>(r.read.empty_keys_skipped));
    if (!r.ok()) {
        std::printf("error: %s\n", r.error.c_str());
        return 1;
    }
    std::printf("keys: %llu, checksum: %s\n", static_cast<unsigned long long>(total),
                r.read.checksum_checked ? "verified" : "not stored");
    std::printf("RDB looks OK\n");
    return 0;
}
