# Warnings for project code only, as one INTERFACE target every project library links.
add_library(cryptolake_warnings INTERFACE)
target_compile_options(cryptolake_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Werror
  # GCC 12 reports false -Wrestrict positives inside libstdc++ string concatenation (GCC PR 105329).
  -Wno-restrict)
