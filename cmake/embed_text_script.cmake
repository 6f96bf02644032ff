# Run by embed_text() with -DINPUT -DOUTPUT -DSYMBOL. Writes the bytes as hex
# so that no content can break out of the literal.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "((('[^']*'),){16})" "\\1\n    " bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${name} at build time; do not edit.
#include <string_view>

namespace {
constexpr char kBytes[] = {
    ${bytes}'\\0'};
}  // namespace

extern const std::string_view ${SYMBOL};
const std::string_view ${SYMBOL}{kBytes, ${size}};
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
