#include "pipeline/load/forbidden_characters.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace pipeline::load {
namespace {

// Printable ASCII is never forbidden: check_text's fast path relies on it.
constexpr bool printable_ascii_allowed() {
  for (char32_t cp = 0x20; cp < 0x7F; ++cp) {
    if (classify(cp) != Forbidden::kAllowed) return false;
  }
  return true;
}
static_assert(printable_ascii_allowed());

// The first byte of `cp` in UTF-8.
constexpr unsigned char lead_byte(char32_t cp) {
  if (cp < 0x80) return static_cast<unsigned char>(cp);
  if (cp < 0x800) return static_cast<unsigned char>(0xC0 | (cp >> 6));
  if (cp < 0x10000) return static_cast<unsigned char>(0xE0 | (cp >> 12));
  return static_cast<unsigned char>(0xF0 | (cp >> 18));
}

// Whether a byte can begin a forbidden character, derived from the ranges.
constexpr std::array<bool, 256> kCandidateLead = [] {
  std::array<bool, 256> table{};
  for (const ForbiddenRange& range : kForbiddenRanges) {
    for (char32_t cp = range.first; cp <= range.last; ++cp) table[lead_byte(cp)] = true;
  }
  return table;
}();

// What makes the byte-by-byte scan below right.
constexpr bool no_continuation_byte_is_a_candidate() {
  for (unsigned byte = 0x80; byte <= 0xBF; ++byte) {
    if (kCandidateLead[byte]) return false;
  }
  return true;
}
static_assert(no_continuation_byte_is_a_candidate());

// Unicode names of the invisible characters, for a reason a person can act on.
std::string_view name_of(char32_t cp) {
  switch (cp) {
    case 0x061C:
      return "ARABIC LETTER MARK";
    case 0x200E:
      return "LEFT-TO-RIGHT MARK";
    case 0x200F:
      return "RIGHT-TO-LEFT MARK";
    case 0x202A:
      return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B:
      return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C:
      return "POP DIRECTIONAL FORMATTING";
    case 0x202D:
      return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E:
      return "RIGHT-TO-LEFT OVERRIDE";
    case 0x2066:
      return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067:
      return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068:
      return "FIRST STRONG ISOLATE";
    case 0x2069:
      return "POP DIRECTIONAL ISOLATE";
    case 0xFEFF:
      return "ZERO WIDTH NO-BREAK SPACE";
    default:
      return {};
  }
}

}  // namespace

std::optional<ForbiddenCharacter> find_forbidden(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  // Byte by byte, decoding only at a lead byte that can begin a forbidden
  // character: in valid UTF-8 a continuation byte is never one of those.
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char lead = s[i];
    if (!kCandidateLead[lead]) continue;
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + length > n) break;  // not valid UTF-8, which the caller has ruled out
    char32_t cp = length == 1 ? lead : length == 2 ? lead & 0x1Fu : length == 3 ? lead & 0x0Fu : lead & 0x07u;
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (s[i + k] & 0x3Fu);
    const Forbidden kind = classify(cp);
    if (kind != Forbidden::kAllowed) return ForbiddenCharacter{cp, kind, i};
  }
  return std::nullopt;
}

std::string describe(const ForbiddenCharacter& character) {
  const auto cp = static_cast<std::uint32_t>(character.code_point);
  switch (character.kind) {
    case Forbidden::kNul:
      return "contains a NUL byte";
    case Forbidden::kControl:
      return fmt::format("contains the control character U+{:04X}", cp);
    case Forbidden::kC1Control:
      return fmt::format("contains the C1 control character U+{:04X}", cp);
    case Forbidden::kBidiControl:
      return fmt::format("contains the bidirectional control U+{:04X} ({})", cp, name_of(character.code_point));
    case Forbidden::kByteOrderMark:
      return fmt::format("contains the byte order mark U+{:04X} ({})", cp, name_of(character.code_point));
    case Forbidden::kAllowed:
      break;
  }
  return fmt::format("contains U+{:04X}", cp);
}

}  // namespace pipeline::load
