# Language level, warnings and sanitizers live on one INTERFACE target that
# every target links, instead of in global flags.
add_library(project_settings INTERFACE)
target_compile_features(project_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

target_compile_options(project_settings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual>)

if(PIPELINE_SANITIZE)
  target_compile_options(project_settings INTERFACE
    -fsanitize=${PIPELINE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(project_settings INTERFACE -fsanitize=${PIPELINE_SANITIZE})
endif()

# Fuzzing: coverage instrumentation everywhere, sanitizers on; the fuzz
# targets add -fsanitize=fuzzer at link time.
if(PIPELINE_BUILD_FUZZ)
  target_compile_options(project_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(project_settings INTERFACE -fsanitize=address,undefined)
endif()
