// CRC-64/Jones, the checksum of RDB files (the trailer after the EOF opcode) and of Redis's
// DUMP payloads.
//
// Parameters: polynomial 0xad93d23594c935a9 in reflected form, initial value 0, no final xor,
// input and output reflected. Check value: crc64("123456789") == 0xe9c6d914c4b8d9ca. The 8-byte
// trailer stores the result little endian.
//
// The implementation is slice-by-8 (eight 256-entry tables built once): eight input bytes per
// step, so checksumming a snapshot costs a small fraction of writing it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace snapstream {

// Continues a checksum: crc64(crc64(0, a), b) == crc64(0, a + b).
uint64_t crc64(uint64_t crc, const void* data, size_t len);

}  // namespace snapstream
