#include "pipeline/db/bulk_load.hpp"

#include <mysql.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/db/db_error.hpp"
#include "pipeline/db/sql.hpp"
#include "pipeline/db/tls_policy.hpp"

namespace pipeline::db {
namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr std::size_t kMaxQueuedChunks = 4;
constexpr unsigned int kClientError = 2000;  // CR_UNKNOWN_ERROR
constexpr int kDuplicateKey = 1062;          // ER_DUP_ENTRY

std::string random_token() {
  std::random_device device;
  std::uniform_int_distribution<unsigned long long> digits;
  return fmt::format("pipeline-stream-{:016x}{:016x}", digits(device), digits(device));
}

// A string literal for the statement (the stream's own token, or a test's
// file name), escaped by the client library for this connection's charset.
std::string quote_string(MYSQL* mysql, std::string_view text) {
  std::string escaped(text.size() * 2 + 1, '\0');
  const unsigned long length = mysql_real_escape_string(mysql, escaped.data(), text.data(), text.size());
  escaped.resize(length);
  return "'" + escaped + "'";
}

void append_escaped(std::string& out, std::string_view value) {
  // Escapes are rare (names hardly ever hold a backslash or a line break).
  const bool plain = std::none_of(value.begin(), value.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\\'; });
  if (plain) {
    out.append(value);
    return;
  }
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += c;
    }
  }
}

int hook_init(void** state, const char* file_name, void* user_data) {
  *state = user_data;
  return static_cast<BulkLoad*>(user_data)->on_infile_init(file_name);
}
int hook_read(void* state, char* buffer, unsigned int length) {
  return static_cast<BulkLoad*>(state)->on_infile_read(buffer, length);
}
void hook_end(void*) {}
int hook_error(void* state, char* message, unsigned int length) {
  return static_cast<BulkLoad*>(state)->on_infile_error(message, length);
}

}  // namespace

BulkLoad::BulkLoad(const ConnectionOptions& options, BulkTarget target)
    : connection_(options, true),
      mysql_(connection_.handle()),
      target_(target.table),
      token_(random_token()),
      skip_duplicates_(target.skip_duplicates),
      scratch_(target.scratch) {
  mysql_set_local_infile_handler(mysql_, hook_init, hook_read, hook_end, hook_error, this);
  for (const std::string& sql : target.setup) connection_.execute(sql, "setting up the load connection");
  connection_.execute("START TRANSACTION", "starting the load transaction");

  const std::string& file_name = target.statement_file_name.empty() ? token_ : target.statement_file_name;
  std::string statement = fmt::format(
      "LOAD DATA LOCAL INFILE {} {}INTO TABLE {} CHARACTER SET utf8mb4 "
      "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (",
      quote_string(mysql_, file_name), skip_duplicates_ ? "IGNORE " : "", quote_identifier(target.table));
  for (std::size_t i = 0; i < target.columns.size(); ++i) {
    if (i > 0) statement += ", ";
    statement += quote_identifier(target.columns[i]);
  }
  statement += ")";
  current_.reserve(kChunkBytes + 4096);
  worker_ = std::thread([this, statement = std::move(statement)]() mutable { run(std::move(statement)); });
}

BulkLoad::~BulkLoad() {
  if (!finished_) abort();
}

void BulkLoad::run(std::string statement) {
  int error_number = 0;
  std::string state, message;
  std::uint64_t loaded = 0;
  std::uint64_t warning_count = 0;
  std::vector<std::pair<int, std::string>> warnings;
  if (mysql_real_query(mysql_, statement.data(), statement.size()) != 0) {
    error_number = static_cast<int>(mysql_errno(mysql_));
    state = mysql_sqlstate(mysql_);
    message = mysql_error(mysql_);
  } else {
    loaded = mysql_affected_rows(mysql_);
    try {
      warning_count = connection_.warning_count();
      if (warning_count > 0) warnings = connection_.warnings(5);
    } catch (const DbError& e) {
      error_number = e.error_number();
      state = "HY000";
      message = e.what();
    }
  }
  std::lock_guard lock(mutex_);
  done_ = true;
  rows_loaded_ = loaded;
  warning_count_ = warning_count;
  warnings_ = std::move(warnings);
  if (error_number != 0 && failure_errno_ == 0) {
    failure_errno_ = error_number;
    failure_state_ = state;
    failure_message_ = message;
  }
  changed_.notify_all();
}

int BulkLoad::on_infile_init(const char* file_name) {
  if (token_ != file_name) {
    refused_file_ = file_name;
    return 1;
  }
  return 0;
}

int BulkLoad::on_infile_read(char* buffer, unsigned int length) {
  if (reading_pos_ == reading_.size()) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return aborted_ || !queue_.empty() || closed_; });
    if (aborted_) return -1;
    if (queue_.empty()) return 0;  // closed: end of data
    reading_ = std::move(queue_.front());
    queue_.pop_front();
    reading_pos_ = 0;
    changed_.notify_all();
  }
  const std::size_t n = std::min<std::size_t>(length, reading_.size() - reading_pos_);
  std::memcpy(buffer, reading_.data() + reading_pos_, n);
  reading_pos_ += n;
  return static_cast<int>(n);
}

int BulkLoad::on_infile_error(char* message, unsigned int length) {
  const std::string text =
      refused_file_.empty()
          ? std::string("load cancelled by the client")
          : fmt::format("refused the server's request for local file '{}': this client sends only its own stream",
                        refused_file_);
  std::snprintf(message, length, "%s", text.c_str());
  return static_cast<int>(kClientError);
}

void BulkLoad::write_row(std::initializer_list<std::string_view> values) {
  bool first = true;
  for (std::string_view value : values) {
    if (!first) current_ += '\t';
    first = false;
    append_escaped(current_, value);
  }
  current_ += '\n';
  ++rows_written_;
  if (current_.size() >= kChunkBytes) push_chunk();
}

void BulkLoad::push_chunk() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return queue_.size() < kMaxQueuedChunks || done_; });
  if (done_) {
    lock.unlock();
    rethrow_failure();
    throw Error(ExitCode::kSoftware, "LOAD DATA into " + target_ + " ended before its data did");
  }
  queue_.push_back(std::move(current_));
  current_ = std::string();
  current_.reserve(kChunkBytes + 4096);
  changed_.notify_all();
}

void BulkLoad::rethrow_failure() {
  std::lock_guard lock(mutex_);
  if (failure_errno_ != 0) {
    throw DbError("LOAD DATA into " + target_, failure_errno_, failure_state_, failure_message_);
  }
}

std::uint64_t BulkLoad::finish() {
  if (!current_.empty()) push_chunk();
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  worker_.join();
  finished_ = true;
  try {
    rethrow_failure();
    check_outcome();
    connection_.execute("COMMIT", "committing LOAD DATA into " + target_);
  } catch (...) {
    mysql_real_query(mysql_, "ROLLBACK", 8);
    throw;
  }
  return rows_loaded_;
}

void BulkLoad::check_outcome() const {
  const std::uint64_t skipped = rows_written_ - std::min(rows_loaded_, rows_written_);
  // With IGNORE every skipped duplicate leaves one warning and nothing else
  // may: a truncated or converted value would warn without skipping.
  const bool only_duplicates =
      skip_duplicates_ && warning_count_ == skipped &&
      std::all_of(warnings_.begin(), warnings_.end(), [](const auto& w) { return w.first == kDuplicateKey; });
  if (warning_count_ > 0 && !only_duplicates) {
    std::string text = fmt::format(
        "LOAD DATA into {}: the server reported {} warning(s), so it may have changed values", target_, warning_count_);
    for (const auto& [code, warning] : warnings_) text += fmt::format("; {} {}", code, warning);
    throw Error(ExitCode::kSoftware, text);
  }
  if (rows_loaded_ > rows_written_ || (!skip_duplicates_ && rows_loaded_ != rows_written_)) {
    throw Error(ExitCode::kSoftware,
                fmt::format("LOAD DATA into {} stored {} of the {} rows sent", target_, rows_loaded_, rows_written_));
  }
}

void BulkLoad::abort() noexcept {
  if (finished_) return;
  {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    changed_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  finished_ = true;
  if (scratch_) {
    mysql_real_query(mysql_, "COMMIT", 6);
  } else {
    mysql_real_query(mysql_, "ROLLBACK", 8);
  }
}

}  // namespace pipeline::db
