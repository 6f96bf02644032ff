#include "pipeline/util/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <array>
#include <climits>

#include <fmt/format.h>

#include "pipeline/error.hpp"

namespace pipeline::util {
namespace {

bool starts_with(std::string_view head, std::string_view magic) { return head.substr(0, magic.size()) == magic; }

using namespace std::string_view_literals;

constexpr std::string_view kGzipMagic = "\x1f\x8b"sv;
constexpr std::string_view kZstdMagic = "\x28\xb5\x2f\xfd"sv;

struct Unreadable {
  std::string_view magic;
  const char* name;
};
constexpr std::array kUnreadable = {
    Unreadable{"\xfd"
               "7zXZ\x00"sv,
               "xz"},
    Unreadable{"PK\x03\x04"sv, "zip"},
    Unreadable{"\x04\x22\x4d\x18"sv, "lz4"},
    Unreadable{"7z\xbc\xaf\x27\x1c"sv, "7z"},
};

[[noreturn]] void corrupt(const std::string& name, std::string_view format, std::string_view detail) {
  throw Error(ExitCode::kDataError,
              fmt::format("{} starts as a {} file, but its compressed data is corrupt ({}); check the file (e.g. "
                          "`{} -t`), or give the uncompressed CSV",
                          name, format, detail, format == "gzip" ? "gzip" : "zstd"));
}

[[noreturn]] void truncated(const std::string& name, std::string_view format) {
  throw Error(ExitCode::kDataError,
              fmt::format("{} is a {} file that ends in the middle of its compressed data: it is truncated (an "
                          "interrupted copy or download?); nothing was loaded from it",
                          name, format));
}

class GzipDecoder : public Decoder {
 public:
  explicit GzipDecoder(std::string name) : name_(std::move(name)) {
    // 15 + 16: the gzip wrapper only (a zlib or raw stream is not a .gz).
    if (inflateInit2(&z_, 15 + 16) != Z_OK) throw Error(ExitCode::kSoftware, "zlib: inflateInit2 failed");
  }
  ~GzipDecoder() override { inflateEnd(&z_); }

  std::size_t decode(std::string_view& in, char* out, std::size_t capacity) override {
    if (in.empty()) return 0;
    if (ended_) {
      // Another member follows (concatenated .gz files are one stream).
      inflateReset(&z_);
      ended_ = false;
    }
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT_MAX));
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, UINT_MAX));
    const uInt offered = z_.avail_in;
    const int status = inflate(&z_, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      corrupt(name_, "gzip", z_.msg != nullptr ? z_.msg : "inflate failed");
    }
    in.remove_prefix(offered - z_.avail_in);
    return capacity - z_.avail_out;
  }

  void finish() override {
    if (!ended_) truncated(name_, "gzip");
  }

 private:
  std::string name_;
  z_stream z_{};
  // The current member ended: more input starts another one.
  bool ended_ = false;
};

class ZstdDecoder : public Decoder {
 public:
  explicit ZstdDecoder(std::string name) : name_(std::move(name)), stream_(ZSTD_createDStream()) {
    if (stream_ == nullptr) throw Error(ExitCode::kSoftware, "zstd: ZSTD_createDStream failed");
  }
  ~ZstdDecoder() override { ZSTD_freeDStream(stream_); }

  std::size_t decode(std::string_view& in, char* out, std::size_t capacity) override {
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out, capacity, 0};
    const std::size_t hint = ZSTD_decompressStream(stream_, &output, &input);
    if (ZSTD_isError(hint) != 0) corrupt(name_, "zstd", ZSTD_getErrorName(hint));
    // 0: a frame ended here; otherwise more input is expected.
    frame_open_ = hint != 0;
    in.remove_prefix(input.pos);
    return output.pos;
  }

  void finish() override {
    if (frame_open_) truncated(name_, "zstd");
  }

 private:
  std::string name_;
  ZSTD_DStream* stream_;
  bool frame_open_ = true;
};

}  // namespace

Compression detect_compression(std::string_view head) {
  if (starts_with(head, kGzipMagic)) return Compression::kGzip;
  if (starts_with(head, kZstdMagic)) return Compression::kZstd;
  return Compression::kNone;
}

std::optional<std::string> unreadable_format(std::string_view head) {
  // "BZh", the block size as a digit, then a block's or the end's magic.
  if (head.size() >= 5 && starts_with(head, "BZh") && head[3] >= '1' && head[3] <= '9' &&
      (head[4] == '\x31' || head[4] == '\x17')) {
    return "bzip2";
  }
  for (const Unreadable& format : kUnreadable) {
    if (starts_with(head, format.magic)) return std::string(format.name);
  }
  return std::nullopt;
}

std::string_view to_string(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "plain";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "plain";
}

std::unique_ptr<Decoder> make_decoder(Compression compression, std::string name) {
  switch (compression) {
    case Compression::kGzip:
      return std::make_unique<GzipDecoder>(std::move(name));
    case Compression::kZstd:
      return std::make_unique<ZstdDecoder>(std::move(name));
    case Compression::kNone:
      break;
  }
  throw Error(ExitCode::kSoftware, "make_decoder: not a compressed format");
}

}  // namespace pipeline::util
