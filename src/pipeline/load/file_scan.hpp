// Splitting a CSV file into byte ranges that several jobs or shards can read
// on their own: one pass over the file finds record boundaries (a line break
// outside quotes), counts physical lines so that every range knows the true
// line it starts on, and fingerprints the whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace pipeline::load {

struct ByteRange {
  // [begin, end) in the file; begin is a record's first byte.
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  // Physical line (1-based) on which the range starts.
  std::size_t first_line = 1;

  bool operator==(const ByteRange&) const = default;
};

struct FileScan {
  std::string sha256;
  std::uint64_t size = 0;
  // Where the header record ends (the first data byte).
  std::uint64_t header_end = 0;
  // `parts` ranges covering [header_end, size) without gap or overlap, each
  // holding about as many bytes; a range is empty when there are fewer
  // records than parts.
  std::vector<ByteRange> ranges;
};

// Reads `in` to the end. Quoting follows RFC 4180 as the reader applies it:
// a quote opens a quoted field only at the start of a field, so a stray
// quote inside an unquoted field cannot hide record boundaries.
FileScan scan_file(std::istream& in, std::size_t parts);

}  // namespace pipeline::load
