#include "persistence/crc64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace snapstream {
namespace {

// Bit-at-a-time reference of the same CRC (reflected Jones polynomial).
uint64_t crc64_bitwise(const std::string& s) {
    uint64_t crc = 0;
    for (unsigned char c : s) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

TEST(Crc64, CheckValueOfTheJonesParameters) {
    EXPECT_EQ(crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
    EXPECT_EQ(crc64(0, "", 0), 0u);
}

TEST(Crc64, SliceBy8MatchesBitwiseAndChains) {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::string s(rng() % 300, '\0');
        for (char& c : s) c = static_cast<char>(rng());
        ASSERT_EQ(crc64(0, s.data(), s.size()), crc64_bitwise(s)) << s.size();
        const size_t cut = s.empty() ? 0 : rng() % s.size();
        const uint64_t a = crc64(0, s.data(), cut);
        ASSERT_EQ(crc64(a, s.data() + cut, s.size() - cut), crc64_bitwise(s));
    }
}

}  // namespace
}  // namespace snapstream
