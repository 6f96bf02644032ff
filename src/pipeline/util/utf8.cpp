#include "pipeline/util/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace pipeline::util {

Utf8Check check_utf8(std::string_view text) noexcept {
  Utf8Check result;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Names are mostly ASCII: skip eight ASCII bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s + i, sizeof chunk);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += 8;
        result.code_points += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    std::size_t length = 0;
    std::uint32_t lower = 0x80, upper = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      length = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lower = 0xA0;  // overlong
      if (c == 0xED) upper = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lower = 0x90;  // overlong
      if (c == 0xF4) upper = 0x8F;  // above U+10FFFF
    } else {
      result.valid = false;  // continuation byte, C0/C1 overlong lead, or F5..FF
      result.error_offset = i;
      return result;
    }
    if (i + length > n) {
      result.valid = false;
      result.error_offset = i;
      return result;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char b = s[i + k];
      const std::uint32_t lo = k == 1 ? lower : 0x80;
      const std::uint32_t hi = k == 1 ? upper : 0xBF;
      if (b < lo || b > hi) {
        result.valid = false;
        result.error_offset = i;
        return result;
      }
    }
    i += length;
    ++result.code_points;
  }
  return result;
}

}  // namespace pipeline::util
