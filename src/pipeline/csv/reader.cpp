#include "pipeline/csv/reader.hpp"

#include <csv.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::csv {
namespace {

// Reads start small and double up to the largest, so that a short input
// (a header, a range's lookahead, a test) costs little.
constexpr std::size_t kFirstChunkBytes = 4 * 1024;
constexpr std::size_t kChunkBytes = 64 * 1024;
constexpr unsigned char kParserOptions = CSV_STRICT | CSV_STRICT_FINI;
// libcsv's parser state for "between records" (ROW_NOT_BEGUN in libcsv.c).
constexpr int kRowNotBegun = 0;

// libcsv trims spaces and tabs around unquoted fields by default, which would
// change data silently; no byte counts as padding here.
int no_padding(unsigned char) { return 0; }

void field_callback(void* data, std::size_t length, void* reader) {
  static_cast<Reader*>(reader)->on_field(static_cast<const char*>(data), length);
}

void record_callback(int, void* reader) { static_cast<Reader*>(reader)->on_record(); }

std::string_view strip_line_break(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace

struct Reader::Parser {
  csv_parser state{};
};

Reader::Reader(std::istream& in, ReaderOptions options)
    : in_(in), options_(options), parser_(std::make_unique<Parser>()), line_number_(options.first_line - 1) {
  if (csv_init(&parser_->state, kParserOptions) != 0) {
    throw Error(ExitCode::kSoftware, "cannot initialise the CSV parser");
  }
  csv_set_space_func(&parser_->state, no_padding);
}

Reader::~Reader() { csv_free(&parser_->state); }

void Reader::reset_parser() {
  csv_free(&parser_->state);
  csv_init(&parser_->state, kParserOptions);
  csv_set_space_func(&parser_->state, no_padding);
  field_bytes_.clear();
  field_spans_.clear();
}

void Reader::on_field(const char* data, std::size_t length) {
  field_spans_.emplace_back(field_bytes_.size(), length);
  if (length > 0) field_bytes_.append(data, length);
}

void Reader::on_record() { ++records_completed_; }

bool Reader::read_more() {
  if (buffer_pos_ > 0) {
    buffer_.erase(0, buffer_pos_);
    buffer_base_ += buffer_pos_;
    buffer_pos_ = 0;
  }
  const std::size_t old_size = buffer_.size();
  chunk_bytes_ = chunk_bytes_ == 0 ? kFirstChunkBytes : std::min(chunk_bytes_ * 2, kChunkBytes);
  buffer_.resize(old_size + chunk_bytes_);
  in_.read(buffer_.data() + old_size, static_cast<std::streamsize>(chunk_bytes_));
  const auto got = static_cast<std::size_t>(in_.gcount());
  buffer_.resize(old_size + got);
  if (in_.bad()) throw Error(ExitCode::kNoInput, "read error");
  bytes_read_ += got;
  if (got == 0) eof_ = true;
  if (!started_) {
    started_ = true;
    if (options_.skip_bom && buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      buffer_pos_ = 3;
      had_bom_ = true;
    }
  }
  return got > 0;
}

bool Reader::next_line() {
  if (!replay_.empty()) {
    replay_line_ = std::move(replay_.front().text);
    line_no_ = replay_.front().number;
    line_offset_ = replay_.front().offset;
    replay_.pop_front();
    line_ = replay_line_;
    return true;
  }
  for (;;) {
    const char* start = buffer_.data() + buffer_pos_;
    const std::size_t available = buffer_.size() - buffer_pos_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    if (newline != nullptr || (eof_ && available > 0)) {
      const std::size_t length = newline != nullptr ? static_cast<std::size_t>(newline - start) + 1 : available;
      // Valid until the next read_more(), which only the next line triggers.
      line_ = std::string_view(start, std::min(length, options_.max_record_bytes + 1));
      line_no_ = ++line_number_;
      line_offset_ = buffer_base_ + buffer_pos_;
      buffer_pos_ += length;
      return true;
    }
    if (eof_) return false;
    if (available > options_.max_record_bytes) {
      // An over-long line: keep what a reject report shows, drop the rest as it streams past.
      replay_line_.assign(start, options_.max_record_bytes + 1);
      line_ = replay_line_;
      line_no_ = ++line_number_;
      line_offset_ = buffer_base_ + buffer_pos_;
      buffer_pos_ = buffer_.size();
      while (read_more()) {
        const auto* end = static_cast<const char*>(std::memchr(buffer_.data(), '\n', buffer_.size()));
        if (end != nullptr) {
          buffer_pos_ = static_cast<std::size_t>(end - buffer_.data()) + 1;
          break;
        }
        buffer_pos_ = buffer_.size();
      }
      return true;
    }
    read_more();
  }
}

std::uint64_t Reader::next_line_offset() {
  if (!replay_.empty()) return replay_.front().offset;
  if (!started_) read_more();  // a byte order mark moves the first line
  return buffer_base_ + buffer_pos_;
}

void Reader::set_raw(Record& record, std::string_view text) {
  text = strip_line_break(text);
  record.raw_truncated = text.size() > kMaxRawBytes;
  record.raw = text.substr(0, kMaxRawBytes);
}

bool Reader::split_simple(Record& record) {
  const std::string_view body = strip_line_break(line_);
  record.fields.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == ',') {
      record.fields.push_back(body.substr(start, i - start));
      start = i + 1;
    } else if (c == '"' || c == '\r') {
      return false;  // quoting or a stray CR: libcsv's job
    }
  }
  record.fields.push_back(body.substr(start));
  record.line = line_no_;
  record.offset = line_offset_;
  set_raw(record, body);
  record.error.clear();
  return true;
}

void Reader::keep_line_pending() {
  pending_bytes_ += line_.size();
  pending_.push_back(Line{std::string(line_), line_no_, line_offset_});
}

void Reader::emit_error(Record& record, std::size_t line, std::uint64_t offset, std::string_view raw,
                        std::string reason) {
  error_raw_.assign(raw);
  record.fields.clear();
  record.line = line;
  record.offset = offset;
  set_raw(record, error_raw_);
  record.error = std::move(reason);
}

void Reader::emit_error_joined(Record& record, std::string reason) {
  std::string joined;
  for (const Line& part : pending_) joined += part.text;
  const Line& first = pending_.front();
  const std::size_t number = first.number;
  const std::uint64_t offset = first.offset;
  pending_.clear();
  pending_bytes_ = 0;
  emit_error(record, number, offset, joined, std::move(reason));
}

void Reader::replay_after_first(Record& record, std::string reason) {
  Line first = std::move(pending_.front());
  for (std::size_t i = pending_.size(); i-- > 1;) replay_.push_front(std::move(pending_[i]));
  pending_.clear();
  pending_bytes_ = 0;
  emit_error(record, first.number, first.offset, first.text, std::move(reason));
}

void Reader::take_record(Record& record) {
  record.fields.clear();
  for (const auto& [offset, length] : field_spans_) {
    record.fields.emplace_back(field_bytes_.data() + offset, length);
  }
  record.line = pending_.front().number;
  record.offset = pending_.front().offset;
  joined_.clear();
  for (const Line& part : pending_) joined_ += part.text;
  set_raw(record, joined_);
  record.error.clear();
  pending_.clear();
  pending_bytes_ = 0;
}

bool Reader::next(Record& record) {
  for (;;) {
    if (pending_.empty()) {
      // A new record: the previous one's field bytes are no longer needed.
      field_bytes_.clear();
      field_spans_.clear();
      // Nothing is pending, so the next line starts the next record.
      if (next_line_offset() >= options_.end_offset) return false;
    }
    if (!next_line()) {
      if (pending_.empty()) return false;
      // The last record has no final line break, or its quote never closed.
      records_completed_ = 0;
      if (csv_fini(&parser_->state, field_callback, record_callback, this) != 0) {
        reset_parser();
        replay_after_first(record, "unterminated quoted field: no closing quote before the end of the file");
        return true;
      }
      if (records_completed_ == 1) {
        take_record(record);
        return true;
      }
      pending_.clear();
      return false;
    }

    if (line_.size() > options_.max_record_bytes) {
      if (!pending_.empty()) {
        // Most likely an unterminated quote ran into it; retry from the next line.
        replay_.push_front(Line{std::string(line_), line_no_, line_offset_});
        reset_parser();
        replay_after_first(record, "unterminated quoted field: a line that follows is over-long");
        return true;
      }
      emit_error(record, line_no_, line_offset_, line_,
                 fmt::format("line is longer than {} bytes (the longest record accepted)", options_.max_record_bytes));
      return true;
    }
    if (pending_.empty()) {
      if (strip_line_break(line_).empty()) continue;  // blank line
      if (split_simple(record)) return true;
    }

    records_completed_ = 0;
    const std::size_t consumed =
        csv_parse(&parser_->state, line_.data(), line_.size(), field_callback, record_callback, this);
    keep_line_pending();

    if (consumed < line_.size()) {
      reset_parser();
      if (pending_.size() > 1) {
        replay_after_first(record, "unterminated or malformed quoted field starting on this line");
      } else {
        emit_error_joined(record, "malformed quoting: a quote inside an unquoted field, or text after a closing quote");
      }
      return true;
    }
    if (records_completed_ > 1 || (records_completed_ == 1 && parser_->state.pstate != kRowNotBegun)) {
      reset_parser();
      emit_error_joined(
          record, "bare carriage return (CR) inside a line (CR-only line endings are not supported: use LF or CRLF)");
      return true;
    }
    if (records_completed_ == 1) {
      take_record(record);
      return true;
    }
    if (pending_.size() > options_.max_record_lines || pending_bytes_ > options_.max_record_bytes) {
      reset_parser();
      replay_after_first(record, fmt::format("unterminated quoted field: no closing quote within {} lines",
                                             options_.max_record_lines));
      return true;
    }
  }
}

}  // namespace pipeline::csv
