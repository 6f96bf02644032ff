// The tools' version, reported by --version and recorded in the ledger.
#pragma once

namespace pipeline {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace pipeline
