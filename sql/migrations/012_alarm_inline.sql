-- xiaoan schema, part 12: the alarm-moment functions (011) declared STABLE,
-- which is what they are, so that the planner folds them into the queries
-- that call them.
--
-- alarm_moment_after subtracts an interval from a timestamptz, an operator
-- that is STABLE (its result can depend on the time zone). PostgreSQL does
-- not inline a function declared IMMUTABLE whose body is not, so every case
-- ingest() opened called the function three times through the SQL-function
-- executor, and, with constants among its arguments, planned it afresh on
-- each call: ~90 µs of a single alert's ~730 µs in the database, ~7 µs an
-- alert in a batch of 100. The deadline sweep paid the same per case.
-- Declared STABLE, both are expanded in place: no call at all.
SET search_path = xiaoan, pg_catalog;

ALTER FUNCTION alarm_moment_after(timestamptz, timestamptz, timestamptz) STABLE;
ALTER FUNCTION alarm_after(timestamptz, case_state, timestamptz, timestamptz, timestamptz, timestamptz,
                           timestamptz, timestamptz) STABLE;
