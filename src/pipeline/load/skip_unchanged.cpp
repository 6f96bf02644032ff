#include "pipeline/load/skip_unchanged.hpp"

#include <sys/stat.h>

#include <vector>

#include <fmt/format.h>

#include "pipeline/error.hpp"
#include "pipeline/util/input_file.hpp"

namespace pipeline::load {

Fingerprint fingerprint_file(const std::filesystem::path& path) {
  // Read twice, to compare and then to load: a pipe or FIFO would be empty
  // the second time.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw Error(ExitCode::kUsage, fmt::format("--skip-unchanged reads {} twice, to compare it and then to load it: it "
                                              "needs a regular file, not a pipe or device; drop --skip-unchanged",
                                              path.string()));
  }
  util::InputFile file(path, 0);  // a byte range from 0: the file's bytes, never decompressed
  std::vector<char> chunk(256 * 1024);
  while (file.stream().read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || file.stream().gcount() > 0) {
  }
  return {file.bytes_read(), file.sha256()};
}

// The last run to succeed is the one whose data is live: a run's status is
// recorded succeeded (with finished_at) right after its data went live, under
// the load lock, and a run parked unrecorded is recorded by the sweep that
// precedes this. Its id says when it joined, not when it published: a sharded
// run may publish after a later one.
std::optional<std::string> unchanged_since(db::Session& session, const Fingerprint& places, const Fingerprint& people,
                                           Mode mode) {
  const auto last = session.query(
      "SELECT run_id, mode, places_bytes, places_sha256, people_bytes, people_sha256 FROM load_runs "
      "WHERE status = ? AND NOT dry_run ORDER BY finished_at DESC, id DESC LIMIT 1",
      {std::string(to_string(RunStatus::kSucceeded))});
  if (last.rows.empty()) return std::nullopt;
  const auto& row = last.rows[0];
  const auto same = [](const std::optional<std::string>& bytes, const std::optional<std::string>& sha,
                       const Fingerprint& file) { return bytes == std::to_string(file.bytes) && sha == file.sha256; };
  if (!same(row[2], row[3], places) || !same(row[4], row[5], people)) return std::nullopt;
  if (mode == Mode::kReplace && row[1] != std::string(to_string(Mode::kReplace))) return std::nullopt;
  return row[0];
}

}  // namespace pipeline::load
