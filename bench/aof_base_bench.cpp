// Times the command-format AOF base writer on an in-process keyspace of mixed keys and leaves
// the file behind, so that Redis can load it (or rewrite the same data) for comparison:
//
//   build/aof-base-bench [keys=1000000] [out=/tmp/aof-bench/appendonly.aof] [seed=1]
//   redis-server --port P --dir /tmp/aof-bench --appendonly yes --save "" &
//   redis-cli -p P BGREWRITEAOF   (then INFO persistence: aof_last_rewrite_time_sec)
//
// The mix (by key): 60% strings, 15% hashes (10 fields; 1 in 30 of them 600 fields), 8% lists
// (5-45 elements), 8% sets (intsets of 20; 1 in 4 of them 20 strings), 9% zsets (10 members;
// 1 in 20 of them 300); 20% of the keys have a TTL.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/zset_type.h"
#include "persistence/aof_base_writer.h"
#include "persistence/byte_sink.h"

using namespace snapstream;

namespace {

std::string text(std::mt19937_64& rng, size_t n) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 -_:";
    std::string s(n, ' ');
    for (auto& c : s) c = alphabet[rng() % (sizeof alphabet - 1)];
    return s;
}

Value make_value(std::mt19937_64& rng, size_t i) {
    const unsigned pick = static_cast<unsigned>(rng() % 100);
    if (pick < 60) {
        if (rng() % 3 == 0) return Value::string(std::to_string(rng() % 1000000));
        return rng() % 2 ? Value::string("value:" + std::to_string(i))
                         : Value::string(text(rng, 100));
    }
    if (pick < 75) {
        Value h = hash_type::create();
        const int n = rng() % 30 == 0 ? 600 : 10;
        for (int f = 0; f < n; ++f)
            hash_type::set(h, "field:" + std::to_string(f), text(rng, 1 + rng() % 20), {512, 64});
        return h;
    }
    if (pick < 83) {
        auto* ql = new QuickList(QuickList::kDefaultFill);
        for (int e = 0, n = 5 + static_cast<int>(rng() % 40); e < n; ++e)
            ql->push_back(text(rng, 1 + rng() % 30));
        return Value::object(ValueType::List, Encoding::Quicklist, ql);
    }
    if (pick < 91) {
        const bool strings = rng() % 4 == 0;
        Value s = set_type::create_intset();
        for (int m = 0; m < 20; ++m)
            set_type::add(s, strings ? text(rng, 12) : std::to_string(rng() % 100000), 512);
        return s;
    }
    const zset::Limits lim{128, 64};
    Value z = zset::create_for_add("m", lim);
    int out = 0;
    for (int m = 0, n = rng() % 20 == 0 ? 300 : 10; m < n; ++m)
        zset::add(z, static_cast<double>(rng() % 100000) / 10, "member:" + std::to_string(m), 0,
                  out, nullptr, lim);
    return z;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t keys = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const std::string out = argc > 2 ? argv[2] : "/tmp/aof-bench/appendonly.aof";
    const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
    hash_type::register_ops();
    set_type::register_ops();
    zset::register_ops();
    register_list_object_ops();

    std::mt19937_64 rng(seed);
    Keyspace ks(16);
    const int64_t now = wall_clock_ms();
    for (size_t i = 0; i < keys; ++i) {
        Entry* e = ks.add(ks.db(0), "key:" + std::to_string(i), make_value(rng, i));
        if (rng() % 5 == 0) ks.set_expire(ks.db(0), e, now + 3600000 + rng() % 3600000);
    }
    std::filesystem::create_directories(std::filesystem::path(out).parent_path());

    for (int run = 0; run < 3; ++run) {
        const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            std::perror(out.c_str());
            return 1;
        }
        FdSink sink(fd);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = write_aof_base(ks, sink);
        const auto t1 = std::chrono::steady_clock::now();
        ::fsync(fd);
        const auto t2 = std::chrono::steady_clock::now();
        ::close(fd);
        if (!r.ok()) {
            std::fprintf(stderr, "write failed: %s\n", r.error().c_str());
            return 1;
        }
        using Ms = std::chrono::duration<double, std::milli>;
        std::printf("run %d: %zu keys, %llu bytes, write %.0f ms, write+fsync %.0f ms\n", run,
                    static_cast<size_t>(r->keys), static_cast<unsigned long long>(r->bytes),
                    Ms(t1 - t0).count(), Ms(t2 - t0).count());
    }
    return 0;
}
