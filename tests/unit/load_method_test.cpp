// The choice between LOAD DATA LOCAL and INSERT, for every request and
// server setting.
#include "pipeline/load/load_method.hpp"

#include <gtest/gtest.h>

#include "pipeline/error.hpp"

namespace pipeline::load {
namespace {

TEST(LoadMethodTest, NamesRoundTrip) {
  for (LoadMethod method : {LoadMethod::kAuto, LoadMethod::kLoadData, LoadMethod::kInsert}) {
    EXPECT_EQ(parse_load_method(to_string(method)), method);
  }
  EXPECT_EQ(to_string(LoadMethod::kLoadData), "load-data");
  try {
    parse_load_method("LOAD-DATA");
    FAIL() << "an unknown method was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
}

struct Case {
  LoadMethod requested;
  bool local_infile;
  LoadMethod chosen;
  const char* reason;  // a part of the log line
};

TEST(LoadMethodTest, ChoosesThePathAndSaysWhy) {
  const Case cases[] = {
      {LoadMethod::kAuto, true, LoadMethod::kLoadData, "loading with LOAD DATA LOCAL: the server has local_infile=ON"},
      {LoadMethod::kAuto, false, LoadMethod::kInsert,
       "loading with INSERT: the server has local_infile=OFF (SET GLOBAL local_infile=1 allows the faster LOAD DATA "
       "LOCAL)"},
      {LoadMethod::kLoadData, true, LoadMethod::kLoadData, "--load-method load-data"},
      {LoadMethod::kInsert, true, LoadMethod::kInsert, "loading with INSERT: --load-method insert"},
      {LoadMethod::kInsert, false, LoadMethod::kInsert, "loading with INSERT: --load-method insert"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.requested)) + (c.local_infile ? " on" : " off"));
    const LoadPath path = choose_load_path(c.requested, c.local_infile);
    EXPECT_EQ(path.method, c.chosen);
    EXPECT_NE(path.reason.find(c.reason), std::string::npos) << path.reason;
  }
}

TEST(LoadMethodTest, ForcedLoadDataOnAServerWithoutLocalInfileIsRefusedNamingTheFix) {
  try {
    choose_load_path(LoadMethod::kLoadData, false);
    FAIL() << "load-data was chosen on a server that refuses it";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kNoPerm);
    const std::string message = e.what();
    EXPECT_NE(message.find("local_infile=OFF"), std::string::npos) << message;
    EXPECT_NE(message.find("SET GLOBAL local_infile=1"), std::string::npos) << message;
    EXPECT_NE(message.find("--load-method auto or insert"), std::string::npos) << message;
  }
}

TEST(LoadMethodTest, OnTheDirectPathTheDataNodesDecideAndAreNamed) {
  EXPECT_EQ(choose_direct_load_path(LoadMethod::kAuto, {}).method, LoadMethod::kLoadData);
  const LoadPath fallback = choose_direct_load_path(LoadMethod::kAuto, {"d2"});
  EXPECT_EQ(fallback.method, LoadMethod::kInsert);
  EXPECT_NE(fallback.reason.find("d2 has local_infile=OFF"), std::string::npos) << fallback.reason;
  EXPECT_EQ(choose_direct_load_path(LoadMethod::kInsert, {}).method, LoadMethod::kInsert);
  try {
    choose_direct_load_path(LoadMethod::kLoadData, {"d1", "d3"});
    FAIL() << "load-data was chosen with nodes that refuse it";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kNoPerm);
    const std::string message = e.what();
    EXPECT_NE(message.find("d1, d3 have local_infile=OFF"), std::string::npos) << message;
    EXPECT_NE(message.find("the head's setting does not matter"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace pipeline::load
