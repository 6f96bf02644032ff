#include "pipeline/db/batch_insert.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/sql.hpp"

namespace pipeline::db {
namespace {

// Large enough that a statement's round trip and parse overhead vanish in its
// rows, small enough that the producer and the server overlap.
constexpr std::size_t kStatementBytes = 4 * 1024 * 1024;
constexpr std::size_t kPacketMargin = 1024;
constexpr std::size_t kMaxQueuedBatches = 2;
constexpr int kDuplicateKey = 1062;  // ER_DUP_ENTRY
constexpr std::uint64_t kMaxRows = 8192;
constexpr std::size_t kMaxPlaceholders = 65535;
// Statements of odd row counts kept prepared; more are prepared per batch.
constexpr std::size_t kKeptStatements = 4;
// max_error_count's default: SHOW WARNINGS shows no more than this.
constexpr unsigned kWarningsShown = 64;

// What a value adds to the execute packet at most: its bytes, its length
// (up to 9 bytes) and its type.
std::size_t value_bound(std::string_view value) { return value.size() + 11; }

}  // namespace

BatchInsert::BatchInsert(const ConnectionOptions& options, BulkTarget target)
    : connection_(options, false),
      table_(target.table),
      columns_(target.columns.size()),
      skip_duplicates_(target.skip_duplicates),
      scratch_(target.scratch),
      bulk_(target.bulk_execution && connection_.supports_bulk_execution()) {
  const std::string packet =
      connection_.query_value("SELECT @@SESSION.max_allowed_packet", "reading max_allowed_packet");
  const std::size_t max_packet = static_cast<std::size_t>(std::stoull(packet.empty() ? "0" : packet));
  statement_limit_ =
      std::min(kStatementBytes, max_packet > 2 * kPacketMargin ? max_packet - kPacketMargin : max_packet / 2);
  for (const std::string& sql : target.setup) connection_.execute(sql, "setting up the load connection");
  connection_.execute("START TRANSACTION", "starting the load transaction");

  prefix_ = fmt::format("INSERT {}INTO {} (", skip_duplicates_ ? "IGNORE " : "", quote_identifier(table_));
  for (std::size_t i = 0; i < target.columns.size(); ++i) {
    if (i > 0) prefix_ += ", ";
    prefix_ += quote_identifier(target.columns[i]);
  }
  prefix_ += ") VALUES ";
  row_placeholders_.push_back('(');
  for (std::size_t i = 0; i < columns_; ++i) {
    if (i > 0) row_placeholders_.append(", ");
    row_placeholders_.push_back('?');
  }
  row_placeholders_.push_back(')');
  statement_rows_ = std::min<std::uint64_t>(kMaxRows, kMaxPlaceholders / std::max<std::size_t>(1, columns_));
  current_bound_ = 0;
  worker_ = std::thread([this] { run(); });
}

BatchInsert::~BatchInsert() {
  if (!finished_) abort();
}

void BatchInsert::write_row(std::initializer_list<std::string_view> values) {
  if (values.size() != columns_) throw Error(ExitCode::kSoftware, "INSERT into " + table_ + ": wrong number of values");
  std::size_t bound = 0;
  for (std::string_view value : values) bound += value_bound(value);
  // A row too large for any statement still goes alone: the server says why.
  if (current_.rows > 0 && current_bound_ + bound > statement_limit_) push_batch();
  for (std::string_view value : values) {
    const auto length = static_cast<std::uint32_t>(value.size());
    char bytes[sizeof length];
    std::memcpy(bytes, &length, sizeof length);
    current_.packed.append(bytes, sizeof bytes);
    current_.packed.append(value);
  }
  ++current_.rows;
  current_bound_ += bound;
  ++rows_written_;
  if (current_.rows == statement_rows_) push_batch();
}

void BatchInsert::push_batch() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.size() < kMaxQueuedBatches || done_; });
  if (done_) {
    lock.unlock();
    rethrow_failure();
    throw Error(ExitCode::kSoftware, "INSERT into " + table_ + " ended before its data did");
  }
  queue_.push_back(std::move(current_));
  current_ = Batch();
  current_.packed.reserve(statement_limit_ / 2);
  current_bound_ = 0;
  changed_.notify_all();
}

void BatchInsert::run() {
  std::exception_ptr failure;
  try {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return aborted_ || !queue_.empty() || closed_; });
        if (aborted_ || queue_.empty()) break;
        batch = std::move(queue_.front());
        queue_.pop_front();
        changed_.notify_all();
      }
      send(batch);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  done_ = true;
  failure_ = failure;
  changed_.notify_all();
}

PreparedStatement& BatchInsert::statement_for(std::uint64_t rows) {
  auto found = statements_.find(rows);
  if (found != statements_.end()) return *found->second;
  if (statements_.size() > kKeptStatements) {
    // Drop an odd size; the full batch's stays.
    for (auto it = statements_.begin(); it != statements_.end(); ++it) {
      if (it->first != statement_rows_ && it->first != 1) {
        statements_.erase(it);
        break;
      }
    }
  }
  std::string sql = prefix_;
  sql.reserve(prefix_.size() + rows * (row_placeholders_.size() + 2));
  for (std::uint64_t row = 0; row < rows; ++row) {
    if (row > 0) sql += ", ";
    sql += row_placeholders_;
  }
  auto statement = std::make_unique<PreparedStatement>(connection_, sql, "INSERT into " + table_);
  return *statements_.emplace(rows, std::move(statement)).first->second;
}

void BatchInsert::send(const Batch& batch) {
  values_.clear();
  const char* at = batch.packed.data();
  for (std::uint64_t i = 0; i < batch.rows * columns_; ++i) {
    std::uint32_t length = 0;
    std::memcpy(&length, at, sizeof length);
    at += sizeof length;
    values_.emplace_back(at, length);
    at += length;
  }
  const std::uint64_t stored =
      bulk_ ? statement_for(1).execute_bulk(batch.rows, values_) : statement_for(batch.rows).execute(values_);

  const std::uint64_t warnings = connection_.warning_count();
  const std::uint64_t skipped = batch.rows - std::min(stored, batch.rows);
  if (warnings > 0) {
    const auto shown = connection_.warnings(kWarningsShown);
    // With IGNORE every skipped duplicate leaves one warning and nothing else
    // may: a truncated or converted value would warn without skipping.
    const bool only_duplicates =
        skip_duplicates_ && warnings == skipped &&
        std::all_of(shown.begin(), shown.end(), [](const auto& w) { return w.first == kDuplicateKey; });
    if (!only_duplicates) {
      std::string text = fmt::format("INSERT into {}: the server reported {} warning(s), so it may have changed values",
                                     table_, warnings);
      for (std::size_t i = 0; i < std::min<std::size_t>(shown.size(), 5); ++i) {
        text += fmt::format("; {} {}", shown[i].first, shown[i].second);
      }
      throw Error(ExitCode::kSoftware, text);
    }
  }
  if (stored > batch.rows || (!skip_duplicates_ && stored != batch.rows) || (skip_duplicates_ && warnings != skipped)) {
    throw Error(ExitCode::kSoftware,
                fmt::format("INSERT into {} stored {} of the {} rows sent", table_, stored, batch.rows));
  }
  rows_loaded_ += stored;
}

void BatchInsert::rethrow_failure() {
  std::lock_guard lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
}

std::uint64_t BatchInsert::finish() {
  if (current_.rows > 0) push_batch();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  worker_.join();
  finished_ = true;
  try {
    rethrow_failure();
    connection_.execute("COMMIT", "committing INSERT into " + table_);
  } catch (...) {
    try {
      connection_.execute("ROLLBACK", "rolling back INSERT into " + table_);
    } catch (...) {
      // The connection is gone: the server rolls back.
    }
    throw;
  }
  return rows_loaded_;
}

void BatchInsert::abort() noexcept {
  if (finished_) return;
  {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    changed_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  finished_ = true;
  try {
    connection_.execute(scratch_ ? "COMMIT" : "ROLLBACK", "ending INSERT into " + table_);
  } catch (...) {
    // The connection is gone: the server rolls back, and the caller drops a scratch table.
  }
}

}  // namespace pipeline::db
