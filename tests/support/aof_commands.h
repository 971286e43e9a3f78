// Reading a command-format AOF (a BASE file as Redis's rewrite or our write_aof_base writes it)
// in tests: a strict RESP parser (arrays of bulk strings only, no annotations), the commands
// grouped per key (one group = the commands a key's rewrite emitted, with the database the
// preceding SELECT chose), and a replay of those commands into an in-process Keyspace through
// the node APIs (SET, RPUSH, SADD, ZADD, HMSET, PEXPIREAT).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/numeric.h"
#include "node/hash_type.h"
#include "node/keyspace.h"
#include "node/list_type.h"
#include "node/set_type.h"
#include "node/value.h"
#include "node/zset_type.h"

namespace snapstream::test {

using Argv = std::vector<std::string>;

// The collection types' ObjectOps, which freeing and copying values need.
inline void register_all_object_ops() {
    hash_type::register_ops();
    set_type::register_ops();
    zset::register_ops();
    register_list_object_ops();
}

// Parses `data` as a sequence of RESP arrays of bulk strings; nullopt (with *error set) on
// anything else, including a truncated tail.
inline std::optional<std::vector<Argv>> parse_aof_commands(std::string_view data,
                                                           std::string* error) {
    std::vector<Argv> out;
    size_t pos = 0;
    auto fail = [&](const std::string& why) {
        if (error) *error = why + " at offset " + std::to_string(pos);
        return std::nullopt;
    };
    // "<prefix><decimal>\r\n"
    auto number = [&](char prefix) -> std::optional<uint64_t> {
        if (pos >= data.size() || data[pos] != prefix) return std::nullopt;
        const size_t eol = data.find("\r\n", pos);
        if (eol == std::string_view::npos) return std::nullopt;
        auto n = parse_uint64(data.substr(pos + 1, eol - pos - 1));
        if (!n) return std::nullopt;
        pos = eol + 2;
        return n;
    };
    while (pos < data.size()) {
        auto argc = number('*');
        if (!argc || *argc == 0) return fail("bad array header");
        Argv argv;
        for (uint64_t i = 0; i < *argc; ++i) {
            auto len = number('$');
            if (!len) return fail("bad bulk header");
            if (data.size() - pos < *len + 2) return fail("truncated bulk");
            if (data.substr(pos + *len, 2) != "\r\n") return fail("bulk without CRLF");
            argv.emplace_back(data.substr(pos, *len));
            pos += *len + 2;
        }
        out.push_back(std::move(argv));
    }
    return out;
}

// The commands one key's rewrite produced.
struct KeyGroup {
    int db = -1;
    std::string key;
    std::vector<Argv> cmds;
};

inline std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return s;
}

// Groups consecutive commands on the same key (argv[1]) within a database; SELECTs start a new
// database and form no group.
inline std::vector<KeyGroup> group_by_key(const std::vector<Argv>& cmds) {
    std::vector<KeyGroup> out;
    int db = 0;
    bool fresh = true;
    for (const Argv& a : cmds) {
        if (upper(a[0]) == "SELECT") {
            db = static_cast<int>(parse_int64(a.at(1)).value_or(-1));
            fresh = true;
            continue;
        }
        if (fresh || out.back().key != a.at(1)) out.push_back(KeyGroup{db, a.at(1), {}});
        fresh = false;
        out.back().cmds.push_back(a);
    }
    return out;
}

// Applies rewrite commands to `ks` with Redis's default encoding limits. Returns "" or what
// went wrong.
inline std::string replay_aof_commands(const std::vector<Argv>& cmds, Keyspace& ks) {
    const hash_type::Limits hl{512, 64};
    const zset::Limits zl{128, 64};
    int dbi = 0;
    for (const Argv& a : cmds) {
        const std::string name = upper(a.at(0));
        if (name == "SELECT") {
            dbi = static_cast<int>(parse_int64(a.at(1)).value_or(-1));
            if (dbi < 0 || dbi >= ks.count()) return "bad SELECT " + a[1];
            continue;
        }
        Database& db = ks.db(dbi);
        const std::string& key = a.at(1);
        Entry* e = db.dict.find(key);
        if (name == "SET") {
            if (a.size() != 3) return "bad SET";
            ks.set(db, key, Value::string(a[2]));
        } else if (name == "PEXPIREAT") {
            if (!e || a.size() != 3) return "PEXPIREAT on missing key " + key;
            ks.set_expire(db, e, parse_int64(a[2]).value());
        } else if (name == "RPUSH") {
            if (!e)
                e = ks.add(db, key,
                           Value::object(ValueType::List, Encoding::Quicklist,
                                         new QuickList(QuickList::kDefaultFill)));
            auto* ql = static_cast<QuickList*>(e->value.obj());
            for (size_t i = 2; i < a.size(); ++i) ql->push_back(a[i]);
        } else if (name == "SADD") {
            if (!e) e = ks.add(db, key, set_type::create_for(a.at(2)));
            for (size_t i = 2; i < a.size(); ++i) set_type::add(e->value, a[i], 512);
        } else if (name == "ZADD") {
            if (a.size() < 4 || a.size() % 2) return "bad ZADD arity";
            if (!e) e = ks.add(db, key, zset::create_for_add(a[3], zl));
            for (size_t i = 2; i < a.size(); i += 2) {
                auto score = parse_double(a[i]);
                if (!score) return "bad score " + a[i];
                int out = 0;
                zset::add(e->value, *score, a[i + 1], 0, out, nullptr, zl);
            }
        } else if (name == "HMSET") {
            if (a.size() < 4 || a.size() % 2) return "bad HMSET arity";
            if (!e) e = ks.add(db, key, hash_type::create());
            for (size_t i = 2; i < a.size(); i += 2) hash_type::set(e->value, a[i], a[i + 1], hl);
        } else {
            return "unexpected command " + name;
        }
    }
    return "";
}

}  // namespace snapstream::test
