#include "pipeline/load/file_scan.hpp"

#include <vector>

#include "pipeline/error.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {

FileScan scan_file(std::istream& in, std::size_t parts) {
  if (parts == 0) parts = 1;
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  State state = State::kFieldStart;
  util::Sha256 sha;
  std::vector<char> buffer(1 << 20);
  std::uint64_t offset = 0;
  std::size_t line = 1;
  bool header_done = false;
  FileScan scan;
  // Candidate split points: the (offset, line) of a record start every 4 KiB
  // or so, fine enough to split evenly (a 170 MB file keeps ~700 KB of them).
  std::vector<std::pair<std::uint64_t, std::size_t>> starts;
  std::uint64_t next_sample = 0;
  constexpr std::uint64_t kSampleBytes = 4 * 1024;

  auto record_start = [&](std::uint64_t at, std::size_t at_line) {
    if (!header_done) {
      header_done = true;
      scan.header_end = at;
      starts.emplace_back(at, at_line);
      next_sample = at + kSampleBytes;
      return;
    }
    if (at >= next_sample) {
      starts.emplace_back(at, at_line);
      next_sample = at + kSampleBytes;
    }
  };

  bool at_bom_check = true;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    sha.update(std::string_view(buffer.data(), got));
    std::size_t i = 0;
    if (at_bom_check) {
      at_bom_check = false;
      if (got >= 3 && buffer[0] == '\xEF' && buffer[1] == '\xBB' && buffer[2] == '\xBF') i = 3;
    }
    for (; i < got; ++i) {
      const char c = buffer[i];
      switch (state) {
        case State::kFieldStart:
        case State::kUnquoted:
          if (c == '"' && state == State::kFieldStart) {
            state = State::kQuoted;
          } else if (c == ',') {
            state = State::kFieldStart;
          } else if (c == '\n') {
            state = State::kFieldStart;
            record_start(offset + i + 1, line + 1);
          } else {
            state = State::kUnquoted;
          }
          break;
        case State::kQuoted:
          if (c == '"') state = State::kQuoteInQuoted;
          break;
        case State::kQuoteInQuoted:
          if (c == '"') {
            state = State::kQuoted;  // a doubled quote
          } else if (c == ',') {
            state = State::kFieldStart;
          } else if (c == '\n') {
            state = State::kFieldStart;
            record_start(offset + i + 1, line + 1);
          } else {
            state = State::kUnquoted;  // text after a closing quote: malformed, read as the reader resyncs
          }
          break;
      }
      if (c == '\n') ++line;
    }
    offset += got;
  }
  if (in.bad()) throw Error(ExitCode::kNoInput, "read error while scanning");
  scan.size = offset;
  scan.sha256 = sha.hex_digest();
  if (!header_done) {
    // No line break at all: the whole file is the header (or empty).
    scan.header_end = offset;
    starts.emplace_back(offset, line);
  }

  // Split [header_end, size) at the record start nearest above each target.
  const std::uint64_t data = scan.size - scan.header_end;
  std::size_t at = 0;
  ByteRange current{scan.header_end, scan.size, starts.front().second};
  for (std::size_t k = 1; k < parts; ++k) {
    const std::uint64_t target = scan.header_end + data * k / parts;
    while (at < starts.size() && starts[at].first < target) ++at;
    const auto split = at < starts.size() ? starts[at] : std::make_pair(scan.size, line);
    current.end = std::max(split.first, current.begin);
    scan.ranges.push_back(current);
    current = ByteRange{current.end, scan.size, current.end == split.first ? split.second : current.first_line};
  }
  scan.ranges.push_back(current);
  return scan;
}

}  // namespace pipeline::load
