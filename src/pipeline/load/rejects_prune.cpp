#include "pipeline/load/rejects_prune.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipeline/load/run_id.hpp"

namespace pipeline::load {
namespace {

constexpr std::string_view kPrefix = "rejects-";
constexpr std::string_view kSuffix = ".csv";

}  // namespace

bool is_rejects_file_name(std::string_view name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return false;
  std::string_view id = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  // A shard's file: the run id then -shard<K>; the id alone is a run id too.
  if (const auto at = id.rfind("-shard"); at != std::string_view::npos) {
    const std::string_view k = id.substr(at + 6);
    if (!k.empty() && std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (is_valid_run_id(id.substr(0, at))) return true;
    }
  }
  return is_valid_run_id(id);
}

std::vector<std::string> rejects_to_delete(std::vector<RejectsFile> files, unsigned keep) {
  std::vector<std::string> doomed;
  if (keep == 0) return doomed;
  std::erase_if(files, [](const RejectsFile& f) { return !is_rejects_file_name(f.name); });
  std::sort(files.begin(), files.end(), [](const RejectsFile& a, const RejectsFile& b) {
    return a.mtime != b.mtime ? a.mtime > b.mtime : a.name > b.name;
  });
  for (std::size_t i = keep; i < files.size(); ++i) doomed.push_back(files[i].name);
  return doomed;
}

void prune_rejects(const std::filesystem::path& dir, unsigned keep) {
  if (keep == 0) return;
  std::vector<RejectsFile> files;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!is_rejects_file_name(name)) continue;
    // Only what the tool itself writes (util/private_file): a regular file
    // of this user's, readable by no one else. Not a link, a file someone
    // else made or opened up, or a copy a user kept.
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
        (st.st_mode & 077) != 0) {
      continue;
    }
    files.push_back({name, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec});
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    spdlog::warn("--rejects-keep: cannot list {}: {}", dir.string(), error.message());
    return;
  }
  const std::vector<std::string> doomed = rejects_to_delete(std::move(files), keep);
  std::size_t deleted = 0;
  for (const std::string& name : doomed) {
    std::error_code remove_error;
    if (std::filesystem::remove(dir / name, remove_error)) {
      ++deleted;
    } else if (remove_error) {
      spdlog::warn("--rejects-keep: cannot delete {}: {}", (dir / name).string(), remove_error.message());
    }
  }
  if (deleted > 0) {
    spdlog::info("deleted {} older rejects file(s) from {}, keeping the newest {} (--rejects-keep)", deleted,
                 dir.string(), keep);
  }
}

}  // namespace pipeline::load
