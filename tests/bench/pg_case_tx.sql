-- One case transition as raw PostgreSQL does it (pgbench -M prepared): upsert
-- a ~500 B case, insert a ~200 B event, delete and insert the case's timer
-- row, in one transaction. Run by shouhu-bench section 4 beside the
-- PostgreSQL store, at the same clients; by hand:
--   psql -f tests/bench/pg_case_schema.sql DSN
--   pgbench -n -M prepared -f tests/bench/pg_case_tx.sql -c 16 -j 2 -T 20 DSN
\set id random(1, 1000000)
\set seq random(1, 9000000000000000000)
\set due random(1, 1000000000)
BEGIN;
INSERT INTO bench_case VALUES (:id, decode(repeat('ab', 500), 'hex'))
  ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data;
INSERT INTO bench_event VALUES (:id, :seq, decode(repeat('cd', 200), 'hex'));
DELETE FROM bench_timer WHERE case_id = :id;
INSERT INTO bench_timer VALUES (:due, :id);
COMMIT;
