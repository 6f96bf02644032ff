// A stream of rows into one table, inside a transaction of its own
// connection: what a load job writes its valid rows to. Two kinds: BulkLoad
// (LOAD DATA LOCAL, the fast one, which the server must allow with
// local_infile) and BatchInsert (multi-row INSERTs, which every server takes).
// They store the same rows and keep the same promises.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::db {

struct BulkTarget {
  // Table to load into, unquoted.
  std::string table{};
  // Its columns, in the order write_row() passes values.
  std::vector<std::string> columns{};
  // Statements run on the connection after the session setup and before the
  // load, e.g. "SET SESSION foreign_key_checks = 0".
  std::vector<std::string> setup{};
  // Skip rows whose unique key is already in the table (LOAD DATA ... IGNORE,
  // INSERT IGNORE) and count them; the first of equal rows in stream order is
  // kept. Any warning but a duplicate key still fails the load. Default off.
  bool skip_duplicates = false;
  // BulkLoad only: the file name the statement names. Empty (the default)
  // means the stream's own random token. Anything else makes the server ask
  // for a file the handler does not serve: tests use it to prove such a
  // request fails.
  std::string statement_file_name{};
  // The table is scratch, dropped by the caller after any failure: abort()
  // then commits what was sent instead of rolling it back. A roll-back takes
  // about as long as the load did (3.4 s for 1.7M rows), a commit and a DROP
  // milliseconds: a stopped run's clean-up must fit in docker stop's 10 s.
  // Default off: abort() rolls back.
  bool scratch = false;
  // BatchInsert only: send each batch in one bulk execution where the server
  // has it (MariaDB), else as one multi-row INSERT (MySQL). Default on; off
  // forces the multi-row statements, so that tests on MariaDB cover them.
  bool bulk_execution = true;
};

class RowStream {
 public:
  virtual ~RowStream() = default;

  // Appends one row, values in BulkTarget::columns order, sent as text.
  // Blocks while the server is behind. Throws the stream's DbError if a
  // statement already failed (server gone, refused, killed).
  virtual void write_row(std::initializer_list<std::string_view> values) = 0;

  // Ends the data, waits for the server, checks that it stored every row (or
  // skipped exactly the duplicates) with no other warning, and commits.
  // Returns the number of rows stored. On any failure rolls back and throws.
  virtual std::uint64_t finish() = 0;

  // Stops the stream and rolls it back (commits it, for a scratch target).
  // Safe to call more than once.
  virtual void abort() noexcept = 0;

  virtual std::uint64_t rows_written() const = 0;
  // Rows skipped as duplicates; known after finish().
  virtual std::uint64_t rows_skipped() const = 0;
};

}  // namespace pipeline::db
