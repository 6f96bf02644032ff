# Every dependency comes from a Debian 12 package (see scripts/install-deps).
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(ZLIB REQUIRED)
# libzstd-dev ships a CMake package: zstd::libzstd_shared.
find_package(zstd REQUIRED)

# MySQL Connector/C++ 1.1 ships no CMake package.
find_path(MYSQLCPPCONN_INCLUDE_DIR mysql_driver.h REQUIRED)
find_library(MYSQLCPPCONN_LIBRARY mysqlcppconn REQUIRED)
add_library(mysqlcppconn::mysqlcppconn UNKNOWN IMPORTED)
set_target_properties(mysqlcppconn::mysqlcppconn PROPERTIES
  IMPORTED_LOCATION "${MYSQLCPPCONN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${MYSQLCPPCONN_INCLUDE_DIR}")

# MariaDB Connector/C, for what Connector/C++ 1.1 cannot do: a LOAD DATA
# LOCAL stream fed from memory through mysql_set_local_infile_handler.
find_path(MARIADB_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb REQUIRED)
find_library(MARIADB_LIBRARY mariadb REQUIRED)
add_library(mariadb::mariadb UNKNOWN IMPORTED)
set_target_properties(mariadb::mariadb PROPERTIES
  IMPORTED_LOCATION "${MARIADB_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${MARIADB_INCLUDE_DIR}")

# libcsv, the RFC 4180 tokenizer.
find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
add_library(libcsv::libcsv UNKNOWN IMPORTED)
set_target_properties(libcsv::libcsv PROPERTIES
  IMPORTED_LOCATION "${CSV_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")
