// The invisible control characters that both the validation of stored text
// (load/forbidden_characters.hpp) and the escaping of log text
// (util/log_text.hpp) must recognise: the C1 controls and the Unicode
// Bidi_Control set. Each of those decides, from these, what it does with them.
#pragma once

namespace pipeline::util {

struct CodePointRange {
  char32_t first, last;
  constexpr bool contains(char32_t cp) const noexcept { return cp >= first && cp <= last; }
};

// U+0080..U+009F: NEL, CSI and the rest, which terminals act on.
inline constexpr CodePointRange kC1Controls = {0x0080, 0x009F};

// Bidi_Control: U+061C ALM, U+200E LRM, U+200F RLM, U+202A..U+202E
// embeddings and overrides, U+2066..U+2069 isolates.
inline constexpr CodePointRange kBidiControls[] = {
    {0x061C, 0x061C}, {0x200E, 0x200F}, {0x202A, 0x202E}, {0x2066, 0x2069}};

constexpr bool is_c1_control(char32_t cp) noexcept { return kC1Controls.contains(cp); }

constexpr bool is_bidi_control(char32_t cp) noexcept {
  for (const CodePointRange& range : kBidiControls) {
    if (range.contains(cp)) return true;
  }
  return false;
}

}  // namespace pipeline::util
