// Glob-style pattern matching as Redis's KEYS / SCAN MATCH / CONFIG GET use it:
// '*' any run, '?' one byte, '[abc]' '[^abc]' '[a-z]' classes, '\x' escapes x.
#pragma once

#include <string_view>

namespace snapstream {

bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace snapstream
