# embed_text(<output.cpp> <input> <symbol>) generates, at build time, a source
# file defining `extern const std::string_view <symbol>` with the input's bytes.
# The input stays the single source: editing it regenerates the .cpp.
function(embed_text output input symbol)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_text_script.cmake"
    DEPENDS "${input}" "${PROJECT_SOURCE_DIR}/cmake/embed_text_script.cmake"
    COMMENT "Embedding ${input}"
    VERBATIM)
endfunction()
