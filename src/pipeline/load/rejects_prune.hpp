// --rejects-keep: the rejects files a run leaves in the log directory hold
// personal data and pile up, one per run with a rejected row. After each run
// the loader deletes its own older ones (rejects-<run id>[-shard<K>].csv),
// keeping the newest N.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::load {

// Default --rejects-keep.
inline constexpr unsigned kDefaultRejectsKeep = 30;

struct RejectsFile {
  std::string name;
  // Modification time, any monotonic unit: newer is larger.
  std::int64_t mtime = 0;
};

// Whether `name` is a rejects file the loader writes by default:
// rejects-<run id>.csv or rejects-<run id>-shard<K>.csv, with a run id
// check_run_id accepts.
bool is_rejects_file_name(std::string_view name);

// The names to delete so that only the `keep` newest of `files` (rejects
// files only; others are never chosen) remain; ties go by name, so the
// choice does not depend on listing order. keep 0: none (keep them all).
std::vector<std::string> rejects_to_delete(std::vector<RejectsFile> files, unsigned keep);

// Lists `dir`, deletes what rejects_to_delete chooses and logs how many.
// Never throws: a file that cannot be listed or deleted is a warning.
void prune_rejects(const std::filesystem::path& dir, unsigned keep);

}  // namespace pipeline::load
