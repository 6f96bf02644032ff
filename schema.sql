-- Schema of the codetest database. Valid on MySQL 8.4 and MariaDB 10.11, and
-- safe to apply again: every statement is CREATE ... IF NOT EXISTS.
--
-- dataloader embeds this file at build time and applies it when a table is
-- missing; docker compose mounts it into /docker-entrypoint-initdb.d. The
-- loader reads column lengths back from information_schema, so the limits it
-- validates against are the ones declared here.
--
-- Text is utf8mb4 with the binary collation (utf8mb4_bin, which both servers
-- have): equality, uniqueness and ordering are by code point, exactly what the
-- loader's own validation and duplicate detection use, and reports sort the
-- same way on either server.

CREATE TABLE IF NOT EXISTS places (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT,
  city    VARCHAR(100) NOT NULL,
  county  VARCHAR(100) NOT NULL,
  country VARCHAR(100) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_places_city (city)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- people is clustered by place of birth. The foreign key needs an index that
-- starts with place_of_birth_id; making that index the primary key means a
-- load writes one B-tree instead of two, and every per-place aggregate is a
-- range scan. The dataloader assigns id, unique across the table (replace:
-- the record's line number; append: above the current maximum), so id needs
-- no index of its own.
CREATE TABLE IF NOT EXISTS people (
  id                BIGINT UNSIGNED NOT NULL,
  given_name        VARCHAR(100) NOT NULL,
  family_name       VARCHAR(100) NOT NULL,
  date_of_birth     DATE NOT NULL,
  place_of_birth_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (place_of_birth_id, id),
  FOREIGN KEY (place_of_birth_id) REFERENCES places (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per dataloader run, failed runs included: the operator's audit trail.
-- A run is published all at once; a sharded run (dataloader --shard K/N, one
-- process per shard) is published by its last shard to finish, once every
-- shard's row in load_shards agrees.
CREATE TABLE IF NOT EXISTS load_runs (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  run_id           VARCHAR(64) NOT NULL,
  mode             VARCHAR(16) NOT NULL,
  dry_run          BOOLEAN NOT NULL DEFAULT FALSE,
  shards           INT UNSIGNED NOT NULL DEFAULT 1,
  status           VARCHAR(16) NOT NULL,
  started_at       DATETIME(6) NOT NULL,
  finished_at      DATETIME(6) NULL,
  places_path      VARCHAR(1024) NOT NULL,
  places_bytes     BIGINT UNSIGNED NULL,
  places_sha256    CHAR(64) NULL,
  people_path      VARCHAR(1024) NOT NULL,
  people_bytes     BIGINT UNSIGNED NULL,
  people_sha256    CHAR(64) NULL,
  places_read      BIGINT UNSIGNED NOT NULL DEFAULT 0,
  places_loaded    BIGINT UNSIGNED NOT NULL DEFAULT 0,
  places_duplicate BIGINT UNSIGNED NOT NULL DEFAULT 0,
  places_rejected  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_read      BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_loaded    BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_duplicate BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_rejected  BIGINT UNSIGNED NOT NULL DEFAULT 0,
  error_text       TEXT NULL,
  loader_version   VARCHAR(32) NOT NULL,
  client_host      VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_load_runs_run_id (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per shard of a run: what it read, what it staged, and the
-- fingerprints the publisher checks before publishing (the same files, the
-- same place ids, ranges that tile the file, counts and row checksums that
-- match what the staging table holds).
CREATE TABLE IF NOT EXISTS load_shards (
  run_id             VARCHAR(64) NOT NULL,
  shard              INT UNSIGNED NOT NULL,
  shards             INT UNSIGNED NOT NULL,
  status             VARCHAR(16) NOT NULL,
  client_host        VARCHAR(255) NOT NULL,
  started_at         DATETIME(6) NOT NULL,
  finished_at        DATETIME(6) NULL,
  range_begin        BIGINT UNSIGNED NULL,
  range_end          BIGINT UNSIGNED NULL,
  places_sha256      CHAR(64) NULL,
  people_sha256      CHAR(64) NULL,
  id_base            BIGINT UNSIGNED NULL,
  places_fingerprint CHAR(64) NULL,
  people_read        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_valid       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  people_rejected    BIGINT UNSIGNED NOT NULL DEFAULT 0,
  rows_checksum      BIGINT UNSIGNED NULL,
  error_text         TEXT NULL,
  PRIMARY KEY (run_id, shard)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
