-- The tables of pg_case_tx.sql: a case, its events and its timer rows, as a
-- relational schema would keep them (what shouhu-bench section 4 compares
-- the PostgreSQL store against).
DROP TABLE IF EXISTS bench_case, bench_event, bench_timer;
CREATE TABLE bench_case (id bigint PRIMARY KEY, data bytea NOT NULL);
CREATE TABLE bench_event (case_id bigint, seq bigint, data bytea NOT NULL,
                          PRIMARY KEY (case_id, seq));
-- The timer index by due time, and by case to cancel a case's timers.
CREATE TABLE bench_timer (due bigint, case_id bigint, PRIMARY KEY (due, case_id));
CREATE INDEX bench_timer_case ON bench_timer (case_id);
