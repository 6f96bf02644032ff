// UTF-8 validation as RFC 3629 defines it: no overlong forms, no surrogates,
// nothing above U+10FFFF. The loader stores text only after this check passes.
#pragma once

#include <cstddef>
#include <string_view>

namespace pipeline::util {

struct Utf8Check {
  bool valid = true;
  // Number of code points; counts only up to the first invalid byte.
  std::size_t code_points = 0;
  // Offset of the first byte of the first invalid sequence; meaningful when !valid.
  std::size_t error_offset = 0;
};

Utf8Check check_utf8(std::string_view text) noexcept;

}  // namespace pipeline::util
