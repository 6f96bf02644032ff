// Reading RFC 4180 CSV from a stream, one record at a time, with libcsv as the
// tokenizer. Every record knows the physical line and byte offset it starts on
// and its original text, so a rejected row can be reported exactly as it
// appeared. This reader is the one definition of where records start: the
// pre-scan that splits a file for parallel reading uses it too, and a reader
// started at any record start of a whole-file read, with end_offset set, gives
// exactly that read's records from there on. Memory stays bounded by
// ReaderOptions, whatever the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace pipeline::csv {

struct ReaderOptions {
  // Longest record accepted, in bytes, line breaks included. A longer physical
  // line is reported as an error and skipped without being held in memory.
  std::size_t max_record_bytes = 64 * 1024;
  // Most physical lines one record may span through quoted line breaks. Past
  // this the opening quote is taken to be unterminated.
  std::size_t max_record_lines = 64;
  // Line number of the stream's first line: not 1 when the stream is a range
  // of a larger file. Default 1.
  std::size_t first_line = 1;
  // Skip a UTF-8 byte order mark at the start. Default on; off for a range
  // that does not start the file.
  bool skip_bom = true;
  // Stop before the first record (good or bad) whose offset is at or past
  // this: next() returns false instead. The reader still reads on past it to
  // finish a record that starts before it (a quote that never closes is only
  // known after max_record_lines more lines), so a range read gives the same
  // records and errors as the whole file. Default: no limit.
  std::uint64_t end_offset = std::numeric_limits<std::uint64_t>::max();
};

// Longest `raw` kept for a record.
inline constexpr std::size_t kMaxRawBytes = 1024;

// One record. Its views point into the Reader and stay valid until the next
// call to Reader::next().
struct Record {
  std::vector<std::string_view> fields;
  // Physical line (1-based) on which the record starts.
  std::size_t line = 0;
  // Byte offset of the first byte of that line, counted from the first byte
  // of the stream (a skipped byte order mark counts).
  std::uint64_t offset = 0;
  // The record's original bytes without its final line break, cut to
  // kMaxRawBytes. Multi-line records keep their inner line breaks.
  std::string_view raw;
  bool raw_truncated = false;
  // Empty for a well-formed record. Otherwise why the text could not be read
  // as a record; fields is then empty.
  std::string error;

  // `raw`, ending in "..." when it was cut.
  std::string raw_text() const { return std::string(raw) + (raw_truncated ? "..." : ""); }
};

class Reader {
 public:
  // Reads from `in`, which must outlive the Reader. A UTF-8 byte order mark at
  // the start is skipped unless options.skip_bom is off.
  explicit Reader(std::istream& in, ReaderOptions options = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into `record`. Returns false at the end of the
  // input, or at the first record starting at or past end_offset (and from
  // then on). Blank lines are skipped. A malformed record (broken
  // quoting, a bare CR, an over-long line) comes back with `error` set, and
  // reading resumes right after it: after an unterminated quote, on the line
  // following the quote's line.
  bool next(Record& record);

  // Bytes consumed from the stream so far (for progress).
  std::uint64_t bytes_read() const { return bytes_read_; }
  // The last physical line number read.
  std::size_t last_line() const { return line_number_; }
  bool had_bom() const { return had_bom_; }

  // Called by libcsv; not part of the interface.
  void on_field(const char* data, std::size_t length);
  void on_record();

 private:
  struct Line {
    std::string text;  // including its line break, if it had one
    std::size_t number = 0;
    std::uint64_t offset = 0;
  };

  bool next_line();
  // Offset of the line next_line() returns next (or of the end of the input).
  std::uint64_t next_line_offset();
  bool read_more();
  void reset_parser();
  // Reads a line without quotes or CR straight into fields; false if the line needs libcsv.
  bool split_simple(Record& record);
  void set_raw(Record& record, std::string_view text);
  void emit_error(Record& record, std::size_t line, std::uint64_t offset, std::string_view raw, std::string reason);
  void emit_error_joined(Record& record, std::string reason);
  // Rejects the first pending line and queues the rest to be read again.
  void replay_after_first(Record& record, std::string reason);
  void take_record(Record& record);
  void keep_line_pending();

  std::istream& in_;
  ReaderOptions options_;
  struct Parser;
  std::unique_ptr<Parser> parser_;

  std::string buffer_;
  std::size_t buffer_pos_ = 0;
  // Stream offset of buffer_[0].
  std::uint64_t buffer_base_ = 0;
  // Bytes asked for by the last read.
  std::size_t chunk_bytes_ = 0;
  bool eof_ = false;
  bool started_ = false;
  bool had_bom_ = false;
  std::uint64_t bytes_read_ = 0;
  std::size_t line_number_ = 0;

  // The line being read: a view into buffer_ or replay_line_.
  std::string_view line_;
  std::size_t line_no_ = 0;
  std::uint64_t line_offset_ = 0;
  std::string replay_line_;
  // Lines to read again after a quoting error, before any new input.
  std::deque<Line> replay_;
  // Lines of the record being parsed through libcsv, and their joined text.
  std::vector<Line> pending_;
  std::size_t pending_bytes_ = 0;
  std::string joined_;
  std::string error_raw_;
  // Field bytes libcsv delivered, and where each field sits in them.
  std::string field_bytes_;
  std::vector<std::pair<std::size_t, std::size_t>> field_spans_;
  std::size_t records_completed_ = 0;
};

}  // namespace pipeline::csv
