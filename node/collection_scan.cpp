#include "node/collection_scan.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "node/command_util.h"

namespace snapstream {

bool parse_scan_cursor(CommandContext& ctx, std::string_view s, uint64_t& cursor) {
    // strtoul stops at a NUL byte, as Redis's C string does.
    if (auto nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
    bool ok = s.empty() || !std::isspace(static_cast<unsigned char>(s[0]));
    if (ok) {
        std::string tmp(s);
        errno = 0;
        char* end = nullptr;
        unsigned long long v = std::strtoull(tmp.c_str(), &end, 10);
        ok = *end == '\0' && errno != ERANGE;
        cursor = static_cast<uint64_t>(v);
    }
    if (!ok) ctx.reply.error("ERR invalid cursor");
    return ok;
}

bool parse_scan_options(CommandContext& ctx, CollectionScanArgs& out, size_t first,
                        bool allow_type) {
    for (size_t i = first; i < ctx.argc();) {
        const size_t left = ctx.argc() - i;
        if (iequals(ctx.arg(i), "count") && left >= 2) {
            auto v = int_arg(ctx, ctx.arg(i + 1));
            if (!v) return false;
            if (*v < 1) {
                ctx.reply.error(kErrSyntax);
                return false;
            }
            out.count = *v;
            i += 2;
        } else if (iequals(ctx.arg(i), "match") && left >= 2) {
            out.pattern = ctx.arg(i + 1);
            if (*out.pattern == "*") out.pattern.reset();
            i += 2;
        } else if (allow_type && iequals(ctx.arg(i), "type") && left >= 2) {
            out.type = ctx.arg(i + 1);
            i += 2;
        } else {
            ctx.reply.error(kErrSyntax);
            return false;
        }
    }
    return true;
}

void reply_empty_scan(CommandContext& ctx) {
    ctx.reply.array(2);
    ctx.reply.bulk("0");
    ctx.reply.array(0);
}

}  // namespace snapstream
