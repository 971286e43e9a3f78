#include "node/reply.h"

namespace snapstream {

void Reply::error(std::string_view s) {
    ++errors_;
    out_->push_back('-');
    // An error is one line: newlines inside would desynchronise the client (Redis replaces them).
    for (char c : s) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
    out_->append("\r\n", 2);
}

}  // namespace snapstream
