// Decoders for the blob encodings older Redis versions stored in RDB files, which Redis 7.0
// still loads by converting them to listpacks:
//
//   ziplist (RDB types 10, 12, 13 and the nodes of type 14)
//   zipmap  (RDB type 9)
//
// The byte layouts are documented in legacy_encodings.cpp. Each function validates the whole
// blob (bounds, encodings, terminators, counts) before trusting any of it, as Redis 7.0's deep
// ziplistValidateIntegrity / zipmapValidateIntegrity do, and returns nullopt for anything
// malformed. Whatever the input, a decoder reads only inside the blob.
//
// What Redis checks on top when loading, and the caller (the RDB reader) must: for hashes and
// sorted sets (types 9, 12, 13) an even number of elements and no repeated field / member among
// the even-numbered elements (Redis compares them as text, so the integer 5 and the string "5"
// are the same field); for zipmaps, that the listpack stays within the 1 GiB safety limit.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "node/listpack.h"

namespace snapstream {

// The entries of a ziplist, in order, as a listpack with the same elements (strings that are
// canonical integers become integer entries, as Redis's conversion does).
std::optional<Listpack> ziplist_to_listpack(std::span<const uint8_t> blob);

// A zipmap's key, value, key, value... pairs as a listpack (never empty: Redis rejects a zipmap
// without pairs).
std::optional<Listpack> zipmap_to_listpack(std::span<const uint8_t> blob);

}  // namespace snapstream
