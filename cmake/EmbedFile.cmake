# Turns a file into a C++ source defining `std::string_view <symbol>()` with its bytes, so web
# assets ship inside the binary. Regenerated when the file changes.
function(cryptolake_embed_file input symbol output)
  file(READ "${input}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  file(SIZE "${input}" size)
  set(content "// Generated from ${input}; do not edit.\n#include <string_view>\nnamespace cryptolake::serve {\nnamespace {\nconst unsigned char kBytes[] = {${bytes}0x00};\n}\nstd::string_view ${symbol}() { return {reinterpret_cast<const char*>(kBytes), ${size}}; }\n}\n")
  file(CONFIGURE OUTPUT "${output}" CONTENT "${content}" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${input}")
endfunction()
