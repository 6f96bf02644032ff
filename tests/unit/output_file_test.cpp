#include "pipeline/util/output_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/output_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // As the tools do (run_guarded): a reader that goes away is EPIPE.
    old_sigpipe_ = std::signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override {
    std::signal(SIGPIPE, old_sigpipe_);
    fs::remove_all(dir_);
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path fifo(const std::string& name) const {
    const fs::path path = dir_ / name;
    EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    return path;
  }
  static bool is_fifo(const fs::path& path) { return fs::is_fifo(fs::symlink_status(path)); }
  std::vector<std::string> names() const {
    std::vector<std::string> all;
    for (const auto& entry : fs::directory_iterator(dir_)) all.push_back(entry.path().filename());
    std::sort(all.begin(), all.end());
    return all;
  }
  fs::path dir_;
  void (*old_sigpipe_)(int) = nullptr;
};

// Points file descriptor 1 at `fd` until the end of the scope. gtest prints
// to it too: assert only after the scope.
class StdoutTo {
 public:
  explicit StdoutTo(int fd) : saved_(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    std::cout.flush();
    ::dup2(fd, STDOUT_FILENO);
  }
  ~StdoutTo() {
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
  }
  StdoutTo(const StdoutTo&) = delete;
  StdoutTo& operator=(const StdoutTo&) = delete;

 private:
  int saved_;
};

// Runs `write`, expecting Error(code) whose message holds `part`.
template <typename Write>
void expect_error(Write write, ExitCode code, const std::string& part) {
  try {
    write();
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST_F(OutputFileTest, ResolvesEachKindOfPath) {
  std::ofstream(dir_ / "regular") << "old";
  fs::create_directory(dir_ / "dir");
  fifo("fifo");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, (dir_ / "socket").c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  fs::create_symlink(dir_ / "regular", dir_ / "to_regular");
  fs::create_symlink("dir", dir_ / "to_dir");
  fs::create_symlink("fifo", dir_ / "to_fifo");
  fs::create_symlink("to_fifo", dir_ / "to_to_fifo");
  fs::create_symlink(dir_ / "missing", dir_ / "dangling");
  fs::create_symlink("/proc/self/fd/1", dir_ / "to_stdout");

  struct Case {
    fs::path path;
    OutputWay way;
    fs::path resolved;
  };
  const std::vector<Case> cases = {
      {"-", OutputWay::kStandardOutput, "-"},
      {dir_ / "absent", OutputWay::kReplace, dir_ / "absent"},
      {dir_ / "no" / "dir" / "x", OutputWay::kReplace, dir_ / "no" / "dir" / "x"},
      {dir_ / "regular", OutputWay::kReplace, dir_ / "regular"},
      {dir_ / "to_regular", OutputWay::kReplace, fs::canonical(dir_ / "regular")},
      {dir_ / "dangling", OutputWay::kReplace, dir_ / "dangling"},
      {dir_ / "dir", OutputWay::kDirectory, dir_ / "dir"},
      {dir_ / "to_dir", OutputWay::kDirectory, dir_ / "to_dir"},
      {dir_ / "fifo", OutputWay::kInPlace, dir_ / "fifo"},
      {dir_ / "to_fifo", OutputWay::kInPlace, dir_ / "to_fifo"},
      {dir_ / "to_to_fifo", OutputWay::kInPlace, dir_ / "to_to_fifo"},
      {dir_ / "socket", OutputWay::kInPlace, dir_ / "socket"},
      {"/dev/zero", OutputWay::kInPlace, "/dev/zero"},
      {dir_ / "to_stdout", OutputWay::kStandardOutput, dir_ / "to_stdout"},
  };
  for (const Case& c : cases) {
    const OutputTarget target = resolve_output(c.path);
    EXPECT_EQ(target.way, c.way) << c.path;
    EXPECT_EQ(target.path, c.resolved) << c.path;
  }
  ::close(sock);
}

TEST_F(OutputFileTest, AFifoIsWrittenInPlaceAndStaysAFifo) {
  const fs::path path = fifo("fifo");
  fs::create_symlink("fifo", dir_ / "link");
  for (const fs::path& target : {path, dir_ / "link"}) {
    SCOPED_TRACE(target);
    // Opened first, so that the write's open does not wait; the report fits the pipe.
    const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    write_output(target, "the report");
    char buffer[64] = {};
    EXPECT_EQ(::read(reader, buffer, sizeof buffer), 10);
    EXPECT_EQ(std::string(buffer), "the report");
    ::close(reader);
    EXPECT_TRUE(is_fifo(path));
    EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  }
  EXPECT_EQ(names(), (std::vector<std::string>{"fifo", "link"})) << "temporaries left";
}

TEST_F(OutputFileTest, AReaderThatGoesAwayPartWayIsOneIoError) {
  const fs::path path = fifo("fifo");
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  // Reads one byte once there is one, then closes: `| head -c 1`. The
  // content is far larger than a pipe holds, so the writer is still writing.
  std::thread head([reader] {
    pollfd ready{reader, POLLIN, 0};
    ::poll(&ready, 1, 60000);
    char byte = 0;
    (void)!::read(reader, &byte, 1);
    ::close(reader);
  });
  const std::string content(4 << 20, 'x');
  expect_error([&] { write_output(path, content); }, ExitCode::kIoError, "its reader closed it after");
  head.join();
  EXPECT_TRUE(is_fifo(path));
}

TEST_F(OutputFileTest, StandardOutputIsTheOpenDescriptorEvenThroughALink) {
  // Standard output appending to a file, as under `>> log`: reopening
  // /dev/stdout would write from offset 0, replacing it would drop the file.
  const fs::path log = dir_ / "log";
  std::ofstream(log) << "earlier lines\n";
  fs::create_symlink("/proc/self/fd/1", dir_ / "stdout");
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  {
    const StdoutTo redirect(fd);
    write_output("-", "one,");
    write_output(dir_ / "stdout", "two");
  }
  ::close(fd);
  EXPECT_EQ(read(log), "earlier lines\none,two");
  EXPECT_TRUE(fs::is_symlink(dir_ / "stdout"));
}

TEST_F(OutputFileTest, AClosedStandardOutputIsOneIoError) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[0]);
  std::string message;
  ExitCode code = ExitCode::kOk;
  {
    const StdoutTo redirect(pipe_fds[1]);
    try {
      write_output("-", "the report");
    } catch (const Error& e) {
      code = e.code();
      message = e.what();
    }
  }
  ::close(pipe_fds[1]);
  EXPECT_EQ(code, ExitCode::kIoError) << message;
  EXPECT_EQ(message, "cannot write standard output: its reader closed it after 0 of 10 bytes");
}

TEST_F(OutputFileTest, ALinkToARegularFileReplacesTheFileAndKeepsTheLink) {
  fs::create_directory(dir_ / "real");
  std::ofstream(dir_ / "real" / "out.json") << "old";
  fs::create_symlink("real/out.json", dir_ / "out.json");
  write_output(dir_ / "out.json", "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "out.json"));
  EXPECT_EQ(read(dir_ / "real" / "out.json"), "new");
  EXPECT_EQ(names(), (std::vector<std::string>{"out.json", "real"})) << "temporaries left";
}

TEST_F(OutputFileTest, ADirectoryIsRefusedBeforeAnythingIsWritten) {
  fs::create_directory(dir_ / "dir");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const std::vector<FileContent> files = {{"-", "to stdout"}, {dir_ / "a", "new a"}, {dir_ / "dir", "new"}};
  {
    const StdoutTo redirect(pipe_fds[1]);
    expect_error([&] { write_outputs(files); }, ExitCode::kCantCreate, "Is a directory");
  }
  ::close(pipe_fds[1]);
  char buffer[16];
  EXPECT_EQ(::read(pipe_fds[0], buffer, sizeof buffer), 0) << "standard output was written";
  ::close(pipe_fds[0]);
  EXPECT_EQ(names(), (std::vector<std::string>{"dir"}));
}

TEST_F(OutputFileTest, AStreamThatFailsLeavesTheRegularFilesOfTheSetAsTheyWere) {
  std::ofstream(dir_ / "a") << "old a";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[0]);
  const std::vector<FileContent> files = {{dir_ / "a", "new a"}, {"-", "report"}, {dir_ / "b", "new b"}};
  {
    const StdoutTo redirect(pipe_fds[1]);
    expect_error([&] { write_outputs(files); }, ExitCode::kIoError, "standard output");
  }
  ::close(pipe_fds[1]);
  EXPECT_EQ(read(dir_ / "a"), "old a");
  EXPECT_EQ(names(), (std::vector<std::string>{"a"})) << "b written, or temporaries left";
}

TEST_F(OutputFileTest, ASocketCannotBeOpenedAndIsNotReplaced) {
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, (dir_ / "socket").c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  expect_error([&] { write_output(dir_ / "socket", "x"); }, ExitCode::kCantCreate, "cannot open it");
  EXPECT_TRUE(fs::is_socket(fs::symlink_status(dir_ / "socket")));
  ::close(sock);
}

}  // namespace
}  // namespace pipeline::util
