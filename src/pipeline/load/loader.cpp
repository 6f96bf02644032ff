#include "pipeline/load/loader.hpp"

#include <charconv>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/csv/reader.hpp"
#include "pipeline/db/bulk_load.hpp"
#include "pipeline/db/connect.hpp"
#include "pipeline/db/schema.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/load_lock.hpp"
#include "pipeline/load/place_set.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/run_report.hpp"
#include "pipeline/load/validate.hpp"
#include "pipeline/util/input_file.hpp"

namespace pipeline::load {
namespace {

// Scratch tables. Only a loader holding the load lock touches them, so any
// found at start-up were left by a loader that died, and are dropped.
constexpr std::string_view kPeopleNew = "people__new";
constexpr std::string_view kPlacesNew = "places__new";
constexpr std::string_view kPeopleOld = "people__old";
constexpr std::string_view kPlacesOld = "places__old";
constexpr std::string_view kPeopleStage = "people__stage";

const std::vector<std::string> kPeopleTableColumns = {"id", "given_name", "family_name", "date_of_birth",
                                                      "place_of_birth_id"};

// Places are written in batches of this many rows per INSERT.
constexpr std::size_t kPlaceBatch = 200;

std::string quote(std::string_view identifier) {
  std::string quoted = "`";
  for (char c : identifier) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  return quoted + "`";
}

std::string make_run_id() {
  std::random_device device;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y%m%dT%H%M%SZ}-{:06x}", now, device() & 0xFFFFFF);
}

const char* mode_name(Mode mode) { return mode == Mode::kReplace ? "replace" : "append"; }

void drop_scratch_tables(db::Session& session) {
  // Children before parents, so that no foreign key stands in the way.
  for (std::string_view table : {kPeopleNew, kPeopleOld, kPeopleStage, kPlacesNew, kPlacesOld}) {
    session.execute("DROP TABLE IF EXISTS " + quote(table));
  }
}

Limits read_limits(db::Session& session) {
  const db::ResultTable columns = session.query(
      "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns "
      "WHERE table_schema = DATABASE() AND table_name IN ('people', 'places') "
      "AND character_maximum_length IS NOT NULL");
  Limits limits;
  for (const auto& row : columns.rows) {
    const std::string& table = row.at(0).value();
    const std::string& column = row.at(1).value();
    const std::size_t length = std::stoull(row.at(2).value());
    if (table == "people" && column == "given_name") limits.given_name = length;
    if (table == "people" && column == "family_name") limits.family_name = length;
    if (table == "places" && column == "city") limits.city = length;
    if (table == "places" && column == "county") limits.county = length;
    if (table == "places" && column == "country") limits.country = length;
  }
  return limits;
}

// Creates empty copies of places and people; the copy of people gets the
// live table's foreign keys, pointed at the copy of places.
void create_shadow_tables(db::Session& session) {
  session.execute(fmt::format("CREATE TABLE {} LIKE places", quote(kPlacesNew)));
  session.execute(fmt::format("CREATE TABLE {} LIKE people", quote(kPeopleNew)));
  const db::ResultTable keys = session.query(
      "SELECT k.constraint_name, k.column_name, k.referenced_table_name, k.referenced_column_name, "
      "r.update_rule, r.delete_rule "
      "FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r "
      "ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name "
      "AND r.table_name = k.table_name "
      "WHERE k.table_schema = DATABASE() AND k.table_name = 'people' AND k.referenced_table_name IS NOT NULL "
      "ORDER BY k.constraint_name, k.ordinal_position");
  std::string current;
  std::vector<std::string> columns, referenced;
  std::string parent, update_rule, delete_rule;
  auto add_key = [&] {
    if (current.empty()) return;
    std::string child_list, parent_list;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      child_list += (i ? ", " : "") + quote(columns[i]);
      parent_list += (i ? ", " : "") + quote(referenced[i]);
    }
    session.execute(fmt::format("ALTER TABLE {} ADD FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
                                quote(kPeopleNew), child_list, quote(parent == "places" ? kPlacesNew : parent),
                                parent_list, update_rule, delete_rule));
    columns.clear();
    referenced.clear();
  };
  for (const auto& row : keys.rows) {
    if (row.at(0).value() != current) {
      add_key();
      current = row.at(0).value();
      parent = row.at(2).value();
      update_rule = row.at(4).value();
      delete_rule = row.at(5).value();
    }
    columns.push_back(row.at(1).value());
    referenced.push_back(row.at(3).value());
  }
  add_key();
}

// Writes places with explicit ids, in batches; `upsert` updates the county
// and country of a city that exists.
void write_places(db::Session& session, std::string_view table, const std::vector<const Place*>& places, bool upsert) {
  for (std::size_t begin = 0; begin < places.size(); begin += kPlaceBatch) {
    const std::size_t end = std::min(places.size(), begin + kPlaceBatch);
    std::string sql = fmt::format("INSERT INTO {} (id, city, county, country) VALUES ", quote(table));
    std::vector<db::Value> params;
    for (std::size_t i = begin; i < end; ++i) {
      sql += i == begin ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      params.emplace_back(std::uint64_t{places[i]->id});
      params.emplace_back(places[i]->city);
      params.emplace_back(places[i]->county);
      params.emplace_back(places[i]->country);
    }
    if (upsert) sql += " ON DUPLICATE KEY UPDATE county = VALUES(county), country = VALUES(country)";
    session.execute(sql, params);
  }
}

// Deletes from the stage the people already stored: one pass over people,
// each row looked up in the stage's unique natural key. STRAIGHT_JOIN keeps
// that order: the other way round every staged row would scan its place.
constexpr std::string_view kStoredFromStage =
    "FROM people p STRAIGHT_JOIN people__stage s ON s.place_of_birth_id = p.place_of_birth_id "
    "AND s.date_of_birth = p.date_of_birth AND s.family_name = p.family_name AND s.given_name = p.given_name";

class LoadRun {
 public:
  LoadRun(const LoaderOptions& options, db::Session& control, RunRecord& record, RejectLog& rejects,
          util::InputFile& places_file, util::InputFile& people_file, const Limits& limits)
      : options_(options),
        control_(control),
        record_(record),
        rejects_(rejects),
        places_file_(places_file),
        people_file_(people_file),
        limits_(limits) {}

  ExitCode replace() {
    read_places();
    refuse_emptying("places", record_.places);
    std::vector<std::unique_ptr<db::BulkLoad>> streams;
    if (!options_.dry_run) {
      create_shadow_tables(control_);
      write_places(control_, kPlacesNew, places_.changes(), false);
      // References were checked against places.csv row by row; the server
      // need not check them again.
      streams = open_streams(kPeopleNew, {"SET SESSION foreign_key_checks = 0"});
    }
    read_people(streams, 0);
    if (over_limit()) return rejected();
    refuse_emptying("people", record_.people);
    const std::uint64_t stored = finish_streams(streams);
    spdlog::debug("streams finished: {} rows stored", stored);
    record_.places.counts.loaded = places_.changes().size();
    record_.people.counts.loaded = options_.dry_run ? valid_people_ : stored;
    if (options_.dry_run) return ExitCode::kOk;

    // One atomic statement: readers see the old pair of tables or the new pair.
    control_.execute(fmt::format("RENAME TABLE people TO {}, places TO {}, {} TO places, {} TO people",
                                 quote(kPeopleOld), quote(kPlacesOld), quote(kPlacesNew), quote(kPeopleNew)));
    spdlog::info("published: people and places replaced");
    // Fresh tables start with empty statistics; give the next query plans real ones.
    control_.query("ANALYZE TABLE people, places");
    spdlog::debug("statistics updated");
    try {
      control_.execute("DROP TABLE " + quote(kPeopleOld));
      control_.execute("DROP TABLE " + quote(kPlacesOld));
      spdlog::debug("old tables dropped");
    } catch (const Error& e) {
      spdlog::warn("the new data is live, but dropping the old tables failed (the next run retries): {}", e.what());
    }
    return ExitCode::kOk;
  }

  ExitCode append() {
    for (const auto& row : control_.query("SELECT id, city, county, country FROM places").rows) {
      places_.add_stored(static_cast<std::uint32_t>(std::stoul(row.at(0).value())), row.at(1).value(),
                         row.at(2).value(), row.at(3).value());
    }
    stored_places_ = !places_.all().empty();
    read_places();
    // New ids go above every stored one; the loose index scan keeps this cheap.
    const std::uint64_t id_base =
        std::stoull(control_
                        .query_value("SELECT COALESCE(MAX(m), 0) FROM "
                                     "(SELECT MAX(id) AS m FROM people GROUP BY place_of_birth_id) AS per_place")
                        .value_or("0"));
    // The stage's unique natural key drops people repeated within the run as
    // they stream in (the first, by line, is kept).
    control_.execute(fmt::format("CREATE TABLE {} LIKE people", quote(kPeopleStage)));
    control_.execute(
        fmt::format("ALTER TABLE {} ADD UNIQUE KEY natural_key "
                    "(place_of_birth_id, date_of_birth, family_name, given_name)",
                    quote(kPeopleStage)));
    std::vector<std::unique_ptr<db::BulkLoad>> streams = open_streams(kPeopleStage, {}, true);
    read_people(streams, id_base);
    if (over_limit()) return rejected();
    const std::uint64_t staged = finish_streams(streams);

    const std::vector<const Place*> changes = places_.changes();
    record_.places.counts.loaded = changes.size();
    record_.places.counts.duplicate = record_.places.counts.read - record_.places.counts.rejected - changes.size();
    if (options_.dry_run) {
      const std::uint64_t stored =
          std::stoull(control_.query_value(fmt::format("SELECT COUNT(*) {}", kStoredFromStage)).value_or("0"));
      record_.people.counts.loaded = staged - stored;
      record_.people.counts.duplicate = valid_people_ - record_.people.counts.loaded;
      control_.execute("DROP TABLE " + quote(kPeopleStage));
      return ExitCode::kOk;
    }
    control_.execute(fmt::format("DELETE s {}", kStoredFromStage));

    control_.execute("START TRANSACTION");
    try {
      write_places(control_, "places", changes, true);
      const std::uint64_t inserted = control_.execute(
          fmt::format("INSERT INTO people (id, given_name, family_name, date_of_birth, place_of_birth_id) "
                      "SELECT id, given_name, family_name, date_of_birth, place_of_birth_id FROM {}",
                      quote(kPeopleStage)));
      control_.execute("COMMIT");
      record_.people.counts.loaded = inserted;
      record_.people.counts.duplicate = valid_people_ - inserted;
    } catch (...) {
      control_.execute("ROLLBACK");
      throw;
    }
    spdlog::info("published: {} people and {} places added or updated", record_.people.counts.loaded, changes.size());
    control_.execute("DROP TABLE " + quote(kPeopleStage));
    return ExitCode::kOk;
  }

 private:
  bool over_limit() const { return rejects_.count() > options_.max_rejects; }

  // Replace would empty `table` with a file that has no data rows: refuse,
  // unless asked for, when the table holds data.
  void refuse_emptying(const char* table, const FileRecord& file) {
    if (file.counts.read > 0 || options_.allow_empty) return;
    const auto stored =
        control_.query_value(fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) AS t", table));
    if (stored.value_or("0") == "0") return;
    throw Error(ExitCode::kDataError,
                fmt::format("{} has no data rows: replacing would empty the {} table, which holds data; "
                            "pass --allow-empty if that is intended",
                            file.path, table));
  }

  ExitCode rejected() {
    spdlog::error("{} row(s) rejected, more than --max-rejects {}: nothing was committed; the rows are listed in {}",
                  rejects_.count(), options_.max_rejects, rejects_.path().string());
    return ExitCode::kDataError;
  }

  // Reads the header record, or throws Error(kDataError) after recording why.
  HeaderMap read_header(csv::Reader& reader, const util::InputFile& file, std::span<const std::string_view> columns) {
    const std::string name = file.path().string();
    csv::Record record;
    std::string problem;
    if (!reader.next(record)) {
      std::string expected;
      for (std::string_view column : columns) expected += (expected.empty() ? "" : ",") + std::string(column);
      problem = "the file is empty: it needs at least the header line " + expected;
      record.line = 1;
    } else if (!record.error.empty()) {
      problem = "bad header: " + record.error;
    } else {
      auto mapped = map_header(record.fields, columns);
      if (auto* map = std::get_if<HeaderMap>(&mapped)) return *map;
      problem = std::get<std::string>(mapped);
    }
    rejects_.add(name, record.line, "(header)", problem, record.raw_text());
    throw Error(ExitCode::kDataError, fmt::format("{}:{}: {}", name, record.line, problem));
  }

  void read_places() {
    const std::string name = places_file_.path().string();
    csv::Reader reader(places_file_.stream());
    const HeaderMap header = read_header(reader, places_file_, kPlaceColumns);
    FileCounts& counts = record_.places.counts;
    csv::Record record;
    while (reader.next(record)) {
      ++counts.read;
      if (!record.error.empty()) {
        reject(name, record, std::string(kWholeRecord), record.error, counts);
        continue;
      }
      auto validated = validate_place(record, header, limits_);
      if (auto* error = std::get_if<FieldError>(&validated)) {
        if (record.fields.size() == header.width) places_.note_rejected(record.fields[header.index[0]], record.line);
        reject(name, record, error->field, error->reason, counts);
        continue;
      }
      if (auto duplicate = places_.add_from_file(std::get<PlaceRow>(validated), record.line)) {
        reject(name, record, "city", *duplicate, counts);
      }
    }
    record_.places.bytes = places_file_.bytes_read();
    record_.places.sha256 = places_file_.sha256();
    spdlog::info("{}: {} rows read, {} rejected", name, counts.read, counts.rejected);
  }

  void reject(const std::string& file, const csv::Record& record, const std::string& field, const std::string& reason,
              FileCounts& counts) {
    ++counts.rejected;
    rejects_.add(file, record.line, field, reason, record.raw_text());
  }

  std::vector<std::unique_ptr<db::BulkLoad>> open_streams(std::string_view table, std::vector<std::string> setup,
                                                          bool skip_duplicates = false) {
    std::vector<std::unique_ptr<db::BulkLoad>> streams;
    for (unsigned i = 0; i < std::max(1u, options_.streams); ++i) {
      streams.push_back(
          std::make_unique<db::BulkLoad>(options_.connection, db::BulkTarget{.table = std::string(table),
                                                                             .columns = kPeopleTableColumns,
                                                                             .setup = setup,
                                                                             .skip_duplicates = skip_duplicates}));
    }
    return streams;
  }

  std::uint64_t finish_streams(std::vector<std::unique_ptr<db::BulkLoad>>& streams) {
    std::uint64_t stored = 0;
    for (auto& stream : streams) stored += stream->finish();
    return stored;
  }

  // Validates every people.csv row. Good rows go to the streams, spread by
  // place, until the run goes over the reject limit; validation then carries
  // on so that every bad row is reported.
  void read_people(std::vector<std::unique_ptr<db::BulkLoad>>& streams, std::uint64_t id_base) {
    const std::string name = people_file_.path().string();
    csv::Reader reader(people_file_.stream());
    const HeaderMap header = read_header(reader, people_file_, kPersonColumns);
    FileCounts& counts = record_.people.counts;
    const util::Date today = util::today_utc();
    Progress progress(options_.progress, name, people_file_.size());
    csv::Record record;
    char id_text[24];
    char place_text[12];
    while (reader.next(record)) {
      ++counts.read;
      progress.update(counts.read, people_file_.bytes_read());
      if (!record.error.empty()) {
        reject(name, record, std::string(kWholeRecord), record.error, counts);
      } else {
        auto validated = validate_person(record, header, limits_, today);
        if (auto* error = std::get_if<FieldError>(&validated)) {
          reject(name, record, error->field, error->reason, counts);
        } else {
          const PersonRow& row = std::get<PersonRow>(validated);
          const Place* place = places_.find(row.place_of_birth);
          if (place == nullptr) {
            reject(name, record, "place_of_birth", places_.unknown_reason(row.place_of_birth, stored_places_), counts);
          } else {
            ++valid_people_;
            if (!streams.empty()) {
              const auto id_end = std::to_chars(id_text, id_text + sizeof id_text, id_base + record.line).ptr;
              const auto place_end = std::to_chars(place_text, place_text + sizeof place_text, place->id).ptr;
              streams[place->id % streams.size()]->write_row(
                  {std::string_view(id_text, static_cast<std::size_t>(id_end - id_text)), row.given_name,
                   row.family_name, row.date_of_birth,
                   std::string_view(place_text, static_cast<std::size_t>(place_end - place_text))});
            }
          }
        }
      }
      if (!streams.empty() && over_limit()) {
        spdlog::warn("over --max-rejects {}: loading stopped; still validating to report every bad row",
                     options_.max_rejects);
        for (auto& stream : streams) stream->abort();
        streams.clear();
      }
    }
    progress.finish();
    record_.people.bytes = people_file_.bytes_read();
    record_.people.sha256 = people_file_.sha256();
    spdlog::info("{}: {} rows read, {} valid, {} rejected", name, counts.read, valid_people_, counts.rejected);
  }

  const LoaderOptions& options_;
  db::Session& control_;
  RunRecord& record_;
  RejectLog& rejects_;
  util::InputFile& places_file_;
  util::InputFile& people_file_;
  const Limits& limits_;
  PlaceSet places_;
  bool stored_places_ = false;
  std::uint64_t valid_people_ = 0;
};

}  // namespace

ExitCode run_load(const LoaderOptions& options) {
  const auto started = std::chrono::system_clock::now();
  RunRecord record;
  record.run_id = make_run_id();
  record.mode = mode_name(options.mode);
  record.dry_run = options.dry_run;
  record.places.path = options.places.string();
  record.people.path = options.people.string();
  const std::filesystem::path rejects_path =
      options.rejects.empty() ? options.log.dir / ("rejects-" + record.run_id + ".csv") : options.rejects;
  spdlog::info("run {}: {}{} of {} and {} into {}", record.run_id, record.mode, options.dry_run ? " (dry run)" : "",
               record.places.path, record.people.path, options.connection.describe());

  ExitCode code = ExitCode::kOk;
  RejectLog rejects(rejects_path, !options.rejects.empty());
  auto report = [&] {
    const double seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
    spdlog::log(record.status == "succeeded" ? spdlog::level::info : spdlog::level::err, "{}",
                summary_line(record, seconds));
    if (!options.report_json.empty()) {
      write_report_json(options.report_json, record, started, seconds, rejects.created() ? rejects.path() : "", code);
    }
  };

  std::optional<Ledger> ledger;
  std::optional<db::Session> control;
  // Held until the outcome is in the ledger, failures included.
  std::optional<LoadLock> lock;
  try {
    control.emplace(db::connect_with_retry(options.connection));
    lock.emplace(*control, options.connection.database, options.wait_lock);
    for (const std::string& table : db::ensure_schema(*control)) spdlog::info("created table {}", table);
    // From here on every outcome, a missing file included, is recorded.
    ledger.emplace(Ledger::start(*control, record));
    if (const auto abandoned = Ledger::mark_abandoned(*control, record.run_id)) {
      spdlog::warn("marked {} earlier run(s) that never finished as abandoned", abandoned);
    }
    const Limits limits = read_limits(*control);
    drop_scratch_tables(*control);
    util::InputFile places_file(options.places);
    util::InputFile people_file(options.people);
    record.places.bytes = places_file.size();
    record.people.bytes = people_file.size();

    try {
      LoadRun run(options, *control, record, rejects, places_file, people_file, limits);
      code = options.mode == Mode::kReplace ? run.replace() : run.append();
    } catch (...) {
      try {
        drop_scratch_tables(*control);
      } catch (const std::exception& e) {
        spdlog::warn("could not drop the scratch tables (the next run will): {}", e.what());
      }
      throw;
    }
    drop_scratch_tables(*control);  // left only when the run stopped over the reject limit
    rejects.close();
    record.status = code == ExitCode::kOk ? "succeeded" : "rejected";
    if (code != ExitCode::kOk) {
      record.error =
          fmt::format("{} row(s) rejected, more than --max-rejects {}", rejects.count(), options.max_rejects);
    }
    ledger->finish(*control, record);
  } catch (const std::exception& e) {
    const auto* error = dynamic_cast<const Error*>(&e);
    code = error != nullptr ? error->code() : ExitCode::kSoftware;
    record.status = code == ExitCode::kDataError ? "rejected" : "failed";
    record.error = e.what();
    if (ledger && control) {
      try {
        ledger->finish(*control, record);
      } catch (const std::exception& ledger_error) {
        spdlog::warn("could not record the outcome in load_runs: {}", ledger_error.what());
      }
    }
    report();
    if (code == ExitCode::kDataError) return code;  // the summary line said why
    throw;
  }
  report();
  return code;
}

}  // namespace pipeline::load
