// Streaming rows into a table with LOAD DATA LOCAL INFILE, fed from memory
// over a MariaDB Connector/C connection of its own: Connector/C++ 1.1 has no
// way to feed LOAD DATA from anything but a file. bulk_load.cpp and
// option_files.cpp are the only files that include Connector/C headers.
//
// The local-infile handler serves only this stream, under a random name that
// appears in the statement. A server that asks for any other file name gets an
// error and not a byte. Nothing ever touches the disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pipeline/db/connection_options.hpp"

struct st_mysql;

namespace pipeline::db {

struct BulkTarget {
  // Table to load into, unquoted.
  std::string table{};
  // Its columns, in the order write_row() passes values.
  std::vector<std::string> columns{};
  // Statements run on the connection after the session setup and before the
  // load, e.g. "SET SESSION foreign_key_checks = 0".
  std::vector<std::string> setup{};
  // Skip rows whose unique key is already in the table (LOAD DATA ... IGNORE)
  // and count them; the first of equal rows in stream order is kept. Any
  // warning but a duplicate key still fails the load. Default off.
  bool skip_duplicates = false;
  // The file name the statement names. Empty (the default) means the
  // stream's own random token. Anything else makes the server ask for a file
  // the handler does not serve: tests use it to prove such a request fails.
  std::string statement_file_name{};
  // The table is scratch, dropped by the caller after any failure: abort()
  // then commits what was sent instead of rolling it back. A roll-back takes
  // about as long as the load did (3.4 s for 1.7M rows), a commit and a DROP
  // milliseconds: a stopped run's clean-up must fit in docker stop's 10 s.
  // Default off: abort() rolls back.
  bool scratch = false;
};

class BulkLoad {
 public:
  // Connects (retrying as connect_with_retry does), opens a transaction and
  // starts the LOAD DATA statement on a worker thread. Throws DbError/Error.
  BulkLoad(const ConnectionOptions& options, BulkTarget target);
  // Aborts a load that was neither finished nor aborted: nothing is committed.
  ~BulkLoad();
  BulkLoad(const BulkLoad&) = delete;
  BulkLoad& operator=(const BulkLoad&) = delete;

  // Appends one row. Values are sent as text; LOAD DATA's escapes are added
  // here. Blocks while the server is behind. Throws the load's DbError if the
  // statement already failed (server gone, refused, killed).
  void write_row(std::initializer_list<std::string_view> values);

  // Ends the data, waits for the server, checks that it stored every row (or
  // skipped exactly the duplicates) with no other warning, and commits.
  // Returns the number of rows stored. On any failure rolls back and throws.
  std::uint64_t finish();

  // Stops the load and rolls it back (commits it, for a scratch target).
  // Safe to call more than once.
  void abort() noexcept;

  std::uint64_t rows_written() const { return rows_written_; }
  // Rows skipped as duplicates; known after finish().
  std::uint64_t rows_skipped() const { return rows_written_ - rows_loaded_; }

  // Called by Connector/C's local-infile hooks; not part of the interface.
  int on_infile_init(const char* file_name);
  int on_infile_read(char* buffer, unsigned int length);
  int on_infile_error(char* message, unsigned int length);

 private:
  void run(std::string statement);
  void push_chunk();
  void rethrow_failure();
  // Whether the server stored what it was sent; throws if not.
  void check_outcome() const;
  void execute_or_throw(std::string_view sql, const std::string& what);

  st_mysql* mysql_ = nullptr;
  std::string target_;
  // The only file name the handler serves.
  std::string token_;
  std::thread worker_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // full chunks waiting for the server
  bool closed_ = false;            // producer is done
  bool aborted_ = false;           // producer gave up
  bool done_ = false;              // statement returned
  int failure_errno_ = 0;
  std::string failure_state_;
  std::string failure_message_;
  std::uint64_t rows_loaded_ = 0;
  unsigned int warning_count_ = 0;
  // The first few warnings: error number and message.
  std::vector<std::pair<int, std::string>> warnings_;

  std::string current_;  // producer's chunk being filled
  std::string reading_;  // chunk being sent (worker thread only)
  std::size_t reading_pos_ = 0;
  std::string refused_file_;
  bool skip_duplicates_ = false;
  bool scratch_ = false;
  std::uint64_t rows_written_ = 0;
  bool finished_ = false;
};

}  // namespace pipeline::db
