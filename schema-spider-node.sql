-- Schema of a Spider data node: what each data node's `codetest` database
-- holds when the codetest database is sharded with MariaDB's Spider engine
-- (scripts/spider-cluster applies it; schema-spider-head.sql explains the
-- layout). Safe to apply again: every statement is CREATE ... IF NOT EXISTS.
--
-- A data node holds its share of people only, as plain InnoDB tables: the
-- same columns, collation and primary key as schema.sql's people, but no
-- foreign key, because places lives on the head and neither the node nor
-- Spider can check a reference to another server. Which rows a node holds is
-- decided by the head's PARTITION BY HASH (id): row id X is on node
-- (X MOD N) + 1 of N.
--
-- There are two such tables: the head's people reads one and its
-- people__standby the other, and a replace swaps the two on the head.

CREATE TABLE IF NOT EXISTS people_a (
  id                BIGINT UNSIGNED NOT NULL,
  given_name        VARCHAR(100) NOT NULL,
  family_name       VARCHAR(100) NOT NULL,
  date_of_birth     DATE NOT NULL,
  place_of_birth_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (place_of_birth_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS people_b LIKE people_a;
