#include "pipeline/util/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/atomic_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  const fs::path path = dir_ / "out.json";
  write_file_atomically(path, "first");
  EXPECT_EQ(read(path), "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(read(path), "second, longer");
  EXPECT_EQ(entries(), 1u);  // no temporary left behind
}

TEST_F(AtomicFileTest, FailedWriteKeepsTheOldFile) {
  // A file-size limit makes the write fail even for root (EFBIG once SIGXFSZ
  // is ignored, as the tools do).
  const fs::path path = dir_ / "out.json";
  write_file_atomically(path, "old");
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tiny = saved;
  tiny.rlim_cur = 8;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tiny), 0);
  try {
    write_file_atomically(path, "new content, longer than eight bytes");
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kCantCreate);
    EXPECT_NE(std::string(e.what()).find("File too large"), std::string::npos) << e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsExit73) {
  try {
    write_file_atomically(dir_ / "no" / "such" / "out.json", "x");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kCantCreate);
    EXPECT_NE(std::string(e.what()).find("no/such/out.json"), std::string::npos) << e.what();
  }
}

TEST_F(AtomicFileTest, UsesUmaskForMode) {
  const mode_t old = ::umask(022);
  write_file_atomically(dir_ / "m", "x");
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "m").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace pipeline::util
