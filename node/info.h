// INFO: the server's state as Redis 7.0 reports it, section by section, same field names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace snapstream {

class Server;

// Renders the sections asked for ("default", "all", "everything" or names); unknown names are
// skipped, as Redis does.
std::string render_info(Server& server, const std::vector<std::string_view>& sections);

// Allocator-reported bytes in use (used_memory) and the process RSS.
size_t used_memory_bytes();
size_t rss_bytes();

}  // namespace snapstream
