// Holding a loader mid-load for as long as a test needs, whatever the
// machine's speed: the loader reads its people.csv from a FIFO that the test
// writes a piece at a time. And waiting for something the server shows,
// instead of sleeping and hoping.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace pipeline::testing {

class FifoInput {
 public:
  // Creates a FIFO at `path`. SIGPIPE is ignored from then on in this process,
  // so that a reader that goes away shows as a failed write.
  explicit FifoInput(std::filesystem::path path);
  // Closes it and removes the FIFO.
  ~FifoInput();
  FifoInput(const FifoInput&) = delete;
  FifoInput& operator=(const FifoInput&) = delete;

  // Writes `bytes`, first waiting (up to 60 s) for a reader to open the FIFO.
  // Blocks while the pipe is full. Returns false if there is no reader.
  bool write(std::string_view bytes);
  // Ends the input: the reader sees the end of the file.
  void close();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Calls `condition` every 20 ms until it returns true (true) or `limit`
// passes (false).
bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(60));

// The rows of `people_csv` after its header, and the header line itself.
struct CsvParts {
  std::string header;
  std::string rows;
};
CsvParts split_header(const std::string& people_csv);

}  // namespace pipeline::testing
