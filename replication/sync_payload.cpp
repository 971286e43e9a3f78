#include "replication/sync_payload.h"

#include <sys/random.h>

#include <algorithm>
#include <charconv>

namespace snapstream {

std::string new_eof_mark() {
    static constexpr char kHex[] = "0123456789abcdef";
    unsigned char buf[kEofMarkLen];
    if (::getrandom(buf, sizeof buf, 0) != static_cast<ssize_t>(sizeof buf)) {
        uint64_t x = reinterpret_cast<uintptr_t>(&buf) ^ 0x9e3779b97f4a7c15ull;
        for (auto& b : buf)
            b = static_cast<unsigned char>((x = x * 6364136223846793005ull + 1) >> 33);
    }
    std::string mark(kEofMarkLen, '0');
    for (size_t i = 0; i < kEofMarkLen; ++i) mark[i] = kHex[buf[i] & 15];
    return mark;
}

std::string eof_payload_header(std::string_view mark) {
    return "$EOF:" + std::string(mark) + "\r\n";
}

std::string sized_payload_header(uint64_t len) {
    return "$" + std::to_string(len) + "\r\n";
}

PayloadReceiver::Step PayloadReceiver::feed(std::string_view bytes) {
    if (!header_done_) {
        while (!bytes.empty() && !header_done_) {
            const size_t nl = bytes.find('\n');
            if (nl == std::string_view::npos) {
                header_.append(bytes);
                if (header_.size() > 256) return fail("payload header too long");
                return Step::NeedMore;
            }
            header_.append(bytes.substr(0, nl));
            bytes.remove_prefix(nl + 1);
            if (!header_.empty() && header_.back() == '\r') header_.pop_back();
            if (header_.empty()) continue;  // a keep-alive newline
            if (header_[0] == '-') return fail("the primary replied " + header_);
            if (header_[0] != '$')
                return fail("bad payload header '" + header_.substr(0, 64) + "'");
            std::string_view h(header_);
            h.remove_prefix(1);
            if (h.substr(0, 4) == "EOF:") {
                h.remove_prefix(4);
                if (h.size() != kEofMarkLen) return fail("bad EOF mark in payload header");
                mark_ = std::string(h);
                eof_form_ = true;
            } else {
                auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), expected_);
                if (ec != std::errc() || p != h.data() + h.size())
                    return fail("bad payload length '" + std::string(h.substr(0, 32)) + "'");
            }
            header_done_ = true;
        }
        if (!header_done_) return Step::NeedMore;
        if (!eof_form_ && expected_ == 0) {
            rest_.assign(bytes);
            return Step::Done;
        }
    }
    return deliver(bytes);
}

PayloadReceiver::Step PayloadReceiver::deliver(std::string_view bytes) {
    if (!eof_form_) {
        const uint64_t want = expected_ - received_;
        const std::string_view part =
            bytes.substr(0, static_cast<size_t>(std::min<uint64_t>(want, bytes.size())));
        if (!part.empty()) {
            if (Status s = sink_(part); !s) return fail(s.error());
            received_ += part.size();
        }
        if (received_ < expected_) return Step::NeedMore;
        rest_.assign(bytes.substr(part.size()));
        return Step::Done;
    }
    // EOF form: look for the mark across the held-back tail and the new bytes.
    tail_.append(bytes);
    const size_t at = tail_.find(mark_);
    if (at != std::string::npos) {
        if (at > 0) {
            if (Status s = sink_(std::string_view(tail_).substr(0, at)); !s) return fail(s.error());
            received_ += at;
        }
        rest_ = tail_.substr(at + kEofMarkLen);
        tail_.clear();
        return Step::Done;
    }
    if (tail_.size() > kEofMarkLen) {
        const size_t give = tail_.size() - (kEofMarkLen - 1);
        if (Status s = sink_(std::string_view(tail_).substr(0, give)); !s) return fail(s.error());
        received_ += give;
        tail_.erase(0, give);
    }
    return Step::NeedMore;
}

}  // namespace snapstream
