// Compressed input: which format a file's first bytes announce (gzip, zstd,
// or one the tools do not read), and decoders that turn the compressed bytes
// into the CSV text, chunk by chunk, so a compressed file streams through
// the same reader as a plain one. The format is told by magic bytes, never
// by the file's name.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline::util {

enum class Compression {
  kNone,
  kGzip,  // RFC 1952, one member or several concatenated (zlib)
  kZstd,  // zstd frames, one or several (libzstd)
};

// Bytes detect_compression needs to tell every format it knows.
inline constexpr std::size_t kMagicBytes = 6;

// The format `head` (a file's first bytes, at most kMagicBytes of them, fewer
// only when the file is shorter) announces. kNone for anything else.
Compression detect_compression(std::string_view head);

// For the formats the tools recognise but do not read (bzip2, xz, zip, lz4,
// 7z): its name, e.g. "xz". nullopt for everything else.
std::optional<std::string> unreadable_format(std::string_view head);

std::string_view to_string(Compression compression);

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes from the front of `in` into out[0, capacity), consuming what it
  // used; returns the bytes written. May consume input and write nothing.
  // Throws Error(kDataError) naming `name` for corrupt data.
  virtual std::size_t decode(std::string_view& in, char* out, std::size_t capacity) = 0;
  // Called at the end of the compressed input: throws Error(kDataError) when
  // it ended inside a stream (a truncated file).
  virtual void finish() = 0;
};

// A decoder for `compression` (not kNone). `name` is the input's name, for
// messages.
std::unique_ptr<Decoder> make_decoder(Compression compression, std::string name);

}  // namespace pipeline::util
