// Server and client error numbers, classified into the exit code an
// operator acts on.
#include "pipeline/db/db_error.hpp"

#include <gtest/gtest.h>

namespace pipeline::db {
namespace {

TEST(DbErrorTest, ClassifiesErrorNumbers) {
  const std::pair<int, ExitCode> cases[] = {
      {1045, ExitCode::kNoPerm},    // access denied
      {1142, ExitCode::kNoPerm},    // table access denied
      {1148, ExitCode::kNoPerm},    // MariaDB: LOAD DATA LOCAL with local_infile=OFF
      {3948, ExitCode::kNoPerm},    // MySQL: local files disabled
      {4166, ExitCode::kNoPerm},    // MySQL: LOAD DATA LOCAL capability disabled
      {2013, ExitCode::kTempFail},  // server lost
      {1205, ExitCode::kTempFail},  // lock wait timeout
      {1049, ExitCode::kUsage},     // unknown database
      {1064, ExitCode::kSoftware},  // syntax error: ours
  };
  for (const auto& [number, code] : cases) {
    SCOPED_TRACE(number);
    EXPECT_EQ(classify_error(number), code);
    EXPECT_EQ(DbError("doing it", number, "HY000", "refused").code(), code);
  }
}

}  // namespace
}  // namespace pipeline::db
