-- The people tables of the codetest database on a Spider head: the variant of
-- schema.sql for a cluster where people is sharded across data nodes with
-- MariaDB's Spider engine (scripts/spider-cluster applies it; README, "When
-- one machine is not enough", explains the layout and what was measured).
-- Safe to apply again: every statement is CREATE ... IF NOT EXISTS.
--
-- Apply this file first, then schema.sql: its CREATE TABLE IF NOT EXISTS
-- people is then skipped, and its other tables (places, load_runs,
-- load_shards) become local InnoDB tables on the head, as on a single server.
--
-- people is a Spider table: it holds no rows itself, each of its
-- hash partitions forwards to a table on one data node, named by a server
-- (CREATE SERVER d1 ... dN) that the cluster script defines on the head. Row
-- id X lives in partition X MOD N, that is on data node d((X MOD N) + 1):
-- MariaDB's non-linear HASH(id) is id MOD N.
--
-- people has no foreign key: Spider cannot enforce one, and places is not on
-- the data nodes. The loader validates place ids itself before it writes.
--
-- Each data node has two tables, people_a and people_b
-- (schema-spider-node.sql); people points at one set and people__standby at
-- the other. dataloader --mode replace stages rows on the head, copies them
-- into the standby's remote tables, and swaps the two Spider tables with one
-- RENAME on the head, so readers see the old data or the new, never a mix.
-- Which remote set is live therefore alternates: the COMMENT of the head's
-- people table says which (SHOW CREATE TABLE people).

-- The COMMENT names the remote table; always give it: without it a partition
-- looks for a remote table named after itself (`people#P#p1`), which would
-- also change with every RENAME on the head. Beware that CREATE TABLE ... LIKE
-- people copies this COMMENT and the partitions, so the copy reads and writes
-- the live remote tables: the loader stages in a local table instead.
-- The partition lists below are for the default two data nodes;
-- scripts/spider-cluster replaces the lines between each pair of markers with
-- one PARTITION line per data node (pK on server dK), so keep the markers.
CREATE TABLE IF NOT EXISTS people (
  id                BIGINT UNSIGNED NOT NULL,
  given_name        VARCHAR(100) NOT NULL,
  family_name       VARCHAR(100) NOT NULL,
  date_of_birth     DATE NOT NULL,
  place_of_birth_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (place_of_birth_id, id)
) ENGINE=SPIDER DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='wrapper "mysql", table "people_a"'
  PARTITION BY HASH (id) (
-- spider-cluster: partitions begin
    PARTITION p1 COMMENT='srv "d1"',
    PARTITION p2 COMMENT='srv "d2"'
-- spider-cluster: partitions end
  );

-- The standby for replace: the same columns, key and partitions as people,
-- over the other remote tables. Empty between loads.
CREATE TABLE IF NOT EXISTS people__standby (
  id                BIGINT UNSIGNED NOT NULL,
  given_name        VARCHAR(100) NOT NULL,
  family_name       VARCHAR(100) NOT NULL,
  date_of_birth     DATE NOT NULL,
  place_of_birth_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (place_of_birth_id, id)
) ENGINE=SPIDER DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='wrapper "mysql", table "people_b"'
  PARTITION BY HASH (id) (
-- spider-cluster: partitions begin
    PARTITION p1 COMMENT='srv "d1"',
    PARTITION p2 COMMENT='srv "d2"'
-- spider-cluster: partitions end
  );
