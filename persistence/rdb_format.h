// The RDB file format, version 10 (Redis 7.0): the layout of dump.rdb, of an AOF base file with
// an RDB preamble, and of the full-sync payload a primary sends a replica. rdb_writer.h writes it
// and rdb_reader.h reads it; both use only the constants below.
//
// File
// ----
//   "REDIS" "0010"                      magic + 4 ASCII digits of the version (1..10 accepted)
//   AUX*                                0xFA  string key  string value   (see "Aux fields")
//   [FUNCTION2 ...]                     0xF5  (Redis 7.0 functions; we write none)
//   per non-empty database:
//     SELECTDB  0xFE  length db
//     RESIZEDB  0xFB  length keys  length keys-with-ttl      (hash table size hints)
//     key*:     [EXPIRETIME_MS 0xFC  int64 LE unix ms]       (absolute; older files: 0xFD +
//                                                             uint32 LE unix seconds)
//               [IDLE 0xF8 length seconds | FREQ 0xF9 byte]  (eviction metadata, skipped)
//               type byte   string key   value (by type, below)
//   EOF 0xFF
//   CRC64 8 bytes LE  (persistence/crc64.h over every preceding byte; all zero = not computed,
//                      which readers accept; files of version < 5 have no trailer)
//
// Length encoding (the top two bits of the first byte)
// ---------------
//   00xxxxxx                      6-bit length
//   01xxxxxx xxxxxxxx             14-bit length, big endian
//   10000000 + 4 bytes            32-bit length, big endian
//   10000001 + 8 bytes            64-bit length, big endian
//   11xxxxxx                      "special" string encoding, xxxxxx = kEnc*:
//
// String encoding
// ---------------
//   length L, then L raw bytes; or a special form:
//   0xC0 int8 | 0xC1 int16 LE | 0xC2 int32 LE   the string is that integer's decimal text
//                                               (written for canonical decimal integers that
//                                               fit in 32 bits, i.e. at most 11 chars)
//   0xC3 length clen  length len  clen bytes    LZF-compressed (persistence/lzf.h), written
//                                               when rdbcompression is on, the string is longer
//                                               than 20 bytes and compresses into len - 4
//
// Values by type byte (what Redis 7.0 writes in bold; readers accept every row)
// ---------------
//   0  STRING            string
//   1  LIST              length n, n strings                            (pre-3.2)
//   2  SET               length n, n strings                  **hashtable sets**
//   3  ZSET              length n, n × (string member, score as a length-prefixed text:
//                        253 = nan, 254 = +inf, 255 = -inf, else 1 byte length + ASCII)
//   4  HASH              length n, n × (string field, string value)  **hashtable hashes**
//   5  ZSET_2            length n, n × (string member, 8-byte LE IEEE double)
//                                                                    **skiplist zsets**,
//                        written from the highest score down so a loader appends at the front
//   9  HASH_ZIPMAP       string holding a zipmap                        (pre-2.6)
//   10 LIST_ZIPLIST      string holding a ziplist                       (pre-3.2)
//   11 SET_INTSET        string holding an intset (node/intset.h)     **intset sets**
//   12 ZSET_ZIPLIST      string holding a ziplist of member, score      (pre-7.0)
//   13 HASH_ZIPLIST      string holding a ziplist of field, value       (pre-7.0)
//   14 LIST_QUICKLIST    length nodes, nodes × string holding a ziplist (3.2 - 6.2)
//   16 HASH_LISTPACK     string holding a listpack (node/listpack.h)  **listpack hashes**
//   17 ZSET_LISTPACK     string holding a listpack of member, score   **listpack zsets**
//   18 LIST_QUICKLIST_2  length nodes, nodes × (length container: 1 = PLAIN, the string is one
//                        element; 2 = PACKED, the string holds a listpack) **every list**
//   6, 7 modules, 15, 19 streams: not supported (a clear load error names the type).
//
// Aux fields (each an AUX opcode + two strings; Redis 7.0 writes them in this order)
// ----------
//   redis-ver "7.0.15"   redis-bits "64"   ctime <unix seconds>   used-mem <bytes>
//   repl-stream-db <db>  repl-id <40 hex>  repl-offset <offset>   (when replication info exists)
//   aof-base "0"|"1"     (1 in the base file of a multi-part AOF)
// Integer values are decimal text, so they take the integer string forms where they fit
// (redis-bits is 0xC0 0x40); strings longer than 20 bytes (repl-id) may be LZF-compressed.
// Readers must skip aux fields they do not know (lua scripts, module aux, ...).
//
// Reading notes (what Redis 7.0's loader does, which rdb_reader.cpp follows)
// -------------
//   - A length byte of the form 11xxxxxx where a plain length is expected (counts, SELECTDB,
//     RESIZEDB, IDLE) is taken as the length xxxxxx; 0x82..0xBF are errors.
//   - EXPIRETIME (0xFD) is a signed 32-bit LE count of seconds; an expire opcode applies to the
//     next key even when other opcodes (SELECTDB, IDLE, ...) come in between.
//   - Empty collections (count 0, a listpack or ziplist of no entries, a quicklist whose nodes
//     are all empty) are skipped with a warning, not errors; an empty node string of a
//     quicklist is an error, an empty intset too.
//   - Redis 7.0 writes FUNCTION2 (one string: the library source) before the databases when
//     functions exist, and MODULE_AUX (0xF7) for modules with aux data.
//   - Encodings after loading: a SET (2) of at most set-max-intset-entries members starts as an
//     intset and becomes a hashtable at its first non-integer member; a HASH (4) is a listpack
//     while count <= hash-max-listpack-entries and every field/value <= hash-max-listpack-value;
//     ZSET/ZSET_2 become a listpack after loading when count and longest member are within the
//     zset limits; listpack/ziplist/intset blobs are converted only when their element count is
//     over the limit (never for element length, except zipmaps); quicklist nodes are kept as
//     stored (not re-packed to list-max-listpack-size), while LIST (1) and LIST_ZIPLIST (10)
//     elements are pushed one by one and so follow it.
//   - A ZSET_ZIPLIST (12) kept as a listpack keeps the file's element order (Redis trusts the
//     ziplist to be sorted); above the count limit it is sorted into a skiplist.
//   - Duplicate fields/members: always an error in zipmaps and ziplists (an integer entry 5 and
//     the string "5" count as the same field), in SET (2) and ZSET (3, 5), and in a HASH (4)
//     once it is a hashtable; a HASH (4) still in its listpack phase is searched only with
//     sanitize-dump-payload yes, so by default Redis loads it with the duplicate.
//   - ZSET (3) score text is read with sscanf("%lg"): leading spaces, '+', hex, "inf",
//     overflow to infinity and trailing garbage after a number are accepted; NaN is an error.
#pragma once

#include <cstddef>
#include <cstdint>

namespace snapstream::rdb {

constexpr int kVersion = 10;
constexpr char kMagic[] = "REDIS";
constexpr size_t kHeaderSize = 9;  // "REDIS" + 4 digits

// Length encodings (first byte's top bits).
constexpr uint8_t kLen6 = 0;
constexpr uint8_t kLen14 = 1;
constexpr uint8_t kLen32 = 0x80;
constexpr uint8_t kLen64 = 0x81;
constexpr uint8_t kEncVal = 3;  // "11xxxxxx": special string encoding follows

// Special string encodings (the low six bits after 0b11).
constexpr uint8_t kEncInt8 = 0;
constexpr uint8_t kEncInt16 = 1;
constexpr uint8_t kEncInt32 = 2;
constexpr uint8_t kEncLzf = 3;

// Strings shorter than this are never compressed; LZF output must save at least 4 bytes.
constexpr size_t kLzfMinLength = 21;

// Value types.
enum Type : uint8_t {
    kTypeString = 0,
    kTypeList = 1,
    kTypeSet = 2,
    kTypeZSet = 3,
    kTypeHash = 4,
    kTypeZSet2 = 5,
    kTypeModule = 6,
    kTypeModule2 = 7,
    kTypeHashZipmap = 9,
    kTypeListZiplist = 10,
    kTypeSetIntset = 11,
    kTypeZSetZiplist = 12,
    kTypeHashZiplist = 13,
    kTypeListQuicklist = 14,
    kTypeStreamListpacks = 15,
    kTypeHashListpack = 16,
    kTypeZSetListpack = 17,
    kTypeListQuicklist2 = 18,
    kTypeStreamListpacks2 = 19,
};

// Quicklist-2 node containers.
constexpr uint64_t kQuicklistNodePlain = 1;
constexpr uint64_t kQuicklistNodePacked = 2;

// Opcodes (bytes that take the place of a type byte).
enum Opcode : uint8_t {
    kOpFunction2 = 245,
    kOpFunctionPreGa = 246,
    kOpModuleAux = 247,
    kOpIdle = 248,
    kOpFreq = 249,
    kOpAux = 250,
    kOpResizeDb = 251,
    kOpExpireTimeMs = 252,
    kOpExpireTime = 253,
    kOpSelectDb = 254,
    kOpEof = 255,
};

// ZSET (type 3) score text markers.
constexpr uint8_t kScoreNan = 253;
constexpr uint8_t kScorePosInf = 254;
constexpr uint8_t kScoreNegInf = 255;

}  // namespace snapstream::rdb
