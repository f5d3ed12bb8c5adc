# Every third-party library is reached through a target made here.
# scripts/install-deps installs them (Debian packages + DuckDB from npm into third_party/).
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(zstd REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
# Beast and Asio are header-only here: no components (asking for `system` fails on Debian 12).
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
pkg_check_modules(ZLIB_PC REQUIRED IMPORTED_TARGET zlib)

set(CRYPTOLAKE_DUCKDB_DIR "${CMAKE_CURRENT_SOURCE_DIR}/third_party/duckdb" CACHE PATH "DuckDB lib/ and include/")
if(NOT EXISTS "${CRYPTOLAKE_DUCKDB_DIR}/lib/libduckdb.so")
  message(FATAL_ERROR "DuckDB not found in ${CRYPTOLAKE_DUCKDB_DIR}; run scripts/install-deps")
endif()
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION "${CRYPTOLAKE_DUCKDB_DIR}/lib/libduckdb.so")
target_include_directories(duckdb SYSTEM INTERFACE "${CRYPTOLAKE_DUCKDB_DIR}/include")
