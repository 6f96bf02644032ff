#include "pipeline/report/catalog.hpp"

#include <algorithm>

namespace pipeline::report {

// Every query counts people per place first. people is clustered by
// place_of_birth_id, so that is one ordered pass over the table with no join
// per row; only the small per-place result meets places. Joining every
// person to places instead costs two to six times as much.
//
// The per-place result is the left side of a LEFT JOIN to places. The
// foreign key makes that the same as an inner join, but it keeps the
// grouped pass the driving table: with an inner join MariaDB turns it into
// a LATERAL DERIVED table, 114 range scans that take 1.5x as long.
const std::vector<ReportSpec>& catalog() {
  static const std::vector<ReportSpec> reports = {
      {"people_per_country",
       "Number of people born in each country",
       "SELECT pl.country, SUM(c.n) AS people "
       "FROM (SELECT place_of_birth_id, COUNT(*) AS n FROM people GROUP BY place_of_birth_id) AS c "
       "LEFT JOIN places pl ON pl.id = c.place_of_birth_id "
       "GROUP BY pl.country ORDER BY people DESC, pl.country",
       Shape::kKeyCount,
       {{"country", ColumnType::kText}, {"people", ColumnType::kCount}}},
      {"people_per_county",
       "Number of people born in each county, with its country",
       "SELECT pl.county, pl.country, SUM(c.n) AS people "
       "FROM (SELECT place_of_birth_id, COUNT(*) AS n FROM people GROUP BY place_of_birth_id) AS c "
       "LEFT JOIN places pl ON pl.id = c.place_of_birth_id "
       "GROUP BY pl.county, pl.country ORDER BY people DESC, pl.county, pl.country",
       Shape::kRows,
       {{"county", ColumnType::kText}, {"country", ColumnType::kText}, {"people", ColumnType::kCount}}},
      {"people_per_city",
       "Number of people born in each city, with its county and country",
       "SELECT pl.city, pl.county, pl.country, c.n AS people "
       "FROM (SELECT place_of_birth_id, COUNT(*) AS n FROM people GROUP BY place_of_birth_id) AS c "
       "LEFT JOIN places pl ON pl.id = c.place_of_birth_id "
       "ORDER BY people DESC, pl.city, pl.county, pl.country",
       Shape::kRows,
       {{"city", ColumnType::kText},
        {"county", ColumnType::kText},
        {"country", ColumnType::kText},
        {"people", ColumnType::kCount}}},
      {"births_per_decade",
       "Number of births per decade (e.g. 1950 for 1950-1959) in each country",
       "SELECT pl.country, d.decade, SUM(d.n) AS births "
       "FROM (SELECT place_of_birth_id, YEAR(date_of_birth) DIV 10 * 10 AS decade, COUNT(*) AS n "
       "      FROM people GROUP BY place_of_birth_id, decade) AS d "
       "LEFT JOIN places pl ON pl.id = d.place_of_birth_id "
       // A time series per country, so not by count like the others: country in
       // the column's utf8mb4_bin (byte) order, as every report's keys, then decade.
       "GROUP BY pl.country, d.decade ORDER BY pl.country, d.decade",
       Shape::kRows,
       {{"country", ColumnType::kText}, {"decade", ColumnType::kCount}, {"births", ColumnType::kCount}}},
      {"top_given_names",
       "The 10 most common given names in each country, with counts (rank 1 is the most common)",
       "SELECT country, given_name, people, name_rank FROM ("
       "  SELECT t.country, t.given_name, t.people,"
       "         ROW_NUMBER() OVER (PARTITION BY t.country ORDER BY t.people DESC, t.given_name) AS name_rank"
       "  FROM (SELECT pl.country, g.given_name, SUM(g.n) AS people"
       "        FROM (SELECT place_of_birth_id, given_name, COUNT(*) AS n"
       "              FROM people GROUP BY place_of_birth_id, given_name) AS g"
       "        LEFT JOIN places pl ON pl.id = g.place_of_birth_id"
       "        GROUP BY pl.country, g.given_name) AS t"
       ") AS ranked WHERE name_rank <= 10 "
       "ORDER BY people DESC, country, given_name",
       Shape::kRows,
       {{"country", ColumnType::kText},
        {"given_name", ColumnType::kText},
        {"people", ColumnType::kCount},
        {"rank", ColumnType::kCount}}},
  };
  return reports;
}

const ReportSpec* find_report(std::string_view name) {
  const auto& reports = catalog();
  const auto found = std::find_if(reports.begin(), reports.end(), [&](const ReportSpec& r) { return r.name == name; });
  return found == reports.end() ? nullptr : &*found;
}

}  // namespace pipeline::report
