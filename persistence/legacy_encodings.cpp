// Placeholder until the ziplist/zipmap decoders land: every blob is rejected.
#include "persistence/legacy_encodings.h"

namespace snapstream {

std::optional<Listpack> ziplist_to_listpack(std::span<const uint8_t>) {
    return std::nullopt;
}

std::optional<Listpack> zipmap_to_listpack(std::span<const uint8_t>) {
    return std::nullopt;
}

}  // namespace snapstream
