#include "pipeline/csv/reader.hpp"

#include <csv.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::csv {
namespace {

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

bool is_blank(std::string_view text) { return strip_line_break(text).empty(); }

void assign_raw(std::string& raw, std::string_view text) {
  text = strip_line_break(text);
  if (text.size() > kMaxRawBytes) {
    raw.assign(text.substr(0, kMaxRawBytes));
    raw += "...";
  } else {
    raw.assign(text);
  }
}

}  // namespace

struct Reader::Parser {
  csv_parser state{};
};

Reader::Reader(std::istream& in, ReaderOptions options)
    : in_(in), options_(options), parser_(std::make_unique<Parser>()) {
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
  field_count_ = 0;
}

void Reader::on_field(const char* data, std::size_t length) {
  if (field_count_ == fields_.size()) fields_.emplace_back();
  std::string& field = fields_[field_count_++];
  if (length == 0) {
    field.clear();
  } else {
    field.assign(data, length);
  }
}

void Reader::on_record() { ++records_completed_; }

bool Reader::read_more() {
  if (buffer_pos_ > 0) {
    buffer_.erase(0, buffer_pos_);
    buffer_pos_ = 0;
  }
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkBytes);
  in_.read(buffer_.data() + old_size, static_cast<std::streamsize>(kChunkBytes));
  const auto got = static_cast<std::size_t>(in_.gcount());
  buffer_.resize(old_size + got);
  if (in_.bad()) throw Error(ExitCode::kNoInput, "read error");
  bytes_read_ += got;
  if (got == 0) eof_ = true;
  if (!started_) {
    started_ = true;
    if (buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      buffer_pos_ = 3;
      had_bom_ = true;
    }
  }
  return got > 0;
}

bool Reader::next_line(Line& line) {
  if (!replay_.empty()) {
    line = std::move(replay_.front());
    replay_.pop_front();
    return true;
  }
  for (;;) {
    const char* start = buffer_.data() + buffer_pos_;
    const std::size_t available = buffer_.size() - buffer_pos_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', available));
    if (newline != nullptr || (eof_ && available > 0)) {
      const std::size_t length = newline != nullptr ? static_cast<std::size_t>(newline - start) + 1 : available;
      line.text.assign(start, std::min(length, options_.max_record_bytes + 1));
      line.number = ++line_number_;
      buffer_pos_ += length;
      return true;
    }
    if (eof_) return false;
    if (available > options_.max_record_bytes) {
      // An over-long line: keep what a reject report shows, drop the rest as it streams past.
      line.text.assign(start, options_.max_record_bytes + 1);
      line.number = ++line_number_;
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

void Reader::emit_error(Record& record, std::size_t line, std::string raw, std::string reason) {
  record.fields.clear();
  record.line = line;
  assign_raw(record.raw, raw);
  record.error = std::move(reason);
}

void Reader::replay_after_first(Record& record, std::string reason) {
  Line first = std::move(pending_.front());
  for (std::size_t i = pending_.size(); i-- > 1;) replay_.push_front(std::move(pending_[i]));
  pending_.clear();
  pending_bytes_ = 0;
  emit_error(record, first.number, std::move(first.text), std::move(reason));
}

void Reader::take_record(Record& record) {
  record.fields.resize(field_count_);
  for (std::size_t i = 0; i < field_count_; ++i) record.fields[i].swap(fields_[i]);
  record.line = pending_.front().number;
  if (pending_.size() == 1) {
    assign_raw(record.raw, pending_.front().text);
  } else {
    std::string joined;
    for (const Line& part : pending_) joined += part.text;
    assign_raw(record.raw, joined);
  }
  record.error.clear();
  pending_.clear();
  pending_bytes_ = 0;
  field_count_ = 0;
}

bool Reader::next(Record& record) {
  Line line;
  for (;;) {
    if (!next_line(line)) {
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

    if (line.text.size() > options_.max_record_bytes) {
      const std::string reason =
          fmt::format("line is longer than {} bytes (the longest record accepted)", options_.max_record_bytes);
      if (!pending_.empty()) {
        // Most likely an unterminated quote ran into it; retry from the next line.
        replay_.push_front(std::move(line));
        reset_parser();
        replay_after_first(record, "unterminated quoted field: a line that follows is over-long");
        return true;
      }
      emit_error(record, line.number, std::move(line.text), reason);
      return true;
    }
    if (pending_.empty() && is_blank(line.text)) continue;

    records_completed_ = 0;
    const std::size_t consumed =
        csv_parse(&parser_->state, line.text.data(), line.text.size(), field_callback, record_callback, this);
    pending_bytes_ += line.text.size();
    pending_.push_back(std::move(line));

    if (consumed < pending_.back().text.size()) {
      reset_parser();
      if (pending_.size() > 1) {
        replay_after_first(record, "unterminated or malformed quoted field starting on this line");
      } else {
        emit_error(record, pending_.front().number, std::move(pending_.front().text),
                   "malformed quoting: a quote inside an unquoted field, or text after a closing quote");
        pending_.clear();
        pending_bytes_ = 0;
      }
      return true;
    }
    if (records_completed_ > 1 || (records_completed_ == 1 && parser_->state.pstate != kRowNotBegun)) {
      reset_parser();
      std::string joined;
      for (const Line& part : pending_) joined += part.text;
      const std::size_t first = pending_.front().number;
      pending_.clear();
      pending_bytes_ = 0;
      emit_error(record, first, std::move(joined), "bare carriage return (CR) inside a line");
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
