// Streaming rows into a table as multi-row INSERT statements, for servers
// that do not allow LOAD DATA LOCAL (local_infile=OFF, MySQL 8's default).
// The same rows, the same transaction and the same checks as BulkLoad: the
// producer packs rows into batches, a worker thread sends each batch while
// the producer fills the next: on MariaDB as one bulk execution of a
// prepared one-row INSERT (COM_STMT_BULK_EXECUTE), elsewhere as one
// execution of a prepared multi-row INSERT; either way the values travel in
// the binary protocol, never parsed, never escaped, and a batch stays under
// the server's max_allowed_packet. Measured against text INSERTs escaped
// with mysql_real_escape_string: see README, Performance.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "pipeline/db/client_connection.hpp"
#include "pipeline/db/connection_options.hpp"
#include "pipeline/db/row_stream.hpp"

namespace pipeline::db {

class BatchInsert final : public RowStream {
 public:
  // Connects (retrying as connect_with_retry does), reads max_allowed_packet,
  // runs the target's setup, opens a transaction and starts the worker.
  // Throws DbError/Error. target.statement_file_name is ignored.
  BatchInsert(const ConnectionOptions& options, BulkTarget target);
  // Aborts a stream that was neither finished nor aborted.
  ~BatchInsert() override;
  BatchInsert(const BatchInsert&) = delete;
  BatchInsert& operator=(const BatchInsert&) = delete;

  // RowStream. With skip_duplicates the statements are INSERT IGNORE, and a
  // statement whose warnings are not exactly one duplicate-key warning per
  // skipped row fails the stream.
  void write_row(std::initializer_list<std::string_view> values) override;
  std::uint64_t finish() override;
  void abort() noexcept override;
  std::uint64_t rows_written() const override { return rows_written_; }
  std::uint64_t rows_skipped() const override { return rows_written_ - rows_loaded_; }

  // The most bytes one statement's values may take: the smaller of 4 MiB and
  // the server's max_allowed_packet less 1 KiB.
  std::size_t statement_limit() const { return statement_limit_; }
  // The most rows one statement takes (a statement has at most 65535
  // placeholders).
  std::uint64_t statement_rows() const { return statement_rows_; }

 private:
  // Rows packed as values, each a 4-byte length and its bytes.
  struct Batch {
    std::string packed;
    std::uint64_t rows = 0;
  };

  void run();
  // Sends one batch as one INSERT and checks what the server did with it.
  // Throws DbError/Error. Worker thread only.
  void send(const Batch& batch);
  void push_batch();
  // The prepared INSERT of `rows` rows (worker thread only).
  PreparedStatement& statement_for(std::uint64_t rows);
  void rethrow_failure();

  ClientConnection connection_;
  std::string table_;
  // "INSERT [IGNORE] INTO `t` (`a`, `b`) VALUES "
  std::string prefix_;
  // "(?, ?)"
  std::string row_placeholders_;
  std::size_t columns_ = 0;
  bool skip_duplicates_ = false;
  bool scratch_ = false;
  // Batches go as bulk executions (else as multi-row statements).
  bool bulk_ = false;
  std::size_t statement_limit_ = 0;
  std::uint64_t statement_rows_ = 0;
  std::thread worker_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;        // guarded by mutex_: full batches waiting to be sent
  bool closed_ = false;            // guarded by mutex_: the producer is done
  bool aborted_ = false;           // guarded by mutex_: the producer gave up
  bool done_ = false;              // guarded by mutex_: the worker stopped
  std::exception_ptr failure_;     // guarded by mutex_: why the worker stopped early
  std::uint64_t rows_loaded_ = 0;  // worker only until it is joined

  // Worker only: prepared statements by row count (a full batch's, and the
  // odd sizes of a last batch or one that met the byte limit).
  std::map<std::uint64_t, std::unique_ptr<PreparedStatement>> statements_;
  std::vector<std::string_view> values_;  // worker only: a batch's values
  Batch current_;                         // producer only: the batch being filled
  std::size_t current_bound_ = 0;         // its statement's size at most
  std::uint64_t rows_written_ = 0;
  bool finished_ = false;
};

}  // namespace pipeline::db
