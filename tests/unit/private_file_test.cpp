#include "pipeline/util/private_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pipeline::util {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_all(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

unsigned permissions(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

void write_and_close(int fd, const std::string& text) {
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

// Runs with umask 0, so only the code can keep files private.
class PrivateFileTest : public ::testing::Test {
 protected:
  PrivateFileTest() : old_mask_(::umask(0)) {
    char pattern[] = "/tmp/private-file-test.XXXXXX";
    EXPECT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  ~PrivateFileTest() override {
    ::umask(old_mask_);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path tmp(const std::string& name) const { return dir_ / name; }

 private:
  mode_t old_mask_;
  std::filesystem::path dir_;
};

TEST_F(PrivateFileTest, ANewFileGetsThePermissionsAsked) {
  write_and_close(open_private_file(tmp("r.csv"), 0600, OpenMode::kTruncate, "the rejects file"), "x");
  EXPECT_EQ(permissions(tmp("r.csv")), 0600u);
  write_and_close(open_private_file(tmp("l.log"), 0640, OpenMode::kAppend, "the log file"), "x");
  EXPECT_EQ(permissions(tmp("l.log")), 0640u);
}

TEST_F(PrivateFileTest, AnExistingFileIsNarrowedAndTruncatedOrAppendedTo) {
  write_all(tmp("r.csv"), "old");
  ::chmod((tmp("r.csv")).c_str(), 0666);
  write_and_close(open_private_file(tmp("r.csv"), 0600, OpenMode::kTruncate, "the rejects file"), "new");
  EXPECT_EQ(permissions(tmp("r.csv")), 0600u);
  EXPECT_EQ(read_all(tmp("r.csv")), "new");
  write_and_close(open_private_file(tmp("r.csv"), 0600, OpenMode::kAppend, "the rejects file"), "er");
  EXPECT_EQ(read_all(tmp("r.csv")), "newer");
  // Narrower than asked stays as narrow.
  ::chmod((tmp("r.csv")).c_str(), 0400 | 0200);
  write_and_close(open_private_file(tmp("r.csv"), 0640, OpenMode::kAppend, "the log file"), "");
  EXPECT_EQ(permissions(tmp("r.csv")), 0600u);
}

TEST_F(PrivateFileTest, ASymbolicLinkIsRefusedAndItsTargetUntouched) {
  write_all(tmp("victim"), "precious");
  std::filesystem::create_symlink(tmp("victim"), tmp("r.csv"));
  std::filesystem::create_symlink(tmp("absent"), tmp("dangling.csv"));
  for (const auto mode : {OpenMode::kTruncate, OpenMode::kAppend}) {
    try {
      open_private_file(tmp("r.csv"), 0600, mode, "the rejects file");
      ADD_FAILURE() << "a symbolic link was opened";
    } catch (const UnsafeFileError& e) {
      EXPECT_EQ(e.code(), ExitCode::kCantCreate);
      EXPECT_NE(std::string(e.what()).find("refusing to write the rejects file"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("symbolic link"), std::string::npos) << e.what();
    }
    EXPECT_THROW(open_private_file(tmp("dangling.csv"), 0600, mode, "the log file"), UnsafeFileError);
  }
  EXPECT_EQ(read_all(tmp("victim")), "precious");
  EXPECT_FALSE(std::filesystem::exists(tmp("absent")));
}

TEST_F(PrivateFileTest, AFileWithAnotherHardLinkIsRefusedUntruncated) {
  write_all(tmp("victim"), "precious");
  std::filesystem::create_hard_link(tmp("victim"), tmp("r.csv"));
  EXPECT_THROW(open_private_file(tmp("r.csv"), 0600, OpenMode::kTruncate, "the rejects file"), UnsafeFileError);
  EXPECT_EQ(read_all(tmp("victim")), "precious");
}

TEST_F(PrivateFileTest, AFifoWithoutAReaderIsRefusedAtOnceAndADeviceIsWrittenInPlace) {
  ASSERT_EQ(::mkfifo((tmp("fifo")).c_str(), 0600), 0);
  EXPECT_THROW(open_private_file(tmp("fifo"), 0600, OpenMode::kTruncate, "the rejects file"), UnsafeFileError);
  const int fd = open_private_file("/dev/null", 0600, OpenMode::kTruncate, "the rejects file");
  EXPECT_GE(fd, 0);
  ::close(fd);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null is still the device";
  EXPECT_EQ(st.st_mode & 0666, 0666u);
}

TEST_F(PrivateFileTest, ADirectoryIsAnError) {
  std::filesystem::create_directory(tmp("dir"));
  EXPECT_THROW(open_private_file(tmp("dir"), 0600, OpenMode::kTruncate, "the rejects file"), Error);
}

}  // namespace
}  // namespace pipeline::util
