#include "pipeline/load/loader.hpp"

#include <algorithm>
#include <exception>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pipeline/csv/reader.hpp"
#include "pipeline/db/bulk_load.hpp"
#include "pipeline/db/connect.hpp"
#include "pipeline/db/schema.hpp"
#include "pipeline/db/session.hpp"
#include "pipeline/load/file_scan.hpp"
#include "pipeline/load/header.hpp"
#include "pipeline/load/ledger.hpp"
#include "pipeline/load/load_lock.hpp"
#include "pipeline/load/people_job.hpp"
#include "pipeline/load/place_set.hpp"
#include "pipeline/load/reject_log.hpp"
#include "pipeline/load/run_report.hpp"
#include "pipeline/load/validate.hpp"
#include "pipeline/util/input_file.hpp"
#include "pipeline/util/sha256.hpp"

namespace pipeline::load {
namespace {

const std::vector<std::string> kPeopleTableColumns = {"id", "given_name", "family_name", "date_of_birth",
                                                      "place_of_birth_id"};
// The same columns, as an SQL list, for copying people rows between tables.
constexpr std::string_view kPeopleColumnList = "id, given_name, family_name, date_of_birth, place_of_birth_id";
// Places are written in batches of this many rows per INSERT.
constexpr std::size_t kPlaceBatch = 200;
// How long a shard waits for the load lock to publish.
constexpr std::chrono::seconds kPublishWait{600};
// On a Spider head (schema-spider-head.sql), the second people table: the
// same partitions over a second set of remote tables. Replace fills it and
// swaps it with people.
constexpr std::string_view kSpiderStandby = "people__standby";

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

void check_run_id(const std::string& id) {
  const bool ok = !id.empty() && id.size() <= 40 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!ok) throw Error(ExitCode::kUsage, fmt::format("--run-id '{}': use 1 to 40 letters, digits, '-' or '_'", id));
}

const char* mode_name(Mode mode) { return mode == Mode::kReplace ? "replace" : "append"; }

// The scratch tables of one run. Only its own shards touch them; they are
// dropped when the run is published, fails, or is cleaned up.
struct RunTables {
  explicit RunTables(const std::string& run_id)
      : people("people__run_" + run_id),
        places("places__run_" + run_id),
        people_old("people__old_" + run_id),
        places_old("places__old_" + run_id) {}

  void drop(db::Session& session) const {
    // Children before parents, so that no foreign key stands in the way.
    for (const std::string& table : {people, people_old, places, places_old}) {
      session.execute("DROP TABLE IF EXISTS " + quote(table));
    }
  }

  std::string people, places, people_old, places_old;
};

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

bool table_exists(db::Session& session, const std::string& table) {
  return session.query_value(
             "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
             {table}) == "1";
}

// Whether `table` is a Spider table: its rows live on other servers, and
// CREATE TABLE ... LIKE it would make a table that reads and writes those
// same remote tables.
bool is_spider_table(db::Session& session, std::string_view table) {
  const auto engine = session.query_value(
      "SELECT UPPER(engine) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
      {std::string(table)});
  return engine.value_or("") == "SPIDER";
}

// A local InnoDB table with people's columns and key, and no rows. The
// staging table of a Spider head: LIKE would copy the Spider engine and its
// remote targets.
void create_local_people_stage(db::Session& session, const std::string& table) {
  session.execute(
      fmt::format("CREATE TABLE {} (PRIMARY KEY (place_of_birth_id, id)) ENGINE=InnoDB "
                  "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin "
                  "SELECT {} FROM people WHERE FALSE",
                  quote(table), kPeopleColumnList));
}

// Creates empty copies of places and people for a replace; the copy of
// people gets the live table's foreign keys, pointed at the copy of places.
void create_shadow_tables(db::Session& session, const RunTables& tables) {
  session.execute(fmt::format("CREATE TABLE {} LIKE places", quote(tables.places)));
  session.execute(fmt::format("CREATE TABLE {} LIKE people", quote(tables.people)));
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
                                quote(tables.people), child_list, quote(parent == "places" ? tables.places : parent),
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
void write_places(db::Session& session, const std::string& table, const std::vector<const Place*>& places,
                  bool upsert) {
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

// What every shard must agree on in append mode: the id of each place.
std::string places_fingerprint(const PlaceSet& places) {
  std::vector<const Place*> all;
  for (const Place& place : places.all()) all.push_back(&place);
  std::sort(all.begin(), all.end(), [](const Place* a, const Place* b) { return a->id < b->id; });
  util::Sha256 sha;
  for (const Place* place : all) {
    sha.update(fmt::format("{}\t{}\t{}\t{}\n", place->id, place->city, place->county, place->country));
  }
  return sha.hex_digest();
}

// The natural key of a person, as a join condition between s and t.
constexpr std::string_view kSamePerson =
    "t.place_of_birth_id = s.place_of_birth_id AND t.date_of_birth = s.date_of_birth "
    "AND t.family_name = s.family_name AND t.given_name = s.given_name";

// The part of people.csv this process reads: its byte ranges, one per job,
// or the whole file read by one job when there is nothing to split.
struct Assignment {
  std::optional<FileScan> scan;
  std::vector<ByteRange> ranges;
};

class LoadRun {
 public:
  LoadRun(const LoaderOptions& options, db::Session& control, RunRecord& record, ShardRecord& shard, RejectLog& rejects,
          const Limits& limits)
      : options_(options),
        control_(control),
        record_(record),
        shard_(shard),
        rejects_(rejects),
        limits_(limits),
        tables_(record.run_id) {}

  // Loads this process's share into the run's staging tables and records it.
  // Returns kOk, or kDataError when over the reject limit.
  ExitCode load() {
    util::InputFile places_file(options_.places);
    util::InputFile people_file(options_.people);
    record_.places.bytes = places_file.size();
    record_.people.bytes = people_file.size();
    const bool append = options_.mode == Mode::kAppend;
    spider_ = is_spider_table(control_, "people");
    if (spider_) check_spider_layout();

    if (append) load_stored_places();
    read_places(places_file);
    refuse_emptying("places", record_.places.counts.read);
    shard_.places_sha256 = record_.places.sha256;
    shard_.id_base = append ? stored_max_id() : 0;
    shard_.places_fingerprint = places_fingerprint(places_);

    const Assignment assignment = assign();
    if (assignment.scan) {
      record_.people.sha256 = assignment.scan->sha256;
      shard_.people_sha256 = assignment.scan->sha256;
      shard_.range_begin = assignment.ranges.front().begin;
      shard_.range_end = assignment.ranges.back().end;
    }
    const bool staging = append || !options_.dry_run;
    if (staging) set_up_tables();
    load_people(people_file, assignment);
    if (!assignment.scan) {
      shard_.people_sha256 = record_.people.sha256;
      shard_.range_begin = header_end_;
      shard_.range_end = people_file.bytes_read();
    }
    shard_.people_read = record_.people.counts.read;
    shard_.people_valid = valid_;
    shard_.people_rejected = record_.people.counts.rejected;
    if (rejects_.count() > options_.max_rejects) {
      spdlog::error(
          "{} row(s) rejected, more than --max-rejects {}: nothing will be committed; the rows are listed in {}",
          rejects_.count(), options_.max_rejects, rejects_.path().string());
      return ExitCode::kDataError;
    }
    refuse_emptying("people", record_.people.counts.read);
    return ExitCode::kOk;
  }

  // Publishes the run: checks that the shards agree and that the staging
  // table holds what they sent, then swaps (replace) or inserts (append) in
  // one step. `shards` are every shard's ledger rows, all "loaded".
  void publish(const std::vector<ShardRecord>& shards) {
    verify(shards);
    // Spider sends the staged rows to the data nodes as multi-row INSERTs of
    // at most this many bytes; the default 16000 made copying 1M rows 15%
    // slower than 1 MiB (7.8 s against 6.6 s).
    if (spider_) control_.execute("SET SESSION spider_bulk_size = 1048576");
    std::uint64_t read = 0, valid = 0, rejected = 0;
    for (const ShardRecord& s : shards) {
      read += s.people_read;
      valid += s.people_valid;
      rejected += s.people_rejected;
    }
    record_.people.counts = {read, 0, 0, rejected};
    const std::vector<const Place*> changes = places_.changes();
    record_.places.counts.loaded = changes.size();
    record_.places.counts.duplicate =
        record_.places.counts.read - record_.places.counts.rejected - record_.places.counts.loaded;

    if (options_.mode == Mode::kReplace) {
      record_.people.counts.loaded = valid;
      if (options_.dry_run) return;
      if (spider_) {
        publish_replace_on_spider(valid);
        return;
      }
      // One atomic statement: readers see the old pair of tables or the new pair.
      control_.execute(fmt::format("RENAME TABLE people TO {}, places TO {}, {} TO places, {} TO people",
                                   quote(tables_.people_old), quote(tables_.places_old), quote(tables_.places),
                                   quote(tables_.people)));
      spdlog::info("published run {}: people and places replaced", record_.run_id);
      // Fresh tables start with empty statistics; give the next query plans real ones.
      control_.query("ANALYZE TABLE people, places");
      try {
        control_.execute("DROP TABLE " + quote(tables_.people_old));
        control_.execute("DROP TABLE " + quote(tables_.places_old));
      } catch (const Error& e) {
        spdlog::warn("the new data is live, but dropping the old tables failed (cleanup retries): {}", e.what());
      }
      return;
    }

    // Append: drop what is not new, deterministically whatever the jobs and
    // shards: a repeat within the run loses to its earliest line (lowest id),
    // a row equal to a stored one is dropped; then one transaction inserts.
    const std::string stage = quote(tables_.people);
    control_.execute(
        fmt::format("ALTER TABLE {} ADD INDEX natural_key "
                    "(place_of_birth_id, date_of_birth, family_name, given_name, id)",
                    stage));
    control_.execute(fmt::format("DELETE s FROM {0} s JOIN {0} t ON {1} AND t.id < s.id", stage, kSamePerson));
    // One pass over people, each row looked up in the stage's natural key;
    // the other way round every staged row would scan its place.
    control_.execute(fmt::format("DELETE s FROM people t STRAIGHT_JOIN {} s ON {}", stage, kSamePerson));
    const std::uint64_t fresh = std::stoull(control_.query_value("SELECT COUNT(*) FROM " + stage).value_or("0"));
    record_.people.counts.loaded = fresh;
    record_.people.counts.duplicate = valid - fresh;
    if (options_.dry_run) return;
    control_.execute("START TRANSACTION");
    try {
      write_places(control_, "places", changes, true);
      const std::uint64_t inserted =
          control_.execute(fmt::format("INSERT INTO people ({0}) SELECT {0} FROM {1}", kPeopleColumnList, stage));
      if (inserted != fresh) {
        throw Error(ExitCode::kSoftware, fmt::format("inserted {} people, expected {}", inserted, fresh));
      }
      control_.execute("COMMIT");
    } catch (...) {
      control_.execute("ROLLBACK");
      throw;
    }
    spdlog::info("published run {}: {} people and {} places added or updated", record_.run_id, fresh, changes.size());
  }

 private:
  // Replace would empty a table with a file that has no data rows: refuse,
  // unless asked for, when the table holds data.
  void refuse_emptying(const char* table, std::uint64_t rows_read) {
    if (options_.mode != Mode::kReplace || rows_read > 0 || options_.allow_empty || options_.shard.count > 1) return;
    const auto stored =
        control_.query_value(fmt::format("SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) AS t", table));
    if (stored.value_or("0") == "0") return;
    const std::string& path = std::string(table) == "people" ? record_.people.path : record_.places.path;
    throw Error(ExitCode::kDataError,
                fmt::format("{} has no data rows: replacing would empty the {} table, which holds data; "
                            "pass --allow-empty if that is intended",
                            path, table));
  }

  void load_stored_places() {
    for (const auto& row : control_.query("SELECT id, city, county, country FROM places").rows) {
      places_.add_stored(static_cast<std::uint32_t>(std::stoul(row.at(0).value())), row.at(1).value(),
                         row.at(2).value(), row.at(3).value());
    }
    stored_places_ = !places_.all().empty();
  }

  std::uint64_t stored_max_id() {
    // The loose index scan over (place_of_birth_id, id) keeps this cheap.
    return std::stoull(control_
                           .query_value("SELECT COALESCE(MAX(m), 0) FROM "
                                        "(SELECT MAX(id) AS m FROM people GROUP BY place_of_birth_id) AS per_place")
                           .value_or("0"));
  }

  // Reads the header record, or throws Error(kDataError) after recording why.
  HeaderMap read_header(csv::Reader& reader, const std::string& name, std::span<const std::string_view> columns) {
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

  void read_places(util::InputFile& file) {
    const std::string name = file.path().string();
    csv::Reader reader(file.stream());
    const HeaderMap header = read_header(reader, name, kPlaceColumns);
    FileCounts& counts = record_.places.counts;
    csv::Record record;
    while (reader.next(record)) {
      ++counts.read;
      auto reject = [&](std::string_view field, std::string_view reason) {
        ++counts.rejected;
        rejects_.add(name, record.line, field, reason, record.raw_text());
      };
      if (!record.error.empty()) {
        reject(kWholeRecord, record.error);
        continue;
      }
      auto validated = validate_place(record, header, limits_);
      if (auto* error = std::get_if<FieldError>(&validated)) {
        if (record.fields.size() == header.width) places_.note_rejected(record.fields[header.index[0]], record.line);
        reject(error->field, error->reason);
        continue;
      }
      if (auto duplicate = places_.add_from_file(std::get<PlaceRow>(validated), record.line)) {
        reject("city", *duplicate);
      }
    }
    record_.places.bytes = file.bytes_read();
    record_.places.sha256 = file.sha256();
    spdlog::info("{}: {} rows read, {} rejected", name, counts.read, counts.rejected);
  }

  // Splits people.csv when there are several jobs or shards; each shard takes
  // its consecutive share of shards × jobs ranges.
  Assignment assign() {
    Assignment assignment;
    const unsigned jobs = std::max(1u, options_.jobs);
    const unsigned shards = options_.shard.count;
    if (jobs == 1 && shards == 1) return assignment;
    util::InputFile whole(options_.people);
    assignment.scan = scan_file(whole.stream(), static_cast<std::size_t>(jobs) * shards);
    const std::size_t first = static_cast<std::size_t>(options_.shard.index - 1) * jobs;
    assignment.ranges.assign(assignment.scan->ranges.begin() + static_cast<std::ptrdiff_t>(first),
                             assignment.scan->ranges.begin() + static_cast<std::ptrdiff_t>(first + jobs));
    return assignment;
  }

  // Creates the run's staging tables once, whichever shard comes first.
  void set_up_tables() {
    NamedLock setup(control_, "pipeline.setup." + record_.run_id, std::chrono::seconds(120),
                    "another shard of this run is still creating its tables");
    if (table_exists(control_, tables_.people)) return;
    if (spider_) {
      // Rows are staged on the head, in a table of its own; publishing copies
      // them to the data nodes.
      if (options_.mode == Mode::kReplace) {
        control_.execute(fmt::format("CREATE TABLE {} LIKE places", quote(tables_.places)));
        write_places(control_, tables_.places, places_.changes(), false);
      }
      create_local_people_stage(control_, tables_.people);
      return;
    }
    if (options_.mode == Mode::kReplace) {
      create_shadow_tables(control_, tables_);
      write_places(control_, tables_.places, places_.changes(), false);
    } else {
      control_.execute(fmt::format("CREATE TABLE {} LIKE people", quote(tables_.people)));
    }
  }

  // A Spider head needs the standby table for replace (schema-spider-head.sql).
  void check_spider_layout() {
    if (options_.mode != Mode::kReplace || options_.dry_run) return;
    if (!is_spider_table(control_, kSpiderStandby)) {
      throw Error(ExitCode::kUsage,
                  fmt::format("people is a Spider table, but the Spider table {} that --mode replace fills and swaps "
                              "in is missing; create it as schema-spider-head.sql does",
                              kSpiderStandby));
    }
  }

  // Replace on a Spider head: the staged rows go to the standby table's
  // remote tables (emptied first: a run that died may have left rows), which
  // is then swapped with people, together with places, in one RENAME on the
  // head; readers see the old data or the new. The old rows, now behind the
  // standby table, are emptied last.
  void publish_replace_on_spider(std::uint64_t valid) {
    const std::string standby = quote(kSpiderStandby);
    control_.execute("TRUNCATE TABLE " + standby);
    const std::uint64_t copied = control_.execute(
        fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2}", standby, kPeopleColumnList, quote(tables_.people)));
    const std::string stored = control_.query_value("SELECT COUNT(*) FROM " + standby).value_or("0");
    if (copied != valid || stored != std::to_string(valid)) {
      throw Error(ExitCode::kSoftware,
                  fmt::format("run {}: copied {} rows to the data nodes and they hold {}, expected {}; not published",
                              record_.run_id, copied, stored, valid));
    }
    const std::string parked = quote(tables_.people_old);
    control_.execute(fmt::format("RENAME TABLE people TO {0}, {1} TO people, {0} TO {1}, places TO {2}, {3} TO places",
                                 parked, standby, quote(tables_.places_old), quote(tables_.places)));
    spdlog::info("published run {}: people (on the data nodes) and places replaced", record_.run_id);
    control_.query("ANALYZE TABLE places");
    try {
      control_.execute("TRUNCATE TABLE " + standby);
      control_.execute("DROP TABLE " + quote(tables_.places_old));
    } catch (const Error& e) {
      spdlog::warn("the new data is live, but emptying the previous rows failed (the next replace retries): {}",
                   e.what());
    }
  }

  std::vector<std::unique_ptr<db::BulkLoad>> open_streams() {
    std::vector<std::unique_ptr<db::BulkLoad>> streams;
    if (options_.mode == Mode::kReplace && options_.dry_run) return streams;
    std::vector<std::string> setup;
    // References were checked row by row against places; the server need not
    // check them again (the append stage has no foreign key to check).
    if (options_.mode == Mode::kReplace) setup.push_back("SET SESSION foreign_key_checks = 0");
    for (unsigned i = 0; i < std::max(1u, options_.streams); ++i) {
      streams.push_back(std::make_unique<db::BulkLoad>(
          options_.connection,
          db::BulkTarget{.table = tables_.people, .columns = kPeopleTableColumns, .setup = setup}));
    }
    return streams;
  }

  // Runs one job per range (or one over the whole file) on its own thread,
  // reporting progress from this one.
  void load_people(util::InputFile& people_file, const Assignment& assignment) {
    const std::string name = people_file.path().string();
    std::optional<csv::Reader> whole_reader;
    HeaderMap header;
    if (assignment.scan) {
      util::InputFile header_file(options_.people, 0, assignment.scan->header_end);
      csv::Reader reader(header_file.stream());
      header = read_header(reader, name, kPersonColumns);
      header_end_ = assignment.scan->header_end;
    } else {
      whole_reader.emplace(people_file.stream());
      header = read_header(*whole_reader, name, kPersonColumns);
      header_end_ = people_file.bytes_read();
    }

    JobShared shared;
    shared.file_name = name;
    shared.header = &header;
    shared.places = &places_;
    shared.limits = limits_;
    shared.today = util::today_utc();
    shared.id_base = shard_.id_base.value_or(0);
    shared.stored_places = stored_places_;
    shared.max_rejects = options_.max_rejects;
    shared.rejects = rejects_.count();  // places.csv's count towards the limit too
    shared.checksum = options_.shard.count > 1;

    const std::size_t job_count = assignment.scan ? assignment.ranges.size() : 1;
    std::vector<std::unique_ptr<RejectLog>> parts;
    std::vector<std::unique_ptr<PeopleJob>> jobs;
    for (std::size_t k = 0; k < job_count; ++k) {
      RejectLog* log = &rejects_;
      if (job_count > 1) {
        parts.push_back(std::make_unique<RejectLog>(rejects_.path().string() + ".part" + std::to_string(k), false));
        log = parts.back().get();
      }
      jobs.push_back(std::make_unique<PeopleJob>(shared, *log, open_streams()));
    }

    std::vector<JobCounts> counts(job_count);
    std::vector<std::exception_ptr> errors(job_count);
    std::atomic<std::size_t> done{0};
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < job_count; ++k) {
      threads.emplace_back([&, k] {
        try {
          if (assignment.scan) {
            const ByteRange& range = assignment.ranges[k];
            util::InputFile input(options_.people, range.begin, range.end);
            csv::Reader reader(input.stream(), csv::ReaderOptions{.first_line = range.first_line, .skip_bom = false});
            counts[k] = jobs[k]->run(reader);
          } else {
            counts[k] = jobs[k]->run(*whole_reader);
          }
        } catch (...) {
          errors[k] = std::current_exception();
          shared.stop = true;
        }
        done.fetch_add(1);
      });
    }
    const std::uint64_t total =
        assignment.scan ? shard_.range_end.value() - shard_.range_begin.value() : people_file.size();
    Progress progress(options_.progress, name, total);
    while (done.load() < job_count) {
      progress.update(shared.rows.load(), shared.bytes.load());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (auto& thread : threads) thread.join();
    progress.finish();
    for (const auto& error : errors) {
      if (error) {
        for (auto& job : jobs) job->abort();
        std::rethrow_exception(error);
      }
    }
    rejects_.merge(parts);

    FileCounts& file = record_.people.counts;
    for (const JobCounts& c : counts) {
      file.read += c.read;
      valid_ += c.valid;
      file.rejected += c.rejected;
      shard_.rows_checksum = shard_.rows_checksum.value_or(0) + c.checksum;
    }
    if (rejects_.count() <= options_.max_rejects) {
      std::uint64_t stored = 0;
      for (auto& job : jobs) stored += job->finish();
      spdlog::debug("streams finished: {} rows stored", stored);
    } else {
      for (auto& job : jobs) job->abort();
    }
    if (!assignment.scan) {
      record_.people.bytes = people_file.bytes_read();
      record_.people.sha256 = people_file.sha256();
    }
    spdlog::info("{}: {} rows read, {} valid, {} rejected", name, file.read, valid_, file.rejected);
  }

  // The shards agree, their ranges tile the file, and (sharded runs) the
  // staging table holds exactly the rows they sent.
  void verify(const std::vector<ShardRecord>& shards) {
    const ShardRecord& first = shards.front();
    for (const ShardRecord& s : shards) {
      if (s.people_sha256 != first.people_sha256 || s.places_sha256 != first.places_sha256) {
        throw Error(ExitCode::kDataError,
                    fmt::format("run {}: shards {} and {} read different files", record_.run_id, first.shard, s.shard));
      }
      if (s.id_base != first.id_base || s.places_fingerprint != first.places_fingerprint) {
        throw Error(ExitCode::kTempFail, fmt::format("run {}: shards {} and {} saw different places or ids (the "
                                                     "database changed during the run); start it again",
                                                     record_.run_id, first.shard, s.shard));
      }
    }
    for (std::size_t i = 1; i < shards.size(); ++i) {
      if (shards[i].range_begin != shards[i - 1].range_end) {
        throw Error(ExitCode::kSoftware, fmt::format("run {}: shard {} does not start where shard {} ends",
                                                     record_.run_id, shards[i].shard, shards[i - 1].shard));
      }
    }
    if (shards.size() == 1 || (options_.mode == Mode::kReplace && options_.dry_run)) return;
    std::uint64_t valid = 0, checksum = 0;
    for (const ShardRecord& s : shards) {
      valid += s.people_valid;
      checksum += s.rows_checksum.value_or(0);
    }
    const auto staged = control_.query(fmt::format(
        "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS(CHAR(9), id, given_name, family_name, date_of_birth, "
        "place_of_birth_id))), 0) FROM {}",
        quote(tables_.people)));
    const std::string rows = staged.rows.at(0).at(0).value_or("0");
    const std::string sum = staged.rows.at(0).at(1).value_or("0");
    if (rows != std::to_string(valid) || sum != std::to_string(checksum)) {
      throw Error(ExitCode::kSoftware,
                  fmt::format("run {}: the staging table holds {} rows (checksum {}), the shards sent {} (checksum "
                              "{}); not published",
                              record_.run_id, rows, sum, valid, checksum));
    }
    spdlog::info("run {}: {} shards agree; {} rows staged, checksums match", record_.run_id, shards.size(), rows);
  }

  const LoaderOptions& options_;
  db::Session& control_;
  RunRecord& record_;
  ShardRecord& shard_;
  RejectLog& rejects_;
  const Limits& limits_;
  RunTables tables_;
  PlaceSet places_;
  bool stored_places_ = false;
  // people is a Spider table (a sharded cluster's head).
  bool spider_ = false;
  std::uint64_t valid_ = 0;
  std::uint64_t header_end_ = 0;
};

ExitCode code_of_status(const std::string& status) {
  if (status == "succeeded") return ExitCode::kOk;
  if (status == "rejected") return ExitCode::kDataError;
  return ExitCode::kTempFail;
}

// With this shard's outcome recorded, settles the run under the load lock:
// publishes it when every shard has loaded, fails it when one could not, or
// leaves it to the shards still running. The run's tables go once it is over
// and no sibling is still writing to them.
ExitCode settle(db::Session& control, LoadRun* run, RunRecord& record, unsigned own_shard) {
  std::string status = run_status(control, record.run_id).value_or("abandoned");
  if (status == "running") {
    std::vector<ShardRecord> shards = read_shards(control, record.run_id);
    for (ShardRecord& s : shards) {
      if (s.status == "running" && !s.alive && s.shard != own_shard) {
        s.status = "abandoned";
        s.error = "its loader stopped without recording an outcome";
        update_shard(control, record.run_id, s);
        spdlog::warn("run {}: shard {} died while loading", record.run_id, s.shard);
      }
    }
    const auto any = [&](const char* what) {
      return std::any_of(shards.begin(), shards.end(), [&](const ShardRecord& s) { return s.status == what; });
    };
    if (any("rejected")) {
      status = "rejected";
    } else if (any("failed") || any("abandoned")) {
      status = "failed";
    } else if (shards.size() < record.shards || any("running")) {
      record.status = "staged";
      spdlog::info(
          "run {}: shard {} staged its rows; {} of {} shards done; the last to finish publishes", record.run_id,
          own_shard,
          std::count_if(shards.begin(), shards.end(), [](const ShardRecord& s) { return s.status == "loaded"; }),
          record.shards);
      return ExitCode::kOk;
    } else {
      if (run == nullptr) throw Error(ExitCode::kSoftware, "settle: no run to publish with");
      run->publish(shards);
      status = "succeeded";
      for (ShardRecord& s : shards) {
        s.status = "published";
        update_shard(control, record.run_id, s);
      }
    }
    record.status = status;
    if (status != "succeeded" && record.error.empty()) {
      record.error = fmt::format("a shard of the run was {}; the run is not published", status);
    }
    finish_run(control, record);
  }
  const std::vector<ShardRecord> shards = read_shards(control, record.run_id);
  const bool sibling_alive = std::any_of(shards.begin(), shards.end(), [&](const ShardRecord& s) {
    return s.alive && s.status == "running" && s.shard != own_shard;
  });
  if (!sibling_alive) RunTables(record.run_id).drop(control);
  if (status != "succeeded") spdlog::error("run {} is {}: nothing from it is published", record.run_id, status);
  record.status = status;
  return code_of_status(status);
}

}  // namespace

ExitCode run_load(const LoaderOptions& options) {
  const auto started = std::chrono::system_clock::now();
  RunRecord record;
  record.run_id = options.run_id.empty() ? make_run_id() : options.run_id;
  check_run_id(record.run_id);
  const unsigned shard_index = options.shard.index;
  const bool sharded = options.shard.count > 1;
  record.mode = mode_name(options.mode);
  record.dry_run = options.dry_run;
  record.shards = options.shard.count;
  record.places.path = options.places.string();
  record.people.path = options.people.string();
  const std::string shard_suffix = sharded ? fmt::format("-shard{}", shard_index) : "";
  const std::filesystem::path rejects_path =
      options.rejects.empty() ? options.log.dir / ("rejects-" + record.run_id + shard_suffix + ".csv")
                              : options.rejects;
  spdlog::info("run {}{}: {}{} of {} and {} into {}", record.run_id,
               sharded ? fmt::format(" shard {}/{}", shard_index, options.shard.count) : "", record.mode,
               options.dry_run ? " (dry run)" : "", record.places.path, record.people.path,
               options.connection.describe());

  ExitCode code = ExitCode::kOk;
  RejectLog rejects(rejects_path, !options.rejects.empty());
  auto report = [&] {
    const double seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
    const bool good = record.status == "succeeded" || record.status == "staged";
    spdlog::log(good ? spdlog::level::info : spdlog::level::err, "{}", summary_line(record, seconds));
    if (!options.report_json.empty()) {
      write_report_json(options.report_json, record, started, seconds, rejects.created() ? rejects.path() : "", code);
    }
  };

  ShardRecord shard;
  shard.shard = shard_index;
  shard.shards = options.shard.count;
  std::optional<db::Session> control;
  // An unsharded run holds the load lock for its whole life.
  std::optional<NamedLock> load_lock;
  std::optional<NamedLock> alive;
  bool joined = false;
  try {
    control.emplace(db::connect_with_retry(options.connection));
    const std::string lock_name = NamedLock::load_lock_name(options.connection.database);
    if (!sharded) {
      load_lock.emplace(*control, lock_name, options.wait_lock,
                        fmt::format("another dataloader is loading database '{}'; try again later, or pass "
                                    "--wait-lock SECONDS to wait for it",
                                    options.connection.database));
    }
    alive.emplace(
        *control, shard_lock_name(record.run_id, shard_index), std::chrono::seconds(0),
        fmt::format("shard {}/{} of run {} is already running", shard_index, options.shard.count, record.run_id));
    for (const std::string& table : db::ensure_schema(*control)) spdlog::info("created table {}", table);
    // From here on every outcome, a missing file included, is recorded.
    join_run(*control, record, shard_index);
    joined = true;
    if (load_lock) {
      for (const std::string& dead : dead_runs(*control, record.run_id)) {
        abandon_run(*control, dead,
                    "the loader stopped without recording an outcome (killed, or its connection "
                    "was lost)");
        RunTables(dead).drop(*control);
        spdlog::warn("run {} never finished: marked abandoned, its tables dropped", dead);
      }
    }
    const Limits limits = read_limits(*control);

    LoadRun run(options, *control, record, shard, rejects, limits);
    code = run.load();
    shard.status = code == ExitCode::kOk ? "loaded" : "rejected";
    if (code != ExitCode::kOk) {
      shard.error = fmt::format("{} row(s) rejected, more than --max-rejects {}", rejects.count(), options.max_rejects);
      record.error = shard.error;
    }
    rejects.close();
    update_shard(*control, record.run_id, shard);
    std::optional<NamedLock> publish_lock;
    if (!load_lock) {
      publish_lock.emplace(*control, lock_name, kPublishWait,
                           fmt::format("run {}: cannot take the load lock to publish", record.run_id));
    }
    const ExitCode settled = settle(*control, &run, record, shard_index);
    if (code == ExitCode::kOk) code = settled;
  } catch (const std::exception& e) {
    const auto* error = dynamic_cast<const Error*>(&e);
    code = error != nullptr ? error->code() : ExitCode::kSoftware;
    const std::string status = code == ExitCode::kDataError ? "rejected" : "failed";
    record.error = e.what();
    if (joined && control) {
      try {
        shard.status = status;
        shard.error = e.what();
        update_shard(*control, record.run_id, shard);
        std::optional<NamedLock> publish_lock;
        if (!load_lock) {
          publish_lock.emplace(*control, NamedLock::load_lock_name(options.connection.database), kPublishWait,
                               "cannot take the load lock to record the failure");
        }
        settle(*control, nullptr, record, shard_index);
      } catch (const std::exception& ledger_error) {
        spdlog::warn("could not record the outcome in the ledger: {}", ledger_error.what());
      }
    }
    if (record.status == "running") record.status = status;
    report();
    if (code == ExitCode::kDataError) return code;  // the summary line said why
    throw;
  }
  report();
  return code;
}

ExitCode run_cleanup(const db::ConnectionOptions& connection, const std::string& run_id) {
  check_run_id(run_id);
  db::Session control = db::connect_with_retry(connection);
  NamedLock lock(control, NamedLock::load_lock_name(connection.database), std::chrono::seconds(60),
                 "a loader is publishing; try the cleanup again later");
  const auto status = run_status(control, run_id);
  if (!status) throw Error(ExitCode::kUsage, fmt::format("no run {} in load_runs", run_id));
  if (*status == "succeeded") {
    throw Error(ExitCode::kUsage, fmt::format("run {} was published: there is nothing to clean up", run_id));
  }
  for (const ShardRecord& s : read_shards(control, run_id)) {
    if (s.alive && s.status == "running") {
      throw Error(ExitCode::kTempFail,
                  fmt::format("shard {}/{} of run {} is still running; stop it first", s.shard, s.shards, run_id));
    }
  }
  abandon_run(control, run_id, "cleaned up with dataloader --cleanup");
  RunTables(run_id).drop(control);
  spdlog::info("run {} ({}) cleaned up: marked abandoned, its tables dropped", run_id, *status);
  return ExitCode::kOk;
}

}  // namespace pipeline::load
