#include "pipeline/util/input_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "pipeline/error.hpp"
#include "pipeline/util/decompress.hpp"
#include "pipeline/util/sha256.hpp"
#include "support/compress.hpp"

namespace pipeline::util {
namespace {

using pipeline::testing::gzip;
using pipeline::testing::zstd;

// Read as the parsers read (istream::read, which lets the file's errors out;
// `out << rdbuf()` would swallow them into out's failbit).
std::string read_stream(InputFile& file) {
  std::string text;
  char chunk[4096];
  while (file.stream().read(chunk, sizeof chunk) || file.stream().gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(file.stream().gcount()));
  }
  return text;
}

// Text long enough to span several read and decode buffers.
std::string big_csv() {
  std::string text = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (int i = 0; i < 40000; ++i) text += "Ann" + std::to_string(i) + ",Lee,1990-01-02,Bath\n";
  return text;
}

class InputFileTest : public ::testing::Test {
 protected:
  InputFileTest() : dir_(std::filesystem::temp_directory_path() / ("input_file_test." + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~InputFileTest() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // The error reading `bytes` as a file throws, with its code.
  std::pair<ExitCode, std::string> read_error(const std::string& bytes) {
    InputFile file(write("bad", bytes));
    try {
      read_stream(file);
    } catch (const Error& e) {
      return {e.code(), e.what()};
    }
    return {ExitCode::kOk, ""};
  }

  std::filesystem::path dir_;
};

TEST(DetectCompressionTest, TellsFormatsByTheirFirstBytes) {
  EXPECT_EQ(detect_compression(gzip("a,b\n").substr(0, kMagicBytes)), Compression::kGzip);
  EXPECT_EQ(detect_compression(zstd("a,b\n").substr(0, kMagicBytes)), Compression::kZstd);
  EXPECT_EQ(detect_compression("city,county,country\n"), Compression::kNone);
  EXPECT_EQ(detect_compression(""), Compression::kNone);
  EXPECT_EQ(detect_compression("\x1f"), Compression::kNone);
  EXPECT_EQ(unreadable_format(std::string("\xfd"
                                          "7zXZ\0",
                                          6)),
            "xz");
  EXPECT_EQ(unreadable_format("BZh91AY&SY"), "bzip2");
  EXPECT_EQ(unreadable_format("PK\x03\x04rest"), "zip");
  // A header that merely starts like one is CSV.
  EXPECT_EQ(unreadable_format("BZh,county,country\n"), std::nullopt);
  EXPECT_EQ(unreadable_format("city,county\n"), std::nullopt);
}

TEST_F(InputFileTest, GzipAndZstdFilesReadAsTheirTextWithTheFilesOwnSizeAndDigest) {
  const std::string text = big_csv();
  for (const std::string& bytes : {gzip(text), zstd(text)}) {
    InputFile file(write("people.csv.x", bytes));
    EXPECT_EQ(read_stream(file), text);
    EXPECT_EQ(file.size(), bytes.size());
    EXPECT_EQ(file.bytes_read(), bytes.size());
    Sha256 sha;
    sha.update(bytes);
    EXPECT_EQ(file.sha256(), sha.hex_digest());
  }
}

TEST_F(InputFileTest, ConcatenatedMembersAndFramesReadAsOneText) {
  EXPECT_EQ(read_stream(*std::make_unique<InputFile>(write("a", gzip("a,b\n") + gzip("c,d\n")))), "a,b\nc,d\n");
  EXPECT_EQ(read_stream(*std::make_unique<InputFile>(write("b", zstd("a,b\n") + zstd("c,d\n")))), "a,b\nc,d\n");
}

TEST_F(InputFileTest, ThePlainTextIsUnchangedWhateverTheName) {
  const std::string text = big_csv();
  InputFile file(write("people.csv.gz", text));
  EXPECT_EQ(read_stream(file), text);
  InputFile tiny(write("tiny", "ab"));
  EXPECT_EQ(read_stream(tiny), "ab");
  InputFile empty(write("empty", ""));
  EXPECT_EQ(read_stream(empty), "");
}

TEST_F(InputFileTest, ATruncatedFileIsADataErrorThatSaysSo) {
  const std::string text = big_csv();
  for (const std::string& bytes : {gzip(text), zstd(text)}) {
    const auto [code, message] = read_error(bytes.substr(0, bytes.size() / 2));
    EXPECT_EQ(code, ExitCode::kDataError);
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
}

TEST_F(InputFileTest, CorruptDataIsADataErrorNamingTheFormat) {
  std::string bytes = gzip(big_csv());
  for (std::size_t i = 20; i < 60; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  auto [code, message] = read_error(bytes);
  EXPECT_EQ(code, ExitCode::kDataError);
  EXPECT_NE(message.find("gzip"), std::string::npos) << message;
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;

  // Looks like gzip, is not: a hint, not "malformed quoting".
  std::tie(code, message) = read_error(std::string("\x1f\x8b") + "city,county,country\n");
  EXPECT_EQ(code, ExitCode::kDataError);
  EXPECT_NE(message.find("starts as a gzip file"), std::string::npos) << message;

  std::tie(code, message) = read_error(zstd(big_csv()).substr(0, 4) + std::string(100, 'x'));
  EXPECT_EQ(code, ExitCode::kDataError);
  EXPECT_NE(message.find("zstd"), std::string::npos) << message;
}

TEST_F(InputFileTest, AFormatThatIsNotReadIsNamedWithTheFix) {
  const auto [code, message] =
      read_error(std::string("\xfd"
                             "7zXZ\0rest",
                             10));
  EXPECT_EQ(code, ExitCode::kDataError);
  EXPECT_NE(message.find("xz-compressed"), std::string::npos) << message;
  EXPECT_NE(message.find("gzip or zstd"), std::string::npos) << message;
}

TEST_F(InputFileTest, APipeThatDeliversAByteAtATimeIsStillRecognised) {
  const std::string text = big_csv();
  const std::string bytes = gzip(text);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      // The magic bytes one by one, then the rest at once.
      const std::size_t n = i < kMagicBytes ? 1 : bytes.size() - i;
      if (::write(fds[1], bytes.data() + i, n) != static_cast<ssize_t>(n)) break;
      if (i < kMagicBytes) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      i += n - 1;
    }
    ::close(fds[1]);
  });
  InputFile file("/dev/fd/" + std::to_string(fds[0]));
  EXPECT_EQ(read_stream(file), text);
  EXPECT_EQ(file.size(), 0u);
  writer.join();
  ::close(fds[0]);
}

TEST_F(InputFileTest, AByteRangeIsNeverDecompressed) {
  // A range starts mid-file, where a record may begin with the magic bytes.
  const std::string bytes = "header\n" + gzip("x");
  InputFile range(write("range", bytes), 7);
  EXPECT_EQ(read_stream(range), bytes.substr(7));
}

TEST_F(InputFileTest, SaysWhyAFileCannotBeSplit) {
  EXPECT_EQ(why_unsplittable(write("plain", big_csv())), std::nullopt);
  EXPECT_EQ(why_unsplittable(write("gz", gzip("a"))), "it is gzip-compressed");
  EXPECT_EQ(why_unsplittable(write("zst", zstd("a"))), "it is zstd-compressed");
  EXPECT_EQ(why_unsplittable("-"), "it is standard input");
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(why_unsplittable(fifo), "it is not a regular file (a pipe?)");
  EXPECT_EQ(display_name("-"), "standard input");
  EXPECT_NO_THROW(check_input_path("-", "--people"));
}

}  // namespace
}  // namespace pipeline::util
