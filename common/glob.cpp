// Glob matching with the exact semantics of Redis 7.0's stringmatchlen().
//
// The pattern is a sequence of '*' runs and single-byte "atoms" ('?', a class, an escaped or a
// literal byte). How much pattern text an atom spans never depends on the byte it is matched
// against, so matching can be done with the classic iterative algorithm that only remembers the
// most recent '*': once a later '*' has been reached, letting an earlier '*' swallow more input
// can never help (the later '*' has already tried every remaining suffix). Redis reaches the
// same conclusion through its "give up once an inner star failed" flag; this version needs no
// recursion, so pattern length cannot exhaust the stack and the worst case is
// O(len(pattern) * len(text)).
//
// Quirks reproduced on purpose (all observable through KEYS / SCAN MATCH / CONFIG GET):
//  * An empty text only matches an empty pattern ("*" does not match ""; KEYS special-cases "*").
//  * Bytes are compared as signed chars, so class ranges such as [a-\xff] are evaluated on
//    values -128..127 (and reversed ranges are swapped first).
//  * With nocase, range ends and the byte are folded with glibc's tolower() in the "C" locale,
//    which maps negative (high-bit) chars to 128..254 (-1 stays -1) and only folds A-Z.
//  * Inside a class, "\x" compares x exactly, even with nocase.
//  * "x-y" is read as a range whenever at least three pattern bytes remain, even when y is the
//    class's closing ']' (so "[a-]" does not close there and keeps reading).
//  * An unterminated class simply ends at the end of the pattern: "[ab" matches "a" or "b",
//    "[" matches nothing and "[^" matches any single byte.
//  * A trailing lone backslash matches a literal backslash.
#include "common/glob.h"

#include <cstddef>

namespace snapstream {

namespace {

// glibc's tolower() for an int built from a (signed) char, in the "C" locale.
inline int c_tolower(int c) {
    if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
    if (c < -1) return c + 256;
    return c;
}

inline int signed_byte(char c) {
    return static_cast<int>(static_cast<signed char>(c));
}

class Matcher {
  public:
    Matcher(std::string_view pattern, bool nocase)
        : p_(pattern.data()), n_(pattern.size()), nocase_(nocase) {}

    // Pattern byte at i, reading the end of the pattern as a NUL byte (Redis's patterns are
    // NUL terminated strings and its matcher peeks there).
    char at(size_t i) const { return i < n_ ? p_[i] : '\0'; }

    bool same_byte(char a, char b) const {
        if (!nocase_) return a == b;
        return c_tolower(signed_byte(a)) == c_tolower(signed_byte(b));
    }

    // Matches the single-byte atom starting at pattern index i (not a '*') against c.
    // Sets *next to the index just after the atom.
    bool atom(size_t i, char c, size_t* next) const {
        switch (p_[i]) {
            case '?':
                *next = i + 1;
                return true;
            case '[':
                return char_class(i + 1, c, next);
            case '\\':
                if (n_ - i >= 2) {
                    *next = i + 2;
                    return same_byte(p_[i + 1], c);
                }
                *next = i + 1;
                return same_byte('\\', c);
            default:
                *next = i + 1;
                return same_byte(p_[i], c);
        }
    }

  private:
    // j indexes the byte right after '['.
    bool char_class(size_t j, char c, size_t* next) const {
        const bool negate = at(j) == '^';
        if (negate) ++j;
        bool hit = false;
        for (;; ++j) {
            const size_t remaining = n_ - j;
            const char pc = at(j);
            if (pc == '\\' && remaining >= 2) {
                ++j;
                if (p_[j] == c) hit = true;
            } else if (pc == ']') {
                break;
            } else if (remaining == 0) {
                // Unterminated: the class ends with the pattern.
                --j;
                break;
            } else if (remaining >= 3 && p_[j + 1] == '-') {
                int lo = signed_byte(p_[j]);
                int hi = signed_byte(p_[j + 2]);
                int v = signed_byte(c);
                if (lo > hi) {
                    const int t = lo;
                    lo = hi;
                    hi = t;
                }
                if (nocase_) {
                    lo = c_tolower(lo);
                    hi = c_tolower(hi);
                    v = c_tolower(v);
                }
                j += 2;
                if (v >= lo && v <= hi) hit = true;
            } else if (same_byte(pc, c)) {
                hit = true;
            }
        }
        *next = j + 1;
        return negate ? !hit : hit;
    }

    const char* p_;
    size_t n_;
    bool nocase_;
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
    const size_t n = pattern.size();
    const size_t m = text.size();
    if (m == 0) return n == 0;

    const Matcher mt(pattern, nocase);
    constexpr size_t kNone = static_cast<size_t>(-1);
    size_t pi = 0;
    size_t ti = 0;
    size_t star_pi = kNone;  // pattern index right after the most recent '*' run
    size_t star_ti = 0;      // text index that '*' run currently starts its rest at

    for (;;) {
        if (pi < n && pattern[pi] == '*') {
            while (pi < n && pattern[pi] == '*') ++pi;
            if (pi == n) return true;  // a trailing '*' swallows the remaining (non-empty) text
            star_pi = pi;
            star_ti = ti;
            continue;
        }
        if (pi < n) {
            size_t next;
            if (mt.atom(pi, text[ti], &next)) {
                pi = next;
                ++ti;
                if (ti < m) continue;
                // Text exhausted: only '*'s may remain in the pattern.
                while (pi < n && pattern[pi] == '*') ++pi;
                if (pi == n) return true;
            }
        }
        // Mismatch (or pattern left over, or text left over): let the last '*' take one more
        // byte. It only ever hands a non-empty rest of the text to what follows it.
        if (star_pi == kNone) return false;
        ++star_ti;
        if (star_ti >= m) return false;
        pi = star_pi;
        ti = star_ti;
    }
}

}  // namespace snapstream
