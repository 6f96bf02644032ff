// Streaming rows into a table with LOAD DATA LOCAL INFILE, fed from memory
// over a MariaDB Connector/C connection of its own (ClientConnection):
// Connector/C++ 1.1 has no way to feed LOAD DATA from anything but a file.
// The server must allow it (local_infile); BatchInsert is the way otherwise.
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

#include "pipeline/db/client_connection.hpp"
#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/row_stream.hpp"

namespace pipeline::db {

class BulkLoad final : public RowStream {
 public:
  // Connects (retrying as connect_with_retry does), opens a transaction and
  // starts the LOAD DATA statement on a worker thread. Throws DbError/Error.
  BulkLoad(const ConnectionOptions& options, BulkTarget target);
  // Aborts a load that was neither finished nor aborted: nothing is committed.
  ~BulkLoad() override;
  BulkLoad(const BulkLoad&) = delete;
  BulkLoad& operator=(const BulkLoad&) = delete;

  // RowStream. LOAD DATA's escapes are added here.
  void write_row(std::initializer_list<std::string_view> values) override;
  std::uint64_t finish() override;
  void abort() noexcept override;
  std::uint64_t rows_written() const override { return rows_written_; }
  std::uint64_t rows_skipped() const override { return rows_written_ - rows_loaded_; }

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

  ClientConnection connection_;
  st_mysql* mysql_ = nullptr;  // connection_'s handle
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
  std::uint64_t warning_count_ = 0;
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
