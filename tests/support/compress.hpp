// Compressed test inputs, made in memory: gzip (zlib) and zstd, one member
// or frame per call, so tests can concatenate several.
#pragma once

#include <string>
#include <string_view>

namespace pipeline::testing {

std::string gzip(std::string_view text);
std::string zstd(std::string_view text);

}  // namespace pipeline::testing
