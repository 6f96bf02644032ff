#include "pipeline/util/log_text.hpp"

#include <cstdint>

#include <fmt/format.h>

#include "pipeline/util/unicode_controls.hpp"
#include "pipeline/util/utf8.hpp"

namespace pipeline::util {
namespace {

bool needs_care(unsigned char c) { return c < 0x20 || c == 0x7F || c == '\\' || c >= 0x80; }

// The length of a UTF-8 sequence led by `lead`, or 0 if `lead` leads none.
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

std::uint32_t decode(std::string_view sequence) {
  const auto* s = reinterpret_cast<const unsigned char*>(sequence.data());
  static constexpr unsigned char kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  std::uint32_t code = s[0] & kLeadMask[sequence.size()];
  for (std::size_t k = 1; k < sequence.size(); ++k) code = (code << 6) | (s[k] & 0x3Fu);
  return code;
}

// C1 and bidirectional controls (what a terminal acts on, what makes text
// display as other text), and the line and paragraph separators, which break
// a log line as LF does.
bool escaped_code_point(std::uint32_t code) {
  const auto cp = static_cast<char32_t>(code);
  return is_c1_control(cp) || is_bidi_control(cp) || cp == 0x2028 || cp == 0x2029;
}

void append_byte_escape(unsigned char c, std::string& out) { fmt::format_to(std::back_inserter(out), "\\x{:02x}", c); }

}  // namespace

void append_log_text(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t plain = i;
    while (plain < text.size() && !needs_care(static_cast<unsigned char>(text[plain]))) ++plain;
    out.append(text.data() + i, plain - i);
    i = plain;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          append_byte_escape(c, out);
      }
      ++i;
      continue;
    }
    const std::size_t length = sequence_length(c);
    const std::string_view sequence = text.substr(i, length);
    if (length == 0 || sequence.size() < length || !check_utf8(sequence).valid) {
      append_byte_escape(c, out);
      ++i;
      continue;
    }
    const std::uint32_t code = decode(sequence);
    if (escaped_code_point(code)) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", code);
    } else {
      out.append(sequence);
    }
    i += length;
  }
}

std::string escape_log_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_log_text(text, out);
  return out;
}

}  // namespace pipeline::util
