#include "pipeline/util/output_path.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

namespace fs = std::filesystem;

class OutputPathTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/output_path_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  // The reason check_output_path gives, or "" when it passes.
  static std::string problem(const fs::path& path) {
    try {
      check_output_path(path, "the run report");
      return "";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kCantCreate);
      return e.what();
    }
  }
  fs::path dir_;
};

TEST_F(OutputPathTest, JudgesEachKindOfPathAsItWillBeWritten) {
  std::ofstream(dir_ / "regular") << "old";
  fs::create_directory(dir_ / "dir");
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink("fifo", dir_ / "to_fifo");
  fs::create_symlink("regular", dir_ / "to_regular");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, (dir_ / "socket").c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);

  struct Case {
    fs::path path;
    std::string problem;  // "" when it passes
  };
  const std::vector<Case> cases = {
      {"-", ""},
      {"/dev/stdout", ""},
      {"/dev/null", ""},
      {dir_ / "absent", ""},
      {dir_ / "regular", ""},
      {dir_ / "to_regular", ""},
      // Not opened: with no reader that would wait for ever.
      {dir_ / "fifo", ""},
      {dir_ / "to_fifo", ""},
      {dir_ / "socket", "cannot write the run report to " + (dir_ / "socket").string() + ": it is a socket"},
      {dir_ / "dir", "cannot write the run report to " + (dir_ / "dir").string() + ": it is a directory"},
      {dir_ / "no" / "out.json", "No such file or directory"},
  };
  for (const Case& c : cases) {
    const std::string got = problem(c.path);
    if (c.problem.empty()) {
      EXPECT_EQ(got, "") << c.path;
    } else {
      EXPECT_NE(got.find(c.problem), std::string::npos) << c.path << ": " << got;
    }
  }
  ::close(sock);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"dir", "fifo", "regular", "socket", "to_fifo", "to_regular"}))
      << "probe files left, or a file named -";
}

}  // namespace
}  // namespace pipeline::util
