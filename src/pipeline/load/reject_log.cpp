#include "pipeline/load/reject_log.hpp"

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/csv/writer.hpp"
#include "pipeline/error.hpp"
#include "pipeline/util/private_file.hpp"

namespace pipeline::load {
namespace {

// Rows of people: names and dates of birth, for the owner only.
constexpr mode_t kRejectsPermissions = 0600;

}  // namespace

RejectLog::RejectLog(std::filesystem::path path, bool create_now) : path_(std::move(path)) {
  if (create_now) open();
}

std::unique_ptr<RejectLog> RejectLog::part(std::filesystem::path path) const {
  auto log = std::make_unique<RejectLog>(std::move(path), false);
  log->logged_ = logged_;
  log->is_part_ = true;
  return log;
}

void RejectLog::open() {
  std::error_code ignored;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ignored);
  out_ = std::make_unique<util::FdOStream>(
      util::open_private_file(path_, kRejectsPermissions, util::OpenMode::kTruncate, "the rejects file"));
  created_ = true;
  csv::write_record(*out_, {"file", "line", "field", "reason", "raw"});
}

void RejectLog::add(std::string_view file, std::size_t line, std::string_view field, std::string_view reason,
                    std::string_view raw) {
  if (out_ == nullptr || !out_->is_open()) open();
  ++count_;
  if (logged_->fetch_add(1) < kLoggedRejects) spdlog::warn("rejected {}:{}: {}: {}", file, line, field, reason);
  csv::write_record(*out_, {file, std::to_string(line), field, reason, raw});
  if (!*out_) {
    throw Error(ExitCode::kCantCreate, fmt::format("cannot write the rejects file {}", path_.string()));
  }
}

void RejectLog::close() {
  if (out_ == nullptr || !out_->is_open()) return;
  out_->close();
  if (!*out_) {
    throw Error(ExitCode::kCantCreate, fmt::format("cannot write the rejects file {}", path_.string()));
  }
  if (!is_part_ && count_ > kLoggedRejects) {
    spdlog::warn("{} more rejected row(s) not logged here; all {} are listed in {}", count_ - kLoggedRejects, count_,
                 path_.string());
  }
}

}  // namespace pipeline::load

namespace pipeline::load {

void RejectLog::merge(const std::vector<std::unique_ptr<RejectLog>>& parts) {
  for (const auto& part : parts) {
    if (!part->created()) continue;
    part->close();
    if (out_ == nullptr || !out_->is_open()) open();
    std::ifstream in(part->path(), std::ios::binary);
    std::string line;
    std::getline(in, line);  // its header
    if (in.peek() != std::ifstream::traits_type::eof()) *out_ << in.rdbuf();
    count_ += part->count();
    std::error_code ignored;
    std::filesystem::remove(part->path(), ignored);
  }
  if (out_ != nullptr && !*out_) {
    throw Error(ExitCode::kCantCreate, fmt::format("cannot write the rejects file {}", path_.string()));
  }
}

}  // namespace pipeline::load
