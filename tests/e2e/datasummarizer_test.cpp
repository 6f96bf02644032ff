// datasummarizer as users run it: the built binary against the real server.
// Expected values are computed here from the CSV files, independently of the
// tool: a plain split on commas (the shipped files hold no quotes) and
// hand-built JSON.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/csv/reader.hpp"
#include "pipeline/report/catalog.hpp"
#include "support/fifo_reader.hpp"
#include "support/generate.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

struct Person {
  std::string given, family, date, city;
};
struct PlaceInfo {
  std::string county, country;
};

std::vector<std::vector<std::string>> split_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    EXPECT_EQ(line.find('"'), std::string::npos) << "the shipped files hold no quotes";
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

class Shipped {
 public:
  Shipped() {
    for (const auto& r : split_csv(shipped("places.csv"))) places[r.at(0)] = {r.at(1), r.at(2)};
    for (const auto& r : split_csv(shipped("people.csv"))) people.push_back({r.at(0), r.at(1), r.at(2), r.at(3)});
  }
  std::map<std::string, PlaceInfo> places;
  std::vector<Person> people;
};

// Sorts (key..., count) rows by count descending, then keys ascending.
template <typename Key>
std::vector<std::pair<Key, long>> ordered(const std::map<Key, long>& counts) {
  std::vector<std::pair<Key, long>> rows(counts.begin(), counts.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return rows;
}

std::string json_string(const std::string& s) { return "\"" + s + "\""; }  // no escapes in the shipped data

// Every entry of `dir`, hidden ones too, with its bytes.
std::map<std::string, std::string> files_in(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files[entry.path().filename().string()] = read_file(entry.path());
  }
  return files;
}

// The names that `a` and `b` do not hold alike: missing from one, or with other bytes.
std::vector<std::string> differing(const std::map<std::string, std::string>& a,
                                   const std::map<std::string, std::string>& b) {
  std::vector<std::string> names;
  for (const auto& [name, bytes] : a) {
    if (!b.contains(name) || b.at(name) != bytes) names.push_back(name);
  }
  for (const auto& [name, bytes] : b) {
    if (!a.contains(name)) names.push_back(name);
  }
  return names;
}

class DatasummarizerTest : public ::testing::Test {
 protected:
  DatasummarizerTest() : db("summary") {}

  void load_shipped() {
    const auto r = run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", shipped("people.csv")});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }
  std::string report(const std::string& name, const std::string& extension = "json") {
    const auto path = tmp / (name + "." + extension);
    const auto r = run_datasummarizer(db, tmp, {"--report", name, "--output", path.string()});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return read_file(path);
  }

  TestDatabase db;
  TempDir tmp;
  Shipped data;
};

TEST_F(DatasummarizerTest, PeoplePerCountryMatchesTheCsvFiles) {
  load_shipped();
  std::map<std::string, long> counts;
  for (const Person& p : data.people) ++counts[data.places.at(p.city).country];
  std::string expected = "{";
  for (const auto& [country, n] : ordered(counts)) {
    expected += (expected.size() > 1 ? "," : "") + json_string(country) + ":" + std::to_string(n);
  }
  expected += "}";
  EXPECT_EQ(report("people_per_country"), expected);
  EXPECT_EQ(expected, read_file(shipped("sample_output.json")));
}

TEST_F(DatasummarizerTest, PeoplePerCountyMatchesTheCsvFiles) {
  load_shipped();
  std::map<std::pair<std::string, std::string>, long> counts;
  for (const Person& p : data.people) {
    const PlaceInfo& place = data.places.at(p.city);
    ++counts[{place.county, place.country}];
  }
  std::string json = "[", csv = "county,country,people\r\n";
  for (const auto& [key, n] : ordered(counts)) {
    json += fmt::format("{}{{\"county\":{},\"country\":{},\"people\":{}}}", json.size() > 1 ? "," : "",
                        json_string(key.first), json_string(key.second), n);
    csv += fmt::format("{},{},{}\r\n", key.first, key.second, n);
  }
  json += "]";
  EXPECT_EQ(report("people_per_county"), json);
  EXPECT_EQ(report("people_per_county", "csv"), csv);
}

TEST_F(DatasummarizerTest, PeoplePerCityMatchesTheCsvFiles) {
  load_shipped();
  std::map<std::tuple<std::string, std::string, std::string>, long> counts;
  for (const Person& p : data.people) {
    const PlaceInfo& place = data.places.at(p.city);
    ++counts[{p.city, place.county, place.country}];
  }
  std::string json = "[";
  for (const auto& [key, n] : ordered(counts)) {
    json += fmt::format("{}{{\"city\":{},\"county\":{},\"country\":{},\"people\":{}}}", json.size() > 1 ? "," : "",
                        json_string(std::get<0>(key)), json_string(std::get<1>(key)), json_string(std::get<2>(key)), n);
  }
  json += "]";
  EXPECT_EQ(report("people_per_city"), json);
}

TEST_F(DatasummarizerTest, BirthsPerDecadeMatchesTheCsvFiles) {
  load_shipped();
  std::map<std::pair<std::string, int>, long> counts;
  for (const Person& p : data.people)
    ++counts[{data.places.at(p.city).country, std::stoi(p.date.substr(0, 4)) / 10 * 10}];
  // Country, then decade: the map's own order (std::string compares bytes, as utf8mb4_bin does).
  std::string json = "[";
  for (const auto& [key, n] : counts) {
    json += fmt::format("{}{{\"country\":{},\"decade\":{},\"births\":{}}}", json.size() > 1 ? "," : "",
                        json_string(key.first), key.second, n);
  }
  json += "]";
  EXPECT_EQ(report("births_per_decade"), json);
}

// Counts chosen so that count order is not country-then-decade order, and
// country names whose byte order (utf8mb4_bin) differs from a case- or
// accent-insensitive one: "Austria" < "Zambia" < "austria" < "Éire".
TEST_F(DatasummarizerTest, BirthsPerDecadeIsOrderedByCountryInByteOrderThenDecade) {
  write_file(tmp / "places.csv",
             "city,county,country\n"
             "Lusaka,Lusaka Province,Zambia\n"
             "Graz,Styria,Austria\n"
             "Linz,Upper Austria,austria\n"
             "Cork,County Cork,Éire\n");
  std::string people = "given_name,family_name,date_of_birth,place_of_birth\n";
  int person = 0;
  const auto born = [&](const std::string& city, const std::string& date, int n) {
    for (int i = 0; i < n; ++i) people += fmt::format("Person {},Roe,{},{}\n", ++person, date, city);
  };
  born("Cork", "1961-05-01", 6);
  born("Lusaka", "1955-01-01", 5);
  born("Graz", "2012-03-04", 4);
  born("Lusaka", "2003-07-08", 3);
  born("Graz", "1901-12-31", 2);
  born("Lusaka", "1990-01-01", 1);
  born("Linz", "1989-09-09", 1);
  write_file(tmp / "people.csv", people);
  const auto load =
      run_dataloader(db, tmp, {"--places", (tmp / "places.csv").string(), "--people", (tmp / "people.csv").string()});
  ASSERT_EQ(load.exit_code, 0) << describe(load);

  EXPECT_EQ(report("births_per_decade", "csv"),
            "country,decade,births\r\n"
            "Austria,1900,2\r\n"
            "Austria,2010,4\r\n"
            "Zambia,1950,5\r\n"
            "Zambia,1990,1\r\n"
            "Zambia,2000,3\r\n"
            "austria,1980,1\r\n"
            "Éire,1960,6\r\n");
  EXPECT_EQ(report("births_per_decade"),
            R"([{"country":"Austria","decade":1900,"births":2},{"country":"Austria","decade":2010,"births":4},)"
            R"({"country":"Zambia","decade":1950,"births":5},{"country":"Zambia","decade":1990,"births":1},)"
            R"({"country":"Zambia","decade":2000,"births":3},{"country":"austria","decade":1980,"births":1},)"
            R"({"country":"Éire","decade":1960,"births":6}])");
}

TEST_F(DatasummarizerTest, TopGivenNamesMatchesTheCsvFiles) {
  load_shipped();
  std::map<std::string, std::map<std::string, long>> per_country;
  for (const Person& p : data.people) ++per_country[data.places.at(p.city).country][p.given];
  struct Entry {
    std::string country, name;
    long n;
    int rank;
  };
  std::vector<Entry> top;
  for (const auto& [country, names] : per_country) {
    const auto ranked = ordered(names);
    for (std::size_t i = 0; i < ranked.size() && i < 10; ++i) {
      top.push_back({country, ranked[i].first, ranked[i].second, static_cast<int>(i + 1)});
    }
  }
  std::stable_sort(top.begin(), top.end(), [](const Entry& a, const Entry& b) {
    if (a.n != b.n) return a.n > b.n;
    if (a.country != b.country) return a.country < b.country;
    return a.name < b.name;
  });
  ASSERT_EQ(top.size(), 20u);
  std::string json = "[";
  for (const Entry& e : top) {
    json += fmt::format("{}{{\"country\":{},\"given_name\":{},\"people\":{},\"rank\":{}}}", json.size() > 1 ? "," : "",
                        json_string(e.country), json_string(e.name), e.n, e.rank);
  }
  json += "]";
  EXPECT_EQ(report("top_given_names"), json);
}

TEST_F(DatasummarizerTest, AllReportsToADirectoryInEitherFormat) {
  load_shipped();
  const auto dir = tmp / "reports" / "nested";
  auto r = run_datasummarizer(db, tmp, {"--all", "--output-dir", dir.string(), "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  for (const report::ReportSpec& spec : report::catalog()) {
    EXPECT_TRUE(std::filesystem::exists(dir / (std::string(spec.name) + ".csv"))) << spec.name;
  }
  EXPECT_EQ(read_file(dir / "people_per_country.csv"), "country,people\r\nScotland,8048\r\nNorthern Ireland,1952\r\n");
}

TEST_F(DatasummarizerTest, NamesWithCommasQuotesLineBreaksAndScriptsRoundTrip) {
  // Loaded through dataloader, as users would, from quoted CSV fields.
  const std::vector<std::string> names = {"Smith, Jr", "Say \"Hi\"", "Two\nLines", "Γιώργος",
                                          "დავითი",    "李明",       "O'Brien",    "back\\slash"};
  std::string people = "given_name,family_name,date_of_birth,place_of_birth\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string quoted = "\"";
    for (char c : names[i]) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += "\"";
    for (std::size_t k = 0; k <= i; ++k) people += quoted + ",Roe,1950-01-01,Kelso\n";  // name i appears i+1 times
  }
  write_file(tmp / "people.csv", people);
  const auto load =
      run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", (tmp / "people.csv").string()});
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  // Control characters cannot come through the loader; put one in directly.
  db.session().execute(
      "INSERT INTO people (id, given_name, family_name, date_of_birth, place_of_birth_id) "
      "SELECT 999999, ?, 'Roe', '1950-01-01', id FROM places WHERE city = 'Kelso'",
      {std::string("bell\a\x01tab\t")});

  const auto json = nlohmann::json::parse(report("top_given_names"));
  std::map<std::string, long> got;
  for (const auto& row : json) got[row["given_name"].get<std::string>()] = row["people"].get<long>();
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(got[names[i]], static_cast<long>(i + 1)) << names[i];
  EXPECT_EQ(got["bell\a\x01tab\t"], 1);

  std::istringstream in(report("top_given_names", "csv"));
  csv::Reader reader(in);
  csv::Record record;
  ASSERT_TRUE(reader.next(record));  // header
  std::map<std::string, long> from_csv;
  while (reader.next(record)) {
    ASSERT_EQ(record.error, "");
    ASSERT_EQ(record.fields.size(), 4u);
    from_csv[std::string(record.fields[1])] = std::stol(std::string(record.fields[2]));
  }
  EXPECT_EQ(from_csv, got);
}

TEST_F(DatasummarizerTest, EmptyDatabaseGivesValidEmptyOutputs) {
  write_file(tmp / "places.csv", "city,county,country\n");
  write_file(tmp / "people.csv", "given_name,family_name,date_of_birth,place_of_birth\n");
  ASSERT_EQ(
      run_dataloader(db, tmp, {"--places", (tmp / "places.csv").string(), "--people", (tmp / "people.csv").string()})
          .exit_code,
      0);
  EXPECT_EQ(report("people_per_country"), "{}");
  EXPECT_EQ(report("people_per_city"), "[]");
  EXPECT_EQ(report("top_given_names"), "[]");
  EXPECT_EQ(report("births_per_decade", "csv"), "country,decade,births\r\n");
  EXPECT_TRUE(nlohmann::json::parse(report("people_per_country")).empty());
}

TEST_F(DatasummarizerTest, NoTablesIsExit66WithAHint) {
  const auto r = run_datasummarizer(db, tmp, {"--output", (tmp / "s.json").string()});
  EXPECT_EQ(r.exit_code, 66) << describe(r);
  EXPECT_NE(r.err.find("load data with dataloader first"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "s.json"));
}

TEST_F(DatasummarizerTest, UnwritableOutputIsExit73AndTheOldFileStays) {
  load_shipped();
  const auto out = tmp / "summary_output.json";
  write_file(out, "previous contents");
  // A file-size limit of zero: the write fails even for root.
  auto env = db.env();
  const auto limited = run({"/bin/sh", "-c", "ulimit -f 0; exec \"$0\" \"$@\"", datasummarizer_path(), "--log-dir",
                            (tmp / "logs").string(), "--output", out.string()},
                           env);
  EXPECT_EQ(limited.exit_code, 73) << describe(limited);
  EXPECT_EQ(read_file(out), "previous contents");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(tmp.path())) ++entries;
  EXPECT_EQ(entries, 2u) << "only the old file and logs/: no temporary left";

  const auto missing_dir = run_datasummarizer(db, tmp, {"--output", (tmp / "no" / "such" / "s.json").string()});
  EXPECT_EQ(missing_dir.exit_code, 73) << describe(missing_dir);
  std::filesystem::create_directory(tmp / "a_directory");
  const auto onto_directory =
      run_datasummarizer(db, tmp, {"--output", (tmp / "a_directory").string(), "--format", "json"});
  EXPECT_EQ(onto_directory.exit_code, 73) << describe(onto_directory);
}

// A disk that fills part-way through --all: the set in the directory stays
// the previous run's, whole, rather than a mix of two snapshots.
TEST_F(DatasummarizerTest, AllReportsThatCannotAllBeWrittenLeaveThePreviousSet) {
  const std::string prlimit = "/usr/bin/prlimit";
  if (!std::filesystem::exists(prlimit)) GTEST_SKIP() << prlimit << " (util-linux) is needed to limit file sizes";
  load_shipped();
  const auto dir = tmp / "reports";
  const auto first = run_datasummarizer(db, tmp, {"--all", "--output-dir", dir.string()});
  ASSERT_EQ(first.exit_code, 0) << describe(first);
  const auto previous = files_in(dir);
  ASSERT_EQ(previous.size(), report::catalog().size());

  // Different data, and the reports it gives when nothing fails.
  write_people(tmp / "other.csv", 3000, 11);
  const auto load =
      run_dataloader(db, tmp, {"--places", shipped("places.csv"), "--people", (tmp / "other.csv").string()});
  ASSERT_EQ(load.exit_code, 0) << describe(load);
  const auto complete = run_datasummarizer(db, tmp, {"--all", "--output-dir", (tmp / "complete").string()});
  ASSERT_EQ(complete.exit_code, 0) << describe(complete);
  const auto next = files_in(tmp / "complete");

  // A file-size limit one byte below the largest new report: every other file
  // fits (the log goes to a fresh directory and stays far smaller), and one
  // that a file-by-file writer reaches first has changed.
  std::string largest;
  for (const auto& [name, bytes] : next) {
    if (largest.empty() || bytes.size() > next.at(largest).size()) largest = name;
  }
  bool changed_before_largest = false;
  for (const report::ReportSpec& spec : report::catalog()) {
    const std::string name = std::string(spec.name) + ".json";
    if (name == largest) break;
    changed_before_largest = changed_before_largest || next.at(name) != previous.at(name);
  }
  ASSERT_TRUE(changed_before_largest) << "the test would not notice a mixed set";

  const auto limited = run({prlimit, fmt::format("--fsize={}", next.at(largest).size() - 1), datasummarizer_path(),
                            "--log-dir", (tmp / "limited-logs").string(), "--all", "--output-dir", dir.string()},
                           db.env());
  EXPECT_EQ(limited.exit_code, 73) << describe(limited);
  EXPECT_NE(limited.err.find((dir / largest).string()), std::string::npos) << limited.err;
  EXPECT_NE(limited.err.find("File too large"), std::string::npos) << limited.err;
  EXPECT_EQ(differing(files_in(dir), previous), std::vector<std::string>{})
      << "files replaced, or temporaries left, in " << dir;
}

// Whether `link` is still a symbolic link, to `target`.
bool is_link_to(const std::filesystem::path& link, const std::filesystem::path& target) {
  return std::filesystem::is_symlink(link) && std::filesystem::read_symlink(link) == target;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(DatasummarizerTest, OutputDashPutsExactlyTheReportOnStandardOutput) {
  load_shipped();
  for (const std::string format : {"json", "csv"}) {
    SCOPED_TRACE(format);
    std::vector<std::string> args = {"--output", "-"};
    if (format == "csv") args.insert(args.end(), {"--format", "csv"});
    // In tmp: an old binary writes a file named "-" into its working directory.
    Process dash(datasummarizer_argv(tmp, args), db.env(), {.cwd = tmp.path()});
    const auto r = dash.wait();
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out, report("people_per_country", format));
    if (format == "json") {
      EXPECT_EQ(r.out, read_file(shipped("sample_output.json")));
    }
    EXPECT_FALSE(std::filesystem::exists(tmp / "-")) << "wrote a file named -";
    if (!r.out.empty()) {
      EXPECT_EQ(r.err.find(r.out), std::string::npos) << "the report on stderr too: " << r.err;
    }
  }
}

TEST_F(DatasummarizerTest, AFifoOutputIsWrittenInPlaceAndStaysAFifo) {
  load_shipped();
  // A FIFO named directly, and one reached through a link.
  for (const std::string name : {"direct", "linked"}) {
    ASSERT_EQ(::mkfifo((tmp / (name + ".fifo")).c_str(), 0600), 0);
  }
  std::filesystem::create_symlink("linked.fifo", tmp / "link.json");
  for (const auto& [target, fifo] :
       {std::pair{tmp / "direct.fifo", tmp / "direct.fifo"}, std::pair{tmp / "link.json", tmp / "linked.fifo"}}) {
    SCOPED_TRACE(target);
    FifoReader reader(fifo);
    const auto r = run_datasummarizer(db, tmp, {"--output", target.string(), "--format", "json"});
    const std::string got = reader.finish();
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(got, read_file(shipped("sample_output.json")));
    EXPECT_TRUE(std::filesystem::is_fifo(std::filesystem::symlink_status(fifo))) << "the FIFO was replaced";
  }
  EXPECT_TRUE(is_link_to(tmp / "link.json", "linked.fifo")) << "the link was replaced";
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"direct.fifo", "link.json", "linked.fifo", "logs"})) << "temporaries left";
}

TEST_F(DatasummarizerTest, ALinkToStandardOutputIsWrittenToItAndStaysALink) {
  ASSERT_TRUE(is_link_to("/dev/stdout", "/proc/self/fd/1")) << "this machine's /dev/stdout is not the usual link";
  load_shipped();
  const std::string expected = report("people_per_country", "csv");
  // First a link of our own, made like /dev/stdout: a binary that renames
  // over links (the old one, run as root) destroys this one, and the real
  // /dev/stdout, shared by the whole machine, is only tried once this passed.
  const auto link = tmp / "stdout";
  std::filesystem::create_symlink("/proc/self/fd/1", link);
  const auto r = run_datasummarizer(db, tmp, {"--output", link.string(), "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(r.out, expected);
  EXPECT_TRUE(is_link_to(link, "/proc/self/fd/1")) << "the link was replaced";
  if (!HasFailure()) {
    // Now the real one, as in the report that found this: stdout is a pipe here.
    const auto real = run_datasummarizer(db, tmp, {"--output", "/dev/stdout", "--format", "csv"});
    EXPECT_EQ(real.exit_code, 0) << describe(real);
    EXPECT_EQ(real.out, expected);
  }
  EXPECT_TRUE(is_link_to("/dev/stdout", "/proc/self/fd/1")) << "/dev/stdout was replaced";
}

TEST_F(DatasummarizerTest, AClosedPipeEndsWithExit74AndOneLine) {
  load_shipped();
  // As `datasummarizer --output - | head -c 0`: no reader by the time it writes.
  // --format json: the same as the default, and it takes an old binary past its refusal of "-".
  Process closed(datasummarizer_argv(tmp, {"--output", "-", "--format", "json"}), db.env(),
                 {.cwd = tmp.path(), .closed_stdout = true});
  const auto r = closed.wait();
  EXPECT_EQ(r.exit_code, 74) << describe(r);
  EXPECT_NE(r.err.find("standard output: its reader closed it"), std::string::npos) << r.err;
  EXPECT_LE(count_lines(r.err), 2u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "-")) << "wrote a file named -";
}

TEST_F(DatasummarizerTest, ListsReportsAndRefusesUnknownOnes) {
  const auto list = run_datasummarizer(db, tmp, {"--list-reports"});
  EXPECT_EQ(list.exit_code, 0);
  for (const report::ReportSpec& spec : report::catalog()) {
    EXPECT_NE(list.out.find(spec.name), std::string::npos) << spec.name;
  }
  const auto unknown = run_datasummarizer(db, tmp, {"--report", "nope"});
  EXPECT_EQ(unknown.exit_code, 64) << describe(unknown);
  EXPECT_NE(unknown.err.find("unknown report 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace pipeline::testing
