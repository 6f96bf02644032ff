// Making untrusted text safe to put in a log line or on a terminal. Values
// that come from input data, file names, the environment or the command line
// can hold a newline (which would forge a log line of its own), an ESC or CSI
// sequence (which a terminal obeys), or characters that change how the line
// displays. Both tools' log lines pass through escape_log_text, once, in the
// logger's formatter (util/logging.cpp), so no call site can forget it.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::util {

// `text` with every byte a log line or terminal must not carry raw replaced
// by a visible escape:
// - backslash as \\ (so an escape in the output is never ambiguous);
// - \n, \r and \t as themselves, other C0 controls and DEL as \xHH;
// - bytes that are not part of valid UTF-8 as \xHH;
// - the C1 controls (U+0080 to U+009F: U+009B is a CSI on some terminals),
//   the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E,
//   U+2066 to U+2069) and the line and paragraph separators (U+2028,
//   U+2029) as \uXXXX.
// Everything else, printable ASCII and other Unicode, passes unchanged; the
// result is valid UTF-8 without a control character.
std::string escape_log_text(std::string_view text);

// Appends escape_log_text(text) to `out`.
void append_log_text(std::string_view text, std::string& out);

}  // namespace pipeline::util
