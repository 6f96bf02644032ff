// Which code points a stored text value may not hold, and the words a reject
// gives for each: the one place that decides it. Validation, and the escaping
// of a header name shown in a message, both ask here.
//
// Forbidden: control characters -- C0 except tab, LF and CR (those may sit
// inside a quoted field), DEL, and the C1 range U+0080..U+009F (NEL, CSI, ...)
// -- and the characters that are invisible yet change how a name displays or
// compares: the Unicode Bidi_Control set (util/unicode_controls.hpp), which
// can make a name display as something else in every report, and U+FEFF, a
// byte order mark that strayed into a field (at the start of the file it is
// skipped). The whole Bidi_Control set goes, not only the overrides: LRM, RLM
// and ALM are as invisible and make two identical-looking names differ, which
// matters because place_of_birth matches a city byte for byte.
//
// Allowed on purpose: U+00A0 (no-break space) and every letter, mark, symbol
// and emoji; U+200C/U+200D (ZWNJ/ZWJ), which Persian, Indic scripts and emoji
// sequences need; U+2028/U+2029 (line and paragraph separators), which move
// no text and are kin to the LF a field may already hold.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/util/unicode_controls.hpp"

namespace pipeline::load {

enum class Forbidden {
  kAllowed,
  kNul,            // U+0000
  kControl,        // the rest of C0 but tab, LF and CR; DEL
  kC1Control,      // U+0080..U+009F
  kBidiControl,    // the Unicode Bidi_Control set
  kByteOrderMark,  // U+FEFF inside a value
};

struct ForbiddenRange {
  char32_t first, last;
  Forbidden kind;
};

// The rule: every forbidden code point, in ranges. Nothing else decides.
inline constexpr ForbiddenRange kForbiddenRanges[] = {
    {0x0000, 0x0000, Forbidden::kNul},           {0x0001, 0x0008, Forbidden::kControl},
    {0x000B, 0x000C, Forbidden::kControl},       {0x000E, 0x001F, Forbidden::kControl},
    {0x007F, 0x007F, Forbidden::kControl},
    {util::kC1Controls.first, util::kC1Controls.last, Forbidden::kC1Control},
    {util::kBidiControls[0].first, util::kBidiControls[0].last, Forbidden::kBidiControl},
    {util::kBidiControls[1].first, util::kBidiControls[1].last, Forbidden::kBidiControl},
    {util::kBidiControls[2].first, util::kBidiControls[2].last, Forbidden::kBidiControl},
    {util::kBidiControls[3].first, util::kBidiControls[3].last, Forbidden::kBidiControl},
    {0xFEFF, 0xFEFF, Forbidden::kByteOrderMark},
};
static_assert(std::size(util::kBidiControls) == 4, "every Bidi_Control range has its row above");

// Why `cp` may not be stored, or kAllowed.
constexpr Forbidden classify(char32_t cp) noexcept {
  for (const ForbiddenRange& range : kForbiddenRanges) {
    if (cp >= range.first && cp <= range.last) return range.kind;
  }
  return Forbidden::kAllowed;
}

struct ForbiddenCharacter {
  char32_t code_point = 0;
  Forbidden kind = Forbidden::kAllowed;
  // Byte offset of its first byte in the text searched.
  std::size_t offset = 0;
};

// The first forbidden code point of `text`, which must be valid UTF-8 (check
// it with util::check_utf8 first); nullopt when there is none.
std::optional<ForbiddenCharacter> find_forbidden(std::string_view text) noexcept;

// A reject's reason, naming the code point: "contains a NUL byte", "contains
// the control character U+001B", "contains the C1 control character U+0085",
// "contains the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)",
// "contains the byte order mark U+FEFF (ZERO WIDTH NO-BREAK SPACE)".
std::string describe(const ForbiddenCharacter& character);

}  // namespace pipeline::load
