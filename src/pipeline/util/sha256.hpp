// Incremental SHA-256, for fingerprinting input files while they stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pipeline::util {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Lowercase hex digest of everything passed to update(). Call once.
  std::string hex_digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pipeline::util
