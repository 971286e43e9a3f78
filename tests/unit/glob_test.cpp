// Unit tests for common/glob. Cases marked "redis" were confirmed against a real redis-server
// 7.0.15 with KEYS (case-sensitive) or CONFIG GET (nocase).
#include "common/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace snapstream {
namespace {

using namespace std::string_literals;

bool m(std::string_view p, std::string_view s) {
    return glob_match(p, s, false);
}
bool mi(std::string_view p, std::string_view s) {
    return glob_match(p, s, true);
}

TEST(Glob, Literals) {
    EXPECT_TRUE(m("hello", "hello"));
    EXPECT_FALSE(m("hello", "hell"));
    EXPECT_FALSE(m("hell", "hello"));
    EXPECT_FALSE(m("hello", "Hello"));
    EXPECT_TRUE(m("a\0b"s, "a\0b"s));
    EXPECT_FALSE(m("a\0b"s, "a\0c"s));
    EXPECT_FALSE(m("a", "a\0"s));
}

TEST(Glob, EmptyStrings) {
    EXPECT_TRUE(m("", ""));
    EXPECT_FALSE(m("", "a"));
    // An empty text only matches an empty pattern; KEYS/SCAN special-case the exact pattern "*"
    // (redis: with an empty key present, KEYS ** does not list it, KEYS * does).
    EXPECT_FALSE(m("*", ""));
    EXPECT_FALSE(m("**", ""));
    EXPECT_FALSE(m("?", ""));
}

TEST(Glob, QuestionMark) {
    EXPECT_TRUE(m("h?llo", "hello"));
    EXPECT_TRUE(m("h?llo", "hallo"));
    EXPECT_FALSE(m("h?llo", "hllo"));
    EXPECT_TRUE(m("?", "\xff"));
    EXPECT_TRUE(m("?", "\0"s));
    EXPECT_FALSE(m("?", "ab"));
    EXPECT_TRUE(m("??", "ab"));
}

TEST(Glob, Star) {
    EXPECT_TRUE(m("*", "anything"));
    EXPECT_TRUE(m("**", "x"));
    EXPECT_TRUE(m("h*llo", "hllo"));
    EXPECT_TRUE(m("h*llo", "heeeello"));
    EXPECT_FALSE(m("h*llo", "helo"));
    EXPECT_TRUE(m("a*", "a"));
    EXPECT_TRUE(m("a**", "a"));
    EXPECT_TRUE(m("*b", "b"));
    EXPECT_TRUE(m("*b", "aaab"));
    EXPECT_FALSE(m("*b", "aaba"));
    EXPECT_TRUE(m("foo:*", "foo:bar"));
    EXPECT_TRUE(m("foo:*:1", "foo:baz:1"));
    EXPECT_FALSE(m("foo:*:1", "foo:bar"));
    EXPECT_TRUE(m("*a*a*a*b", "aaaaaaaaaaab"));
    EXPECT_TRUE(m("*a*b*c*", "xxaxxbxxcxx"));
    EXPECT_FALSE(m("*a*b*c*", "xxaxxcxxbxx"));
    EXPECT_TRUE(m("a*b*a", "abba"));
    EXPECT_TRUE(m("*?", "a"));
    EXPECT_FALSE(m("*??", "a"));
    EXPECT_TRUE(m("*ab", "aab"));
    EXPECT_TRUE(m("*aab", "aaab"));
}

TEST(Glob, Classes) {
    EXPECT_TRUE(m("h[ae]llo", "hello"));
    EXPECT_TRUE(m("h[ae]llo", "hallo"));
    EXPECT_FALSE(m("h[ae]llo", "hillo"));
    EXPECT_FALSE(m("h[ae]llo", "hllo"));
    EXPECT_TRUE(m("h[^e]llo", "hallo"));
    EXPECT_FALSE(m("h[^e]llo", "hello"));
    EXPECT_TRUE(m("h[a-b]llo", "hbllo"));
    EXPECT_FALSE(m("h[a-b]llo", "hcllo"));
    EXPECT_TRUE(m("[a-c-e]", "-"));  // "a-c" then literals '-' and 'e'
    EXPECT_TRUE(m("[a-c-e]", "e"));
    EXPECT_FALSE(m("[a-c-e]", "d"));
    EXPECT_TRUE(m("[-a]", "-"));
    EXPECT_TRUE(m("[[]", "["));
    EXPECT_TRUE(m("[!a]", "!"));  // '!' is not a negation
    EXPECT_FALSE(m("[!a]", "b"));
}

TEST(Glob, ClosingBracketHandling) {
    // A ']' right after '[' (or "[^") closes the class at once: "[]" is an empty class that
    // matches nothing and "[^]" matches any byte. So "[]]" can never match, and "[^]]" is
    // "any byte, then ']'".
    EXPECT_FALSE(m("[]]", "]"));
    EXPECT_FALSE(m("[]]", "]]"));
    EXPECT_FALSE(m("[]a]", "a"));
    EXPECT_FALSE(m("[]a]", "]"));
    EXPECT_FALSE(m("[]a]", "xa]"));
    EXPECT_FALSE(m("[^]]", "]"));
    EXPECT_TRUE(m("[^]]", "]]"));
    EXPECT_TRUE(m("[^]]", "x]"));
    EXPECT_TRUE(m("[^]", "x"));
}

TEST(Glob, ReversedRangesAreSwapped) {
    // redis: KEYS [z-a] lists a, b and z.
    EXPECT_TRUE(m("[z-a]", "a"));
    EXPECT_TRUE(m("[z-a]", "m"));
    EXPECT_TRUE(m("[z-a]", "z"));
    EXPECT_FALSE(m("[z-a]", "A"));
    EXPECT_TRUE(m("[^z-a]", "A"));
}

TEST(Glob, RangeSwallowsClosingBracket) {
    // "a-]" is read as the range ']'..'a' and the class continues to the end of the pattern.
    // redis: KEYS [a-] lists ], ^, _, ` and a.
    for (const char* s : {"]", "^", "_", "`", "a"}) EXPECT_TRUE(m("[a-]", s)) << s;
    EXPECT_FALSE(m("[a-]", "b"));
    EXPECT_FALSE(m("[a-]", "\\"));
    // "[a-]b" is therefore one class {]..a, b}, not a class followed by 'b'.
    EXPECT_TRUE(m("[a-]b", "b"));
    EXPECT_TRUE(m("[a-]b", "a"));
    EXPECT_FALSE(m("[a-]b", "ab"));
}

TEST(Glob, UnterminatedClass) {
    // redis: KEYS [ matches nothing, KEYS [^ matches every one-byte key, KEYS [ab lists a and b.
    EXPECT_FALSE(m("[", "["));
    EXPECT_FALSE(m("[", "a"));
    EXPECT_TRUE(m("[^", "a"));
    EXPECT_TRUE(m("[^", "["));
    EXPECT_TRUE(m("[^", "\xff"));
    EXPECT_FALSE(m("[^", "ab"));
    EXPECT_TRUE(m("[ab", "a"));
    EXPECT_TRUE(m("[ab", "b"));
    EXPECT_FALSE(m("[ab", "c"));
    EXPECT_FALSE(m("[ab", "ab"));
    EXPECT_FALSE(m("a[", "a"));
    EXPECT_FALSE(m("a[", "a["));
    EXPECT_TRUE(m("[a-", "-"));
    EXPECT_TRUE(m("[a-", "a"));
    EXPECT_FALSE(m("[a-", "b"));
    EXPECT_TRUE(m("[a-z", "q"));
    EXPECT_TRUE(m("[\\", "\\"));
    EXPECT_TRUE(m("[^\\", "a"));
    EXPECT_FALSE(m("[^\\", "\\"));
}

TEST(Glob, Escapes) {
    EXPECT_TRUE(m("\\*", "*"));
    EXPECT_FALSE(m("\\*", "a"));
    EXPECT_TRUE(m("\\?", "?"));
    EXPECT_FALSE(m("\\?", "a"));
    EXPECT_TRUE(m("\\[a]", "[a]"));
    EXPECT_TRUE(m("\\a", "a"));
    EXPECT_TRUE(m("\\\\", "\\"));
    // A trailing lone backslash is a literal backslash.
    EXPECT_TRUE(m("\\", "\\"));
    EXPECT_TRUE(m("a\\", "a\\"));
    EXPECT_TRUE(m("*\\", "xyz\\"));
    EXPECT_FALSE(m("a\\", "a"));
    // Inside a class.
    EXPECT_TRUE(m("[\\]]", "]"));
    EXPECT_FALSE(m("[\\]]", "\\"));
    // "[\-]" is an escaped '-' and then the closing ']', not a range.
    EXPECT_TRUE(m("[\\-]", "-"));
    EXPECT_FALSE(m("[\\-]", "\\"));
    EXPECT_FALSE(m("[\\-]", "]"));
    // An escaped ']' does not close the class.
    EXPECT_TRUE(m("[a\\]b]", "b"));
    EXPECT_TRUE(m("[a\\]b]", "]"));
}

TEST(Glob, HighBytesCompareAsSignedChars) {
    // redis: KEYS [a-\xff] lists *, -, ?, A, Z, [, \, ], ^, _, `, a and \xff but not \x80:
    // the range is -1..97 once bytes are read as signed chars.
    EXPECT_TRUE(m("[a-\xff]", "\xff"));
    EXPECT_TRUE(m("[a-\xff]", "A"));
    EXPECT_TRUE(m("[a-\xff]", "\x01"));
    EXPECT_FALSE(m("[a-\xff]", "\x80"));
    EXPECT_FALSE(m("[a-\xff]", "b"));
    EXPECT_FALSE(m("[a-\xff]", "\x7f"));
    EXPECT_TRUE(m("[\x80-a]", "\x80"));
    EXPECT_TRUE(m("[\x80-a]", "\xff"));
    EXPECT_TRUE(m("[\x80-a]", "a"));
    EXPECT_FALSE(m("[\x80-a]", "b"));
    EXPECT_TRUE(m("\x80*\xff", "\x80xyz\xff"));
}

TEST(Glob, NoCase) {
    EXPECT_TRUE(mi("HELLO", "hello"));
    EXPECT_TRUE(mi("hello", "HeLLo"));
    EXPECT_TRUE(mi("h?LLO", "HeLlo"));
    EXPECT_TRUE(mi("maxmem*", "MAXMEMORY-policy"));
    EXPECT_TRUE(mi("[A-C]x", "bX"));
    EXPECT_TRUE(mi("[a-c]x", "BX"));
    EXPECT_TRUE(mi("[^a-c]x", "dx"));
    EXPECT_FALSE(mi("[^a-c]x", "Bx"));
    EXPECT_TRUE(mi("[XYZ]", "y"));
    EXPECT_TRUE(mi("\\M", "m"));  // outside a class an escaped byte still folds
    // redis: CONFIG GET [L-N]axmemory finds maxmemory.
    EXPECT_TRUE(mi("[L-N]axmemory", "maxmemory"));
    // redis: inside a class an escaped byte compares exactly: CONFIG GET [\M]axmemory finds
    // nothing while [\m]axmemory finds maxmemory.
    EXPECT_FALSE(mi("[\\M]axmemory", "maxmemory"));
    EXPECT_TRUE(mi("[\\m]axmemory", "maxmemory"));
    // redis: range ends are folded after the swap, so [Z-a] becomes 'z'..'a' and is empty:
    // CONFIG GET [Z-a]ppendonly finds nothing, [^Z-a]ppendonly finds appendonly.
    EXPECT_FALSE(mi("[Z-a]ppendonly", "appendonly"));
    EXPECT_TRUE(mi("[^Z-a]ppendonly", "appendonly"));
    EXPECT_TRUE(mi("[A-z]ppendonly", "appendonly"));
    // Case-sensitively, [Z-a] is 'Z'..'a'.
    EXPECT_TRUE(m("[Z-a]", "a"));
    EXPECT_TRUE(m("[Z-a]", "_"));
    EXPECT_FALSE(mi("[Z-a]", "_"));
    // Folding only touches A-Z.
    EXPECT_FALSE(mi("\xc0", "\xe0"));
}

TEST(Glob, NoCaseHighByteRanges) {
    // With nocase glibc's tolower() maps negative chars to 128..254 (and -1 stays -1), so
    // [\x80-a] (signed -128..97) becomes 128..97 and matches nothing...
    EXPECT_FALSE(mi("[\x80-a]", "a"));
    EXPECT_FALSE(mi("[\x80-a]", "\x80"));
    // ...while [\x80-\xfe] stays a proper range.
    EXPECT_TRUE(mi("[\x80-\xfe]", "\x90"));
    EXPECT_FALSE(mi("[\x80-\xfe]", "a"));
    // [a-\xff] is -1..97 either way, but \x80 folds to 128 and falls outside it.
    EXPECT_TRUE(mi("[a-\xff]", "A"));
    EXPECT_TRUE(mi("[a-\xff]", "\xff"));
    EXPECT_FALSE(mi("[a-\xff]", "\x80"));
    EXPECT_TRUE(mi("\x80", "\x80"));
}

TEST(Glob, PathologicalPatternsAreFast) {
    const std::string text(200000, 'a');
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(m("a*a*a*a*a*a*a*a*b", text));
    EXPECT_FALSE(m("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
    EXPECT_TRUE(m("a*a*a*a*a*a*a*a*a", text));
    EXPECT_FALSE(m("*?*?*?*?*?*?*?*?*b", text));
    // Very long patterns must not exhaust the stack either.
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "a*";
    EXPECT_FALSE(m(deep + "b", text));
    EXPECT_TRUE(m(deep, text));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    // Exponential backtracking would take astronomically long; linear work is milliseconds.
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

}  // namespace
}  // namespace snapstream
