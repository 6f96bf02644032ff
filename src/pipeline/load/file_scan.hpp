// Splitting a CSV file into byte ranges that several jobs or shards can read
// on their own: one pass over the file with csv::Reader finds where records
// start (so the split follows exactly the reader's rules: quoting, resyncing
// after a bad quote, over-long lines), notes the line each starts on, and
// fingerprints the whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "pipeline/csv/reader.hpp"

namespace pipeline::load {

struct ByteRange {
  // [begin, end) in the file. begin is where a record starts in a reading of
  // the whole file (or header_end, or the file's size for an empty range).
  // The range holds the records that start in it; the last may run past end.
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  // Physical line (1-based) on which the range starts.
  std::size_t first_line = 1;

  bool operator==(const ByteRange&) const = default;
};

struct FileScan {
  std::string sha256;
  std::uint64_t size = 0;
  // Where the data begins: the first record after the header, or the file's
  // size when there is none.
  std::uint64_t header_end = 0;
  // `parts` ranges covering [header_end, size) without gap or overlap, each
  // holding about as many bytes; a range is empty when there are fewer
  // records than parts.
  std::vector<ByteRange> ranges;
};

// Split points are picked among record starts at least this far apart:
// fine enough to split evenly (a 170 MB file keeps ~700 KB of them).
inline constexpr std::uint64_t kScanSampleBytes = 4 * 1024;

// Reads `in` (a whole file, from its first byte) to the end. Only the record
// limits of `options` are used (max_record_bytes, max_record_lines); they
// must be those of the readers that read the ranges. `sample_bytes` is the
// spacing of candidate split points (tests split small inputs with 1).
FileScan scan_file(std::istream& in, std::size_t parts, const csv::ReaderOptions& options = {},
                   std::uint64_t sample_bytes = kScanSampleBytes);

// How to read `range` so as to get exactly the whole file's records that
// start in it: a stream from range.begin to the end of the file (not to
// range.end: the last record may run past it), read with these options,
// which keep the limits of `limits`. Record offsets are then relative to
// range.begin.
csv::ReaderOptions range_reader_options(const ByteRange& range, const csv::ReaderOptions& limits = {});

}  // namespace pipeline::load
