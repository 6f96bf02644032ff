#include "pipeline/load/file_scan.hpp"

#include <algorithm>
#include <streambuf>
#include <utility>
#include <vector>

#include "pipeline/error.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {
namespace {

// Passes another stream's bytes through, hashing and counting them.
class HashingBuffer : public std::streambuf {
 public:
  explicit HashingBuffer(std::istream& in) : in_(in), data_(1 << 16) {}

  std::uint64_t bytes() const { return bytes_; }
  std::string hex_digest() { return sha_.hex_digest(); }

  // Hashes whatever the reader left unread.
  void drain() {
    while (underflow() != traits_type::eof()) setg(egptr(), egptr(), egptr());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    in_.read(data_.data(), static_cast<std::streamsize>(data_.size()));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) throw Error(ExitCode::kNoInput, "read error while scanning");
    if (got == 0) return traits_type::eof();
    sha_.update(std::string_view(data_.data(), got));
    bytes_ += got;
    setg(data_.data(), data_.data(), data_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::istream& in_;
  std::vector<char> data_;
  util::Sha256 sha_;
  std::uint64_t bytes_ = 0;
};

}  // namespace

FileScan scan_file(std::istream& in, std::size_t parts, const csv::ReaderOptions& options, std::uint64_t sample_bytes) {
  if (parts == 0) parts = 1;
  HashingBuffer hashing(in);
  std::istream through(&hashing);
  // Let a read error's own message out instead of a bare badbit.
  through.exceptions(std::ios::badbit);
  csv::Reader reader(through, csv::ReaderOptions{.max_record_bytes = options.max_record_bytes,
                                                 .max_record_lines = options.max_record_lines});

  // Candidate split points: the (offset, line) of a record start every
  // sample_bytes or so. The first is where the data begins.
  std::vector<std::pair<std::uint64_t, std::size_t>> starts;
  std::uint64_t next_sample = 0;
  csv::Record record;
  bool header = true;
  while (reader.next(record)) {
    if (header) {
      header = false;
    } else if (starts.empty() || record.offset >= next_sample) {
      starts.emplace_back(record.offset, record.line);
      next_sample = record.offset + sample_bytes;
    }
  }
  hashing.drain();

  FileScan scan;
  scan.size = hashing.bytes();
  scan.sha256 = hashing.hex_digest();
  const std::size_t after_last = reader.last_line() + 1;
  scan.header_end = starts.empty() ? scan.size : starts.front().first;

  // Split [header_end, size) at the record start nearest above each target.
  const std::uint64_t data = scan.size - scan.header_end;
  std::size_t at = 0;
  ByteRange current{scan.header_end, scan.size, starts.empty() ? after_last : starts.front().second};
  for (std::size_t k = 1; k < parts; ++k) {
    const std::uint64_t target = scan.header_end + data * k / parts;
    while (at < starts.size() && starts[at].first < target) ++at;
    const auto split = at < starts.size() ? starts[at] : std::make_pair(scan.size, after_last);
    current.end = std::max(split.first, current.begin);
    scan.ranges.push_back(current);
    current = ByteRange{current.end, scan.size, current.end == split.first ? split.second : current.first_line};
  }
  scan.ranges.push_back(current);
  return scan;
}

csv::ReaderOptions range_reader_options(const ByteRange& range, const csv::ReaderOptions& limits) {
  csv::ReaderOptions options = limits;
  options.first_line = range.first_line;
  options.skip_bom = false;
  options.end_offset = range.end - range.begin;
  return options;
}

}  // namespace pipeline::load
