#include "node/reply.h"

namespace snapstream {

void Reply::error(std::string_view s) {
    ++errors_;
    out_->push_back('-');
    // An error is one line: as Redis does, trailing CR/LF are dropped and inner ones become
    // spaces (they would desynchronise the client).
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    for (char c : s) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
    out_->append("\r\n", 2);
}

}  // namespace snapstream
