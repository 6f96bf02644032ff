#include "pipeline/load/header.hpp"

#include <gtest/gtest.h>

#include "pipeline/load/validate.hpp"

namespace pipeline::load {
namespace {

std::variant<HeaderMap, std::string> map(std::vector<std::string_view> header) {
  return map_header(header, kPersonColumns);
}

TEST(HeaderTest, ExactHeaderMapsInOrder) {
  const auto m = map({"given_name", "family_name", "date_of_birth", "place_of_birth"});
  ASSERT_TRUE(std::holds_alternative<HeaderMap>(m));
  EXPECT_EQ(std::get<HeaderMap>(m).index, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(std::get<HeaderMap>(m).width, 4u);
}

TEST(HeaderTest, ColumnsAreMappedByName) {
  const auto m = map({"place_of_birth", "date_of_birth", "given_name", "family_name"});
  ASSERT_TRUE(std::holds_alternative<HeaderMap>(m));
  EXPECT_EQ(std::get<HeaderMap>(m).index, (std::vector<std::size_t>{2, 3, 1, 0}));
}

struct Case {
  const char* name;
  std::vector<std::string_view> header;
  std::vector<const char*> problems;
};

class BadHeaderTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadHeaderTest, SaysWhatIsWrong) {
  const auto m = map(GetParam().header);
  ASSERT_TRUE(std::holds_alternative<std::string>(m));
  const std::string& why = std::get<std::string>(m);
  for (const char* problem : GetParam().problems) EXPECT_NE(why.find(problem), std::string::npos) << why;
  EXPECT_NE(why.find("expected the columns given_name,family_name,date_of_birth,place_of_birth"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadHeaderTest,
    ::testing::Values(
        Case{"missing", {"given_name", "family_name", "date_of_birth"}, {"missing column 'place_of_birth'"}},
        Case{"extra",
             {"given_name", "family_name", "date_of_birth", "place_of_birth", "age"},
             {"unexpected column 'age'"}},
        Case{"renamed",
             {"given_name", "surname", "date_of_birth", "place_of_birth"},
             {"missing column 'family_name'", "unexpected column 'surname'"}},
        Case{"repeated",
             {"given_name", "family_name", "date_of_birth", "place_of_birth", "given_name"},
             {"column 5 repeats 'given_name' (column 1)"}},
        Case{"case_differs",
             {"Given_Name", "family_name", "date_of_birth", "place_of_birth"},
             {"missing column 'given_name' (column 1 is 'Given_Name': names must match exactly)"}},
        Case{"stray_space",
             {"given_name", " family_name", "date_of_birth", "place_of_birth"},
             {"(column 2 is ' family_name'"}},
        Case{"data_instead_of_header",
             {"John", "Williams", "1842-09-30", "Dumfries"},
             {"missing column 'given_name'", "unexpected column 'John'"}},
        Case{"empty_line", {""}, {"missing column 'given_name'"}},
        // Shown escaped, so that the message cannot carry a terminal's CSI or reorder itself.
        Case{"c1_control_escaped",
             {"given\xC2\x9Bname", "family_name", "date_of_birth", "place_of_birth"},
             {"unexpected column 'given\\xC2\\x9Bname'"}},
        Case{"bidi_control_escaped",
             {"given_name\xE2\x80\xAE", "family_name", "date_of_birth", "place_of_birth"},
             {"unexpected column 'given_name\\xE2\\x80\\xAE'"}}),
    [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace pipeline::load
