// A whole file mapped read-only (the RDB and AOF loaders, the check tools): the descriptor and
// the mapping, released in reverse order.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace snapstream {

class MappedFile {
  public:
    MappedFile() = default;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    // 0 on success, else an errno value; `stage` names the call that failed ("open", "fstat",
    // "mmap"). An empty file maps to an empty span.
    int open(const std::string& path, const char** stage);
    size_t size() const { return size_; }
    std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(map_), size_}; }
    std::span<const char> chars() const { return {static_cast<const char*>(map_), size_}; }

  private:
    int fd_ = -1;
    void* map_ = nullptr;
    size_t size_ = 0;
};

}  // namespace snapstream
