#include "pipeline/util/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

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
  // Every entry under dir_, relative and sorted: leftover temporaries show up.
  std::vector<std::string> names() const {
    std::vector<std::string> all;
    for (const auto& entry : fs::recursive_directory_iterator(dir_))
      all.push_back(entry.path().lexically_relative(dir_));
    std::sort(all.begin(), all.end());
    return all;
  }
  // Writes each file plainly, as the previous run's output.
  void write_old(const std::map<std::string, std::string>& files) {
    for (const auto& [name, content] : files) std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  void expect_contents(const std::map<std::string, std::string>& files) {
    for (const auto& [name, content] : files) EXPECT_EQ(read(dir_ / name), content) << name;
  }
  fs::path dir_;
};

// A file-size limit for the test's process, lifted at the end of the scope. It
// makes a write fail even for root (EFBIG once SIGXFSZ is ignored, as the
// tools do).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) : old_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &saved_), 0);
    struct rlimit limited = saved_;
    limited.rlim_cur = bytes;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  struct rlimit saved_ {};
  void (*old_handler_)(int);
};

// Expects `write` to throw Error(kCantCreate) whose message holds each of `parts`.
template <typename Write>
void expect_cant_create(Write write, const std::vector<std::string>& parts) {
  try {
    write();
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kCantCreate);
    for (const std::string& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST_F(AtomicFileTest, WritesAndReplaces) {
  const fs::path path = dir_ / "out.json";
  write_file_atomically(path, "first");
  EXPECT_EQ(read(path), "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(read(path), "second, longer");
  EXPECT_EQ(entries(), 1u);  // no temporary left behind
}

TEST_F(AtomicFileTest, FailedWriteKeepsTheOldFile) {
  const fs::path path = dir_ / "out.json";
  write_file_atomically(path, "old");
  {
    const FileSizeLimit limit(8);
    expect_cant_create([&] { write_file_atomically(path, "new content, longer than eight bytes"); },
                       {"File too large"});
  }
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, WritesASetReplacingEveryFile) {
  write_old({{"a", "old a"}, {"c", "old c"}});
  fs::create_directory(dir_ / "sub");
  const std::vector<FileContent> files = {
      {dir_ / "a", "new a"}, {dir_ / "b", "new b, no old file"}, {dir_ / "c", ""}, {dir_ / "sub" / "d", "new d"}};
  write_files_atomically(files);
  expect_contents({{"a", "new a"}, {"b", "new b, no old file"}, {"c", ""}, {"sub/d", "new d"}});
  EXPECT_EQ(names(), (std::vector<std::string>{"a", "b", "c", "sub", "sub/d"})) << "temporaries or links left";
}

TEST_F(AtomicFileTest, SetWhoseWriteFailsPartWayChangesNothing) {
  // The first and last files fit under the limit, the middle one does not: a
  // writer that renames as it goes would already have replaced "a".
  const std::map<std::string, std::string> old = {{"a", "old a"}, {"b", "old b"}, {"c", "old c"}};
  write_old(old);
  const std::vector<FileContent> files = {
      {dir_ / "a", "new a"}, {dir_ / "b", "new b, longer than the sixteen-byte limit"}, {dir_ / "c", "new c"}};
  {
    const FileSizeLimit limit(16);
    expect_cant_create([&] { write_files_atomically(files); }, {(dir_ / "b").string(), "File too large"});
  }
  expect_contents(old);
  EXPECT_EQ(names(), (std::vector<std::string>{"a", "b", "c"})) << "temporaries left";
}

TEST_F(AtomicFileTest, SetWithADirectoryAsATargetChangesNothing) {
  const std::map<std::string, std::string> old = {{"a", "old a"}, {"c", "old c"}};
  write_old(old);
  fs::create_directory(dir_ / "b");
  const std::vector<FileContent> files = {{dir_ / "a", "new a"}, {dir_ / "b", "new b"}, {dir_ / "c", "new c"}};
  expect_cant_create([&] { write_files_atomically(files); }, {(dir_ / "b").string(), "Is a directory"});
  expect_contents(old);
  EXPECT_EQ(names(), (std::vector<std::string>{"a", "b", "c"})) << "temporaries or links left";
}

TEST_F(AtomicFileTest, SetWithAFifoOrALinkToOneAsATargetChangesNothing) {
  // Renaming over them would leave a regular file where a FIFO's reader waits.
  const std::map<std::string, std::string> old = {{"a", "old a"}, {"c", "old c"}};
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink("fifo", dir_ / "link");
  for (const std::string name : {"fifo", "link"}) {
    SCOPED_TRACE(name);
    write_old(old);
    const std::vector<FileContent> files = {{dir_ / "a", "new a"}, {dir_ / name, "new"}, {dir_ / "c", "new c"}};
    expect_cant_create([&] { write_files_atomically(files); }, {(dir_ / name).string(), "not a regular file"});
    expect_contents(old);
    EXPECT_TRUE(fs::is_fifo(fs::symlink_status(dir_ / "fifo")));
    EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
    EXPECT_EQ(names(), (std::vector<std::string>{"a", "c", "fifo", "link"})) << "temporaries or links left";
  }
}

// rename(2), but failing with EIO on call number `failing_rename`.
int renames = 0;
int failing_rename = 0;
int rename_failing_once(const char* from, const char* to) {
  if (++renames == failing_rename) {
    errno = EIO;
    return -1;
  }
  return std::rename(from, to);
}

TEST_F(AtomicFileTest, SetWhoseRenameFailsPartWayIsRolledBack) {
  // "b" has no old file: a roll-back removes it again.
  const std::map<std::string, std::string> old = {{"a", "old a"}, {"c", "old c"}, {"d", "old d"}};
  const std::vector<FileContent> files = {
      {dir_ / "a", "new a"}, {dir_ / "b", "new b"}, {dir_ / "c", "new c"}, {dir_ / "d", "new d"}};
  for (failing_rename = 1; failing_rename <= static_cast<int>(files.size()); ++failing_rename) {
    SCOPED_TRACE("rename " + std::to_string(failing_rename) + " fails");
    write_old(old);
    renames = 0;
    expect_cant_create(
        [&] { write_files_atomically(files, &rename_failing_once); },
        {files[static_cast<std::size_t>(failing_rename - 1)].path.string(), "rename failed", "Input/output error"});
    expect_contents(old);
    EXPECT_EQ(names(), (std::vector<std::string>{"a", "c", "d"})) << "new files, temporaries or links left";
  }
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
